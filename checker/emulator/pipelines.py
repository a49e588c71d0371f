"""The emulator's pipeline documents: ShowPipelineDetail and ListPipelines answers, and what
RunPipeline refuses — pure functions of a world pipeline and a request."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from checker.emulator.world import WorldPipeline, WorldRunState, WorldStep

QUEUED_CODE = "DEVPIPE.00011170"


def stage_id(pipeline_id: str, name: str) -> str:
    return hashlib.sha256(f"{pipeline_id}:{name}".encode()).hexdigest()[:32]


def pipeline_detail(pipeline_id: str, pipeline: WorldPipeline) -> dict[str, Any]:
    """As the SDK's ShowPipelineDetailResponse: sources, variables, a definition string."""
    definition = {
        "stages": [
            {"id": stage_id(pipeline_id, name), "name": name, "sequence": str(index)}
            for index, name in enumerate(pipeline.stages)
        ]
    }
    return {
        "id": pipeline_id,
        "name": pipeline.name,
        "banned": pipeline.banned,
        "sources": [
            {"type": "code", "params": source.model_dump(exclude_none=True)}
            for source in pipeline.sources
        ],
        "variables": [
            {
                "name": variable.name,
                "value": "" if variable.secret else variable.value,
                "is_runtime": variable.runtime,
                "is_secret": variable.secret,
            }
            for variable in pipeline.variables
        ],
        "definition": json.dumps(definition),
    }


def run_problem(pipeline_id: str, pipeline: WorldPipeline, payload: Any) -> str | None:
    """Why RunPipeline refuses this body, or None."""
    if not isinstance(payload, dict):
        return "the body must be an object"
    urls = {source.git_url for source in pipeline.sources}
    for source in payload.get("sources") or []:
        params = source.get("params") if isinstance(source, dict) else None
        if not isinstance(params, dict) or params.get("git_url") not in urls:
            return "sources[].params.git_url must be one of the pipeline's repositories"
        build = params.get("build_params") or {}
        if build.get("build_type") not in ("branch", "tag"):
            return "build_params.build_type must be branch or tag"
    runtime = {variable.name for variable in pipeline.variables if variable.runtime}
    for variable in payload.get("variables") or []:
        if not isinstance(variable, dict) or variable.get("name") not in runtime:
            return "variables[].name must be a variable settable at run time"
    stages = {stage_id(pipeline_id, name) for name in pipeline.stages}
    if any(chosen not in stages for chosen in payload.get("choose_stages") or []):
        return "choose_stages must hold stage IDs of the pipeline"
    return None


def queued_state(state: WorldRunState) -> WorldRunState:
    """A queued run waits two polls for a slot, then goes as started runs go."""
    return WorldRunState(timeline=[WorldStep(status="QUEUED", polls=2), *state.steps()])


def listed(pipelines: dict[str, WorldPipeline], payload: Any) -> dict[str, Any]:
    """ListPipelines: ``name`` matches anywhere in the name (fuzzy, as documented), paged."""
    query = payload if isinstance(payload, dict) else {}
    name = query.get("name")
    offset, limit = query.get("offset"), query.get("limit")
    offset = offset if isinstance(offset, int) and offset >= 0 else 0
    limit = limit if isinstance(limit, int) and 0 < limit <= 100 else 10
    found = [
        {"pipeline_id": pipeline_id, "name": pipeline.name, "banned": pipeline.banned}
        for pipeline_id, pipeline in pipelines.items()
        if not isinstance(name, str) or name.lower() in pipeline.name.lower()
    ]
    page = found[offset : offset + limit]
    return {"offset": offset, "limit": limit, "total": len(found), "pipelines": page}


def log_page(text: str, step_id: str, payload: Any) -> dict[str, Any]:
    """A page of a step's log from ``start_offset`` (a string, as the API's offsets are), at
    most ``limit`` characters (default 10,000)."""
    query = payload if isinstance(payload, dict) else {}
    try:
        start = max(0, int(query.get("start_offset") or 0))
    except (TypeError, ValueError):
        start = 0
    limit = query.get("limit")
    size = limit if isinstance(limit, int) and 0 < limit <= 1_000_000 else 10_000
    page = text[start : start + size]
    end = start + len(page)
    return {
        "log": page,
        "has_more": end < len(text),
        "start_offset": str(start),
        "end_offset": str(end),
        "step_run_id": step_id,
    }
