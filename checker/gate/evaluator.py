"""The evaluator: one expectation against one answer gives one outcome. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from checker.gate.answers import Observation, QueryFailure
from checker.gate.checks import CheckSpec
from checker.gate.results import CheckResult, Outcome


def _quoted(text: str | None) -> str:
    return "none" if text is None else f'"{_one_line(text)}"'


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _result(
    check: CheckSpec,
    outcome: Outcome,
    message: str,
    details: str = "",
    observed: Observation | None = None,
) -> CheckResult:
    return CheckResult(
        name=check.name,
        description=check.description,
        manifest=check.manifest,
        origin=str(check.origin),
        endpoint=check.endpoint,
        project_id=check.project_id,
        pipeline_id=check.pipeline_id,
        pipeline_run_id=check.pipeline_run_id,
        severity=check.severity,
        expected=check.expect,
        observed=observed,
        outcome=outcome,
        message=message,
        details=details,
    )


def _context(check: CheckSpec) -> str:
    return (
        f"check {check.name} ({check.origin})\n"
        f"project {check.project_id} at {check.endpoint}\n"
        f"pipeline {check.pipeline_id}, run {check.pipeline_run_id}\n"
        f"expected: {check.expect.describe()}"
    )


def evaluate(
    check: CheckSpec,
    observations: Sequence[Observation] = (),
    failure: QueryFailure | None = None,
) -> CheckResult:
    """Decide one check. ``observations`` is the batch's whole answer (only this run's entries
    are read); ``failure`` says why there is no answer."""
    if failure is not None:
        return _not_evaluated(check, failure)
    entries = [
        o
        for o in observations
        if o.pipeline_id == check.pipeline_id and o.pipeline_run_id == check.pipeline_run_id
    ]
    if not entries:
        return _result(
            check,
            "missing",
            f"run not in the API's answer; expected status {check.expect.describe_status()}",
            _context(check)
            + "\nthe API did not return this run: the IDs may be wrong, the run may belong to "
            "another project, or it may be older than the 90 days CodeArts keeps",
        )
    if len({(e.status, e.pipeline_name, e.reason) for e in entries}) > 1:
        statuses = ", ".join(sorted(str(e.status) for e in entries))
        return _result(
            check,
            "error",
            f"the answer lists this run {len(entries)} times with different values ({statuses})",
            _context(check),
        )
    return _judged(check, entries[0])


def _not_evaluated(check: CheckSpec, failure: QueryFailure) -> CheckResult:
    extra = [f"request id {failure.request_id}"] if failure.request_id else []
    if failure.attempts > 1:
        extra.append(f"after {failure.attempts} attempts")
    suffix = f" ({', '.join(extra)})" if extra else ""
    return _result(
        check,
        "error",
        f"could not be evaluated: {_one_line(failure.message)}{suffix}; "
        f"expected status {check.expect.describe_status()}",
        _context(check) + f"\nquery failed: {failure.message}{suffix}",
    )


def _judged(check: CheckSpec, entry: Observation) -> CheckResult:
    mismatches = _mismatches(check, entry)
    about = f"pipeline {_quoted(entry.pipeline_name)}, reason {_quoted(entry.reason)}"
    details = _context(check) + (
        f"\nobserved: status {entry.status}, pipeline_name {_quoted(entry.pipeline_name)}, "
        f"reason {_quoted(entry.reason)}"
    )
    if mismatches:
        return _result(check, "fail", f"{'; '.join(mismatches)} ({about})", details, entry)
    observed = f"observed {entry.status or 'no status'}"
    message = f"expected status {check.expect.describe_status()}, {observed} ({about})"
    return _result(check, "pass", message, details, entry)


def _mismatches(check: CheckSpec, entry: Observation) -> list[str]:
    expect = check.expect
    problems = []
    if entry.status not in expect.statuses:
        problems.append(
            f"expected status {expect.describe_status()}, observed {entry.status or 'no status'}"
        )
    if expect.reason is not None and not expect.reason.holds(entry.reason):
        problems.append(f"expected {expect.reason.describe()}, observed {_quoted(entry.reason)}")
    if expect.pipeline_name is not None and entry.pipeline_name != expect.pipeline_name:
        problems.append(
            f'expected pipeline_name "{expect.pipeline_name}", '
            f"observed {_quoted(entry.pipeline_name)}"
        )
    return problems
