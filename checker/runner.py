"""One gate run: poll (and wait), evaluate, report. Returns a report; never prints, never exits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from checker import __version__
from checker.codearts.client import open_session
from checker.codearts.context import ClientContext
from checker.codearts.credentials import Credentials, TokenCredentials
from checker.diagnostics.problem import printable
from checker.errors import Stopped
from checker.gate.answers import QueryFailure
from checker.gate.checks import CheckSpec
from checker.gate.results import CheckResult, Note, RunReport, Summary, gate_exit_code, verdict_line
from checker.polling import Poller


def _auth_note(failure: QueryFailure, credentials: Credentials, project_id: str) -> Note:
    details = [f"HTTP {failure.http_status}"]
    if failure.error_code:
        details.append(printable(failure.error_code))
    if failure.error_msg:
        details.append(printable(failure.error_msg))
    if failure.request_id:
        details.append(f"request id {printable(failure.request_id)}")
    source = credentials.describe()
    token = isinstance(credentials, TokenCredentials)
    if failure.http_status == 403:
        hint = (
            f"the credentials were accepted but may not query project {project_id}: check the "
            "project ID and the IAM user's CodeArts Pipeline permissions"
        )
    elif token:
        hint = (
            "the token may have expired (IAM tokens last 24 hours) or be scoped to another "
            f"project than {project_id}"
        )
    else:
        hint = (
            "check that the SK belongs to the AK, that this machine's clock is right (the "
            "gateway refuses signatures more than 15 minutes off), and that the project is "
            f"{project_id}; retrying is pointless: repeated failures lock the key for 5 minutes"
        )
    return Note(message=f"authentication failed ({', '.join(details)}) using {source}", hint=hint)


@dataclass(frozen=True)
class WaitOptions:
    """How ``check --wait`` polls: the deadline itself is the client's (``--timeout``)."""

    enabled: bool = False
    poll_interval: float = 10.0
    max_interval: float = 60.0
    growth: float = 1.5
    fail_fast: bool = False


@dataclass(frozen=True)
class Progress:
    """Where waiting stands after a poll, for a person watching."""

    poll: int
    total: int
    decided: int
    passed: int
    failed: int
    running: int
    elapsed: float
    remaining: float | None
    next_in: float | None
    changed: bool


ProgressSink = Callable[[Progress], None]


def build_report(
    results: Sequence[CheckResult],
    auth_failures: Sequence[tuple[QueryFailure, str]],
    credentials: Credentials,
    generated_at: str,
    batch_limit: int | None = None,
) -> RunReport:
    summary = Summary.of(results)
    exit_code = gate_exit_code(results)
    notes = tuple(dict.fromkeys(_auth_note(f, credentials, p) for f, p in auth_failures))
    if batch_limit is not None:
        message = (
            f"the service refused large requests (HTTP 413): batches of at most "
            f"{batch_limit} were sent"
        )
        hint = f"pass --batch-size {batch_limit} to send that size from the start"
        notes += (Note(message=message, hint=hint, level="info"),)
    return RunReport(
        checker_version=__version__,
        generated_at=generated_at,
        credential_source=credentials.describe(),
        summary=summary,
        exit_code=int(exit_code),
        verdict=verdict_line(summary, exit_code),
        notes=notes,
        results=tuple(results),
    )


class Interrupted(Stopped):
    """Stopped while querying; carries the report of what was known by then."""

    def __init__(self, stopped: Stopped, report: RunReport) -> None:
        super().__init__(stopped.signal_name, stopped.exit_code)
        self.report = report


def _stopped(error: BaseException) -> Stopped:
    return error if isinstance(error, Stopped) else Stopped("SIGINT", 130)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def run_checks(
    checks: Sequence[CheckSpec],
    context: ClientContext,
    batch_size: int,
    wait: WaitOptions = WaitOptions(),
    progress: ProgressSink | None = None,
) -> RunReport:
    """Plan, query (and wait), evaluate: the whole gate, minus reading manifests and writing
    reports.

    Stopped half-way, it raises :class:`Interrupted` with a report of what was known, so the
    reports can still be written.
    """
    poller = Poller(checks, batch_size, wait.enabled)
    skipped: str | None = None
    try:
        skipped = asyncio.run(_wait(poller, context, wait, progress))
    except (KeyboardInterrupt, Stopped) as error:
        stopped = _stopped(error)
        now = context.clock()
        results = poller.results(_ms(now), stopped=stopped.signal_name)
        report = build_report(
            results, poller.auth_failures, context.credentials, _iso(now), poller.batch_limit
        )
        raise Interrupted(stopped, report) from None
    now = context.clock()
    results = poller.results(_ms(now), skipped_reason=skipped)
    return build_report(
        results, poller.auth_failures, context.credentials, _iso(now), poller.batch_limit
    )


async def _wait(
    poller: Poller, context: ClientContext, wait: WaitOptions, progress: ProgressSink | None
) -> str | None:
    """Poll until everything is decided, the deadline passes or --fail-fast stops it; the
    reason undecided checks are skipped, if they are."""
    started = context.clock()
    interval = wait.poll_interval
    last: tuple[int, int] | None = None
    async with open_session(context) as session:
        while True:
            now = context.clock()
            await poller.poll(session, _ms(now), _iso(now))
            if wait.fail_fast and poller.failed and poller.undecided:
                return "--fail-fast"
            done = not (wait.enabled and poller.undecided) or session.abort.is_set()
            remaining = context.remaining()
            pause = None if done or remaining <= 0 else min(interval, remaining)
            if progress is not None and wait.enabled:
                report = _progress(poller, started, context, pause, last)
                last = (report.decided, report.running)
                progress(report)
            if pause is None:
                return None
            await context.sleep(pause)
            interval = min(interval * wait.growth, wait.max_interval)
            if context.remaining() <= 0:
                return None  # nothing could be sent now: what is undecided stays so


def _progress(
    poller: Poller,
    started: datetime,
    context: ClientContext,
    pause: float | None,
    last: tuple[int, int] | None,
) -> Progress:
    decided = list(poller.decided.values())
    running = sum(
        1
        for check in poller.undecided
        if (run := poller.knowledge.get(check.run_key).run) is not None and run.end_time is None
    )
    remaining = context.remaining()
    return Progress(
        poll=poller.polls,
        total=len(poller.checks),
        decided=len(decided),
        passed=sum(r.standing == "passed" for r in decided),
        failed=sum(r.standing in ("failed", "errored") for r in decided),
        running=running,
        elapsed=(context.clock() - started).total_seconds(),
        remaining=None if remaining == float("inf") else max(0.0, remaining),
        next_in=pause,
        changed=last != (len(decided), running),
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
