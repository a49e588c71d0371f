"""The run-level answers, read defensively (see :mod:`checker.codearts.wire`):
``POST …/pipelines/status`` (a bare array, one latest run per pipeline that has runs),
``GET …/pipeline-runs/detail`` (one run), and ``POST …/pipelines/batch-runs`` (the runs it
started)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from checker.codearts.wire import Redact, api_text
from checker.gate.answers import (
    JobObservation,
    LatestItems,
    RunObservation,
    StageObservation,
    StartedItems,
    StartedRun,
    StepObservation,
)
from checker.gate.types import is_id

_Number = int | float


class _WireStep(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str | None = None
    name: str | None = None
    status: str | None = None
    message: str | None = None


class _WireJob(_WireStep):
    identifier: str | None = None
    steps: list[_WireStep | None] | None = None


class _WireStage(BaseModel):
    """The SDK marks no field required: a stage may come without a name (then its identifier
    or ID names it)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str | None = None
    identifier: str | None = None
    id: str | None = None
    status: str | None = None
    jobs: list[_WireJob | None] | None = None

    def label(self) -> str:
        return self.name or self.identifier or self.id or "(unnamed stage)"


class _WireRun(BaseModel):
    """The fields both APIs share; the detail API calls the run ID ``id``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    pipeline_id: str
    pipeline_run_id: str | None = None
    id: str | None = None
    status: str | None = None
    run_number: int | None = None
    start_time: _Number | None = None
    end_time: _Number | None = None
    stage_status_list: list[_WireStage | None] | None = None
    stages: list[_WireStage | None] | None = None
    detail_url: str | None = None
    current_system_time: _Number | None = None
    """The server's clock (detail answers): a running run's age is measured against it."""


def _time(value: _Number | None) -> int | None:
    """Milliseconds; CodeArts sends 0 (or nothing) for a time that has not come yet."""
    return int(value) if value else None


def _run(wire: _WireRun, redact: Redact) -> RunObservation:
    run_id = wire.pipeline_run_id or wire.id
    if not run_id:
        raise ValueError("a run without pipeline_run_id or id")
    stages = [stage for stage in (wire.stage_status_list or wire.stages or []) if stage]
    return RunObservation(
        pipeline_id=wire.pipeline_id,
        pipeline_run_id=run_id,
        status=api_text(wire.status, redact) if wire.status is not None else None,
        run_number=wire.run_number,
        start_time=_time(wire.start_time),
        end_time=_time(wire.end_time),
        stages=tuple(
            StageObservation(
                name=api_text(stage.label(), redact),
                status=api_text(stage.status, redact) if stage.status is not None else None,
                identifier=api_text(stage.identifier, redact) if stage.identifier else None,
                jobs=tuple(_job(job, redact) for job in stage.jobs or () if job),
            )
            for stage in stages
        ),
        detail_url=api_text(wire.detail_url, redact) if wire.detail_url else None,
        server_time=_time(wire.current_system_time),
    )


def _text(value: str | None, redact: Redact) -> str | None:
    return api_text(value, redact) if value is not None else None


def _job(job: _WireJob, redact: Redact) -> JobObservation:
    return JobObservation(
        id=job.id if is_id(job.id) else None,
        name=api_text(job.name or job.identifier or job.id or "(unnamed job)", redact),
        status=_text(job.status, redact),
        message=_text(job.message, redact),
        steps=tuple(
            StepObservation(
                id=step.id if is_id(step.id) else None,
                name=api_text(step.name or step.id or "(unnamed step)", redact),
                status=_text(step.status, redact),
                message=_text(step.message, redact),
            )
            for step in job.steps or ()
            if step
        ),
    )


def parse_latest(body: Any, redact: Redact) -> LatestItems:
    """Each item on its own: one the SDK's models could not read spoils only its pipeline
    (named by its ``pipeline_id``, when it has one), never the whole batch."""
    if not isinstance(body, list):
        raise ValueError("expected an array of pipeline runs")
    runs: list[RunObservation] = []
    spoiled: list[tuple[str, str]] = []
    for item in body:
        if item is None:
            continue
        try:
            runs.append(_run(_WireRun.model_validate(item), redact))
        except ValueError as error:
            pipeline = item.get("pipeline_id") if isinstance(item, dict) else None
            if isinstance(pipeline, str) and pipeline:
                spoiled.append((pipeline, _why(error)))
    return LatestItems(runs=tuple(runs), spoiled=tuple(spoiled))


def _why(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}"
    return str(error)


def parse_detail(body: Any, redact: Redact) -> RunObservation:
    if not isinstance(body, dict):
        raise ValueError("expected a pipeline run object")
    return _run(_WireRun.model_validate(body), redact)


class _WireStartAnswer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    result: list[Any]


def parse_started(body: Any, redact: Redact) -> StartedItems:
    """The runs of a start answer, item by item: an item that is not a run of this request is
    named by its position and dropped, never written to a runs file (its text is untrusted,
    and might be anything from a secret to a second pipeline's run)."""
    if not isinstance(body, dict) or "result" not in body:
        raise ValueError("expected an object with 'result'")
    answer = _WireStartAnswer.model_validate(body)
    runs: list[StartedRun] = []
    rejected: list[str] = []
    for index, item in enumerate(answer.result):
        where = f"result[{index}]"
        if not isinstance(item, dict):
            rejected.append(f"{where} is not an object")
        elif not is_id(item.get("pipeline_id")):
            rejected.append(f"{where}.pipeline_id is not a pipeline ID")
        elif not is_id(item.get("pipeline_run_id")):
            rejected.append(
                f"{where}.pipeline_run_id is not a run ID (pipeline {item['pipeline_id']})"
            )
        else:
            runs.append(
                StartedRun(pipeline_id=item["pipeline_id"], pipeline_run_id=item["pipeline_run_id"])
            )
    return StartedItems(runs=tuple(runs), rejected=tuple(rejected))
