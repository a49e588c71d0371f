"""Outcomes as values: one :class:`CheckResult` per check, a :class:`RunReport` per run.

The JSON report is this model serialised; ``RunReport.model_validate_json`` reads it back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from checker import __version__
from checker.diagnostics.problem import Location
from checker.diagnostics.wording import counted
from checker.errors import ExitCode
from checker.gate.answers import Observation, RunObservation
from checker.gate.checks import Expectation
from checker.gate.failures import FailurePlace
from checker.gate.types import Frozen, Id, Severity


def _located(value: object) -> object:
    """A saved report's ``FILE:LINE:COL`` read back (the file name may hold colons)."""
    if isinstance(value, str):
        file, _, rest = value.rpartition(":")
        head, _, line = file.rpartition(":")
        if head and line.isdigit() and rest.isdigit():
            return Location(head, int(line), int(rest))
        return Location(value, 1, 1)
    return value


Origin = Annotated[
    Location,
    BeforeValidator(_located),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string"}),
]
"""Where a check is defined: structured in memory, ``FILE:LINE:COL`` in the JSON report."""

Outcome = Literal["pass", "fail", "missing", "error", "pending", "skipped", "flaky"]
Standing = Literal["passed", "flaky", "failed", "errored", "warned", "skipped"]
REPORT_FORMAT_VERSION = 1


class Attempt(Frozen):
    """One attempt of a run that checker retried: how it ended, and where it failed."""

    run_number: int | None = None
    status: str | None = None
    failed_at: str | None = Field(default=None, description="stage › job › step, when known")


class CheckResult(Frozen):
    """The verdict on one check, with enough context to act on it."""

    name: str
    description: str | None = None
    manifest: str
    origin: Origin = Field(title="Origin", description="FILE:LINE:COL where the check is defined")
    endpoint: str
    project_id: Id
    pipeline_id: Id
    pipeline_run_id: Id
    severity: Severity
    expected: Expectation
    observed: Observation | None = None
    run: RunObservation | None = Field(
        default=None, description="What the run-level APIs said, for checks with expect.run"
    )
    duration: float | None = Field(default=None, description="Run time in seconds, if known")
    polls: int = Field(default=0, description="How many polls asked about the run")
    decided_at: str | None = Field(default=None, description="UTC, ISO 8601")
    outcome: Outcome
    message: str = Field(description="One line: expected and observed values")
    details: str = ""
    failure: FailurePlace | None = Field(
        default=None,
        description="Where a failed run failed: the first failing stage, job and step, "
        "CodeArts' message there, and the tail of that step's log",
    )
    attempts: tuple[Attempt, ...] = Field(
        default=(),
        description="The failed attempts before the last, for a run checker retried "
        "(expect.run.retries); a check that passed after one is flaky",
    )

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    @property
    def passed(self) -> bool:
        return self.outcome == "pass"

    @property
    def standing(self) -> Standing:
        """How the check weighs on the gate: the one classification every summary, exit code
        and report uses. A non-blocking check that did not pass only warns."""
        if self.passed:
            return "passed"
        if self.outcome == "flaky":
            return "flaky"
        if self.outcome == "skipped":
            return "skipped"
        if not self.blocking:
            return "warned"
        return "errored" if self.outcome == "error" else "failed"


class Summary(Frozen):
    total: int
    passed: int
    failed: int
    missing: int
    errors: int
    warnings: int = Field(description="Non-blocking checks that did not pass")
    pending: int = Field(default=0, description="Blocking checks whose run had not ended")
    skipped: int = Field(default=0, description="Checks not evaluated (--fail-fast)")
    flaky: int = Field(default=0, description="Checks that passed only after a retry")

    @classmethod
    def of(cls, results: Sequence[CheckResult]) -> Summary:
        standings = [r.standing for r in results]
        failed = [r for r in results if r.standing == "failed"]
        return cls(
            total=len(results),
            passed=standings.count("passed"),
            failed=sum(r.outcome == "fail" for r in failed),
            missing=sum(r.outcome == "missing" for r in failed),
            errors=standings.count("errored"),
            warnings=standings.count("warned"),
            pending=sum(r.outcome == "pending" for r in failed),
            skipped=standings.count("skipped"),
            flaky=standings.count("flaky"),
        )


class Note(Frozen):
    """Something about the run as a whole: why nothing could be queried (an error), or what
    checker adapted to (information)."""

    message: str
    hint: str | None = None
    level: Literal["error", "info"] = "error"


class InputProblem(Frozen):
    """A located problem in the manifests (or their var and runs files) that kept the gate
    from running: reports carry it so CI shows why nothing was checked."""

    file: str
    line: int
    column: int
    level: Literal["error", "warning"]
    message: str
    path: str = ""
    hint: str | None = None

    @property
    def origin(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class RunReport(Frozen):
    """Everything one ``checker check`` found: the input of every report format."""

    writes_nulls: ClassVar[bool] = True
    """The JSON report holds ``null`` for unset optionals; its schema allows it."""

    format_version: int = REPORT_FORMAT_VERSION
    checker_version: str
    generated_at: str = Field(description="UTC, ISO 8601")
    deadline: str | None = Field(
        default=None, description="UTC, ISO 8601: the one deadline of a gate that waited"
    )
    credential_source: str | None = None
    summary: Summary
    exit_code: int
    verdict: str
    notes: tuple[Note, ...] = ()
    problems: tuple[InputProblem, ...] = Field(
        default=(),
        description="Why the gate did not run (exit code 2): every problem found in the "
        "manifests, located; then there are no results",
    )
    results: tuple[CheckResult, ...]

    @classmethod
    def of(
        cls,
        results: Sequence[CheckResult],
        *,
        generated_at: str,
        credential_source: str | None = None,
        notes: Sequence[Note] = (),
        checker_version: str = __version__,
        deadline: str | None = None,
    ) -> RunReport:
        """The report of these results: summary, exit code and verdict follow from them;
        notes are said once each, in order."""
        summary = Summary.of(results)
        exit_code = gate_exit_code(results)
        return cls(
            checker_version=checker_version,
            generated_at=generated_at,
            deadline=deadline,
            credential_source=credential_source,
            summary=summary,
            exit_code=int(exit_code),
            verdict=verdict_line(summary, exit_code),
            notes=tuple(dict.fromkeys(notes)),
            results=tuple(results),
        )


def not_run_report(
    problems: Sequence[InputProblem], *, generated_at: str, credential_source: str | None = None
) -> RunReport:
    """The report of a gate whose manifests have problems: nothing checked, exit code 2."""
    errors = sum(problem.level == "error" for problem in problems)
    return RunReport(
        checker_version=__version__,
        generated_at=generated_at,
        credential_source=credential_source,
        summary=Summary.of(()),
        exit_code=int(ExitCode.USAGE),
        verdict=f"NOT RUN: {counted(errors, 'problem')} in the manifests; nothing was checked",
        problems=tuple(problems),
        results=(),
    )


def gate_exit_code(results: Sequence[CheckResult]) -> ExitCode:
    """1 a blocking check failed or is missing; else 3 one errored; else 4 one had not ended
    (pending); else 0. A definite failure is the most actionable news, then "could not tell",
    then "not finished in time". A gate that evaluated nothing (every check an error: refused
    credentials, a broken set-up) never passes, warnings or not."""
    outcomes = {r.outcome for r in results}
    if "error" in outcomes and outcomes <= {"error", "skipped"}:
        return ExitCode.UNEVALUATED
    blocking = [r for r in results if r.standing in ("failed", "errored")]
    if any(r.standing == "failed" and r.outcome != "pending" for r in blocking):
        return ExitCode.FAILED
    if any(r.standing == "errored" for r in blocking):
        return ExitCode.UNEVALUATED
    if blocking:
        return ExitCode.UNFINISHED
    return ExitCode.PASSED


def verdict_line(summary: Summary, exit_code: ExitCode) -> str:
    head = {
        ExitCode.PASSED: "PASSED",
        ExitCode.FAILED: "FAILED",
        ExitCode.UNEVALUATED: "NOT EVALUATED",
        ExitCode.UNFINISHED: "NOT FINISHED",
    }.get(exit_code, exit_code.name)
    parts = [
        f"{summary.passed} passed",
        f"{summary.failed} failed",
        f"{summary.missing} missing",
        counted(summary.errors, "error"),
    ]
    if summary.pending:
        parts.append(f"{summary.pending} pending")
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped")
    if summary.flaky:
        parts.append(f"{summary.flaky} flaky")
    if summary.warnings:
        parts.append(counted(summary.warnings, "warning"))
    return f"{head}: {', '.join(parts)} ({counted(summary.total, 'check')})"


def _replaced(value: Any, replace: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, dict):
        return {key: _replaced(item, replace) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_replaced(item, replace) for item in value]
    return value


def with_text_replaced(
    report: RunReport,
    replace: Callable[[str], str],
    mentioned: Callable[[str], bool] | None = None,
) -> RunReport:
    """The report with ``replace`` applied to every string in it, e.g. a redactor: applied to
    the data, before any format escapes it (``TOKEN_a`` becomes ``TOKEN\\_a`` in Markdown,
    which no redactor would recognise). ``mentioned`` says, from the JSON text, whether any
    string could change at all: usually none does, and the walk is skipped."""
    if mentioned is not None and not mentioned(report.model_dump_json()):
        return report
    data = report.model_dump()
    replaced = _replaced(data, replace)
    return report if replaced == data else RunReport.model_validate(replaced)
