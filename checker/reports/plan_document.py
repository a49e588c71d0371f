"""``checker plan --format json``: the plan as a documented JSON document, for bots and
review tools (like ``terraform show -json``). Its schema is ``schemas/plan.schema.json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from pydantic import Field

from checker import __version__
from checker.defaults import DEFAULT_LOG_RUNS, MAX_LOG_PAGES
from checker.gate.checks import CheckSpec, Expectation
from checker.gate.planner import Plan, ProjectPlan
from checker.gate.results import Origin
from checker.gate.run_parameters import RunParameters
from checker.gate.starts import StartBatch, StartPlan
from checker.gate.types import Frozen, Severity

PLAN_FORMAT_VERSION = 1


class PlannedCheck(Frozen):
    """One check as ``check`` will judge it: where its run is, and the effective expectation
    (defaults merged in)."""

    name: str
    manifest: str
    origin: Origin = Field(description="FILE:LINE:COL where the check is defined")
    severity: Severity
    endpoint: str
    project_id: str = Field(description="The CodeArts project of the request paths")
    pipeline_id: str
    pipeline_name: str | None = Field(description="The name the manifest gave the pipeline by")
    pipeline_run_id: str | None = Field(description="null: start will start it")
    run_from_runs_file: bool
    expectation: Expectation
    expectation_text: str = Field(description="The expectation in words, as the text plan says")
    start: RunParameters | None = Field(description="How start starts it (RunPipeline)")


class RequestCounts(Frozen):
    """Requests of one poll, by kind."""

    startup: int = Field(description="POST …/pipelines/batch-runs/result")
    run_status: int = Field(description="POST …/pipelines/status (latest run of each)")
    run_detail: int = Field(description="GET …/pipeline-runs/detail (not the latest run)")


class StartSection(Frozen):
    """What ``checker start`` would start for these manifests (with ``plan --start``)."""

    requests: tuple[StartBatch, ...]
    pipelines: int
    named_runs: tuple[str, ...] = Field(description="Checks that name their run: not started")


class Explaining(Frozen):
    """What is read after the verdict to say where failed runs failed."""

    log_runs: int = Field(description="At most this many failed runs are explained")
    log_pages: int = Field(description="Log pages read per failed step, at most")


class PlanDocument(Frozen):
    """Everything ``checker plan`` shows, as data."""

    writes_nulls: ClassVar[bool] = True
    published_names: ClassVar[dict[str, str]] = {"PlanDocument": "Plan"}

    format_version: int = PLAN_FORMAT_VERSION
    checker_version: str = __version__
    credential_source: str
    x_project_id: tuple[str, ...] = Field(
        description="Where each endpoint's X-Project-Id comes from (AK/SK only)"
    )
    requests_per_poll: int
    requests: RequestCounts
    unique_runs: int
    projects: tuple[ProjectPlan, ...] = Field(description="Each request, per CodeArts project")
    checks: tuple[PlannedCheck, ...]
    explain: Explaining
    start: StartSection | None = None


def _planned(check: CheckSpec) -> PlannedCheck:
    return PlannedCheck(
        name=check.name,
        manifest=check.manifest,
        origin=check.origin,
        severity=check.severity,
        endpoint=check.endpoint,
        project_id=check.project_id,
        pipeline_id=check.pipeline_id,
        pipeline_name=check.pipeline_name,
        pipeline_run_id=check.pipeline_run_id or None,
        run_from_runs_file=check.run_from_runs_file,
        expectation=check.expect,
        expectation_text=check.expect.describe(),
        start=check.start,
    )


def plan_document(
    plan: Plan,
    credential_source: str,
    iam_lines: Sequence[str] = (),
    start: StartPlan | None = None,
) -> PlanDocument:
    section = None
    if start is not None:
        section = StartSection(
            requests=start.batches,
            pipelines=start.pipeline_count,
            named_runs=tuple(check.name for check in start.existing),
        )
    return PlanDocument(
        credential_source=credential_source,
        x_project_id=tuple(iam_lines),
        requests_per_poll=plan.request_count,
        requests=RequestCounts(
            startup=len(plan.batches), run_status=len(plan.latest), run_detail=len(plan.details)
        ),
        unique_runs=plan.unique_runs,
        projects=plan.projects,
        checks=tuple(_planned(check) for check in plan.checks),
        explain=Explaining(log_runs=DEFAULT_LOG_RUNS, log_pages=MAX_LOG_PAGES),
        start=section,
    )


def render_plan_json(document: PlanDocument) -> str:
    return document.model_dump_json(indent=2) + "\n"
