"""Outcomes as values: one :class:`CheckResult` per check, a :class:`RunReport` per run.

The JSON report is this model serialised; ``RunReport.model_validate_json`` reads it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from checker.checks import ExpectedRun
from checker.errors import ExitCode
from checker.models import Severity

Outcome = Literal["pass", "fail", "missing", "error"]
REPORT_FORMAT_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ObservedRun(_Frozen):
    """What the API said about a run."""

    status: str | None = None
    pipeline_name: str | None = None
    reason: str | None = None


class CheckResult(_Frozen):
    """The verdict on one check, with enough context to act on it."""

    name: str
    description: str | None = None
    manifest: str
    origin: str = Field(description="FILE:LINE:COL where the check is defined")
    endpoint: str
    project_id: str
    pipeline_id: str
    pipeline_run_id: str
    severity: Severity
    expected: ExpectedRun
    observed: ObservedRun | None = None
    outcome: Outcome
    message: str = Field(description="One line: expected and observed values")
    details: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    @property
    def passed(self) -> bool:
        return self.outcome == "pass"


class Summary(_Frozen):
    total: int
    passed: int
    failed: int
    missing: int
    errors: int
    warnings: int = Field(description="Non-blocking checks that did not pass")

    @classmethod
    def of(cls, results: Sequence[CheckResult]) -> Summary:
        blocking = [r for r in results if r.blocking]
        return cls(
            total=len(results),
            passed=sum(r.passed for r in results),
            failed=sum(r.outcome == "fail" for r in blocking),
            missing=sum(r.outcome == "missing" for r in blocking),
            errors=sum(r.outcome == "error" for r in blocking),
            warnings=sum(not r.passed for r in results if not r.blocking),
        )


class Note(_Frozen):
    """Something about the run as a whole, e.g. why nothing could be queried."""

    message: str
    hint: str | None = None


class RunReport(_Frozen):
    """Everything one ``checker check`` found: the input of every report format."""

    format_version: int = REPORT_FORMAT_VERSION
    checker_version: str
    generated_at: str = Field(description="UTC, ISO 8601")
    credential_source: str | None = None
    summary: Summary
    exit_code: int
    verdict: str
    notes: tuple[Note, ...] = ()
    results: tuple[CheckResult, ...]


def gate_exit_code(results: Sequence[CheckResult]) -> ExitCode:
    """0 all blocking checks passed; 1 one failed or is missing; 3 none failed, one errored."""
    blocking = [r for r in results if r.blocking]
    if any(r.outcome in ("fail", "missing") for r in blocking):
        return ExitCode.FAILED
    if any(r.outcome == "error" for r in blocking):
        return ExitCode.UNEVALUATED
    return ExitCode.PASSED


def verdict_line(summary: Summary, exit_code: ExitCode) -> str:
    head = {
        ExitCode.PASSED: "PASSED",
        ExitCode.FAILED: "FAILED",
        ExitCode.UNEVALUATED: "NOT EVALUATED",
    }.get(exit_code, exit_code.name)
    parts = [
        f"{summary.passed} passed",
        f"{summary.failed} failed",
        f"{summary.missing} missing",
        f"{summary.errors} error{'' if summary.errors == 1 else 's'}",
    ]
    if summary.warnings:
        parts.append(f"{summary.warnings} warning{'' if summary.warnings == 1 else 's'}")
    return f"{head}: {', '.join(parts)} ({summary.total} checks)"
