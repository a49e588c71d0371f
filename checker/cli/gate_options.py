"""The options only ``check`` takes: how it waits, stops, explains failures and prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from checker.cli.options import grouped
from checker.cli.params import DurationType
from checker.defaults import (
    DEFAULT_LOG_LINES,
    DEFAULT_LOG_RUNS,
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_GROWTH,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_STOP_GRACE,
)
from checker.gate.durations import format_duration

_CHECK_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--wait",
        is_flag=True,
        help="Poll until every check is decided (runs ended) or --timeout passes.",
    ),
    click.option(
        "--poll-interval",
        type=DurationType(),
        help=f"First pause between polls; grows {DEFAULT_POLL_GROWTH:g}x per poll up to "
        "--max-poll-interval [default: the manifest's "
        f"wait.poll_interval, else {format_duration(DEFAULT_POLL_INTERVAL)}].",
    ),
    click.option(
        "--max-poll-interval",
        type=DurationType(),
        default=f"{DEFAULT_MAX_POLL_INTERVAL:g}s",
        show_default=True,
        help="The longest pause between polls: a run's end is seen at most this late.",
    ),
    click.option(
        "--fail-fast",
        is_flag=True,
        help="Stop at the first blocking failure; undecided checks are reported skipped.",
    ),
    click.option(
        "--stop-unfinished",
        is_flag=True,
        help="When the gate gives up (deadline, Ctrl-C/SIGTERM, --fail-fast), stop the runs "
        "from --runs files still going; never a run the manifest names.",
    ),
    click.option(
        "--stop-grace",
        type=DurationType(),
        default=f"{DEFAULT_STOP_GRACE:g}s",
        show_default=True,
        help="How long stopping may take after the deadline.",
    ),
    click.option(
        "--retry-failed",
        type=click.IntRange(0, 10),
        default=None,
        help="Retry runs from --runs files that end FAILED up to N times [default: each "
        "check's expect.run.retries, else 0].",
    ),
    click.option(
        "--log-lines",
        type=click.IntRange(0, 10_000),
        default=DEFAULT_LOG_LINES,
        show_default=True,
        help="Lines of a failed step's log shown with its check (0: no log requests).",
    ),
    click.option(
        "--log-runs",
        type=click.IntRange(0, 1_000),
        default=DEFAULT_LOG_RUNS,
        show_default=True,
        help="Failed runs whose failing step is located and its log read, at most.",
    ),
    click.option("--quiet", "-q", is_flag=True, help="No summary or progress output."),
    click.option(
        "--no-annotations",
        is_flag=True,
        help="In GitHub Actions, do not annotate the manifest lines of checks that did not pass.",
    ),
]


@dataclass(frozen=True)
class GateArguments:
    """What only ``check`` was given: how to wait, stop, explain and print."""

    wait: bool
    poll_interval: float | None
    max_poll_interval: float
    fail_fast: bool
    stop_unfinished: bool
    stop_grace: float
    retry_failed: int | None
    log_lines: int
    log_runs: int
    quiet: bool
    no_annotations: bool


check_options = grouped(GateArguments, "gate", _CHECK_OPTIONS)
"""The options only ``check`` takes: ``gate: GateArguments``."""
