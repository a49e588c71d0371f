"""``check``: the gate itself — load, query (and wait), evaluate, report."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from checker.app.common import ClientOptions, CommonOptions, client_context, load
from checker.codearts.timing import Clock, Sleep, utc_now
from checker.defaults import DEFAULT_MAX_POLL_INTERVAL, DEFAULT_POLL_INTERVAL
from checker.errors import CheckerError, ExitCode, ManifestError
from checker.output import Output
from checker.polling.explain import EXPLAIN_DEFAULTS, ExplainPolicy
from checker.polling.stopping import STOP_DEFAULTS, StopPolicy
from checker.reports.paths import refuse_outputs

if TYPE_CHECKING:
    from checker.polling.loop import ProgressSink
    from checker.reports.delivery import Delivery


@dataclass(frozen=True)
class CheckOptions:
    common: CommonOptions
    client: ClientOptions
    delivery: Delivery
    quiet: bool = False
    wait: bool = False
    fail_fast: bool = False
    poll_interval: float | None = None
    max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL
    """The cap of the growing pause between polls (``--max-poll-interval``)."""
    progress: ProgressSink | None = None
    clock: Clock = utc_now
    sleep: Sleep | None = None
    """Default: asyncio.sleep (tests pass a fake one)."""
    annotations: bool = True
    """In GitHub Actions, annotate the manifest lines of checks that did not pass."""
    explain: ExplainPolicy = EXPLAIN_DEFAULTS
    """How many failed runs are located, and how much of their logs is read."""
    stop: StopPolicy = STOP_DEFAULTS
    """``--stop-unfinished`` (the manifests' ``wait.stop_unfinished`` turns it on too)."""
    retry_failed: int | None = None
    """``--retry-failed N``: overrides every check's ``expect.run.retries``."""


def check(options: CheckOptions, console: Output) -> ExitCode:
    """The gate: load, query, evaluate, report. Exit code per :class:`ExitCode`."""
    from checker.app.names import with_pipeline_names
    from checker.app.output import deliver, deliver_problems
    from checker.polling.loop import Interrupted, WaitPolicy, run_checks, unevaluated
    from checker.polling.poller import iso

    refuse_outputs(options.delivery.refusals(options.common.inputs))
    try:
        result = load(options.common, console)
        timeout = options.client.timeout or result.wait.timeout
        result = with_pipeline_names(result, options.common, options.client, console, timeout)
    except ManifestError as error:
        # The reports say why the gate did not run: a merge-request widget or step summary
        # showing nothing looks like a pass.
        deliver_problems(options, console, error.problems, iso(options.clock()))
        raise
    wait = WaitPolicy(
        enabled=options.wait,
        poll_interval=min(
            options.poll_interval or result.wait.poll_interval or DEFAULT_POLL_INTERVAL,
            options.max_poll_interval,
        ),
        max_interval=options.max_poll_interval,
        fail_fast=options.fail_fast,
        stop=replace(options.stop, enabled=options.stop.enabled or result.wait.stop_unfinished),
        retry_failed=options.retry_failed,
    )
    context = None
    try:
        context = client_context(
            options.client, options.common, console, timeout, options.clock, options.sleep
        )
        report = run_checks(
            result.checks,
            context,
            options.client.batch_size,
            wait,
            options.progress,
            options.explain,
        )
    except Interrupted as interrupted:
        # What is known is still reported: CI keeps the reports of a cancelled job.
        deliver(options, console, interrupted.report)
        raise
    except CheckerError as problem:  # nothing could be asked: say so in every report too
        now = iso((context.clock if context else options.clock)())
        deliver(options, console, unevaluated(result.checks, problem, context, now))
        return problem.exit_code
    return deliver(options, console, report)
