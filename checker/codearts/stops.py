"""StopPipelineRun and RetryPipelineRun: one request per run, only for runs the gate started."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from checker.codearts.calls import Call
from checker.codearts.client import Session
from checker.codearts.wire import Redact
from checker.gate.answers import QueryFailure
from checker.gate.planner import DetailQuery

STOP_PATH = "/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/{run_id}/stop"


def _stopped(body: Any, redact: Redact) -> bool:
    if not isinstance(body, dict):
        raise ValueError("expected an object")
    return body.get("success") is not False


async def stop_runs(
    session: Session, runs: Sequence[DetailQuery]
) -> list[tuple[bool | None, QueryFailure | None]]:
    """Ask CodeArts to stop each run (at most ``--concurrency`` at once), in order."""

    async def one(index: int, run: DetailQuery) -> tuple[bool | None, QueryFailure | None]:
        path = STOP_PATH.format(
            project_id=run.project_id,
            pipeline_id=quote(run.pipeline_id, safe=""),
            run_id=quote(run.pipeline_run_id, safe=""),
        )
        iam_project = session.iam_projects.get(run.endpoint)
        label = f"stop {run.pipeline_run_id}"
        call = Call("POST", run.endpoint + path, iam_project, None, 1, _stopped, label)
        return await session.call(call)

    return await session.each(runs, one)


RETRY_PATH = "/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/{run_id}/retry"


async def retry_run(session: Session, run: DetailQuery) -> tuple[bool | None, QueryFailure | None]:
    """RetryPipelineRun (failed jobs only), sent once: a retry that may have reached the
    service is not sent again."""
    path = RETRY_PATH.format(
        project_id=run.project_id,
        pipeline_id=quote(run.pipeline_id, safe=""),
        run_id=quote(run.pipeline_run_id, safe=""),
    )
    iam_project = session.iam_projects.get(run.endpoint)
    body = b"{}"
    call = Call(
        "PUT", run.endpoint + path, iam_project, body, 1, _stopped, f"retry {run.pipeline_run_id}"
    )
    return await session.call(replace(call, idempotent=False))
