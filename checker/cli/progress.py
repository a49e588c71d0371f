"""Progress while waiting, on stderr, never in a report: one live line on a terminal, one
plain line per poll that changed something in a CI log."""

from __future__ import annotations

import click

from checker.cli.console import Console
from checker.gate.durations import format_duration
from checker.polling.poller import Progress
from checker.reports.filters import safe_link


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def describe(progress: Progress) -> str:
    """``[02:10] poll 5: 37/40 decided (35 passed, 2 failed), 3 running; next in 22s``"""
    text = (
        f"[{_clock(progress.elapsed)}] poll {progress.poll}: {progress.decided}/{progress.total} "
        f"decided ({progress.passed} passed, {progress.failed} failed), "
        f"{progress.running} running"
    )
    if progress.queued:
        text += f", {progress.queued} queued"
    if progress.remaining is not None:
        text += f", {format_duration(progress.remaining)} left"
    if progress.next_in is not None:
        text += f"; next in {format_duration(progress.next_in)}"
    return text


class ProgressPrinter:
    """A :data:`~checker.polling.loop.ProgressSink` for the console."""

    def __init__(self, console: Console, terminal: bool) -> None:
        self.console = console
        self.terminal = terminal
        self.live = False

    def __call__(self, progress: Progress) -> None:
        for name, url in progress.links:
            link = safe_link(url)  # a link from an answer: Huawei Cloud https hosts only
            if link:
                if self.live:
                    click.echo("\r\x1b[K", err=True, nl=False)
                self.console.err(f"  {name}: {link}")
        if self.terminal:
            # Rewrite one line in place; \x1b[K clears what a longer line left behind. The
            # last poll ends the line, so the summary starts on a line of its own.
            last = progress.next_in is None
            click.echo(f"\r{describe(progress)}\x1b[K", err=True, nl=last)
            self.live = not last
        elif progress.changed:
            self.console.err(describe(progress))

    def close(self) -> None:
        """End the live line, so what follows starts on a line of its own."""
        if self.live:
            click.echo("", err=True)
            self.live = False
