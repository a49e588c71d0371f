"""Progress while waiting: one live line on a terminal, one line per change in a CI log."""

from __future__ import annotations

import pytest

from checker.cli.console import Console
from checker.cli.progress import ProgressPrinter, describe
from checker.polling.poller import Progress


def _progress(
    poll: int, decided: int, next_in: float | None, changed: bool = True, queued: int = 0
) -> Progress:
    return Progress(
        poll=poll,
        total=40,
        decided=decided,
        passed=decided - 2 if decided > 2 else 0,
        failed=2 if decided > 2 else 0,
        running=40 - decided - queued,
        queued=queued,
        elapsed=130,
        remaining=1500,
        next_in=next_in,
        changed=changed,
    )


def test_the_line_says_where_waiting_stands() -> None:
    assert describe(_progress(5, 37, 22)) == (
        "[02:10] poll 5: 37/40 decided (35 passed, 2 failed), 3 running, 25m left; next in 22s"
    )


def test_queued_runs_are_not_counted_as_running() -> None:
    assert describe(_progress(5, 30, 22, queued=4)) == (
        "[02:10] poll 5: 30/40 decided (28 passed, 2 failed), 6 running, 4 queued, 25m left; "
        "next in 22s"
    )


def test_a_terminal_gets_one_live_line_ended_by_the_last_poll(
    capsys: pytest.CaptureFixture[str],
) -> None:
    printer = ProgressPrinter(Console(write_out=print, write_err=print), terminal=True)
    printer(_progress(1, 0, 10))
    printer(_progress(2, 40, None))
    printer.close()
    err = capsys.readouterr().err
    assert err.count("\r") == 2 and err.endswith("\n") and err.count("\n") == 1


def test_a_ci_log_gets_a_line_only_when_something_changed() -> None:
    lines: list[str] = []
    printer = ProgressPrinter(Console(write_out=lines.append, write_err=lines.append), False)
    printer(_progress(1, 0, 10))
    printer(_progress(2, 0, 15, changed=False))
    printer(_progress(3, 40, None))
    assert [line.split(":", 1)[1].split(":")[0] for line in lines] == ["10] poll 1", "10] poll 3"]
