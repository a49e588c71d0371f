"""``validate`` and ``plan``: what can be known without sending anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.app.common import CommonOptions, load
from checker.diagnostics.problem import has_errors
from checker.diagnostics.wording import counted
from checker.errors import ExitCode
from checker.manifest.load import load_checks
from checker.output import Output, ProblemFormat

if TYPE_CHECKING:
    from checker.codearts.credentials import CredentialChoice


def validate(common: CommonOptions, console: Output, output_format: ProblemFormat) -> ExitCode:
    """Everything that can be checked without a network: exit 0 when valid, 2 when not."""
    result = load_checks(common.manifests, common.load, common.environment)
    console.problems(result.problems, output_format)
    if has_errors(result.problems):
        return ExitCode.USAGE
    if output_format == "text":
        files = ", ".join(str(m) for m in common.manifests)
        count = len(result.checks)
        console.out(f"{files}: valid ({counted(count, 'check')})")
    return ExitCode.PASSED


def validate_each(common: CommonOptions, console: Output, output_format: ProblemFormat) -> ExitCode:
    """Each manifest validated on its own: two independent gates may share a check name.
    Every problem names its file; exit 2 when any manifest has one."""
    from dataclasses import replace

    if output_format == "json":  # one document for editors and bots, all files' problems
        found = [
            problem
            for manifest in common.manifests
            for problem in load_checks((manifest,), common.load, common.environment).problems
        ]
        console.problems(found, "json")
        return ExitCode.USAGE if has_errors(found) else ExitCode.PASSED
    codes = [
        validate(replace(common, manifests=(manifest,)), console, output_format)
        for manifest in common.manifests
    ]
    return max(codes, default=ExitCode.PASSED)


def plan(
    common: CommonOptions,
    credentials: CredentialChoice,
    console: Output,
    batch_size: int,
    full: bool | None = None,
    output_format: ProblemFormat = "text",
    for_start: bool = False,
) -> ExitCode:
    """Print the requests a check would send (``for_start``: what start would start, and the
    requests for the checks that name their run); send nothing, except ListPipelines when
    checks name pipelines by name."""
    from dataclasses import replace

    from checker.codearts.iam import describe_iam
    from checker.gate.planner import plan_checks
    from checker.gate.starts import plan_starts

    if for_start:
        common = replace(common, load=replace(common.load, for_start=True))
    result = load(common, console)
    if any(check.pipeline_name for check in result.checks):
        from checker.app.common import ClientOptions
        from checker.app.names import with_pipeline_names

        result = with_pipeline_names(result, common, ClientOptions(credentials), console, None)
    named = [check for check in result.checks if check.pipeline_run_id]
    checks_plan = plan_checks(named, batch_size)
    starts = plan_starts(result.checks, batch_size) if for_start else None
    iam = describe_iam(result.checks, credentials.found, common.environment)
    source = credentials.describe()
    if output_format == "json":
        from checker.reports.plan_document import plan_document, render_plan_json

        document = plan_document(checks_plan, source, iam, starts)
        console.out(render_plan_json(document).rstrip("\n"))
        return ExitCode.PASSED
    from checker.reports.plan import render_plan, render_start_plan

    if starts is not None:
        earlier = {run.pipeline_run_id for run in result.saved_runs}
        runs_files = common.load.runs_files
        console.out(render_start_plan(starts, result.checks, source, runs_files, earlier))
        return ExitCode.PASSED
    console.out(render_plan(checks_plan, source, full, iam).strip("\n"))
    return ExitCode.PASSED
