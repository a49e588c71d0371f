"""How a run ended against ``expect.run``: status, stages, duration, and when it is decided.

A run is decided when its status is terminal, or earlier when it already failed: it ran past
``max_duration``, or a stage ended in a status its rule does not allow.
"""

from __future__ import annotations

from collections.abc import Callable

from checker.gate.answers import Observation, RunObservation, StageObservation
from checker.gate.checks import TERMINAL_STAGE_STATUSES, CheckSpec, RunExpectation
from checker.gate.durations import format_duration
from checker.gate.knowledge import RunState
from checker.gate.results import CheckResult
from checker.gate.types import same_text
from checker.gate.verdicts import not_evaluated, result

_FAILED_STAGE = ("FAILED", "ASYNC_FAILED", "CANCELED")


def judge_run(
    check: CheckSpec,
    entry: Observation,
    state: RunState,
    now_ms: int,
    phase: str,
    details: Callable[[], str],
) -> CheckResult | None:
    """The outcome of a check whose run started as expected."""
    rule = check.expect.run
    assert rule is not None
    if entry.status != "START_SUCCESS":
        message = f"the run did not start: status {entry.status}; expected {rule.describe()}"
        return result(check, "fail", message, details(), observed=entry)
    run = state.run
    if run is None:
        return _not_seen(check, entry, state, phase, details)
    extra = {
        "observed": entry,
        "run": run,
        "duration": run.seconds(now_ms),
        "polls": state.polls,
    }
    seconds = run.seconds(now_ms)
    if run.status in rule.terminal:
        problems = _ended_wrong(rule, run, seconds)
        if problems:
            return result(check, "fail", "; ".join(problems), _with_run(details(), run), **extra)
        took = f" after {format_duration(seconds)}" if seconds is not None else ""
        message = f"expected {rule.describe()}, observed {run.status}{took}"
        return result(check, "pass", message, _with_run(details(), run), **extra)
    early = _failing_early(rule, run, seconds)
    if early:
        return result(check, "fail", "; ".join(early), _with_run(details(), run), **extra)
    if run.status in WAITING_STATUSES and rule.on_waiting != "wait":
        message = f"the run is {run.status}{_waiting_at(run)}; expected {rule.describe()}"
        decided = result(check, "fail", message, _with_run(details(), run), **extra)
        if rule.on_waiting == "warn":  # reported, never blocking
            return decided.model_copy(update={"severity": "warning"})
        return decided
    if phase == "waiting":
        return None
    took = f" after {format_duration(seconds)}" if seconds is not None else ""
    status = run.status or "without a status"
    note = _waiting_at(run) if status in WAITING_STATUSES else QUEUE_NOTES.get(status, "")
    message = f"still {status}{note}{took}; expected {rule.describe()}"
    return result(check, "pending", message, _with_run(details(), run), **extra)


def _not_seen(
    check: CheckSpec, entry: Observation, state: RunState, phase: str, details: Callable[[], str]
) -> CheckResult | None:
    rule = check.expect.run
    assert rule is not None
    failure = state.run_failure
    if failure is not None and (phase != "waiting" or failure.kind == "auth"):
        return not_evaluated(check, failure, "run status: ")
    if phase == "waiting":
        return None
    where = "never appeared in" if phase == "final" else "not yet in"
    message = f"started, but {where} the run-level answers; expected {rule.describe()}"
    return result(check, "pending", message, details(), observed=entry, polls=state.polls)


def _with_run(details: str, run: RunObservation) -> str:
    stages = ", ".join(f"{s.name} {s.status}" for s in run.stages) or "none listed"
    lines = [details, f"run: status {run.status}, run number {run.run_number}, stages: {stages}"]
    if run.detail_url:
        lines.append(f"detail: {run.detail_url}")
    return "\n".join(lines)


def _failed_stage(run: RunObservation) -> str:
    failed = next((s.name for s in run.stages if s.status in _FAILED_STAGE), None)
    return f' at stage "{failed}"' if failed else ""


WAITING_STATUSES = frozenset({"PAUSED", "SUSPEND"})
"""A run waiting for a person: a manual review or a delay step."""


def _waiting_at(run: RunObservation) -> str:
    """`` (waiting for a person at stage "Approve")``: the first stage not ended."""
    stage = next((s for s in run.stages if s.status not in TERMINAL_STAGE_STATUSES), None)
    where = f' at stage "{stage.name}"' if stage else ""
    return f" (waiting for a person{where}: a manual review or a delay step)"


QUEUE_NOTES = {
    "QUEUED": " (waiting in the pipeline's queue for a concurrency slot)",
    "QUEUED_TIME_OUT": " (it waited too long in the pipeline's queue and never ran)",
}
"""What a queue status means, said beside it: a queued run is not a running one."""


def _ended_wrong(rule: RunExpectation, run: RunObservation, seconds: float | None) -> list[str]:
    problems = []
    took = f" after {format_duration(seconds)}" if seconds is not None else ""
    if run.status not in rule.statuses:
        expected = " | ".join(rule.statuses)
        queue = QUEUE_NOTES.get(run.status or "", "")
        problems.append(
            f"expected run {expected}, observed {run.status}{queue}{_failed_stage(run)}{took}"
        )
    for stage_rule in rule.stages:
        found = _stages_named(run, stage_rule.name)
        if not found:
            have = ", ".join(dict.fromkeys(f'"{stage.name}"' for stage in run.stages)) or "none"
            problems.append(f'no stage "{stage_rule.name}" in the run (its stages: {have})')
        problems += [
            _stage_problem(label, stage_rule.statuses, stage.status)
            for label, stage in found
            if stage.status not in stage_rule.statuses
        ]
    problems += _too_long(rule, seconds)
    return problems


def _stages_named(run: RunObservation, name: str) -> list[tuple[str, StageObservation]]:
    """The stages a rule names, by name as the manifest writes it, else by identifier (names
    are not documented unique: a rule applies to each stage of its name, each labelled)."""
    found = [s for s in run.stages if same_text(s.name, name)] or [
        s for s in run.stages if same_text(s.identifier, name)
    ]
    if len(found) == 1:
        return [(f'"{name}"', found[0])]
    return [
        (
            f'"{name}" ({index} of {len(found)}'
            + (f", identifier {stage.identifier})" if stage.identifier else ")"),
            stage,
        )
        for index, stage in enumerate(found, start=1)
    ]


def _failing_early(rule: RunExpectation, run: RunObservation, seconds: float | None) -> list[str]:
    """What already makes the check fail while the run goes on."""
    if run.status == "QUEUED":
        return _queued_too_long(rule, seconds)  # it has not run yet: max_duration waits
    problems = _too_long(rule, seconds, running=True)
    for stage_rule in rule.stages:
        problems += [
            _stage_problem(label, stage_rule.statuses, stage.status)
            for label, stage in _stages_named(run, stage_rule.name)
            if stage.status in TERMINAL_STAGE_STATUSES and stage.status not in stage_rule.statuses
        ]
    return problems


def _stage_problem(label: str, allowed: tuple[str, ...], observed: str | None) -> str:
    return f"expected stage {label} {' | '.join(allowed)}, observed {observed}"


def _queued_too_long(rule: RunExpectation, seconds: float | None) -> list[str]:
    if rule.max_queue is None or seconds is None or seconds <= rule.max_queue:
        return []
    return [
        f"queued for {format_duration(seconds)} in the pipeline's queue, longer than max_queue "
        f"{format_duration(rule.max_queue)}"
    ]


def _too_long(rule: RunExpectation, seconds: float | None, running: bool = False) -> list[str]:
    if rule.max_duration is None or seconds is None or seconds <= rule.max_duration:
        return []
    verb = "still running after" if running else "took"
    return [f"{verb} {format_duration(seconds)}, max_duration {format_duration(rule.max_duration)}"]
