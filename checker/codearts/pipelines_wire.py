"""Answers of the pipeline APIs ``checker start`` uses beside the batch start: ShowPipelineDetail
(what RunPipeline needs to know) and RunPipeline itself (a run ID, or a queued run)."""

from __future__ import annotations

import json
from typing import Any

from checker.codearts.wire import Redact, api_text, error_fields
from checker.gate.run_parameters import (
    ListedPipeline,
    PipelineFacts,
    SourceFacts,
    VariableFacts,
)
from checker.gate.types import is_id

QUEUED_CODES = frozenset({"DEVPIPE.00011169", "DEVPIPE.00011170"})
"""At a concurrency limit (per pipeline, per tenant) RunPipeline queues the run and says so
with these codes and the run's ID: started, not refused."""


def _text(value: object, redact: Redact) -> str | None:
    return api_text(value, redact) if isinstance(value, str) and value else None


def parse_pipeline(body: Any, redact: Redact) -> PipelineFacts:
    if not isinstance(body, dict) or not is_id(body.get("id") or body.get("pipeline_id")):
        raise ValueError("expected a pipeline with its 'id'")
    sources = []
    for item in body.get("sources") or ():
        params = item.get("params") if isinstance(item, dict) else None
        if isinstance(params, dict):
            fields = {name: _text(params.get(name), redact) for name in SourceFacts.model_fields}
            sources.append(SourceFacts(**fields))
    variables = [
        VariableFacts(
            name=str(item["name"]),
            runtime=item.get("is_runtime") is True,
            secret=item.get("is_secret") is True,
        )
        for item in body.get("variables") or ()
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    ]
    return PipelineFacts(
        pipeline_id=str(body.get("id") or body.get("pipeline_id")),
        name=_text(body.get("name"), redact),
        banned=body.get("banned") is True,
        sources=tuple(sources),
        variables=tuple(variables),
        stages=_stages(body.get("definition"), redact),
    )


def _stages(definition: object, redact: Redact) -> tuple[tuple[str, str], ...]:
    """(name, ID) of each stage, read defensively: ``definition`` is a JSON string whose inner
    shape the SDK does not describe; a stage's ID may be ``id`` or ``identifier``."""
    try:
        data = json.loads(definition) if isinstance(definition, str) else definition
    except ValueError:
        return ()
    stages = data.get("stages") if isinstance(data, dict) else None
    found = []
    for stage in stages if isinstance(stages, list) else ():
        if not isinstance(stage, dict):
            continue
        name, ident = stage.get("name"), stage.get("id") or stage.get("identifier")
        if isinstance(name, str) and isinstance(ident, str) and ident:
            found.append((api_text(name, redact), ident))
    return tuple(found)


def parse_run_started(body: Any, redact: Redact) -> tuple[str, bool]:
    """The run RunPipeline started, and whether it was queued."""
    if not isinstance(body, dict):
        raise ValueError("expected an object")
    if is_id(body.get("pipeline_run_id")):
        return str(body["pipeline_run_id"]), False
    code, _ = error_fields(body, redact)
    nested = body.get("error")
    if code in QUEUED_CODES:
        run = nested.get("pipeline_run_id") if isinstance(nested, dict) else None
        run = run or body.get("pipeline_run_id")
        if is_id(run):
            return str(run), True
    raise ValueError("expected 'pipeline_run_id' holding a run ID")


def parse_listed(body: Any, redact: Redact) -> tuple[tuple[ListedPipeline, ...], int]:
    """One page of ListPipelines, and the total it reports."""
    if not isinstance(body, dict) or not isinstance(body.get("pipelines"), list):
        raise ValueError("expected an object with 'pipelines'")
    page = tuple(
        ListedPipeline(
            pipeline_id=str(item["pipeline_id"]),
            name=api_text(item["name"], redact),
            banned=item.get("banned") is True,
        )
        for item in body["pipelines"]
        if isinstance(item, dict)
        and is_id(item.get("pipeline_id"))
        and isinstance(item.get("name"), str)
    )
    total = body.get("total")
    return page, total if isinstance(total, int) and total >= 0 else len(page)
