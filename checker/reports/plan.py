"""The Terraform-like plan: per project, each request and the checks it serves."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from checker.defaults import DEFAULT_LOG_RUNS, MAX_LOG_PAGES
from checker.gate.checks import CheckSpec
from checker.gate.planner import Plan
from checker.gate.starts import StartPlan
from checker.reports.templates import template

LISTED_CHECKS = 500
"""Up to this many checks, a plan lists every run under its request; beyond, only requests."""


def render_plan(
    plan: Plan,
    credential_source: str,
    full: bool | None = None,
    iam_lines: Sequence[str] = (),
) -> str:
    """The plan; ``full`` lists every run (default: when there are at most 500 checks);
    ``iam_lines`` say where each endpoint's X-Project-Id comes from."""
    width = max((len(check.name) for check in plan.checks), default=0)
    return template("plan.txt.j2").render(
        plan=plan,
        credential_source=credential_source,
        iam_lines=iam_lines,
        width=width,
        expectations={check.name: check.expect.describe() for check in plan.checks},
        severities={check.name: check.severity for check in plan.checks},
        full=len(plan.checks) <= LISTED_CHECKS if full is None else full,
        log_runs=DEFAULT_LOG_RUNS,
        log_pages=MAX_LOG_PAGES,
    )


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
