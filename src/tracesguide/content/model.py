"""The procedure's model: sources, stages, steps, screens and questions, as frozen tuples.

Plain data and the queries on it; ``schema`` builds it from a content file and checks
every key, ``load`` gives the packaged content of a language.
"""

from collections.abc import Mapping
from typing import NamedTuple

__all__ = [
    "ACTORS",
    "ADMIN_ACTOR",
    "ASK_KINDS",
    "CERTIFICATE_CHECK",
    "CHOICE_KIND",
    "CONTROL_BODY_ACTOR",
    "DIRECTORY_DOWNLOAD",
    "EMAIL_KIND",
    "FORMAT_VERSION",
    "KIND_ROLES",
    "LANGUAGES",
    "OFFERS",
    "OPERATOR_KIND",
    "PHONE_KIND",
    "TEXT_KIND",
    "USER_ACTOR",
    "Choice",
    "Content",
    "Desk",
    "Entry",
    "Field",
    "Message",
    "Placeholder",
    "Problem",
    "Question",
    "Screen",
    "Source",
    "SourceRef",
    "Stage",
    "Step",
    "Timer",
    "Who",
    "troubleshooting_for",
]

FORMAT_VERSION = 1
LANGUAGES = ("fr", "en")
# The kinds of question the wizard knows how to ask (``kind``).
TEXT_KIND, EMAIL_KIND, PHONE_KIND, CHOICE_KIND, OPERATOR_KIND = KINDS = (
    "text",
    "email",
    "phone",
    "choice",
    "operator",
)
ASK_KINDS = KINDS
# What a question of each kind stores (``stores``: role = answer key, declared in the
# content). The first role's answer says the question is answered.
KIND_ROLES = {
    TEXT_KIND: ("value",),
    EMAIL_KIND: ("value",),
    CHOICE_KIND: ("value",),
    PHONE_KIND: ("masked",),  # the masked form; the number itself goes to the keyring
    # origin: picked in the directory or typed; body: the control body its certificate names
    OPERATOR_KIND: ("number", "name", "origin", "body"),
}
DIRECTORY_DOWNLOAD = "directory-download"
# What a question may offer before it is asked (``offers``): the wizard knows how to run these.
CERTIFICATE_CHECK = "certificate-check"
OFFERS = (CERTIFICATE_CHECK, DIRECTORY_DOWNLOAD)
# Who must act for a step to move on: the user, the control body, the organisation's admin.
USER_ACTOR, CONTROL_BODY_ACTOR, ADMIN_ACTOR = ACTORS = (
    "user",
    "control-body",
    "organisation-admin",
)


class Source(NamedTuple):
    id: str
    title: str
    file: str
    short: str = ""  # a few words, for the one-line source under a step (else the title)


class SourceRef(NamedTuple):
    """Where a step comes from: a source id and the place in it (step, section, line)."""

    source: str
    where: str


class Field(NamedTuple):
    """A labelled field on a screen; ``value`` may hold ``{placeholders}``."""

    label: str
    value: str = ""


class Screen(NamedTuple):
    """What the EU Login or TRACES NT page shows at that point."""

    title: str
    url: str = ""
    lines: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    buttons: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


class Choice(NamedTuple):
    value: str
    label: str
    description: str = ""
    recommended: bool = False
    ends: str = ""  # choosing it ends the guide, with this explanation
    blocks: str = ""  # choosing it blocks the stage, with this reason


class Question(NamedTuple):
    """A value the wizard asks at a step (``before`` the screen or after it)."""

    key: str
    kind: str
    prompt: str
    choices: tuple[Choice, ...] = ()
    before: bool = False
    help: str = ""
    not_found: str = ""  # kind "operator": what to do when the company is not listed
    optional: bool = False  # an empty answer is allowed
    offers: tuple[str, ...] = ()  # offered at the question (OFFERS)
    stores: tuple[tuple[str, str], ...] = ()  # (role, answer key), roles in KIND_ROLES order
    label: str = ""  # the answer's short name for people (``edit prénom``); else the key

    @property
    def name(self) -> str:
        return self.label or self.key

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def stored(self, role: str = "value") -> str:
        """The answer key this question stores for *role* (see ``KIND_ROLES``)."""
        return dict(self.stores)[role]

    @property
    def answer_keys(self) -> tuple[str, ...]:
        return tuple(key for _, key in self.stores)

    def answered(self, answers: Mapping[str, str]) -> bool:
        """Whether the state holds this question's answer (its first role's key)."""
        return bool(self.stores) and self.stores[0][1] in answers


class Problem(NamedTuple):
    """A known problem at a step, with the checks the sources give."""

    id: str
    label: str
    help: str


class Timer(NamedTuple):
    """A delay from the sources, counted from when step ``after`` was done."""

    after: str
    minutes: int
    message: str


class Message(NamedTuple):
    """A message the step prepares for the user to send: shown, and saved as ``file``
    beside the state file. ``subject`` and ``body`` may hold placeholders."""

    title: str
    file: str
    subject: str
    body: str
    to: str = ""  # the recipient line; may hold placeholders


class Step(NamedTuple):
    id: str
    stage: str
    title: str
    do: str
    screen: Screen
    source: tuple[SourceRef, ...]
    action: str = ""
    warnings: tuple[str, ...] = ()
    ask: tuple[Question, ...] = ()
    when: tuple[tuple[str, str], ...] = ()  # (answer key, required value) pairs, all must hold
    milestone: str = ""
    problems: tuple[Problem, ...] = ()
    timer: Timer | None = None
    optional: bool = False
    done: str = ""  # the « C'est fait » answer where there is nothing to do (« J'ai lu »)
    message: Message | None = None
    depends_on: tuple[str, ...] = ()  # answer keys whose change opens this step again
    actor: str = "user"


class Stage(NamedTuple):
    id: str
    number: int
    title: str
    summary: str
    offer_change: str = ""  # after a problem at one of its steps, offer to change this answer


class Desk(NamedTuple):
    """Who can act on a problem: the control body, the organisation's administrator…"""

    id: str
    name: str
    role: str  # what this desk can and cannot do
    acts: str = ""  # the actor it stands for (ACTORS: "user" for oneself), else itself
    contact: str = ""  # where to reach it (never an invented address)


class Entry(NamedTuple):
    """A troubleshooting entry: a problem users meet, what to check, what to do, who acts."""

    id: str
    label: str  # what the user says ("Je n'ai pas reçu le courriel")
    symptoms: tuple[str, ...]
    check: tuple[str, ...]
    actions: tuple[str, ...]
    desks: tuple[str, ...]  # desk ids, the first one first
    steps: tuple[str, ...]  # the steps whose « problème » answer offers this entry
    source: tuple[SourceRef, ...]


class Placeholder(NamedTuple):
    """A ``{key}`` a text may hold: the user's answer *key*, or *default* until given.

    A default that holds placeholders itself (``{first_name} {last_name}``) is made of
    them: it is filled, never taken from the answers."""

    key: str
    default: str


class Who(NamedTuple):
    """The answers that say who the user is: the support views and the redaction read
    these keys from the content, never from the code."""

    first_name: str
    last_name: str
    email: str
    phone: str
    operator_name: str
    operator_number: str
    operator_origin: str


class Content(NamedTuple):
    """The whole procedure in one language (``by_id`` indexes ``steps``)."""

    format_version: int
    language: str
    title: str
    sources: tuple[Source, ...]
    stages: tuple[Stage, ...]
    steps: tuple[Step, ...]
    by_id: dict[str, Step]
    desks: tuple[Desk, ...] = ()
    troubleshooting: tuple[Entry, ...] = ()
    milestones: tuple[str, ...] = ()  # the milestones the steps reach, in order
    placeholders: tuple[Placeholder, ...] = ()
    who: Who | None = None
    summary: str = ""  # the end summary: {answer key}s filled with what the user knows
    milestone_names: tuple[tuple[str, str], ...] = ()  # (milestone, its name for the user)

    def milestone_name(self, milestone: str) -> str:
        return dict(self.milestone_names).get(milestone, milestone)

    def step(self, step_id: str) -> Step:
        return self.by_id[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self.by_id

    def stage(self, stage_id: str) -> Stage:
        return next(s for s in self.stages if s.id == stage_id)

    def steps_of(self, stage_id: str) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.stage == stage_id)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    @property
    def person(self) -> Who:
        """Who the user is, as the content names the answers (``[who]``)."""
        assert self.who is not None, "the content declares [who]"
        return self.who

    def question(self, key: str) -> Question | None:
        for step in self.steps:
            for question in step.ask:
                if question.key == key:
                    return question
        return None


def troubleshooting_for(content: Content, step_id: str) -> tuple[Entry, ...]:
    """The troubleshooting entries the « problème » answer offers at step *step_id*."""
    return tuple(e for e in content.troubleshooting if step_id in e.steps)
