"""What came back for each request: observations of runs, or why there are none.

These are the in-app values; the wire formats and their parsing live in
:mod:`checker.codearts.wire`, so the pure evaluator never depends on HTTP code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from checker.gate.planner import Batch, DetailQuery, LatestBatch
from checker.gate.starts import StartBatch
from checker.gate.types import Frozen, Id

FailureKind = Literal["auth", "http", "network", "answer", "not_sent"]


class Observation(Frozen):
    """What the startup API said about one run."""

    pipeline_id: str
    pipeline_run_id: str
    pipeline_name: str | None = None
    status: str | None = None
    reason: str | None = None


class StepObservation(Frozen):
    """One step of a job (the detail answer's ``StepRun``): where an error is said."""

    id: str | None = None
    name: str
    status: str | None = None
    message: str | None = None


class JobObservation(Frozen):
    """One job of a stage (``JobRun``)."""

    id: str | None = None
    name: str
    status: str | None = None
    message: str | None = None
    steps: tuple[StepObservation, ...] = ()


class StageObservation(Frozen):
    """One stage of a run, as the run-level APIs report it."""

    name: str
    status: str | None = None
    identifier: SkipJsonSchema[str | None] = Field(default=None, exclude=True)
    """Unique within a run (names are not documented unique): a rule may name it."""
    jobs: SkipJsonSchema[tuple[JobObservation, ...]] = Field(default=(), exclude=True)
    """Only in detail answers: where a failure is located (reports carry the located
    failure, not the whole tree)."""


class RunObservation(Frozen):
    """What the run-level APIs said about one run: how it is going or how it ended."""

    pipeline_id: str
    pipeline_run_id: str
    status: str | None = None
    run_number: int | None = None
    start_time: int | None = None
    """Milliseconds since the epoch, as CodeArts gives it."""
    end_time: int | None = None
    """Milliseconds since the epoch; None (CodeArts: 0 or absent) while the run goes on."""
    stages: tuple[StageObservation, ...] = ()
    detail_url: str | None = None
    server_time: SkipJsonSchema[int | None] = Field(default=None, exclude=True)
    """The server's clock when it answered (``current_system_time``), milliseconds: used to
    measure, not reported."""

    def seconds(self, now_ms: int) -> float | None:
        """How long the run took, or has taken so far: measured on the server's clock when
        the answer gave it, so a skewed local clock cannot fail ``max_duration``."""
        if self.start_time is None:
            return None
        end = self.end_time if self.end_time is not None else (self.server_time or now_ms)
        return max(0.0, (end - self.start_time) / 1000)


class QueryFailure(Frozen):
    """Why a request has no usable answer."""

    kind: FailureKind
    message: str
    http_status: int | None = None
    error_code: str | None = None
    error_msg: str | None = None
    request_id: str | None = None
    attempts: int = 0
    unsent: bool = False
    """Certainly never acted on by the service (no connection, refused by the gateway, a
    4xx): what decides whether starting runs may be retried or is ambiguous."""


class BatchAnswer(Frozen):
    """What came back for one startup batch: observations, or a failure."""

    batch: Batch
    observations: tuple[Observation, ...] = ()
    failure: QueryFailure | None = None


AnswerHook = Callable[[BatchAnswer], None]
"""Told of each startup answer as soon as it is in: the run-level requests it unblocks go."""


class LatestAnswer(Frozen):
    """What came back for one latest-status batch: the latest run of each pipeline that has
    runs, or a failure."""

    batch: LatestBatch
    runs: tuple[RunObservation, ...] = ()
    failure: QueryFailure | None = None
    spoiled: tuple[tuple[str, str], ...] = ()
    """Pipelines whose item in the answer could not be read, with why: that pipeline's
    problem alone, never the batch's."""


class LatestItems(Frozen):
    """A latest-status answer read item by item: the runs, and the items that were not
    runs (by pipeline ID, with why)."""

    runs: tuple[RunObservation, ...] = ()
    spoiled: tuple[tuple[str, str], ...] = ()


class DetailAnswer(Frozen):
    """What came back for one run's detail: the run, or a failure (that run's alone)."""

    query: DetailQuery
    run: RunObservation | None = None
    failure: QueryFailure | None = None


class StartedRun(BaseModel):
    """One run the batch start API started: read from its answer, written to and read back
    from runs files (``--runs``); other fields the API may add are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", title="Started run")

    pipeline_id: Id = Field(title="Pipeline ID")
    pipeline_run_id: Id = Field(title="Pipeline run ID")


@dataclass(frozen=True)
class StartedItems:
    """A start answer read item by item: the runs, and why other items were dropped."""

    runs: tuple[StartedRun, ...] = ()
    rejected: tuple[str, ...] = ()

    def for_request(self, requested: Sequence[str]) -> StartedItems:
        """Only runs of pipelines this request asked to start, once each."""
        wanted = set(requested)
        runs: list[StartedRun] = []
        rejected = list(self.rejected)
        for run in self.runs:
            if run.pipeline_id not in wanted:
                rejected.append(f"pipeline {run.pipeline_id} was not asked to start")
            elif any(seen.pipeline_id == run.pipeline_id for seen in runs):
                rejected.append(f"pipeline {run.pipeline_id} is in the answer twice")
            else:
                runs.append(run)
        return StartedItems(tuple(runs), tuple(rejected))


class StartAnswer(Frozen):
    """What came back for one start batch.

    ``ambiguous`` means the request may have reached the service (a timeout or a dropped
    connection after sending, a 5xx, an unreadable answer): runs may have started, unseen.
    """

    batch: StartBatch
    started: tuple[StartedRun, ...] = ()
    failure: QueryFailure | None = None
    ambiguous: bool = False
    rejected: tuple[str, ...] = ()
    """Items of the answer that are not runs of this request, dropped (the outcome is then
    not trusted: exit 3)."""
    queued: tuple[str, ...] = ()
    """Pipelines whose run was queued at a concurrency limit: started, waiting for a slot."""
