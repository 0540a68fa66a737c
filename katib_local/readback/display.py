"""What the runner shows while it works: a live rich view on a terminal, plain lines otherwise.

The runner calls a :class:`Display`; it never prints itself. ``PlainDisplay`` writes one line per event (logs,
CI, tests); ``LiveDisplay`` keeps a rich ``Live`` panel with the counts, the best trial so far and the running
trials' latest objective, and prints trial endings above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from katib_local.controller.lifecycle import Counts
from katib_local.experiment.types import TrialStatus

_STYLE = {
    TrialStatus.SUCCEEDED: "green",
    TrialStatus.FAILED: "red",
    TrialStatus.METRICS_UNAVAILABLE: "yellow",
    TrialStatus.EARLY_STOPPED: "magenta",
    TrialStatus.RUNNING: "cyan",
    TrialStatus.CREATED: "dim",
}


@dataclass
class Progress:
    """The state a display renders; the runner keeps it current."""

    experiment: str
    objective: str
    counts: Counts = field(default_factory=Counts)
    max_trials: int | None = None
    best: tuple[str, float] | None = None
    latest: dict[str, str] = field(default_factory=dict)  # running trial -> latest objective value


class Display:
    """Plain-text display; subclasses override :meth:`refresh` and the context manager."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self._warned: set[str] = set()

    def __enter__(self) -> Display:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def info(self, message: str) -> None:
        self.console.print(message, highlight=False, soft_wrap=True)

    def warning(self, message: str) -> None:
        """Print a warning once per distinct message."""
        if message not in self._warned:
            self._warned.add(message)
            self.console.print(Text(f"warning: {message}", style="yellow"), soft_wrap=True)

    def trial_started(self, name: str, assignments: dict[str, str]) -> None:
        params = " ".join(f"{k}={v}" for k, v in assignments.items())
        self.console.print(Text.assemble(("start ", "cyan"), f"{name} {params}"), soft_wrap=True)

    def trial_finished(self, name: str, status: TrialStatus, objective: float | None, message: str) -> None:
        value = "-" if objective is None else f"{objective:.6g}"
        line = Text.assemble((f"{status.value:<18}", _STYLE.get(status, "")), f" {name}  objective={value}")
        if status in (TrialStatus.FAILED, TrialStatus.METRICS_UNAVAILABLE):
            line.append(f"  ({message})", style="dim")
        self.console.print(line, soft_wrap=True)

    def refresh(self, progress: Progress) -> None:
        return None


def progress_table(progress: Progress) -> Table:
    """The live panel: counts, best so far, running trials."""
    c = progress.counts
    total = "∞" if progress.max_trials is None else str(progress.max_trials)
    table = Table(title=f"{progress.experiment}: {c.terminal}/{total} trials done", title_justify="left")
    for col in ("running", "succeeded", "failed", "early-stopped", "metrics-unavailable", "best so far"):
        table.add_column(col)
    best = (
        "-" if progress.best is None else f"{progress.objective}={progress.best[1]:.6g} ({progress.best[0]})"
    )
    table.add_row(
        str(c.running + c.pending),
        str(c.succeeded),
        str(c.failed),
        str(c.early_stopped),
        str(c.metrics_unavailable),
        best,
    )
    return table


class LiveDisplay(Display):
    """Rich ``Live`` panel on a terminal."""

    def __init__(self, console: Console | None = None) -> None:
        super().__init__(console)
        self._live = Live(console=self.console, auto_refresh=False, transient=True)
        self._progress: Progress | None = None

    def __enter__(self) -> LiveDisplay:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def refresh(self, progress: Progress) -> None:
        self._progress = progress
        running = Table.grid(padding=(0, 2))
        for name, value in sorted(progress.latest.items()):
            running.add_row(Text(name, style="cyan"), f"{progress.objective}={value}")
        self._live.update(Group(progress_table(progress), running), refresh=True)


def make_display(console: Console | None = None, live: bool | None = None) -> Display:
    """A live display on a terminal, plain lines otherwise (``live`` forces either)."""
    console = console or Console()
    use_live = console.is_terminal if live is None else live
    return LiveDisplay(console) if use_live else Display(console)


def tensorboard_hint(claims: Sequence[str], root: str) -> list[str]:
    """The TensorBoard commands for the experiment's PVCs that hold a ``tensorboard`` directory."""
    return [f"tensorboard --logdir {root}/volumes/{claim}/tensorboard" for claim in claims]
