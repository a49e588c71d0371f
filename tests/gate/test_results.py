"""One classification of outcomes feeds the summary, the exit code and the reports."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from checker.errors import ExitCode
from checker.gate.answers import Observation
from checker.gate.checks import Expectation
from checker.gate.results import CheckResult, RunReport, Summary, gate_exit_code
from checker.reports.formats import render_junit

_results = st.lists(
    st.builds(
        CheckResult,
        name=st.sampled_from(["a", "b", "c"]),
        manifest=st.just("gate.yaml"),
        origin=st.just("gate.yaml:1:1"),
        endpoint=st.just("https://x.myhuaweicloud.com"),
        project_id=st.sampled_from(["p" * 32, "q" * 32]),
        pipeline_id=st.just("a" * 32),
        pipeline_run_id=st.just("b" * 32),
        severity=st.sampled_from(["error", "warning"]),
        expected=st.just(Expectation()),
        observed=st.none() | st.just(Observation(pipeline_id="a" * 32, pipeline_run_id="b" * 32)),
        outcome=st.sampled_from(["pass", "fail", "missing", "error"]),
        message=st.just("m"),
    ),
    max_size=12,
)


@given(_results)
def test_summary_exit_code_and_junit_agree(results: list[CheckResult]) -> None:
    summary = Summary.of(results)
    standings = [r.standing for r in results]
    assert summary.passed == standings.count("passed")
    assert summary.failed + summary.missing == standings.count("failed")
    assert summary.errors == standings.count("errored")
    assert summary.warnings == standings.count("warned")
    outcomes = {r.outcome for r in results}
    expected = (
        ExitCode.UNEVALUATED  # nothing evaluated is never a pass, warnings or not
        if "error" in outcomes and outcomes <= {"error", "skipped"}
        else ExitCode.FAILED
        if "failed" in standings
        else ExitCode.UNEVALUATED
        if "errored" in standings
        else ExitCode.PASSED
    )
    assert gate_exit_code(results) == expected
    junit = render_junit(
        RunReport(
            checker_version="t",
            generated_at="2026-01-01T00:00:00+00:00",
            summary=summary,
            exit_code=int(expected),
            verdict="v",
            results=tuple(results),
        )
    )
    assert junit.count("<failure ") == standings.count("failed")
    assert junit.count("<error ") == standings.count("errored")
    assert junit.count("<skipped ") == standings.count("warned")


def test_origin_is_structured_in_memory_and_a_string_in_json() -> None:
    """Annotations read the line from the value, not from a string parsed back; a saved
    report (``render``) reads ``FILE:LINE:COL`` back, even with colons in the file name."""
    from helpers import evaluate, make_check

    from checker.diagnostics.problem import Location
    from checker.reports.annotations import annotation

    check = make_check(manifest="C:/ci/gate:v2.yaml").model_copy(
        update={"origin": Location("C:/ci/gate:v2.yaml", 12, 3)}
    )
    result = evaluate(check, [])
    assert result.origin == Location("C:/ci/gate:v2.yaml", 12, 3)
    report = RunReport.of([result], generated_at="2026-01-01T00:00:00+00:00")
    text = report.model_dump_json()
    assert '"origin":"C:/ci/gate:v2.yaml:12:3"' in text
    assert RunReport.model_validate_json(text).results[0].origin == result.origin
    written = annotation(result)
    assert written is not None and "line=12," in written


def test_exit_codes_say_broken_before_unknown_before_unfinished() -> None:
    from helpers import make_check

    from checker.errors import ExitCode
    from checker.gate.results import gate_exit_code
    from checker.gate.verdicts import result

    check = make_check()
    outcomes = {o: result(check, o, o) for o in ("pass", "fail", "missing", "error", "pending")}
    warned = result(make_check(severity="warning"), "pending", "x")

    def code(*names: str) -> ExitCode:
        return gate_exit_code([outcomes[n] for n in names])

    assert code("pass") == ExitCode.PASSED
    assert code("pass", "pending") == ExitCode.UNFINISHED
    assert code("pending", "error") == ExitCode.UNEVALUATED
    assert code("pending", "error", "missing") == ExitCode.FAILED
    assert code("fail", "pending") == ExitCode.FAILED
    assert gate_exit_code([outcomes["pass"], warned]) == ExitCode.PASSED
    warned_error = result(make_check(severity="warning"), "error", "refused")
    assert gate_exit_code([warned_error]) == ExitCode.UNEVALUATED
    assert gate_exit_code([warned_error, outcomes["pass"]]) == ExitCode.PASSED
