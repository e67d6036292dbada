"""The procedure as data: load a content file into typed, frozen objects.

A content file (``procedures/<lang>.toml``) holds the stages and the steps of the
procedure in one language. Every key is checked: an unknown key, a missing
source, a duplicate id or a reference to a step that does not exist is a
``ContentError``. The schema is documented in ``docs/content.md``.
"""

import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from tracesguide.errors import ContentError
from tracesguide.i18n import t
from tracesguide.toml import TOMLDecodeError, loads

FORMAT_VERSION = 1
LANGUAGES = ("fr",)
MILESTONES = (
    "eu-login-account",
    "second-factor",
    "traces-role",
    "authorisation-requested",
    "access-granted",
)
ASK_KINDS = ("text", "email", "phone", "choice", "operator")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class Source(NamedTuple):
    id: str
    title: str
    file: str


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

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


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


class Stage(NamedTuple):
    id: str
    number: int
    title: str
    summary: str


class Desk(NamedTuple):
    """Who can act on a problem: the control body, the organisation's administrator…"""

    id: str
    name: str
    role: str  # what this desk can and cannot do


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


class Content(NamedTuple):
    """The whole procedure in one language (``by_id`` indexes ``steps``)."""

    format_version: int
    language: str
    title: str
    sources: tuple[Source, ...]
    stages: tuple[Stage, ...]
    steps: tuple[Step, ...]
    messages: dict[str, str]
    by_id: dict[str, Step]
    desks: tuple[Desk, ...] = ()
    troubleshooting: tuple[Entry, ...] = ()

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

    def question(self, key: str) -> Question | None:
        for step in self.steps:
            for question in step.ask:
                if question.key == key:
                    return question
        return None


class _Reader:
    """Reads one table with a path for error messages; every key must be consumed."""

    def __init__(self, table: Any, where: str) -> None:
        if not isinstance(table, dict):
            raise ContentError(f"{where} : une table est attendue")
        self.table: dict[str, Any] = dict(table)
        self.where = where

    def _take(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in self.table:
            if default is _REQUIRED:
                raise ContentError(f"{self.where} : la clé « {key} » manque")
            return default
        value = self.table.pop(key)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise ContentError(f"{self.where}.{key} : type inattendu")
        return value

    def text(self, key: str, default: Any = None) -> Any:
        value = self._take(key, str, _REQUIRED if default is None else default)
        if default is None and not value.strip():
            raise ContentError(f"{self.where}.{key} : ne doit pas être vide")
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
            raise ContentError(f"{self.where}.{key} : une liste de textes non vides est attendue")
        return tuple(values)

    def tables(self, key: str, required: bool = False) -> list[Any]:
        values: list[Any] = self._take(key, list, _REQUIRED if required else [])
        return values

    def table_(self, key: str, required: bool = True) -> Any:
        return self._take(key, dict, _REQUIRED if required else None)

    def done(self) -> None:
        if self.table:
            unknown = ", ".join(sorted(self.table))
            raise ContentError(f"{self.where} : clé inconnue : {unknown}")


_REQUIRED = object()


def _screen(table: Any, where: str) -> Screen:
    r = _Reader(table, where)
    fields = []
    for i, f in enumerate(r.tables("fields")):
        fr = _Reader(f, f"{where}.fields[{i}]")
        fields.append(Field(label=fr.text("label"), value=fr.text("value", "")))
        fr.done()
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
        raise ContentError(f"{where}.key : « {key} » n'est pas un nom de clé valide")
    kind = r.text("kind")
    if kind not in ASK_KINDS:
        raise ContentError(f"{where}.kind : « {kind} » inconnu (attendu : {', '.join(ASK_KINDS)})")
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
    if (kind == "choice") != bool(choices):
        raise ContentError(f"{where} : des choix sont requis pour kind = 'choice', et seulement là")
    if len({c.value for c in choices}) != len(choices):
        raise ContentError(f"{where} : deux choix ont la même valeur")
    question = Question(
        key=key,
        kind=kind,
        prompt=r.text("prompt"),
        choices=tuple(choices),
        before=r.flag("before"),
        help=r.text("help", ""),
    )
    r.done()
    return question


def _step(table: Any, index: int) -> Step:
    raw_id = table.get("id") if isinstance(table, dict) else None
    where = f"steps[{index}]" + (f" ({raw_id})" if isinstance(raw_id, str) else "")
    r = _Reader(table, where)
    step_id = r.text("id")
    if not _ID.match(step_id):
        raise ContentError(f"{where}.id : « {step_id} » n'est pas un identifiant valide")
    sources = []
    for i, s in enumerate(r.tables("source", required=True)):
        sr = _Reader(s, f"{where}.source[{i}]")
        sources.append(SourceRef(source=sr.text("source"), where=sr.text("where")))
        sr.done()
    if not sources:
        raise ContentError(f"{where} : chaque étape doit citer au moins une source")
    when_table = r.table_("when", required=False) or {}
    when = []
    for key, value in when_table.items():
        if not isinstance(value, str):
            raise ContentError(f"{where}.when.{key} : une valeur texte est attendue")
        when.append((key, value))
    problems = []
    for i, p in enumerate(r.tables("problems")):
        pr = _Reader(p, f"{where}.problems[{i}]")
        problems.append(Problem(id=pr.text("id"), label=pr.text("label"), help=pr.text("help")))
        pr.done()
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
        source=tuple(sources),
        action=r.text("action", ""),
        warnings=r.texts("warnings"),
        ask=tuple(_question(q, f"{where}.ask[{i}]") for i, q in enumerate(r.tables("ask"))),
        when=tuple(when),
        milestone=r.text("milestone", ""),
        problems=tuple(problems),
        timer=timer,
        optional=r.flag("optional"),
    )
    r.done()
    return step


def parse(data: dict[str, Any], name: str = "content") -> Content:
    """Build and check a ``Content`` from a parsed TOML document."""
    r = _Reader(data, name)
    version = r.integer("format_version")
    if version != FORMAT_VERSION:
        raise ContentError(f"{name} : format_version {version} non pris en charge")
    sources = []
    for i, s in enumerate(r.tables("sources", required=True)):
        sr = _Reader(s, f"sources[{i}]")
        sources.append(Source(id=sr.text("id"), title=sr.text("title"), file=sr.text("file")))
        sr.done()
    stages = []
    for i, s in enumerate(r.tables("stages", required=True)):
        sr = _Reader(s, f"stages[{i}]")
        stages.append(
            Stage(
                id=sr.text("id"), number=i + 1, title=sr.text("title"), summary=sr.text("summary")
            )
        )
        sr.done()
    steps = tuple(_step(s, i) for i, s in enumerate(r.tables("steps", required=True)))
    desks, entries = _troubleshooting(r.tables("desks"), r.tables("troubleshooting"))
    messages_table = r.table_("messages", required=False) or {}
    if not all(isinstance(v, str) for v in messages_table.values()):
        raise ContentError(f"{name}.messages : des textes sont attendus")
    content = Content(
        format_version=version,
        language=r.text("language"),
        title=r.text("title"),
        sources=tuple(sources),
        stages=tuple(stages),
        steps=steps,
        messages=dict(messages_table),
        by_id={s.id: s for s in steps},
        desks=desks,
        troubleshooting=entries,
    )
    r.done()
    _check_references(content)
    return _attach_troubleshooting(content)


def _check_references(content: Content) -> None:
    def unique(ids: list[str], what: str) -> None:
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                raise ContentError(f"{what} en double : {i}")
            seen.add(i)

    unique([s.id for s in content.sources], "source")
    unique([s.id for s in content.stages], "étape majeure")
    unique([s.id for s in content.steps], "étape")
    source_ids = {s.id for s in content.sources}
    stage_ids = [s.id for s in content.stages]
    step_ids = {s.id for s in content.steps}
    keys: dict[str, Question] = {}
    last_stage = 0
    for step in content.steps:
        if step.stage not in stage_ids:
            raise ContentError(f"{step.id} : étape majeure inconnue « {step.stage} »")
        position = stage_ids.index(step.stage)
        if position < last_stage:
            raise ContentError(f"{step.id} : les étapes doivent suivre l'ordre des étapes majeures")
        last_stage = position
        if not step.id.startswith(step.stage + "."):
            raise ContentError(f"{step.id} : l'identifiant doit commencer par « {step.stage}. »")
        for ref in step.source:
            if ref.source not in source_ids:
                raise ContentError(f"{step.id} : source inconnue « {ref.source} »")
        if step.milestone and step.milestone not in MILESTONES:
            raise ContentError(f"{step.id} : jalon inconnu « {step.milestone} »")
        if step.timer and step.timer.after not in step_ids:
            raise ContentError(f"{step.id} : le minuteur renvoie à une étape inconnue")
        for key, value in step.when:
            question = keys.get(key)
            if question is None:
                raise ContentError(
                    f"{step.id} : « when » renvoie à « {key} », demandé nulle part avant"
                )
            if question.kind == "choice" and question.choice(value) is None:
                raise ContentError(f"{step.id} : « when » attend une valeur inconnue « {value} »")
        for question in step.ask:
            if question.key in keys:
                raise ContentError(f"{step.id} : la clé « {question.key} » est déjà demandée")
            keys[question.key] = question
    for milestone in MILESTONES:
        if not any(s.milestone == milestone for s in content.steps):
            raise ContentError(f"aucune étape n'atteint le jalon « {milestone} »")


# --- troubleshooting: [[desks]] and [[troubleshooting]] (docs/content.md) -------------------


def _troubleshooting(
    desk_tables: list[Any], entry_tables: list[Any]
) -> tuple[tuple[Desk, ...], tuple[Entry, ...]]:
    """Read the desks and the troubleshooting entries; references are checked later."""
    desks = []
    for i, table in enumerate(desk_tables):
        dr = _Reader(table, f"desks[{i}]")
        desks.append(Desk(id=dr.text("id"), name=dr.text("name"), role=dr.text("role")))
        dr.done()
    entries = []
    for i, table in enumerate(entry_tables):
        where = f"troubleshooting[{i}]"
        er = _Reader(table, where)
        refs = []
        for j, ref in enumerate(er.tables("source", required=True)):
            sr = _Reader(ref, f"{where}.source[{j}]")
            refs.append(SourceRef(source=sr.text("source"), where=sr.text("where")))
            sr.done()
        entry = Entry(
            id=er.text("id"),
            label=er.text("label"),
            symptoms=er.texts("symptoms"),
            check=er.texts("check"),
            actions=er.texts("actions"),
            desks=er.texts("desks"),
            steps=er.texts("steps"),
            source=tuple(refs),
        )
        er.done()
        if not (entry.symptoms and entry.actions and entry.desks and entry.source):
            raise ContentError(t("troubleshoot.content_required", where=where))
        entries.append(entry)
    return tuple(desks), tuple(entries)


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


def troubleshooting_for(content: Content, step_id: str) -> tuple[Entry, ...]:
    """The troubleshooting entries the « problème » answer offers at step *step_id*."""
    return tuple(e for e in content.troubleshooting if step_id in e.steps)


def parse_text(text: str, name: str = "content") -> Content:
    try:
        data = loads(text)
    except TOMLDecodeError as error:
        raise ContentError(f"{name} : TOML invalide : {error}") from error
    return parse(data, name)


@cache
def load(language: str = "fr") -> Content:
    """Load the packaged content for *language* (loaded once per process)."""
    if language not in LANGUAGES:
        raise ContentError(
            f"langue « {language} » non disponible",
            f"Langues disponibles : {', '.join(LANGUAGES)}.",
        )
    # A plain path, not importlib.resources: the package is always installed as files,
    # and this saves the reading commands a few milliseconds of start-up.
    source = Path(__file__).parent / "procedures" / f"{language}.toml"
    return parse(_document(source), source.name)


def _document(source: Path) -> dict[str, Any]:
    """The parsed TOML of a content file, through a cache kept like Python's bytecode.

    Parsing the French content takes ~3 ms, a tenth of the reading commands' budget
    over ``import typer``. As for ``.pyc`` files, the parsed document is kept in
    ``__pycache__`` beside the source, keyed by the source's size and modification
    time, and only when Python itself may write bytecode (``PYTHONDONTWRITEBYTECODE``
    and ``-B`` turn it off). The cache only saves parsing: ``parse`` still checks every
    key of what it returns, and any problem with it means "parse the source".
    """
    import marshal
    import sys

    from tracesguide import __version__

    info = source.stat()
    key = [info.st_size, info.st_mtime_ns, __version__]
    cache_file = source.parent / "__pycache__" / f"{source.stem}.content.marshal"
    try:
        stored_key, document = marshal.loads(cache_file.read_bytes())
        if stored_key == key and isinstance(document, dict):
            return document
    except Exception:  # missing, stale or damaged: parse the source
        pass
    try:
        document = loads(source.read_text("utf-8"))
    except TOMLDecodeError as error:
        raise ContentError(f"{source.name} : TOML invalide : {error}") from error
    if not sys.dont_write_bytecode:
        _write_cache(cache_file, marshal.dumps([key, document]))
    return document


def _write_cache(cache_file: Path, data: bytes) -> None:
    from tracesguide.files import write_atomic

    try:
        cache_file.parent.mkdir(exist_ok=True)
        write_atomic(cache_file, [data], mode=0o644)
    except OSError:  # a read-only installation: no cache, as with bytecode
        return
