"""A result with every outcome and hostile text everywhere an API string can go: the input of
the golden files and of the consumer tests."""

from __future__ import annotations

from checker.gate.answers import Observation, RunObservation, StageObservation
from checker.gate.checks import Expectation, ReasonRule, RunExpectation, StageRule
from checker.gate.failures import FailurePlace, LogTail
from checker.gate.results import Attempt, CheckResult, RunReport

HOSTILE = (
    "<script>document.title='pwned'</script> <img src=x onerror=\"document.title='pwned'\"> "
    "~~struck~~ https://evil.example/x www.evil.example a@b.example | pipe *em* _em_ [l](u) "
    "`code` & \"q\" 'q' ]]> \x1b[31m\x07 safe\u202eTXT.EXE \u200b\ufeff line\nbreak"
)
HOSTILE_LOG = (
    "+ kubectl apply -f deploy.yaml",
    "::error::forged annotation",
    "::set-output name=x::y",
    "<script>alert(1)</script> </pre></details> ```",
    "\x1b[31mred\x1b[0m \u202eevil",
    "token ******** redacted before it got here",
    "x" * 100_000,
    "error: deployment timed out (exit 1)",
)
"""A step's log as an attacker would write it: CI commands, markup, escapes, a huge line."""
PROJECT = "db8d07265e24426598b3eb03a7818972"
START_MS = 1_796_025_600_000  # 2026-11-30T08:00:00Z


def _run(status: str, minutes: int, end: bool = True, url: str | None = None) -> RunObservation:
    return RunObservation(
        pipeline_id="a" * 32,
        pipeline_run_id="b" * 32,
        status=status,
        run_number=minutes,
        start_time=START_MS,
        end_time=START_MS + minutes * 60_000 if end else None,
        stages=(StageObservation(name="Build", status="COMPLETED"),),
        detail_url=url
        or f"https://devcloud.cn-north-4.huaweicloud.com/cicd/project/{PROJECT}/run/{minutes}",
    )


def _result(name: str, outcome: str, message: str, **extra: object) -> CheckResult:
    values: dict[str, object] = {
        "name": name,
        "manifest": "gates/release.yaml",
        "origin": "gates/release.yaml:7:3",
        "endpoint": "https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com",
        "project_id": PROJECT,
        "pipeline_id": "a" * 32,
        "pipeline_run_id": "b" * 32,
        "severity": "error",
        "expected": Expectation(
            reason=ReasonRule(kind="contains", value="x"),
            run=RunExpectation(stages=(StageRule(name="Build", statuses=("COMPLETED",)),)),
        ),
        "outcome": outcome,
        "message": message,
        "details": f"details of {name}\n{HOSTILE}",
    }
    values.update(extra)
    return CheckResult.model_validate(values)


def every_outcome() -> RunReport:
    observed = Observation(
        pipeline_id="a" * 32,
        pipeline_run_id="b" * 32,
        pipeline_name=f"Pipeline {HOSTILE}",
        status="START_SUCCESS",
        reason=HOSTILE,
    )
    results = [
        _result(
            "build",
            "pass",
            "expected run COMPLETED, observed COMPLETED after 5m",
            observed=observed,
            run=_run("COMPLETED", 5),
            duration=300.0,
            polls=3,
            decided_at="2026-11-30T08:05:00+00:00",
            description=f"Builds {HOSTILE}",
        ),
        _result(
            "deploy",
            "fail",
            f'expected run COMPLETED, observed FAILED at stage "Deploy" after 12m; {HOSTILE}',
            observed=observed,
            run=_run("FAILED", 12, url="javascript:alert(1)"),
            duration=720.0,
            polls=4,
            failure=FailurePlace(
                stage="Deploy",
                job=f"Deploy to CCE {HOSTILE}",
                step="kubectl apply",
                message=f"error: deployment timed out (exit 1) {HOSTILE}",
                log=LogTail(
                    lines=HOSTILE_LOG,
                    truncated=1_200,
                    source='stage "Deploy" › job "Deploy to CCE" › step "kubectl apply"',
                ),
            ),
        ),
        _result("ghost", "missing", "run not in the API's answer; expected status START_SUCCESS"),
        _result(
            "nightly",
            "pending",
            "still RUNNING after 30m; expected run COMPLETED",
            observed=observed,
            run=_run("RUNNING", 30, end=False),
            polls=9,
        ),
        _result("tests", "error", f"could not be evaluated: HTTP 503 {HOSTILE}"),
        _result("smoke", "skipped", "not evaluated: --fail-fast"),
        _result(
            "lint",
            "fail",
            f"expected status START_SUCCESS, observed START_FAILED ({HOSTILE})",
            severity="warning",
            observed=observed,
        ),
        _result(
            "e2e",
            "flaky",
            "expected run COMPLETED, observed COMPLETED after 7m (after 1 retry)",
            observed=observed,
            run=_run("COMPLETED", 7),
            attempts=(
                Attempt(
                    run_number=7,
                    status="FAILED",
                    failed_at=f'stage "Test" › job "e2e {HOSTILE}" › step "pytest"',
                ),
            ),
        ),
    ]
    return RunReport.of(
        results,
        generated_at="2026-11-30T08:30:00+00:00",
        credential_source="AK/SK from environment (AK DEMO********)",
        checker_version="0.1.0",
        deadline="2026-11-30T08:45:00+00:00",
    )
