"""Run-level decisions, one state at a time: pure, with the time passed in."""

from __future__ import annotations

import pytest
from helpers import make_check

from checker.gate.answers import Observation, RunObservation, StageObservation
from checker.gate.checks import Expectation, RunExpectation, StageRule
from checker.gate.evaluator import decide
from checker.gate.knowledge import RunState

STARTED = Observation(pipeline_id="a" * 32, pipeline_run_id="b" * 32, status="START_SUCCESS")
MINUTE = 60_000


def _run(status: str, *stages: tuple[str, str], end: int | None = None) -> RunObservation:
    return RunObservation(
        pipeline_id="a" * 32,
        pipeline_run_id="b" * 32,
        status=status,
        start_time=0,
        end_time=end,
        stages=tuple(StageObservation(name=n, status=s) for n, s in stages),
    )


def test_a_missing_stage_names_the_stages_the_run_has() -> None:
    check = make_check(
        expect=Expectation(
            run=RunExpectation(stages=(StageRule(name="Deploy", statuses=("COMPLETED",)),))
        )
    )
    state = RunState(
        startup=(STARTED,),
        run=_run("COMPLETED", ("Build", "COMPLETED"), ("Test", "COMPLETED"), end=MINUTE),
    )
    result = decide(check, state, MINUTE, "waiting")
    assert result is not None and result.outcome == "fail"
    assert result.message == 'no stage "Deploy" in the run (its stages: "Build", "Test")'


def test_the_manifest_may_say_which_statuses_end_a_run() -> None:
    paused = RunState(startup=(STARTED,), run=_run("PAUSED"))
    default = make_check(expect=Expectation(run=RunExpectation()))
    assert decide(default, paused, MINUTE, "waiting") is None
    custom = make_check(expect=Expectation(run=RunExpectation(terminal=("COMPLETED", "PAUSED"))))
    result = decide(custom, paused, MINUTE, "waiting")
    assert result is not None and result.message.startswith(
        "expected run COMPLETED, observed PAUSED"
    )


def test_a_run_that_failed_to_start_fails_without_run_level_answers() -> None:
    failed = STARTED.model_copy(update={"status": "START_FAILED", "reason": "banned"})
    check = make_check(
        expect=Expectation(statuses=("START_SUCCESS", "START_FAILED"), run=RunExpectation())
    )
    result = decide(check, RunState(startup=(failed,)), 0, "waiting")
    assert result is not None and result.outcome == "fail"
    assert result.message.startswith("the run did not start: status START_FAILED")


def test_a_stage_that_already_failed_decides_a_running_run() -> None:
    rule = RunExpectation(stages=(StageRule(name="Build", statuses=("COMPLETED",)),))
    check = make_check(expect=Expectation(run=rule))
    running = RunState(
        startup=(STARTED,), run=_run("RUNNING", ("Build", "FAILED"), ("Deploy", "INIT"))
    )
    result = decide(check, running, MINUTE, "waiting")
    assert result is not None and result.outcome == "fail"
    going = RunState(startup=(STARTED,), run=_run("RUNNING", ("Build", "RUNNING")))
    assert decide(check, going, MINUTE, "waiting") is None
    snapshot = decide(check, going, 12 * MINUTE + 3000, "snapshot")
    assert snapshot is not None and snapshot.outcome == "pending"
    assert snapshot.message.startswith("still RUNNING after 12m03s")


def test_stage_rules_match_by_name_else_identifier_and_each_duplicate_is_named() -> None:
    from checker.gate.answers import RunObservation, StageObservation
    from checker.gate.checks import RunExpectation, StageRule
    from checker.gate.run_rules import _ended_wrong

    run = RunObservation(
        pipeline_id="p" * 32,
        pipeline_run_id="r" * 32,
        status="COMPLETED",
        stages=(
            StageObservation(name="Deploy", status="COMPLETED", identifier="deploy-1"),
            StageObservation(name="Deploy", status="FAILED", identifier="deploy-2"),
            StageObservation(name="build-7", status="COMPLETED", identifier="build"),
        ),
    )
    rule = RunExpectation(
        stages=(
            StageRule(name="Deploy", statuses=("COMPLETED",)),
            StageRule(name="build", statuses=("COMPLETED",)),  # by identifier
        )
    )
    assert _ended_wrong(rule, run, None) == [
        'expected stage "Deploy" (2 of 2, identifier deploy-2) COMPLETED, observed FAILED'
    ]


def test_a_stage_named_in_nfd_matches_the_same_name_in_nfc() -> None:
    check = make_check(
        expect=Expectation(
            run=RunExpectation(stages=(StageRule(name="Déployer", statuses=("COMPLETED",)),))
        )
    )
    decomposed = "De\u0301ployer"
    state = RunState(startup=(STARTED,), run=_run("COMPLETED", (decomposed, "COMPLETED"), end=1))
    result = decide(check, state, MINUTE, "waiting")
    assert result is not None and result.outcome == "pass", result


@pytest.mark.parametrize(
    ("policy", "outcome", "severity"),
    [("wait", None, None), ("fail", "fail", "error"), ("warn", "fail", "warning")],
)
def test_a_run_waiting_for_a_person_follows_on_waiting(
    policy: str, outcome: str | None, severity: str | None
) -> None:
    check = make_check(expect=Expectation(run=RunExpectation(on_waiting=policy)))
    state = RunState(
        startup=(STARTED,),
        run=_run("PAUSED", ("Build", "COMPLETED"), ("Approve", "PAUSED")),
    )
    result = decide(check, state, MINUTE, "waiting")
    if outcome is None:
        assert result is None  # keeps polling
        final = decide(check, state, MINUTE, "final")
        assert final is not None and final.outcome == "pending"
        assert 'still PAUSED (waiting for a person at stage "Approve"' in final.message
        return
    assert result is not None and result.outcome == outcome and result.severity == severity
    assert 'the run is PAUSED (waiting for a person at stage "Approve"' in result.message


def test_a_run_queued_longer_than_max_queue_fails_and_max_duration_waits() -> None:
    rule = RunExpectation(max_queue=600, max_duration=60)
    check = make_check(expect=Expectation(run=rule))
    queued = RunState(startup=(STARTED,), run=_run("QUEUED"))
    assert decide(check, queued, 5 * MINUTE, "waiting") is None  # max_duration waits for it
    result = decide(check, queued, 11 * MINUTE, "waiting")
    assert result is not None and result.outcome == "fail"
    assert result.message == ("queued for 11m in the pipeline's queue, longer than max_queue 10m")
