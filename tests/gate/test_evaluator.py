"""Evaluator: expectation x answer -> outcome, message and exit code."""

from __future__ import annotations

import pytest
from helpers import evaluate, make_check

from checker.errors import ExitCode
from checker.gate.answers import Observation, QueryFailure
from checker.gate.checks import CheckSpec, Expectation, ReasonRule
from checker.gate.results import CheckResult, gate_exit_code
from checker.gate.types import Severity

PIPE = "a" * 32
RUN = "b" * 32


def _check(expect: Expectation | None = None, severity: Severity = "error") -> CheckSpec:
    return make_check(expect=expect, severity=severity, pipeline_id=PIPE, pipeline_run_id=RUN)


def _seen(status: str | None, reason: str | None = None, name: str | None = "Build") -> Observation:
    return Observation(
        pipeline_id=PIPE, pipeline_run_id=RUN, pipeline_name=name, status=status, reason=reason
    )


def test_pass_when_status_is_any_expected() -> None:
    result = evaluate(
        _check(Expectation(statuses=("START_SUCCESS", "COMPLETED"))), [_seen("COMPLETED")]
    )
    assert result.outcome == "pass"
    assert result.message == (
        "expected status START_SUCCESS | COMPLETED, observed COMPLETED "
        '(pipeline "Build", reason none)'
    )


def test_fail_names_expected_observed_name_and_reason() -> None:
    result = evaluate(_check(), [_seen("START_FAILED", "Current pipeline is banned.")])
    assert result.outcome == "fail"
    assert result.message == (
        "expected status START_SUCCESS, observed START_FAILED "
        '(pipeline "Build", reason "Current pipeline is banned.")'
    )
    assert result.observed is not None and result.observed.status == "START_FAILED"


def test_every_failed_condition_is_named() -> None:
    expect = Expectation(
        statuses=("START_FAILED",),
        reason=ReasonRule(kind="contains", value="banned"),
        pipeline_name="Nightly",
    )
    result = evaluate(_check(expect), [_seen("START_SUCCESS", None, "Build")])
    assert result.outcome == "fail"
    assert "expected status START_FAILED, observed START_SUCCESS" in result.message
    assert 'expected reason contains "banned", observed none' in result.message
    assert 'expected pipeline_name "Nightly", observed "Build"' in result.message


@pytest.mark.parametrize(
    ("kind", "value", "reason", "holds"),
    [
        ("equals", "Current pipeline is banned.", "Current pipeline is banned.", True),
        ("equals", "banned", "Current pipeline is banned.", False),
        ("contains", "banned", "Current pipeline is banned.", True),
        ("matches", r"^Current .* banned\.$", "Current pipeline is banned.", True),
        ("matches", r"quota", "Current pipeline is banned.", False),
        ("contains", "x", None, False),
    ],
)
def test_reason_rules(kind: str, value: str, reason: str | None, holds: bool) -> None:
    rule = ReasonRule(kind=kind, value=value)
    expect = Expectation(statuses=("START_FAILED",), reason=rule)
    outcome = evaluate(_check(expect), [_seen("START_FAILED", reason)]).outcome
    assert outcome == ("pass" if holds else "fail")


def test_missing_when_the_answer_lacks_the_run() -> None:
    other = Observation(pipeline_id=PIPE, pipeline_run_id="d" * 32, status="START_SUCCESS")
    result = evaluate(_check(), [other])
    assert result.outcome == "missing"
    assert result.message == "run not in the API's answer; expected status START_SUCCESS"


def test_error_when_the_batch_failed() -> None:
    failure = QueryFailure(
        kind="http", message="HTTP 502 APIGW.0201: backend", request_id="r1", attempts=4
    )
    result = evaluate(_check(), [], failure)
    assert result.outcome == "error"
    assert "HTTP 502 APIGW.0201: backend (request id r1, after 4 attempts)" in result.message


def test_conflicting_duplicate_entries_are_an_error() -> None:
    result = evaluate(_check(), [_seen("START_SUCCESS"), _seen("START_FAILED")])
    assert result.outcome == "error"


def test_identical_duplicate_entries_are_fine() -> None:
    assert evaluate(_check(), [_seen("START_SUCCESS"), _seen("START_SUCCESS")]).outcome == "pass"


def test_multiline_reason_stays_on_one_line_in_the_message() -> None:
    result = evaluate(_check(), [_seen("START_FAILED", "line one\nline two")])
    assert "\n" not in result.message


def _result(outcome: str, severity: Severity = "error") -> CheckResult:
    return evaluate(
        _check(severity=severity),
        [] if outcome == "missing" else [_seen("START_SUCCESS" if outcome == "pass" else "X")],
        QueryFailure(kind="network", message="down") if outcome == "error" else None,
    )


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        (["pass"], ExitCode.PASSED),
        (["pass", "fail"], ExitCode.FAILED),
        (["pass", "missing"], ExitCode.FAILED),
        (["pass", "error"], ExitCode.UNEVALUATED),
        (["fail", "error"], ExitCode.FAILED),
    ],
)
def test_exit_codes(outcomes: list[str], code: ExitCode) -> None:
    assert gate_exit_code([_result(o) for o in outcomes]) == code


def test_warnings_never_change_the_exit_code() -> None:
    results = [_result("pass"), _result("fail", "warning"), _result("error", "warning")]
    assert gate_exit_code(results) == ExitCode.PASSED


NFC, NFD = "Build caf\u00e9", "Build cafe\u0301"


@pytest.mark.parametrize(("written", "observed"), [(NFC, NFD), (NFD, NFC)])
def test_names_in_nfc_and_nfd_are_the_same_name(written: str, observed: str) -> None:
    named = Expectation(statuses=("START_SUCCESS",), pipeline_name=written)
    assert evaluate(_check(named), [_seen("START_SUCCESS", None, observed)]).outcome == "pass"
    for kind in ("equals", "contains"):
        rule = Expectation(statuses=("START_FAILED",), reason=ReasonRule(kind=kind, value=written))
        assert evaluate(_check(rule), [_seen("START_FAILED", observed)]).outcome == "pass"
