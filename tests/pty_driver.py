"""Drive `tracesguide setup` in a real pseudo-terminal, as a person would (pexpect)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte

from tracesguide.content import load
from tracesguide.i18n import catalog

CONTENT = load()
QUESTIONS = {q.key: q for s in CONTENT.steps for q in s.ask}
# The answers a run gets when it is not told otherwise: a new user (no TRACES NT access yet).
DEFAULT_ANSWERS = {"traces_access": "new"}
BY_TITLE = {s.title[:40]: s.id for s in CONTENT.steps}  # « ➜ Title »: its step
DOWN, UP, ENTER, CLEAR = "\x1b[B", "\x1b[A", "\r", "\x15"
# prompt_toolkit turns bracketed paste off when a prompt is answered: after it, what
# comes is new output, not the answered prompt drawn again.
PROMPT_DONE = re.escape("\x1b[?2004l")
STEP_ID = re.compile(r"\(((?:eu-login|second-factor|traces|operator|access)\.[a-z0-9.-]+)\)")


def spaced(words: str) -> str:
    """A pattern for *words* as a prompt draws them: a prompt wrapped at the terminal's
    width breaks a line between words, keeps French spacing with no-break spaces, and
    prompt_toolkit may draw a space as a cursor move or a style change."""
    gap = r"(?:\s|\x1b\[[0-9;]*[A-Za-z])+"
    return gap.join(re.escape(word) for word in words.split())


# The wizard's own questions the driver answers, by their catalog keys (in the
# language of the session): *said* holds their words.
ASKED = (
    "wizard.where_are_you",
    "wizard.your_company",
    "wizard.keep_email",
    "wizard.which_problem",
    "operator_step.what_now",
    "operator_step.typed_name",
    "operator_step.typed_identifier",
    "operator_step.check_offer",
    "wizard.confirm_end_question",
    "wizard.offer_switch",
    "wizard.note_prompt",
)


def words_of(message: str) -> str:
    """The longest literal part of a catalog message (placeholders aside): what the
    screen shows of it whatever the values, up to 40 characters."""
    parts = re.split(r"\{[^}]*\}", message)
    return max(parts, key=len).strip().rstrip("…")[:40]


def tracesguide_executable() -> str:
    """The installed console script beside this Python (the package as a user runs it)."""
    candidate = Path(sys.executable).parent / "tracesguide"
    found = str(candidate) if candidate.exists() else shutil.which("tracesguide")
    assert found, "tracesguide is not installed in this environment"
    return found


def spawn(
    args: list[str], size: tuple[int, int] = (24, 80), env: dict[str, str] | None = None
) -> pexpect.spawn:
    """``tracesguide ARGS`` in a pseudo-terminal of *size* (rows, columns), as a person
    runs it: no colour, no wait for a cursor report."""
    rows, columns = size
    full_env = {
        **os.environ,
        "PROMPT_TOOLKIT_NO_CPR": "1",  # no 1 s wait per prompt for a cursor report
        "NO_COLOR": "1",
        "TERM": "xterm",
        "COLUMNS": str(columns),
        "LINES": str(rows),
        **(env or {}),
    }
    return pexpect.spawn(
        tracesguide_executable(), args, env=full_env, encoding="utf-8", timeout=30, dimensions=size
    )


class Session:
    def __init__(
        self,
        state: Path,
        env: dict[str, str] | None = None,
        size: tuple[int, int] = (50, 120),
        args: tuple[str, ...] = ("setup",),
        lang: str = "fr",
    ) -> None:
        self.state = state
        self.lang = lang
        self.content = load(lang)
        self.questions = {q.key: q for s in self.content.steps for q in s.ask}
        # a key asked on two paths (the name at the account form, or of an existing
        # account) has a prompt on each: either is its question
        self.prompts: dict[str, list[str]] = {}
        for step in self.content.steps:
            for question in step.ask:
                texts = self.prompts.setdefault(question.key, [])
                if question.prompt[:40] not in texts:
                    texts.append(question.prompt[:40])
        self.by_title = {s.title[:40]: s.id for s in self.content.steps}
        self.catalog = catalog(lang)
        self.pause_words = words_of(self.catalog["wizard.press_enter"])
        rows, columns = size
        arguments = [*(("--lang", lang) if lang != "fr" else ()), *args, "--state", str(state)]
        self.child = spawn(arguments, size, env)
        self.transcript: list[str] = []
        self.step = ""
        self.failed = ""  # the method that failed, when a switch is asked
        # the terminal as the user sees it (a VT emulator fed with everything printed)
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)

    def showed(self, step_id: str) -> bool:
        """Whether the step's screen was drawn (« ➜ its title »: screens show no id)."""
        title = " ".join(self.content.step(step_id).title.split())
        plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.output)
        return f"➜ {title}"[:42] in " ".join(plain.split())

    def display(self) -> str:
        """The terminal's visible lines now, joined (what a person sees)."""
        return "\n".join(line.rstrip() for line in self.screen.display)

    def _saved_answers(self) -> dict[str, str]:
        if not self.state.exists():
            return {}
        answers: dict[str, str] = tomllib.loads(self.state.read_text()).get("answers", {})
        return answers

    def expect(self, patterns: list[str]) -> int:
        index: int = self.child.expect(patterns)
        seen = self.child.before or ""
        self.transcript.append(seen)
        self.stream.feed(seen)
        if isinstance(self.child.after, str):
            self.stream.feed(self.child.after)
        ids = STEP_ID.findall(seen)  # the answers file's log and staff views name ids
        if ids:
            self.step = ids[-1]
        plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen)
        for title in re.findall(r"➜ ([^\r\n]+)", plain):  # the screens name the title only
            step = self.by_title.get(" ".join(title.split())[:40])
            if step is not None:
                self.step = step
        return index

    def answered(self) -> None:
        self.child.expect(PROMPT_DONE)
        self.transcript.append(self.child.before or "")  # the prompt as drawn: its choices
        self.stream.feed((self.child.before or "") + str(self.child.after or ""))

    def choose(self, key: str, value: str) -> None:
        question = self.questions[key]
        values = [c.value for c in question.choices]
        current = self._saved_answers().get(key)
        recommended = next((c.value for c in question.choices if c.recommended), None)
        if current is not None and current == self.failed:  # a switch: another is preselected
            others = [c for c in question.choices if c.value != current and not c.ends]
            current = next((c.value for c in others if c.recommended), others[0].value)
            self.failed = ""
        start = values.index(current if current in values else recommended or values[0])
        moves = values.index(value) - start
        self.child.send((DOWN if moves > 0 else UP) * abs(moves) + ENTER)

    def type(self, text: str) -> None:
        self.child.send(CLEAR + text + ENTER)

    def run(
        self,
        answers: dict[str, str],
        actions: dict[str, str] | None = None,
        invalid: dict[str, list[tuple[str, str]]] | None = None,
        eof_at: str | None = None,
        operator_listed: bool = True,
        operator_typed: bool = False,
        operator_fetch: bool = False,
        confirm_end: tuple[str, ...] = ("yes",),
        switch_to: str | None = None,
        on_question: Callable[[Session, str], None] | None = None,
        notes: list[tuple[str, str]] | None = None,
    ) -> int:
        """Answer until the program exits; returns its exit status.

        *actions* maps a step id to 'later', 'ctrl-c' or 'problem' at its outcome prompt;
        *invalid* maps a key to (bad value, expected error text) pairs typed first;
        *eof_at* is a key whose prompt gets Ctrl-D (end of input) instead of an answer;
        with *operator_listed* False, the company is "not in the list" (then "later");
        with *operator_typed*, the name and number of *answers* are typed as TRACES NT
        shows them, instead of picking a search result; with *operator_fetch*, the first
        results (none, on the sample) are left for « Télécharger l'annuaire public »;
        *confirm_end* are the answers ("yes"/"no") when a role that ends the guide is to
        be confirmed; *switch_to* is the second factor chosen when a switch is offered
        after a problem (None: keep the method); *on_question* is called at each question
        with its text; with *notes*, a problem reported is « Autre problème » and each
        (text, expected error) is typed at the note it asks for, in turn ("" : accepted).
        """
        notes = list(notes or [])
        answers = {**DEFAULT_ANSWERS, **answers}
        confirms = list(confirm_end)
        actions = dict(actions or {})
        invalid = {k: list(v) for k, v in (invalid or {}).items()}
        prompts = {key: texts[0] for key, texts in self.prompts.items()}
        keys = list(prompts)
        # what each pattern looks for, in words (given to *on_question*)
        said = [*(words_of(self.catalog[key]) for key in ASKED), *prompts.values()]
        pause = spaced(self.pause_words)
        either = {key: "|".join(map(spaced, texts)) for key, texts in self.prompts.items()}
        patterns = [
            *(spaced(words) for words in said[: len(ASKED)]),
            *(f"(?:{either[key]})" for key in keys),
            pause,
            pexpect.EOF,
        ]
        while True:
            index = self.expect(patterns)
            if patterns[index] is pexpect.EOF:
                self.child.close()
                return int(self.child.exitstatus if self.child.exitstatus is not None else -1)
            if patterns[index] == pause:  # a screen read before going on: Enter
                self.child.send(ENTER)
                self.answered()
                continue
            if on_question is not None:
                on_question(self, said[index])
            if index == 0:
                action = actions.pop(self.step, "done")
                if action == "ctrl-c":
                    self.child.sendintr()
                elif action == "later":
                    self.child.send(DOWN + ENTER)
                elif action == "problem":
                    self.child.send(DOWN + DOWN + ENTER)
                elif action == "back":
                    self.child.send(UP + ENTER)  # the last choice (UP wraps round)
                else:
                    self.child.send(ENTER)
            elif index == 1:
                # the best match comes first; « ← Étape précédente » is last (UP wraps
                # round), "not in the list" before it, "type the name and number" before that
                if actions.get(self.step) == "back":
                    actions.pop(self.step)
                    self.child.send(UP + ENTER)
                elif operator_typed:
                    self.child.send(UP + UP + UP + ENTER)
                elif operator_fetch:
                    operator_fetch = False  # after "search again": no match, then fetch
                    self.child.send(DOWN + ENTER)
                else:
                    self.child.send(ENTER if operator_listed else UP + UP + ENTER)
            elif index == 2:
                self.child.send(ENTER)  # "no, I type another address" comes first
            elif index == 3:
                # the first known problem; « Autre problème » is last (UP wraps round)
                self.child.send(UP + ENTER if notes else ENTER)
            elif index == 4:
                self.child.send(UP + ENTER)  # after "not in the list": "later" is last
            elif index == 5:
                self.type(answers["operator_name"])
            elif index == 6:
                self.type(answers["operator_traces_number"])
            elif index == 7:
                self.child.send(DOWN + ENTER)  # "no, go on"
            elif index == 8:
                self.child.send(DOWN + ENTER if confirms.pop(0) == "yes" else ENTER)
            elif index == 9:
                if switch_to is None:
                    self.child.send(ENTER)  # "no, I go on with this method" comes first
                else:
                    self.failed = self._saved_answers().get("second_factor_method", "")
                    answers["second_factor_method"] = switch_to
                    self.child.send(DOWN + ENTER)
            elif index == 10:
                while True:
                    text, error = notes.pop(0)
                    self.type(text)
                    if not error:
                        break
                    # refused: the reason under the prompt, the text still there
                    gap = r"(?:\s|\x1b\[\d*C)+"
                    self.expect([gap.join(re.escape(word) for word in error.split())])
            else:
                key = keys[index - 11]
                if key == eof_at:
                    self.child.send(CLEAR + "\x04")
                    continue
                for bad, error in invalid.pop(key, []):
                    self.type(bad)
                    # prompt_toolkit may draw a space as a cursor move (ESC [ C)
                    gap = r"(?:\s|\x1b\[\d*C)+"
                    self.expect([gap.join(re.escape(word) for word in error.split())])
                    self.expect([either[key]])  # asked again, the reason above it
                if key == "operator":
                    self.type(answers["operator_name"])
                elif self.questions[key].kind == "choice":
                    self.choose(key, answers[key])
                else:
                    self.type(answers.get(key, ""))
            self.answered()

    @property
    def output(self) -> str:
        return "".join(self.transcript)
