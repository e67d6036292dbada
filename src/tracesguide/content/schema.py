"""The content's schema: a parsed content file, checked key by key, into a ``Content``.

Every key is checked: an unknown key, a wrong type, a missing source, a duplicate id
or a reference to a step that does not exist is a ``ContentError`` naming where. The
schema is documented in ``docs/content.md``.
"""

import re
from collections.abc import Iterator
from typing import Any

from tracesguide.content.model import (
    ACTORS,
    ASK_KINDS,
    CHOICE_KIND,
    FORMAT_VERSION,
    KIND_ROLES,
    OFFERS,
    OPERATOR_KIND,
    Choice,
    Content,
    Desk,
    Entry,
    Field,
    Message,
    Placeholder,
    Problem,
    Question,
    Screen,
    Source,
    SourceRef,
    Stage,
    Step,
    Timer,
    Who,
    troubleshooting_for,
)
from tracesguide.i18n import t
from tracesguide.system.errors import ContentError

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class _Reader:
    """Reads one table with a path for error messages; every key must be consumed."""

    def __init__(self, table: Any, where: str, root: bool = False) -> None:
        if not isinstance(table, dict):
            raise ContentError(t("content.table_expected", where=where))
        self.table: dict[str, Any] = dict(table)
        self.where = where
        self.inner = "" if root else f"{where}."  # what the places inside it start with

    def _take(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in self.table:
            if default is _REQUIRED:
                raise ContentError(t("content.key_missing", where=self.where, key=key))
            return default
        value = self.table.pop(key)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise ContentError(t("content.wrong_type", where=self.where, key=key))
        return value

    def text(self, key: str, default: Any = None) -> Any:
        value = self._take(key, str, _REQUIRED if default is None else default)
        if default is None and not value.strip():
            raise ContentError(t("content.empty", where=self.where, key=key))
        return value

    def integer(self, key: str) -> int:
        value: int = self._take(key, int, _REQUIRED)
        return value

    def flag(self, key: str) -> bool:
        value: bool = self._take(key, bool, False)
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self._take(key, list, [])
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise ContentError(t("content.texts_expected", where=self.where, key=key))
        return tuple(values)

    def tables(self, key: str, required: bool = False) -> list[Any]:
        values: list[Any] = self._take(key, list, _REQUIRED if required else [])
        return values

    def each(self, key: str, required: bool = False) -> Iterator["_Reader"]:
        """A reader for each table of the list *key*, each checked whole once read."""
        for i, table in enumerate(self.tables(key, required)):
            reader = _Reader(table, f"{self.inner}{key}[{i}]")
            yield reader
            reader.done()

    def table_(self, key: str, required: bool = True) -> Any:
        return self._take(key, dict, _REQUIRED if required else None)

    def done(self) -> None:
        if self.table:
            unknown = ", ".join(sorted(self.table))
            raise ContentError(t("content.unknown_key", where=self.where, keys=unknown))


_REQUIRED = object()
_NO_QUESTION = Question(key="", kind="", prompt="")


def _screen(table: Any, where: str) -> Screen:
    r = _Reader(table, where)
    fields = [Field(label=f.text("label"), value=f.text("value", "")) for f in r.each("fields")]
    screen = Screen(
        title=r.text("title"),
        url=r.text("url", ""),
        lines=r.texts("lines"),
        fields=tuple(fields),
        buttons=r.texts("buttons"),
        links=r.texts("links"),
    )
    r.done()
    return screen


def _question(table: Any, where: str) -> Question:
    r = _Reader(table, where)
    key = r.text("key")
    if not _KEY.match(key):
        raise ContentError(t("content.bad_key", where=where, key=key))
    kind = r.text("kind")
    if kind not in ASK_KINDS:
        raise ContentError(
            t("content.unknown_kind", where=where, kind=kind, kinds=", ".join(ASK_KINDS))
        )
    choices = []
    for i, c in enumerate(r.tables("choices")):
        cr = _Reader(c, f"{where}.choices[{i}]")
        choices.append(
            Choice(
                value=cr.text("value"),
                label=cr.text("label"),
                description=cr.text("description", ""),
                recommended=cr.flag("recommended"),
                ends=cr.text("ends", ""),
                blocks=cr.text("blocks", ""),
            )
        )
        cr.done()
    if (kind == CHOICE_KIND) != bool(choices):
        raise ContentError(t("content.choices_required", where=where))
    if len({c.value for c in choices}) != len(choices):
        raise ContentError(t("content.duplicate_choice", where=where))
    question = Question(
        key=key,
        kind=kind,
        prompt=r.text("prompt"),
        choices=tuple(choices),
        before=r.flag("before"),
        help=r.text("help", ""),
        not_found=r.text("not_found", ""),
        optional=r.flag("optional"),
        offers=r.texts("offers"),
        stores=_stores(r.table_("stores", required=False), kind, key, where),
        label=r.text("label", ""),
    )
    r.done()
    for offer in question.offers:
        if offer not in OFFERS:
            raise ContentError(
                t("content.unknown_offer", where=where, offer=offer, offers=", ".join(OFFERS))
            )
    if question.not_found and kind != OPERATOR_KIND:
        raise ContentError(t("content.not_found_operator_only", where=where))
    return question


def _step(table: Any, index: int) -> Step:
    raw_id = table.get("id") if isinstance(table, dict) else None
    where = f"steps[{index}]" + (f" ({raw_id})" if isinstance(raw_id, str) else "")
    r = _Reader(table, where)
    step_id = r.text("id")
    if not _ID.match(step_id):
        raise ContentError(t("content.bad_id", where=where, id=step_id))
    sources = _source_refs(r)
    if not sources:
        raise ContentError(t("content.no_source", where=where))
    when_table = r.table_("when", required=False) or {}
    when = []
    for key, value in when_table.items():
        if not isinstance(value, str):
            raise ContentError(t("content.when_text", where=where, key=key))
        when.append((key, value))
    problems = [
        Problem(id=p.text("id"), label=p.text("label"), help=p.text("help"))
        for p in r.each("problems")
    ]
    timer_table = r.table_("timer", required=False)
    timer = None
    if timer_table is not None:
        tr = _Reader(timer_table, f"{where}.timer")
        timer = Timer(
            after=tr.text("after"), minutes=tr.integer("minutes"), message=tr.text("message")
        )
        tr.done()
    step = Step(
        id=step_id,
        stage=r.text("stage"),
        title=r.text("title"),
        do=r.text("do"),
        screen=_screen(r.table_("screen"), f"{where}.screen"),
        source=sources,
        action=r.text("action", ""),
        warnings=r.texts("warnings"),
        ask=tuple(_question(q, f"{where}.ask[{i}]") for i, q in enumerate(r.tables("ask"))),
        when=tuple(when),
        milestone=r.text("milestone", ""),
        problems=tuple(problems),
        timer=timer,
        optional=r.flag("optional"),
        done=r.text("done", ""),
        message=_message(r.table_("message", required=False), f"{where}.message"),
        depends_on=r.texts("depends_on"),
        actor=r.text("actor", "user"),
    )
    r.done()
    if step.actor not in ACTORS:
        raise ContentError(
            t("content.bad_actor", where=where, actor=step.actor, actors=", ".join(ACTORS))
        )
    return step


def _stores(table: Any, kind: str, key: str, where: str) -> tuple[tuple[str, str], ...]:
    """What a question stores: one answer *key* by default, else the roles of its kind."""
    roles = KIND_ROLES[kind]
    if table is None:
        if roles != ("value",):
            raise ContentError(t("content.stores_required", where=where, roles=", ".join(roles)))
        return (("value", key),)
    r = _Reader(table, f"{where}.stores")
    stores = tuple((role, r.text(role)) for role in roles)
    r.done()
    for _, stored in stores:
        if not _KEY.match(stored):
            raise ContentError(t("content.bad_key", where=where, key=stored))
    return stores


def _message(table: Any, where: str) -> Message | None:
    if table is None:
        return None
    r = _Reader(table, where)
    message = Message(
        title=r.text("title"),
        file=r.text("file"),
        subject=r.text("subject"),
        body=r.text("body"),
        to=r.text("to", ""),
    )
    r.done()
    if not _FILE.match(message.file):
        raise ContentError(t("content.bad_file_name", where=where, file=message.file))
    return message


def parse(data: dict[str, Any], name: str = "content") -> Content:
    """Build and check a ``Content`` from a parsed TOML document."""
    r = _Reader(data, name, root=True)
    version = r.integer("format_version")
    if version != FORMAT_VERSION:
        raise ContentError(t("content.unsupported_format", where=name, version=version))
    sources = [
        Source(
            id=s.text("id"), title=s.text("title"), file=s.text("file"), short=s.text("short", "")
        )
        for s in r.each("sources", required=True)
    ]
    stages = [
        Stage(
            id=s.text("id"),
            number=number,
            title=s.text("title"),
            summary=s.text("summary"),
            offer_change=s.text("offer_change", ""),
        )
        for number, s in enumerate(r.each("stages", required=True), start=1)
    ]
    steps = tuple(_step(s, i) for i, s in enumerate(r.tables("steps", required=True)))
    desks = tuple(
        Desk(
            id=d.text("id"),
            name=d.text("name"),
            role=d.text("role"),
            acts=d.text("acts", ""),
            contact=d.text("contact", ""),
        )
        for d in r.each("desks")
    )
    for desk in desks:
        if desk.acts and desk.acts not in ACTORS:
            actors = ", ".join(ACTORS)
            where = f"desks.{desk.id}"
            raise ContentError(t("content.bad_actor", where=where, actor=desk.acts, actors=actors))
    entries = _troubleshooting(r.tables("troubleshooting"))
    content = Content(
        format_version=version,
        language=r.text("language"),
        title=r.text("title"),
        sources=tuple(sources),
        stages=tuple(stages),
        steps=steps,
        by_id={s.id: s for s in steps},
        desks=desks,
        troubleshooting=entries,
        milestones=tuple(r.texts("milestones")),
        placeholders=_placeholders(r.table_("placeholders", required=False)),
        who=_who(r.table_("who", required=False)),
        summary=r.text("summary", ""),
        milestone_names=_names(r.table_("milestone_names", required=False)),
    )
    r.done()
    _check_references(content)
    return _attach_troubleshooting(content)


def _placeholders(table: Any) -> tuple[Placeholder, ...]:
    if table is None:
        return ()
    r = _Reader(table, "placeholders")
    found = tuple(Placeholder(key, r.text(key)) for key in list(r.table))
    r.done()
    return found


def _names(table: Any) -> tuple[tuple[str, str], ...]:
    if table is None:
        return ()
    r = _Reader(table, "milestone_names")
    found = tuple((key, r.text(key)) for key in list(r.table))
    r.done()
    return found


def _who(table: Any) -> Who | None:
    if table is None:
        return None
    r = _Reader(table, "who")
    who = Who(*(r.text(field) for field in Who._fields))
    r.done()
    return who


def _check_references(content: Content) -> None:
    def duplicate(ids: list[str]) -> str:
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                return i
            seen.add(i)
        return ""

    # The catalog is read only on an error: the reading commands never load it to start.
    if twice := duplicate([s.id for s in content.sources]):
        raise ContentError(t("content.duplicate", what=t("content.duplicate_source"), id=twice))
    if twice := duplicate([s.id for s in content.stages]):
        raise ContentError(t("content.duplicate", what=t("content.duplicate_stage"), id=twice))
    if twice := duplicate([s.id for s in content.steps]):
        raise ContentError(t("content.duplicate", what=t("content.duplicate_step"), id=twice))
    stored = {k for s in content.steps for q in s.ask for k in q.answer_keys}
    placeholders = {p.key for p in content.placeholders}
    for field, key in zip(Who._fields, content.who or (), strict=False):
        if key not in stored:
            raise ContentError(t("content.unknown_answer_key", where=f"who.{field}", key=key))
    for key in re.findall(r"\{([^{}]*)\}", content.summary):
        if key not in stored | placeholders:
            raise ContentError(t("content.unknown_answer_key", where="summary", key=key))
    names = [m for m, _ in content.milestone_names]
    if content.milestone_names and names != list(content.milestones):
        raise ContentError(t("content.milestone_names"))
    source_ids = {s.id for s in content.sources}
    stage_ids = [s.id for s in content.stages]
    step_ids = {s.id for s in content.steps}
    keys: dict[str, Question] = {}
    askers: dict[str, list[Step]] = {}  # the steps that ask each key
    last_stage = 0
    for step in content.steps:
        if step.stage not in stage_ids:
            raise ContentError(t("content.unknown_stage", step=step.id, stage=step.stage))
        position = stage_ids.index(step.stage)
        if position < last_stage:
            raise ContentError(t("content.stage_order", step=step.id))
        last_stage = position
        if not step.id.startswith(step.stage + "."):
            raise ContentError(t("content.id_prefix", step=step.id, stage=step.stage))
        for ref in step.source:
            if ref.source not in source_ids:
                raise ContentError(t("content.unknown_source", step=step.id, source=ref.source))
        if step.milestone and step.milestone not in content.milestones:
            raise ContentError(
                t("content.unknown_milestone", step=step.id, milestone=step.milestone)
            )
        if step.timer and step.timer.after not in step_ids:
            raise ContentError(t("content.unknown_timer_step", step=step.id))
        for key, value in step.when:
            question = keys.get(key)
            if question is None:
                raise ContentError(t("content.when_unknown_key", step=step.id, key=key))
            if question.kind == CHOICE_KIND and question.choice(value) is None:
                raise ContentError(t("content.when_unknown_value", step=step.id, value=value))
        for question in step.ask:
            earlier = keys.get(question.key)
            if earlier is not None and not _may_ask_again(
                step, askers[question.key], question, earlier
            ):
                raise ContentError(t("content.key_asked_twice", step=step.id, key=question.key))
            keys.setdefault(question.key, question)
            askers.setdefault(question.key, []).append(step)
    for step in content.steps:
        for key in step.depends_on:
            if key not in keys:
                raise ContentError(t("content.depends_unknown_key", step=step.id, key=key))
    for stage in content.stages:
        if stage.offer_change and keys.get(stage.offer_change, _NO_QUESTION).kind != CHOICE_KIND:
            raise ContentError(t("content.offer_change_key", stage=stage.id))
    for milestone in content.milestones:
        if not any(s.milestone == milestone for s in content.steps):
            raise ContentError(t("content.milestone_unreached", milestone=milestone))


def _exclusive(one: Step, other: Step) -> bool:
    """True if no answers can make both steps apply: their ``when`` require different
    values of one answer."""
    required = dict(other.when)
    return any(key in required and required[key] != value for key, value in one.when)


def _may_ask_again(step: Step, askers: list[Step], question: Question, first: Question) -> bool:
    """A key may be asked by several steps only when no user meets two of them (their
    ``when`` exclude each other) and the question is of the same kind and choices: one
    answer, asked on each path where it is needed."""
    same = (
        question.kind == first.kind
        and question.stores == first.stores
        and [c.value for c in question.choices] == [c.value for c in first.choices]
    )
    return same and all(_exclusive(step, other) for other in askers)


# --- troubleshooting: [[desks]] and [[troubleshooting]] (docs/content.md) -------------------


def _source_refs(r: _Reader) -> tuple[SourceRef, ...]:
    """The ``[[...source]]`` references of a step or an entry."""
    return tuple(
        SourceRef(source=s.text("source"), where=s.text("where"))
        for s in r.each("source", required=True)
    )


def _troubleshooting(entry_tables: list[Any]) -> tuple[Entry, ...]:
    """Read the troubleshooting entries; references are checked later."""
    entries = []
    for i, table in enumerate(entry_tables):
        where = f"troubleshooting[{i}]"
        er = _Reader(table, where)
        refs = _source_refs(er)
        entry = Entry(
            id=er.text("id"),
            label=er.text("label"),
            symptoms=er.texts("symptoms"),
            check=er.texts("check"),
            actions=er.texts("actions"),
            desks=er.texts("desks"),
            steps=er.texts("steps"),
            source=refs,
        )
        er.done()
        if not (entry.symptoms and entry.actions and entry.desks and entry.source):
            raise ContentError(t("troubleshoot.content_required", where=where))
        entries.append(entry)
    return tuple(entries)


def _attach_troubleshooting(content: Content) -> Content:
    """Check the entries' references and offer each entry at its steps (``Step.problems``)."""
    desk_ids = [d.id for d in content.desks]
    entry_ids = [e.id for e in content.troubleshooting]
    for ids in (desk_ids, entry_ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ContentError(t("troubleshoot.content_duplicate", ids=", ".join(twice)))
    source_ids = {s.id for s in content.sources}
    for entry in content.troubleshooting:
        unknown = (
            [d for d in entry.desks if d not in desk_ids]
            + [s for s in entry.steps if s not in content.by_id]
            + [r.source for r in entry.source if r.source not in source_ids]
        )
        if unknown or not _ID.match(entry.id):
            raise ContentError(
                t("troubleshoot.content_reference", id=entry.id, unknown=", ".join(unknown))
            )
    steps = []
    for step in content.steps:
        offered = tuple(
            Problem(id=e.id, label=e.label, help="\n".join(f"• {x}" for x in e.check + e.actions))
            for e in troubleshooting_for(content, step.id)
        )
        if {p.id for p in step.problems} & {p.id for p in offered}:
            raise ContentError(t("troubleshoot.content_clash", step=step.id))
        steps.append(step._replace(problems=step.problems + offered) if offered else step)
    return content._replace(steps=tuple(steps), by_id={s.id: s for s in steps})
