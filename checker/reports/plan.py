"""The Terraform-like plan: per project, each request and the checks it serves."""

from __future__ import annotations

from collections.abc import Sequence

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
    )


def render_start_plan(plan: StartPlan, checks: Sequence[CheckSpec], credential_source: str) -> str:
    """What ``checker start`` will start (with the checks that wait for each pipeline), and
    which checks it leaves alone."""
    names: dict[str, list[str]] = {}
    for check in checks:
        if not check.pipeline_run_id:
            names.setdefault(check.pipeline_id, []).append(check.name)
    return template("start.txt.j2").render(
        plan=plan, credential_source=credential_source, names=names
    )
