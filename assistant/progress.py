"""A rich progress bar for long jobs on a terminal; silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichBar


class Progress(Protocol):
    """What long jobs (ingest) report while they work."""

    def start(self, stage: str, total: int) -> None: ...
    def advance(self, stage: str, n: int = 1) -> None: ...


class Silent:
    """Reports nothing."""

    def start(self, stage: str, total: int) -> None:
        pass

    def advance(self, stage: str, n: int = 1) -> None:
        pass


class RichProgress:
    """Adapts rich's Progress to ingest's start/advance protocol."""

    def __init__(self, progress: RichBar) -> None:
        self.progress = progress
        self.tasks: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:
        self.tasks[stage] = self.progress.add_task(stage, total=total)

    def advance(self, stage: str, n: int = 1) -> None:
        if stage in self.tasks:
            self.progress.advance(self.tasks[stage], n)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Progress]:
    """A progress reporter: bars on an interactive stderr, nothing otherwise."""
    if not (enabled and sys.stderr.isatty()):
        yield Silent()
        return
    columns = (TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with RichBar(*columns, console=Console(stderr=True), transient=False) as progress:
        yield RichProgress(progress)
