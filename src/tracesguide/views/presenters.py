"""One presenter per mode of ``setup``: it draws what the flow says, and nothing else.

The flow (``wizard.flow``) hands each notice of ``reports.setup`` to ``show``. The
terminal presenter draws rich panels with a rule between steps; the plain presenter
(``--accessible``) draws the same things without boxes nor colour; the answers-file
presenter logs one line per step (the run is not read on a screen) and the notices a
script's user must see.
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console, RenderableType
from rich.text import Text

from tracesguide.content import Content
from tracesguide.i18n import t
from tracesguide.reports.setup import (
    AlreadyFirst,
    Blocked,
    Ending,
    Finished,
    MessagePrepared,
    NoKeyring,
    NotFound,
    Notice,
    PageShown,
    Preparing,
    ProblemHelp,
    Recap,
    SavedForLater,
    Started,
    StepScreen,
    TimerExpired,
    Warned,
)
from tracesguide.system.hints import command
from tracesguide.system.sanitize import inert
from tracesguide.views.render import (
    message_panel,
    personalise,
    problem_panel,
    say_line,
    welcome,
)
from tracesguide.views.screens import (
    preparation,
    step_header,
    step_page,
    summary,
    waiting,
)


class Presenter(Protocol):
    def show(self, notice: Notice) -> None: ...


class TerminalPresenter:
    """The interactive wizard's screens (arrow-key menus)."""

    def __init__(self, content: Content, console: Console) -> None:
        self.content = content
        self.console = console

    def print(self, *renderables: RenderableType) -> None:
        self.console.print(*renderables)

    def say(self, text: str) -> None:
        """A line holding a command to copy: never cut, no markup read in it."""
        say_line(self.console, text)

    headed = ""  # the step whose header ends the screen (nothing shown since)

    def show(self, notice: Notice) -> None:
        if not isinstance(notice, StepScreen | Recap):
            self.headed = ""
        match notice:
            case Started():
                self.started(notice)
            case Preparing():
                self.print(preparation(self.content))
            case StepScreen():
                self.step_screen(notice)
            case Recap():
                self.recap(notice)
            case PageShown():
                self.page(notice)
            case TimerExpired():
                self.print(Text("⏰ " + notice.text, style="bold yellow"))
            case AlreadyFirst():
                self.print(Text(t("wizard.first_step"), style="yellow"))
            case NotFound():
                self.print(Text(notice.question.not_found))
            case Blocked():
                self.print(Text("⏸ " + notice.reason, style="bold yellow"))
                self.say(t("wizard.come_back", command=command("setup", notice.path)))
            case SavedForLater():
                self.say(t("wizard.saved_resume", command=command("setup", notice.path)))
            case ProblemHelp():
                problem = notice.problem
                text = personalise(problem.help, notice.answers) if problem else ""
                self.print(problem_panel(text or t("wizard.other_problem_help")))
            case MessagePrepared():
                self.print(message_panel(notice.message.title, notice.text))
                # the file's path on one line (the terminal wraps it): copied whole
                shown = inert(t("wizard.message_saved", path=notice.path), single_line=True)
                say_line(self.console, shown, style="dim")
            case Warned():
                self.print(Text("⚠ " + notice.text, style="yellow"))
            case NoKeyring():
                self.print(Text(t("wizard.no_keyring"), style="yellow"))
            case Finished():
                self.finished(notice)

    def started(self, notice: Started) -> None:
        self.print(welcome(self.content, notice.state, notice.path, notice.situation))
        if notice.waiting_files and notice.situation.waiting_since is not None:
            elapsed = notice.now - notice.situation.waiting_since
            self.print(waiting(elapsed, list(notice.waiting_files)))

    # The lines a question takes below the step's header (its prompt, help, choices and
    # their description): what must stay free for the whole step to fit one screen.
    QUESTION_ROOM = 9

    def lines(self, renderable: RenderableType) -> int:
        return len(self.console.render_lines(renderable, self.console.options, pad=False))

    def step_screen(self, notice: StepScreen) -> None:
        """The page drawn only where it fits above the header, which ends the screen: at
        the question, where you are, the whole instruction and the question show at once
        on 80×24; otherwise the page is one choice away (« Voir la page … »)."""
        step, answers = notice.step, notice.answers
        self.console.print()
        self.console.rule(style="dim")
        page = step_page(self.content, step, answers)
        header = step_header(self.content, step, answers, url=False)
        room = self.console.height - self.lines(header) - self.QUESTION_ROOM - 1
        fits = self.lines(page) <= room
        if fits:
            self.print(page)
        else:
            header = step_header(self.content, step, answers)
        self.print(header)
        self.headed = step.id

    def recap(self, notice: Recap) -> None:
        """Before a question: the header again, unless it is the last thing shown."""
        if self.headed == notice.step.id:
            return
        self.console.print()
        self.print(step_header(self.content, notice.step, notice.answers))
        self.headed = notice.step.id

    def page(self, notice: PageShown) -> None:
        self.console.print()
        self.print(step_page(self.content, notice.step, notice.answers))

    def finished(self, notice: Finished) -> None:
        outcome = notice.outcome
        if outcome.ending == Ending.COMPLETE:
            self.print(Text(t("status.complete"), style="bold green"))
            self.print(summary(self.content, outcome.situation, outcome.state, list(notice.files)))
        elif outcome.ending == Ending.ENDED:
            self.print(Text(outcome.situation.progress.ended, style="yellow"))
            self.print(Text(t("status.ended_role")))
            self.say(t("wizard.ended_edit", command=command("edit role", notice.path)))
        else:  # nothing left that applies, yet not complete: say where to look
            self.say(t("wizard.nothing_to_offer", command=command("status", notice.path)))


class PlainPresenter(TerminalPresenter):
    """``--accessible``: the same screens as plain lines (``render.set_plain``), no rule;
    read in order by a screen reader, the whole step is said at once."""

    def step_screen(self, notice: StepScreen) -> None:
        """The whole step in reading order, the page first: what to do comes last, right
        before the question, so that it is also what an 80×24 screen keeps."""
        step, answers = notice.step, notice.answers
        self.console.print()
        self.print(step_page(self.content, step, answers))
        self.print(step_header(self.content, step, answers, url=False))
        self.headed = step.id


class AnswersPresenter(TerminalPresenter):
    """``setup --answers``: a line per step; no recap (nobody reads it on a screen)."""

    def step_screen(self, notice: StepScreen) -> None:
        self.print(Text(f"▸ {notice.step.title} ({notice.step.id})"))

    def recap(self, notice: Recap) -> None:
        """Nothing: the run is not read on a screen."""
