"""Building a check's result and the pieces of its messages."""

from __future__ import annotations

from checker.gate.answers import QueryFailure
from checker.gate.checks import CheckSpec
from checker.gate.results import CheckResult, Outcome


def one_line(text: str) -> str:
    return " ".join(text.split())


def quoted(text: str | None) -> str:
    return "none" if text is None else f'"{one_line(text)}"'


def context(check: CheckSpec) -> str:
    described = f"description: {one_line(check.description)}\n" if check.description else ""
    return (
        f"check {check.name} ({check.origin})\n{described}"
        f"project {check.project_id} at {check.endpoint}\n"
        f"pipeline {check.pipeline_id}, run {check.pipeline_run_id}\n"
        f"expected: {check.expect.describe()}"
    )


def result(
    check: CheckSpec, outcome: Outcome, message: str, details: str = "", **extra: object
) -> CheckResult:
    # Built from values already validated (the check, the parsed answers): validating
    # 10,000 results again would cost more than the evaluation itself.
    return CheckResult.model_construct(
        name=check.name,
        description=check.description,
        manifest=check.manifest,
        origin=check.origin,
        endpoint=check.endpoint,
        project_id=check.project_id,
        pipeline_id=check.pipeline_id,
        pipeline_run_id=check.pipeline_run_id,
        severity=check.severity,
        expected=check.expect,
        outcome=outcome,
        message=message,
        details=details or context(check),
        **extra,  # type: ignore[arg-type]
    )


def not_evaluated(check: CheckSpec, failure: QueryFailure, prefix: str = "") -> CheckResult:
    extra = [f"request id {failure.request_id}"] if failure.request_id else []
    if failure.attempts > 1:
        extra.append(f"after {failure.attempts} attempts")
    suffix = f" ({', '.join(extra)})" if extra else ""
    return result(
        check,
        "error",
        f"could not be evaluated: {prefix}{one_line(failure.message)}{suffix}; "
        f"expected status {check.expect.describe_status()}",
        context(check) + f"\nquery failed: {failure.message}{suffix}",
    )
