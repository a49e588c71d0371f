"""Stopping what a gate gave up on: the unfinished runs that came from ``--runs`` files (started
for this gate), never a run the manifest names, which the gate only watches.

Bounded: one StopPipelineRun per run, at most ``--concurrency`` at once, within a grace
period after the deadline. A stop that fails is said per run; it never changes an outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from checker.codearts.client import open_session
from checker.codearts.context import ClientContext
from checker.codearts.stops import stop_runs
from checker.defaults import DEFAULT_STOP_GRACE
from checker.gate.answers import QueryFailure
from checker.gate.checks import CheckSpec
from checker.gate.knowledge import Knowledge
from checker.gate.planner import DetailQuery
from checker.gate.results import CheckResult


@dataclass(frozen=True)
class StopPolicy:
    enabled: bool = False
    grace: float = DEFAULT_STOP_GRACE


STOP_DEFAULTS = StopPolicy()


def stoppable(checks: Sequence[CheckSpec], knowledge: Knowledge) -> list[CheckSpec]:
    """Undecided checks whose run this gate started and which has not ended, one per run."""
    chosen: dict[tuple[str, ...], CheckSpec] = {}
    for check in checks:
        state = knowledge.get(check.run_key)
        ended = state.run is not None and state.run.end_time is not None
        if check.run_from_runs_file and state.started and not ended:
            chosen.setdefault(tuple(check.run_key), check)
    return list(chosen.values())


def stop_unfinished(
    checks: Sequence[CheckSpec],
    context: ClientContext,
    iam_projects: Mapping[str, str],
    why: str,
    policy: StopPolicy,
) -> dict[tuple[str, ...], str]:
    """Stop each run (a fresh deadline: the grace); what became of each, by run key."""
    if not checks:
        return {}
    graced = replace(context, deadline=context.clock() + timedelta(seconds=policy.grace))
    runs = [
        DetailQuery(
            endpoint=c.endpoint,
            project_id=c.project_id,
            pipeline_id=c.pipeline_id,
            pipeline_run_id=c.pipeline_run_id,
        )
        for c in checks
    ]

    async def send() -> list[tuple[bool | None, QueryFailure | None]]:
        async with open_session(graced) as session:
            session.iam_projects.update(iam_projects)
            return list(await stop_runs(session, runs))

    answers = asyncio.run(send())
    said: dict[tuple[str, ...], str] = {}
    for check, (done, failure) in zip(checks, answers, strict=True):
        if done:
            said[tuple(check.run_key)] = f"stopped by checker {why}"
        else:
            message = failure.message if failure is not None else "refused"
            said[tuple(check.run_key)] = f"checker could not stop it {why}: {message}"
    return said


def with_stops(
    results: Sequence[CheckResult], checks: Sequence[CheckSpec], said: Mapping[tuple[str, ...], str]
) -> list[CheckResult]:
    """Every report says what was stopped: in the message of each check of a stopped run."""
    by_name = {c.name: tuple(c.run_key) for c in checks}
    return [
        r.model_copy(update={"message": f"{r.message}; {said[by_name[r.name]]}"})
        if by_name.get(r.name) in said
        else r
        for r in results
    ]
