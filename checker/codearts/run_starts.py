"""Starting runs: the batch start API for pipelines started with their defaults, RunPipeline
(after ShowPipelineDetail) for pipelines a manifest starts with parameters.

Starting is not idempotent: a request that may have reached the service is never sent again
(the client's rule for non-idempotent calls).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from urllib.parse import quote

from checker.codearts.calls import Call
from checker.codearts.client import Session
from checker.codearts.pipelines_wire import (
    QUEUED_CODES,
    parse_listed,
    parse_pipeline,
    parse_run_started,
)
from checker.codearts.runs_wire import parse_started
from checker.gate.answers import QueryFailure, StartAnswer, StartedItems, StartedRun
from checker.gate.run_parameters import ListedPipeline, PipelineFacts
from checker.gate.starts import StartBatch

START_PATH = "/v5/{project_id}/api/pipelines/batch-runs"
PIPELINE_PATH = "/v5/{project_id}/api/pipelines/{pipeline_id}"
RUN_PATH = "/v5/{project_id}/api/pipelines/{pipeline_id}/run"

Facts = tuple[PipelineFacts | None, QueryFailure | None]


async def pipeline_facts(session: Session, batches: Sequence[StartBatch]) -> list[Facts]:
    """ShowPipelineDetail for each pipeline started with parameters, in order."""

    async def one(index: int, batch: StartBatch) -> Facts:
        path = PIPELINE_PATH.format(
            project_id=batch.project_id, pipeline_id=quote(batch.pipeline_ids[0], safe="")
        )
        call = Call(
            "GET",
            batch.endpoint + path,
            session.iam_projects.get(batch.endpoint),
            None,
            1,
            parse_pipeline,
            f"pipeline {batch.pipeline_ids[0]}",
        )
        return await session.call(call)

    return await session.each(batches, one)


async def send_starts(
    session: Session,
    batches: Sequence[StartBatch],
    bodies: Mapping[StartBatch, dict[str, object]] | None = None,
    on_answer: Callable[[StartAnswer], None] | None = None,
) -> list[StartAnswer]:
    """Start runs: never retried once a request may have reached the service. Each answer
    also goes to ``on_answer`` as it comes, so a stop loses none of them. ``bodies``: the
    RunPipeline body of each batch that has parameters."""

    async def one(index: int, batch: StartBatch) -> StartAnswer:
        if batch.parameters is not None:
            answer = await _run_pipeline(session, batch, (bodies or {}).get(batch, {}))
        else:
            answer = await _batch_start(session, batch)
        if on_answer is not None:
            on_answer(answer)
        return answer

    return await session.each(batches, one)


async def _batch_start(session: Session, batch: StartBatch) -> StartAnswer:
    call = session.post(
        batch.endpoint,
        START_PATH.format(project_id=batch.project_id),
        batch.body(),
        len(batch.pipeline_ids),
        parse_started,
        f"start {batch.project_id}/{batch.number}",
    )
    items, failure = await session.call(replace(call, idempotent=False))
    checked = (items or StartedItems()).for_request(batch.pipeline_ids)
    return StartAnswer(
        batch=batch,
        started=checked.runs,
        failure=failure,
        ambiguous=failure is not None and not failure.unsent,
        rejected=checked.rejected,
    )


async def _run_pipeline(
    session: Session, batch: StartBatch, body: dict[str, object]
) -> StartAnswer:
    pipeline_id = batch.pipeline_ids[0]
    path = RUN_PATH.format(project_id=batch.project_id, pipeline_id=quote(pipeline_id, safe=""))
    call = session.post(batch.endpoint, path, body, 1, parse_run_started, f"run {pipeline_id}")
    found, failure = await session.call(replace(call, idempotent=False, accepts=QUEUED_CODES))
    if found is None:
        ambiguous = failure is not None and not failure.unsent
        return StartAnswer(batch=batch, failure=failure, ambiguous=ambiguous)
    run_id, queued = found
    started = StartedRun(pipeline_id=pipeline_id, pipeline_run_id=run_id)
    return StartAnswer(batch=batch, started=(started,), queued=(pipeline_id,) if queued else ())


LIST_PATH = "/v5/{project_id}/api/pipelines/list"
LIST_PAGE = 100
MAX_LIST_PAGES = 100
"""At most 10,000 pipelines are listed per project."""


async def list_pipelines(
    session: Session, groups: Sequence[tuple[str, str]]
) -> list[tuple[tuple[ListedPipeline, ...] | None, QueryFailure | None]]:
    """ListPipelines for each ``(endpoint, project)``, every page, in order."""

    async def one(
        index: int, group: tuple[str, str]
    ) -> tuple[tuple[ListedPipeline, ...] | None, QueryFailure | None]:
        endpoint, project_id = group
        found: list[ListedPipeline] = []
        for page in range(MAX_LIST_PAGES):
            body = {"offset": page * LIST_PAGE, "limit": LIST_PAGE}
            path = LIST_PATH.format(project_id=project_id)
            call = session.post(endpoint, path, body, LIST_PAGE, parse_listed, f"list {project_id}")
            answer, failure = await session.call(call)
            if answer is None:
                return None, failure
            listed, total = answer
            found += listed
            if not listed or len(found) >= total:
                break
        return tuple(found), None

    return await session.each(groups, one)
