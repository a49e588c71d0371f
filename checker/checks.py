"""A fully resolved check: what the planner, client and evaluator work on.

The manifest models say what a user wrote; a :class:`CheckSpec` says exactly which run on
which endpoint is checked against which expectation, with every default and variable applied.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from checker.models import Severity

DEFAULT_STATUS = "START_SUCCESS"

# Statuses CodeArts Pipeline is known to report (reference notes, section 2). The API's
# value range is undocumented, so an unknown expected value is a warning, never an error.
KNOWN_STATUSES = (
    "START_SUCCESS",
    "START_FAILED",
    "COMPLETED",
    "RUNNING",
    "FAILED",
    "CANCELED",
    "PAUSED",
    "SUSPEND",
    "IGNORED",
    "INIT",
    "QUEUED",
    "SKIPPED",
    "ASYNC_RUNNING",
    "ASYNC_FAILED",
    "UNSELECTED",
    "REDISPATCH",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RunKey(NamedTuple):
    """One run as the API identifies it; what the planner deduplicates on."""

    endpoint: str
    project_id: str
    pipeline_id: str
    pipeline_run_id: str


class ReasonRule(_Frozen):
    """A condition on the observed ``reason`` text."""

    kind: Literal["equals", "contains", "matches"]
    value: str

    def holds(self, reason: str | None) -> bool:
        text = reason or ""
        if self.kind == "equals":
            return text == self.value
        if self.kind == "contains":
            return self.value in text
        return re.search(self.value, text) is not None

    def describe(self) -> str:
        if self.kind == "matches":
            return f"reason matches /{self.value}/"
        return f'reason {self.kind} "{self.value}"'


class ExpectedRun(_Frozen):
    """Everything a run's answer must show. ``statuses`` is never empty."""

    statuses: tuple[str, ...] = (DEFAULT_STATUS,)
    reason: ReasonRule | None = None
    pipeline_name: str | None = None

    def describe_status(self) -> str:
        return " | ".join(self.statuses)

    def describe(self) -> str:
        parts = [f"status {self.describe_status()}"]
        if self.reason:
            parts.append(self.reason.describe())
        if self.pipeline_name is not None:
            parts.append(f'pipeline_name "{self.pipeline_name}"')
        return ", ".join(parts)


class Origin(_Frozen):
    """Where a check was defined, for messages and reports."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class CheckSpec(_Frozen):
    """One check, resolved: a run on an endpoint and what it must show."""

    name: str
    description: str | None = None
    manifest: str
    origin: Origin
    endpoint: str
    project_id: str
    pipeline_id: str
    pipeline_run_id: str
    expect: ExpectedRun = ExpectedRun()
    severity: Severity = "error"

    @property
    def run_key(self) -> RunKey:
        return RunKey(self.endpoint, self.project_id, self.pipeline_id, self.pipeline_run_id)

    @property
    def blocking(self) -> bool:
        return self.severity == "error"
