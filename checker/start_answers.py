"""Run IDs from the batch start: saved answers of ``POST /v5/{project}/api/pipelines/batch-runs``.

CI starts the runs, saves the JSON answer (``{"result": [{"pipeline_id", "pipeline_run_id"}]}``)
and passes it with ``--runs``; a check that names only its pipeline takes the run from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from checker.diagnostics import Position, Problem
from checker.documents import load_model
from checker.models import ID_PATTERN

_Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class StartedRun(BaseModel):
    """One started run; other fields the API may add are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", title="Started run")

    pipeline_id: _Id = Field(title="Pipeline ID")
    pipeline_run_id: _Id = Field(title="Pipeline run ID")


class BatchStartAnswer(BaseModel):
    """The 200 answer of the batch start API, as saved by CI."""

    model_config = ConfigDict(frozen=True, extra="ignore", title="Batch start answer")

    result: list[StartedRun] = Field(title="Started runs")


@dataclass(frozen=True)
class StartedRunSource:
    run_id: str
    file: str
    position: Position

    def __str__(self) -> str:
        return f"{self.file}:{self.position.line}:{self.position.column}"


@dataclass(frozen=True)
class RunsIndex:
    """Every started run from the ``--runs`` files, by pipeline."""

    by_pipeline: Mapping[str, tuple[StartedRunSource, ...]]

    def lookup(self, pipeline_id: str) -> tuple[StartedRunSource, ...]:
        return self.by_pipeline.get(pipeline_id, ())


def read_runs_files(paths: Iterable[Path]) -> tuple[RunsIndex, list[Problem]]:
    """Read every ``--runs`` file; problems are located in the file they come from."""
    index: dict[str, list[StartedRunSource]] = {}
    problems: list[Problem] = []
    for path in paths:
        answer, document, found = load_model(path, BatchStartAnswer, "runs file")
        problems.extend(found)
        if answer is None or document is None:
            continue
        for number, run in enumerate(answer.result):
            source = StartedRunSource(
                run.pipeline_run_id, str(path), document.position(("result", number))
            )
            index.setdefault(run.pipeline_id, []).append(source)
    return RunsIndex({k: tuple(v) for k, v in index.items()}), problems
