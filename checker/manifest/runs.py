"""Runs files (``--runs``): saved answers of ``POST /v5/{project}/api/pipelines/batch-runs``.

CI starts the runs, saves the JSON answer (``{"result": [{"pipeline_id", "pipeline_run_id"}]}``)
and passes it with ``--runs``; a check that names only its pipeline takes the run from there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from checker.diagnostics.documents import load_model
from checker.diagnostics.problem import Location, Problem
from checker.gate.answers import StartedRun
from checker.gate.types import ID_MESSAGES


class RunsFile(BaseModel):
    """The 200 answer of the batch start API, as saved by CI and written by ``start``."""

    model_config = ConfigDict(frozen=True, extra="ignore", title="Batch start answer")

    result: list[StartedRun] = Field(title="Started runs")

    def text(self) -> str:
        """As ``checker start`` writes it: the API's own shape, indented."""
        return json.dumps(self.model_dump(), indent=2) + "\n"


@dataclass(frozen=True)
class SavedRun:
    """A run ID and where in which runs file it was found."""

    run_id: str
    location: Location


@dataclass(frozen=True)
class RunsIndex:
    """Every started run from the ``--runs`` files, by pipeline."""

    by_pipeline: Mapping[str, tuple[SavedRun, ...]]
    runs: tuple[StartedRun, ...] = ()
    """Every run of every file, in order."""

    def lookup(self, pipeline_id: str) -> tuple[SavedRun, ...]:
        return self.by_pipeline.get(pipeline_id, ())


def read_runs_files(paths: Iterable[Path]) -> tuple[RunsIndex, list[Problem]]:
    """Read every ``--runs`` file; problems are located in the file they come from."""
    index: dict[str, list[SavedRun]] = {}
    runs: list[StartedRun] = []
    problems: list[Problem] = []
    for path in paths:
        answer, document, found = load_model(path, RunsFile, "runs file", ID_MESSAGES)
        problems.extend(found)
        if answer is None or document is None:
            continue
        runs.extend(answer.result)
        for number, run in enumerate(answer.result):
            where = document.location(document.position(("result", number)))
            index.setdefault(run.pipeline_id, []).append(SavedRun(run.pipeline_run_id, where))
    return RunsIndex({k: tuple(v) for k, v in index.items()}, tuple(runs)), problems
