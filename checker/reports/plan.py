"""The Terraform-like plan: per project, each request and the checks it serves."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from checker.defaults import DEFAULT_LOG_RUNS, MAX_LOG_PAGES
from checker.diagnostics.wording import counted
from checker.gate.checks import CheckSpec
from checker.gate.planner import Plan, ProjectPlan
from checker.gate.starts import StartPlan
from checker.reports.filters import terminal

LISTED_CHECKS = 500
"""Up to this many checks, a plan lists every run under its request; beyond, only requests."""


def _project_lines(
    project: ProjectPlan, full: bool, width: int, checks: dict[str, CheckSpec]
) -> list[str]:
    lines = [f"CodeArts project {project.project_id} at {terminal(project.endpoint)}"]
    for batch in project.batches:
        count = len(project.batches)
        lines.append(f"  + startup request {batch.number} of {count}: {counted(batch.size, 'run')}")
        for run in batch.runs if full else ():
            lines.append(f"      + pipeline {run.pipeline_id} run {run.pipeline_run_id}")
            for name in run.check_names:
                check = checks[name]
                warning = "  (warning only)" if check.severity == "warning" else ""
                described = terminal(check.expect.describe())
                lines.append(
                    f"          {terminal(name).ljust(width)}  expect {described}{warning}"
                )
    for latest in project.latest:
        pipelines = counted(latest.size, "pipeline")
        lines.append(
            f"  + run status request {latest.number} of {len(project.latest)}: "
            f"latest run of {pipelines}"
        )
        lines += [f"      + pipeline {pipeline}" for pipeline in latest.pipeline_ids if full]
    lines += [
        f"  + run detail request: pipeline {query.pipeline_id} run {query.pipeline_run_id} "
        "(not its pipeline's latest)"
        for query in project.details
    ]
    return lines


def render_plan(
    plan: Plan,
    credential_source: str,
    full: bool | None = None,
    iam_lines: Sequence[str] = (),
) -> str:
    """The plan; ``full`` lists every run (default: when there are at most 500 checks);
    ``iam_lines`` say where each endpoint's X-Project-Id comes from. Plain Python: only what
    is listed is described (a plan of 100,000 checks describes none of them)."""
    full = len(plan.checks) <= LISTED_CHECKS if full is None else full
    width = max((len(check.name) for check in plan.checks), default=0) if full else 0
    checks = {check.name: check for check in plan.checks} if full else {}
    lines: list[str] = []
    for project in plan.projects:
        lines += [*_project_lines(project, full, width, checks), ""]
    if not full:
        lines += [
            f"(each request's runs are not listed for a plan of "
            f"{counted(len(plan.checks), 'check')}: --full lists them)",
            "",
        ]
    lines.append(f"Credentials: {terminal(credential_source)}")
    lines += [terminal(line) for line in iam_lines]
    lines.append("")
    lines.append(
        f"Plan: {counted(len(plan.checks), 'check')}, {counted(plan.unique_runs, 'unique run')}, "
        f"{counted(plan.request_count, 'request')} per poll."
    )
    if any(check.checks_run for check in plan.checks):
        lines.append(
            f"After the verdict, failed runs are explained: at most {DEFAULT_LOG_RUNS} "
            "(--log-runs), each one detail request and up to "
            f"{MAX_LOG_PAGES} log pages."
        )
    mine = sum(check.run_from_runs_file for check in plan.checks)
    if mine:
        lines.append(
            f"--stop-unfinished could stop {counted(mine, 'run')} from --runs files; never the "
            f"{len(plan.checks) - mine} the manifests name."
        )
    return "\n".join(lines) + "\n"


def render_start_plan(
    plan: StartPlan,
    checks: Sequence[CheckSpec],
    credential_source: str,
    runs_files: Sequence[Path] = (),
    earlier: Collection[str] = (),
) -> str:
    """What ``checker start`` will start (with the checks that wait for each pipeline, and
    the parameters it starts them with), and which checks it leaves alone: those an earlier
    attempt started (run IDs in ``earlier``, from ``runs_files``) and those naming a run."""
    names: dict[str, list[str]] = {}
    for check in checks:
        if not check.pipeline_run_id:
            names.setdefault(check.pipeline_id, []).append(check.name)
    from checker.reports.templates import template

    resumed = [c for c in plan.existing if c.pipeline_run_id in earlier]
    named = [c for c in plan.existing if c.pipeline_run_id not in earlier]
    return (
        template("start.txt.j2")
        .render(
            plan=plan,
            credential_source=credential_source,
            names=names,
            resumed=resumed,
            named=named,
            runs_files=[str(path) for path in runs_files],
        )
        .strip("\n")
    )
