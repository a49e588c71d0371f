"""The evaluator: what is known about a run, against a check's expectation, gives an outcome
— or, while waiting, nothing yet. Pure: the time comes in as ``now_ms``.

Phases: a ``snapshot`` decides everything at once (no ``--wait``); ``waiting`` leaves checks
undecided (None) while their run may still change; ``final`` decides what the deadline left
open as ``pending``.
"""

from __future__ import annotations

from typing import Literal

from checker.diagnostics.wording import counted
from checker.gate.answers import Observation
from checker.gate.checks import TERMINAL_STARTUP_STATUSES, CheckSpec
from checker.gate.knowledge import RunState
from checker.gate.results import CheckResult
from checker.gate.run_rules import judge_run
from checker.gate.types import same_text
from checker.gate.verdicts import context, not_evaluated, quoted, result

Phase = Literal["snapshot", "waiting", "final"]


def decide(check: CheckSpec, state: RunState, now_ms: int, phase: Phase) -> CheckResult | None:
    """The check's outcome given ``state``; None while waiting and the run may still change."""
    failure = state.startup_failure
    if failure is not None and not state.startup:
        if phase == "waiting" and failure.kind != "auth":
            return None
        return not_evaluated(check, failure)
    if not state.startup:
        if phase == "waiting":
            return None
        return _missing(check, state, phase)
    entry = state.startup_entry
    if entry is None:
        statuses = ", ".join(sorted(str(e.status) for e in state.startup))
        count = len(state.startup)
        message = f"the answer lists this run {count} times with different values ({statuses})"
        return result(check, "error", message)
    if phase == "waiting" and entry.status not in TERMINAL_STARTUP_STATUSES:
        return None
    return _startup_judged(check, entry, state, now_ms, phase)


def _missing(check: CheckSpec, state: RunState, phase: Phase) -> CheckResult:
    if phase == "final":
        message = (
            f"never appeared in the API's answer ({counted(state.polls, 'poll')}); "
            f"expected status {check.expect.describe_status()}"
        )
        return result(check, "pending", message, polls=state.polls)
    return result(
        check,
        "missing",
        f"run not in the API's answer; expected status {check.expect.describe_status()}",
        context(check)
        + "\nthe API did not return this run: the IDs may be wrong, the run may belong to "
        "another project, or it may be older than the 90 days CodeArts keeps",
    )


def _startup_judged(
    check: CheckSpec, entry: Observation, state: RunState, now_ms: int, phase: Phase
) -> CheckResult | None:
    mismatches = _mismatches(check, entry)

    def details() -> str:
        # Written only for a decided check: every undecided run is judged twice a poll.
        return context(check) + (
            f"\nobserved: status {entry.status}, pipeline_name {quoted(entry.pipeline_name)}, "
            f"reason {quoted(entry.reason)}"
        )

    about = f"pipeline {quoted(entry.pipeline_name)}, reason {quoted(entry.reason)}"
    if mismatches:
        message = f"{'; '.join(mismatches)} ({about})"
        return result(check, "fail", message, details(), observed=entry)
    if check.expect.run is not None:
        return judge_run(check, entry, state, now_ms, phase, details)
    observed = f"observed {entry.status or 'no status'}"
    message = f"expected status {check.expect.describe_status()}, {observed} ({about})"
    return result(check, "pass", message, details(), observed=entry)


def _mismatches(check: CheckSpec, entry: Observation) -> list[str]:
    expect = check.expect
    problems = []
    if entry.status not in expect.statuses:
        problems.append(
            f"expected status {expect.describe_status()}, observed {entry.status or 'no status'}"
        )
    if expect.reason is not None and not expect.reason.holds(entry.reason):
        problems.append(f"expected {expect.reason.describe()}, observed {quoted(entry.reason)}")
    if expect.pipeline_name is not None and not same_text(
        entry.pipeline_name, expect.pipeline_name
    ):
        problems.append(
            f'expected pipeline_name "{expect.pipeline_name}", '
            f"observed {quoted(entry.pipeline_name)}"
        )
    return problems
