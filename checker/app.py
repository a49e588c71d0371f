"""What each command does, as plain functions: options in, exit code out.

Output goes through an :class:`Output` the CLI provides; it redacts every known secret
before anything reaches a terminal, a log or a report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from checker.codearts.settings import ClientSettings
from checker.codearts.timing import Clock, Sleep, utc_now
from checker.defaults import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MARKDOWN_MAX_BYTES,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_TIMEOUT,
)
from checker.diagnostics.documents import InputRefused, read_input
from checker.diagnostics.problem import has_errors
from checker.environment import Environment
from checker.errors import ExitCode, ManifestError, UsageError
from checker.manifest.load import LoadOptions, LoadResult, load_checks
from checker.output import Output, ProblemFormat
from checker.reports.targets import ReportTarget, TemplateTarget

# What only some commands need is imported inside them: `validate` must not pay for an HTTP
# client, templates or the polling loop (start-up is paid on every CI build).
if TYPE_CHECKING:
    from checker.codearts.credentials import Credentials
    from checker.delivery import Delivery
    from checker.gate.results import RunReport
    from checker.runner import ProgressSink
    from checker.starting import StartOutcome


@dataclass(frozen=True)
class CommonOptions:
    manifests: tuple[Path, ...]
    load: LoadOptions


@dataclass(frozen=True)
class CheckOptions:
    common: CommonOptions
    reports: tuple[ReportTarget, ...] = ()
    batch_size: int = DEFAULT_BATCH_SIZE
    client: ClientSettings = field(default_factory=ClientSettings)
    fallback_credentials: Credentials | None = None
    """Used when the environment holds none (the emulator's world provides them)."""
    quiet: bool = False
    wait: bool = False
    fail_fast: bool = False
    timeout: float | None = None
    """The one deadline for the whole command, in seconds; else the manifests', else 30m."""
    poll_interval: float | None = None
    progress: ProgressSink | None = None
    clock: Clock = utc_now
    sleep: Sleep | None = None
    """Default: asyncio.sleep (tests pass a fake one)."""
    markdown_max_bytes: int = DEFAULT_MARKDOWN_MAX_BYTES
    annotations: bool = True
    """In GitHub Actions, annotate the manifest lines of checks that did not pass."""
    templates: tuple[TemplateTarget, ...] = ()


def _load(common: CommonOptions, console: Output) -> LoadResult:
    result = load_checks(common.manifests, common.load)
    if not result.ok:
        raise ManifestError(result.problems)
    console.problems(result.problems)
    return result


def validate(common: CommonOptions, console: Output, output_format: ProblemFormat) -> ExitCode:
    """Everything that can be checked without a network: exit 0 when valid, 2 when not."""
    result = load_checks(common.manifests, common.load)
    console.problems(result.problems, output_format)
    if has_errors(result.problems):
        return ExitCode.USAGE
    if output_format == "text":
        files = ", ".join(str(m) for m in common.manifests)
        count = len(result.checks)
        console.out(f"{files}: valid ({count} check{'' if count == 1 else 's'})")
    return ExitCode.PASSED


def plan(
    common: CommonOptions, console: Output, batch_size: int, full: bool | None = None
) -> ExitCode:
    """Print the requests a check would send; send nothing."""
    from checker.codearts.credentials import describe_source
    from checker.gate.planner import plan_checks
    from checker.reports.plan import render_plan

    result = _load(common, console)
    checks_plan = plan_checks(result.checks, batch_size)
    source = describe_source(common.load.environment)
    console.out(render_plan(checks_plan, source, full).strip("\n"))
    return ExitCode.PASSED


def check(options: CheckOptions, console: Output) -> ExitCode:
    """The gate: load, query, evaluate, report. Exit code per :class:`ExitCode`."""
    import asyncio

    from checker.codearts.context import ClientContext
    from checker.runner import Interrupted, WaitOptions, run_checks

    result = _load(options.common, console)
    credentials = _credentials(options.common.load.environment, options.fallback_credentials)
    console.protect(credentials.redactor())
    timeout = options.timeout or result.wait.timeout or DEFAULT_TIMEOUT
    context = ClientContext(
        credentials=credentials,
        settings=options.client,
        clock=options.clock,
        sleep=options.sleep or asyncio.sleep,
        deadline=options.clock() + timedelta(seconds=timeout),
    )
    wait = WaitOptions(
        enabled=options.wait,
        poll_interval=options.poll_interval or result.wait.poll_interval or DEFAULT_POLL_INTERVAL,
        fail_fast=options.fail_fast,
    )
    try:
        report = run_checks(result.checks, context, options.batch_size, wait, options.progress)
    except Interrupted as interrupted:
        # What is known is still reported: CI keeps the reports of a cancelled job.
        _deliver(options, console, interrupted.report)
        raise
    return _deliver(options, console, report)


def _credentials(environment: Environment, fallback: Credentials | None) -> Credentials:
    from checker.codearts.credentials import find_credentials, require_credentials

    return find_credentials(environment) or fallback or require_credentials(environment)


def _deliver(options: CheckOptions, console: Output, report: RunReport) -> ExitCode:
    """Write every report, print the summary and notes; the exit code follows."""
    from checker.delivery import Delivery, write_reports
    from checker.gate.results import with_text_replaced
    from checker.reports.annotations import render_annotations
    from checker.reports.formats import render_text

    report = with_text_replaced(report, console.redact, console.mentions_secret)
    delivery = Delivery(
        options.reports,
        options.templates,
        options.markdown_max_bytes,
        options.common.load.environment.step_summary,
    )
    failures = write_reports(report, delivery, console.redact)
    if not options.quiet:
        console.out(render_text(report).rstrip("\n"))
    if options.annotations and options.common.load.environment.github_actions:
        annotations = render_annotations(report)
        if annotations:
            console.out(annotations)
    for note in report.notes:
        label = "note" if note.level == "info" else "error"
        console.err(f"{label}: {note.message}" + (f"\n    hint: {note.hint}" if note.hint else ""))
    for message in failures:
        console.err(f"error: {message}")
    return ExitCode.USAGE if failures else ExitCode(report.exit_code)


@dataclass(frozen=True)
class StartOptions:
    common: CommonOptions
    batch_size: int = DEFAULT_BATCH_SIZE
    client: ClientSettings = field(default_factory=ClientSettings)
    out: Path | None = None
    auto_approve: bool = False
    fallback_credentials: Credentials | None = None
    timeout: float = DEFAULT_TIMEOUT


def start(
    options: StartOptions, console: Output, confirm: Callable[[str], bool] | None
) -> ExitCode:
    """Start the pipelines of the selected checks that name no run; write their run IDs.

    ``confirm`` asks a person (None: nobody can be asked, so only --auto-approve starts).
    """
    from checker.codearts.context import ClientContext
    from checker.codearts.credentials import describe_source, find_credentials
    from checker.gate.starts import plan_starts
    from checker.reports.plan import render_start_plan
    from checker.starting import StartInterrupted, start_runs

    common = replace(options.common, load=replace(options.common.load, for_start=True))
    result = _load(common, console)
    environment = common.load.environment
    plan = plan_starts(result.checks, options.batch_size)
    source = describe_source(environment)
    if options.fallback_credentials is not None and find_credentials(environment) is None:
        source = options.fallback_credentials.describe()
    console.err(render_start_plan(plan, result.checks, source).strip("\n"))
    if not plan.batches:
        console.err("nothing to start: every selected check names its run")
        return ExitCode.PASSED
    if not _approved(options.auto_approve, confirm, plan.pipeline_count):
        console.err("nothing started")
        return ExitCode.FAILED
    credentials = _credentials(environment, options.fallback_credentials)
    console.protect(credentials.redactor())
    context = ClientContext(
        credentials=credentials,
        settings=options.client,
        deadline=utc_now() + timedelta(seconds=options.timeout),
    )
    try:
        outcome = start_runs(plan, context)
    except StartInterrupted as interrupted:
        _started(options, console, interrupted.outcome, plan.pipeline_count)
        raise
    return _started(options, console, outcome, plan.pipeline_count)


def _started(
    options: StartOptions, console: Output, outcome: StartOutcome, planned: int
) -> ExitCode:
    """Write what started (even after a stop), name what did not or may have."""
    from checker.reports.write import write_atomic

    if options.out is not None:
        write_atomic(options.out, outcome.runs_file())
    else:
        console.out(outcome.runs_file().rstrip("\n"))
    problems = outcome.problems()
    for line in problems:
        console.err(f"error: {line}")
    console.err(f"started {len(outcome.started)} of {planned} pipeline(s)")
    return ExitCode.UNEVALUATED if problems else ExitCode.PASSED


def _approved(auto_approve: bool, confirm: Callable[[str], bool] | None, count: int) -> bool:
    """Starting costs money and quota: never without --auto-approve or a person's yes."""
    if auto_approve:
        return True
    if confirm is None:
        raise UsageError(
            f"not starting {count} pipeline(s): nobody can confirm here",
            "run it on a terminal to confirm, or pass --auto-approve (starting costs "
            "money and quota)",
        )
    return confirm(f"Start {count} pipeline(s)?")


@dataclass(frozen=True)
class RenderCommand:
    result: Path
    delivery: Delivery


def render(options: RenderCommand, console: Output) -> ExitCode:
    """Render a saved JSON result into other formats, offline; exit 0, or 2 if a report
    could not be written or the result not read."""
    from checker.delivery import write_reports
    from checker.gate.results import RunReport

    try:
        text = read_input(options.result).decode("utf-8")
        report = RunReport.model_validate_json(text)
    except (InputRefused, UnicodeDecodeError, ValueError) as error:
        reason = error.__class__.__name__ if isinstance(error, ValueError) else str(error)
        raise UsageError(
            f"cannot read result {options.result}: {reason}",
            "render takes the file check wrote with --report json=PATH",
        ) from None
    failures = write_reports(report, options.delivery, console.redact)
    for message in failures:
        console.err(f"error: {message}")
    return ExitCode.USAGE if failures else ExitCode.PASSED
