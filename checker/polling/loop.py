"""One gate run: poll (and wait), evaluate, report. Returns a report; never prints, never exits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from checker.codearts.client import Session, open_session
from checker.codearts.context import ClientContext
from checker.codearts.iam import targets_of
from checker.defaults import DEFAULT_MAX_POLL_INTERVAL, DEFAULT_POLL_GROWTH, DEFAULT_POLL_INTERVAL
from checker.diagnostics.wording import counted
from checker.errors import CheckerError, Stopped
from checker.gate.checks import CheckSpec
from checker.gate.notes import auth_note, batch_limit_note
from checker.gate.results import CheckResult, Note, RunReport
from checker.gate.verdicts import result
from checker.polling.explain import EXPLAIN_DEFAULTS, ExplainPolicy, explain_failures
from checker.polling.poller import Poller, Progress, iso
from checker.polling.retrying import Retries
from checker.polling.stopping import (
    STOP_DEFAULTS,
    StopPolicy,
    stop_unfinished,
    stoppable,
    with_stops,
)

ProgressSink = Callable[[Progress], None]


@dataclass(frozen=True)
class WaitPolicy:
    """How ``check --wait`` polls: the deadline itself is the client's (``--timeout``)."""

    enabled: bool = False
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_interval: float = DEFAULT_MAX_POLL_INTERVAL
    growth: float = DEFAULT_POLL_GROWTH
    fail_fast: bool = False
    stop: StopPolicy = STOP_DEFAULTS
    """Whether runs this gate started and gave up on are stopped (``--stop-unfinished``)."""
    retry_failed: int | None = None
    """``--retry-failed N``: every check's retry budget (default: its ``expect.run.retries``)."""


class Interrupted(Stopped):
    """Stopped while querying; carries the report of what was known by then."""

    def __init__(self, stopped: Stopped, report: RunReport) -> None:
        super().__init__(stopped.signal_name, stopped.exit_code)
        self.report = report


def _stopped(error: BaseException) -> Stopped:
    return error if isinstance(error, Stopped) else Stopped("SIGINT", 130)


def run_checks(
    checks: Sequence[CheckSpec],
    context: ClientContext,
    batch_size: int,
    wait: WaitPolicy = WaitPolicy(),
    progress: ProgressSink | None = None,
    explain: ExplainPolicy = EXPLAIN_DEFAULTS,
) -> RunReport:
    """Plan, query (and wait), evaluate: the whole gate, minus reading manifests and writing
    reports.

    Stopped half-way, it raises :class:`Interrupted` with a report of what was known, so the
    reports can still be written.
    """
    poller = Poller(checks, batch_size, wait.enabled)
    learned = _Learned(retries=Retries(wait.retry_failed))
    try:
        results = asyncio.run(_gate(poller, context, wait, progress, learned, explain))
    except (KeyboardInterrupt, Stopped) as error:
        stopped = _stopped(error)
        results = poller.results(context.clock(), stopped=stopped.signal_name)
        results = learned.retries.finish(results, poller.checks)
        results = _stop(poller, context, learned, wait, f"on {stopped.signal_name}", results)
        report = _report(results, poller, context, learned, wait.enabled)
        raise Interrupted(stopped, report) from None
    if wait.enabled and poller.undecided:
        why = "on --fail-fast" if learned.gave_up == "--fail-fast" else "at the deadline"
        results = _stop(poller, context, learned, wait, why, results)
    return _report(results, poller, context, learned, wait.enabled)


def _stop(
    poller: Poller,
    context: ClientContext,
    learned: _Learned,
    wait: WaitPolicy,
    why: str,
    results: list[CheckResult],
) -> list[CheckResult]:
    """Stop the unfinished runs this gate started, when asked to; say so in every report."""
    if not wait.stop.enabled:
        return results
    runs = stoppable(poller.undecided, poller.knowledge)
    said = stop_unfinished(runs, context, learned.iam_projects, why, wait.stop)
    if said:
        count = sum(message.startswith("stopped") for message in said.values())
        learned.notes.append(
            Note(message=f"checker stopped {counted(count, 'run')} {why}", level="info")
        )
    return with_stops(results, poller.checks, said)


def unevaluated(
    checks: Sequence[CheckSpec], problem: CheckerError, context: ClientContext | None, now: str
) -> RunReport:
    """The report when nothing could be asked (credentials, proxies, TLS set-up): every check
    an error, the problem a note, so CI still shows why."""
    results = [result(check, "error", f"not evaluated: {problem.message}") for check in checks]
    source = context.credentials.describe() if context is not None else None
    note = Note(message=problem.message, hint=problem.hint)
    return RunReport.of(results, generated_at=now, credential_source=source, notes=[note])


@dataclass
class _Learned:
    """What the service taught one command, kept for its report even when a stop ends the
    loop half-way."""

    batch_limit: int | None = None
    notes: list[Note] = field(default_factory=list)
    iam_projects: dict[str, str] = field(default_factory=dict)
    """X-Project-Id per endpoint, settled once: stopping after the loop reuses them."""
    gave_up: str | None = None
    """Why the loop left undecided checks (``--fail-fast``), if it did."""
    retries: Retries = field(default_factory=Retries)


def _report(
    results: Sequence[CheckResult],
    poller: Poller,
    context: ClientContext,
    learned: _Learned,
    waited: bool,
) -> RunReport:
    credentials = context.credentials
    source = credentials.describe()
    notes: list[Note] = list(learned.notes)
    notes += [
        auth_note(failure, source, credentials.auth_hint(failure.http_status, project))
        for failure, project in poller.auth_failures
    ]
    if learned.batch_limit is not None:
        notes.append(batch_limit_note(learned.batch_limit))
    deadline = iso(context.deadline) if waited and context.deadline else None
    return RunReport.of(
        results,
        generated_at=iso(context.clock()),
        credential_source=source,
        notes=notes,
        deadline=deadline,
    )


async def _gate(
    poller: Poller,
    context: ClientContext,
    wait: WaitPolicy,
    progress: ProgressSink | None,
    learned: _Learned,
    explain: ExplainPolicy,
) -> list[CheckResult]:
    """Poll until decided, then, in the same session, say where failed runs failed."""
    async with open_session(context) as session:
        skipped = await _wait(session, poller, context, wait, progress, learned)
        learned.gave_up = skipped
        results = poller.results(context.clock(), skipped_reason=skipped)
        results = learned.retries.finish(results, poller.checks)
        if session.abort.is_set() or context.remaining() <= 0:
            return results
        return await explain_failures(session, results, explain)


async def _wait(
    session: Session,
    poller: Poller,
    context: ClientContext,
    wait: WaitPolicy,
    progress: ProgressSink | None,
    learned: _Learned,
) -> str | None:
    """Poll until everything is decided, the deadline passes or --fail-fast stops it; the
    reason undecided checks are skipped, if they are. ``learned`` receives what the service
    imposed, also when a stop ends the loop half-way."""
    started = context.clock()
    interval = wait.poll_interval
    targets = targets_of(poller.checks)
    for target, unknown in await session.settle_iam_projects(targets, context.environment):
        poller.refuse(target.endpoint, unknown.message)
        learned.notes.append(Note(message=unknown.message, hint=unknown.hint))
    learned.iam_projects.update(session.iam_projects)
    while True:
        if poller.undecided:
            await poller.poll(session, context.clock())
            if wait.enabled:
                await learned.retries.after_poll(session, poller)
        learned.batch_limit = session.batch_limit
        if wait.fail_fast and poller.failed and poller.undecided:
            return "--fail-fast"
        done = not (wait.enabled and poller.undecided) or session.abort.is_set()
        remaining = context.remaining()
        pause = None if done or remaining <= 0 else min(interval, remaining)
        if progress is not None and wait.enabled:
            elapsed = (context.clock() - started).total_seconds()
            left = None if remaining == float("inf") else max(0.0, remaining)
            progress(poller.progress(elapsed, left, pause))
        if pause is None:
            return None
        await context.sleep(pause)
        interval = min(interval * wait.growth, wait.max_interval)
        if context.remaining() <= 0:
            return None  # nothing could be sent now: what is undecided stays so
