"""ShowPipelineLog: the end of one step's log, paged, bounded in pages and bytes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from checker.codearts.client import Session
from checker.codearts.wire import Redact
from checker.defaults import MAX_LOG_PAGES
from checker.gate.answers import QueryFailure
from checker.gate.failures import LOG_MAX_BYTES

LOG_PATH = (
    "/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/{run_id}"
    "/jobs/{job_id}/steps/{step_id}/logs"
)
LOG_PAGE = 32 * 1024


def _page(body: Any, redact: Redact) -> tuple[str, bool, int | None]:
    """``(text, has_more, end_offset)``: offsets come as strings in the API's answers."""
    if not isinstance(body, dict) or not isinstance(body.get("log", ""), str):
        raise ValueError("expected an object with 'log'")
    end = body.get("end_offset")
    try:
        offset = int(end) if end is not None else None
    except (TypeError, ValueError):
        offset = None
    # Redacted whole, before any cut: a cut must never leave half a secret.
    return redact(str(body.get("log") or "")), body.get("has_more") is True, offset


async def step_log(
    session: Session,
    where: tuple[str, str, str, str],
    job_id: str,
    step_id: str,
) -> tuple[str | None, QueryFailure | None]:
    """The last :data:`LOG_MAX_BYTES` of a step's log; ``where``: endpoint, project,
    pipeline, run."""
    endpoint, project_id, pipeline_id, run_id = where
    path = LOG_PATH.format(
        project_id=project_id,
        pipeline_id=quote(pipeline_id, safe=""),
        run_id=quote(run_id, safe=""),
        job_id=quote(job_id, safe=""),
        step_id=quote(step_id, safe=""),
    )
    text = ""
    offset = 0
    for _ in range(MAX_LOG_PAGES):
        body = {"start_offset": str(offset), "limit": LOG_PAGE, "sort": "asc"}
        call = session.post(endpoint, path, body, 1, _page, f"log {run_id}")
        page, failure = await session.call(call)
        if page is None:
            return (text or None), failure
        chunk, more, end = page
        text = (text + chunk)[-LOG_MAX_BYTES:]
        if not more or end is None or end <= offset:
            break
        offset = end
    else:
        text += f"\n… the log goes on past {MAX_LOG_PAGES} pages: its end is in the console\n"
    return text, None
