"""What came back for each planned request: observations of runs, or why there are none.

These are the in-app values; the wire format and its parsing live in
:mod:`checker.codearts.client`, so the pure evaluator never depends on HTTP code.
"""

from __future__ import annotations

from typing import Literal

from checker.gate.planner import Batch
from checker.gate.types import Frozen

FailureKind = Literal["auth", "http", "network", "answer", "not_sent"]


class Observation(Frozen):
    """What the API said about one run."""

    pipeline_id: str
    pipeline_run_id: str
    pipeline_name: str | None = None
    status: str | None = None
    reason: str | None = None


class QueryFailure(Frozen):
    """Why a batch has no usable answer."""

    kind: FailureKind
    message: str
    http_status: int | None = None
    error_code: str | None = None
    error_msg: str | None = None
    request_id: str | None = None
    attempts: int = 0


class BatchAnswer(Frozen):
    """What came back for one batch: observations, or a failure."""

    batch: Batch
    observations: tuple[Observation, ...] = ()
    failure: QueryFailure | None = None
