"""What the setup flow says, as typed values: the notices it emits and how a run ends.

``wizard.flow.Flow`` prints nothing: at each moment a person should see something, it
hands one of these notices to the presenter of its mode (``views.presenters``: the
terminal, ``--accessible`` plain lines, the answers-file log), and ``Flow.run`` returns
an ``Outcome``. Codes, content objects and dates only: the words are the presenter's.
"""

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from tracesguide.content import Message, Problem, Question, Step
from tracesguide.engine import Situation
from tracesguide.state import State


class Ending(StrEnum):
    """How a run of ``setup`` ended."""

    COMPLETE = "complete"  # every step that applies is done
    ENDED = "ended"  # an answer ends the guide (a role it does not cover)
    BLOCKED = "blocked"  # an answer blocks the step until it changes
    LATER = "later"  # the user stops here and comes back later


class Outcome(NamedTuple):
    ending: Ending
    state: State
    situation: Situation


# -- the notices, in the order a run may emit them ------------------------------------


class Started(NamedTuple):
    """The run begins: the welcome; on a resume, where the user stands."""

    situation: Situation
    state: State
    path: Path
    now: datetime
    first_run: bool
    waiting_files: tuple[Path, ...] = ()  # messages ready while a request is pending


class Preparing(NamedTuple):
    """The first run's « Avant de commencer »: how many steps, what to have ready."""


class TimerExpired(NamedTuple):
    text: str  # the content's message for a delay that has passed


class StepScreen(NamedTuple):
    """A step's screen: what to do and the page as the user will see it."""

    step: Step
    answers: dict[str, str]


class Recap(NamedTuple):
    """Right before a question: where the user is and what to do, in a few lines."""

    step: Step
    answers: dict[str, str]


class PageShown(NamedTuple):
    """« Voir la page »: the page as the user will see it, the other warnings, sources."""

    step: Step
    answers: dict[str, str]


class AlreadyFirst(NamedTuple):
    """« ← Étape précédente » at the first step: there is none."""


class NotFound(NamedTuple):
    """The operator was not found: what to do (the question's ``not_found``)."""

    question: Question


class Blocked(NamedTuple):
    step: Step
    reason: str  # the content's reason for the answer that blocks
    path: Path


class SavedForLater(NamedTuple):
    path: Path


class ProblemHelp(NamedTuple):
    """The checks for the problem chosen (None: « Autre problème »)."""

    problem: Problem | None
    answers: dict[str, str]


class MessagePrepared(NamedTuple):
    message: Message
    text: str
    path: Path


class Warned(NamedTuple):
    """Something to know that does not stop the step (a certificate about to expire)."""

    text: str


class NoKeyring(NamedTuple):
    """The phone number could not be kept in the system keyring (said once)."""


class Finished(NamedTuple):
    """The run is over: complete, ended, or nothing left that applies."""

    outcome: Outcome
    path: Path
    files: tuple[Path, ...]  # the messages prepared, beside the state file


Notice = (
    Started
    | Preparing
    | TimerExpired
    | StepScreen
    | Recap
    | PageShown
    | AlreadyFirst
    | NotFound
    | Blocked
    | SavedForLater
    | ProblemHelp
    | MessagePrepared
    | Warned
    | NoKeyring
    | Finished
)
