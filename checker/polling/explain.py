"""After the verdict: where each failed run failed, and the tail of that step's log.

Requests go after every check is decided, in the same session and under the same deadline,
at most ``log_runs`` failed runs (manifest order) and one detail plus a few log pages each. A
failure that cannot be located or a log that cannot be read is a note on that check, never a
change of its outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.codearts.client import Session
from checker.codearts.logs import step_log
from checker.defaults import DEFAULT_LOG_LINES, DEFAULT_LOG_RUNS
from checker.gate.failures import FAILED_STATUSES, FailurePlace, locate, log_tail
from checker.gate.planner import DetailQuery
from checker.gate.results import CheckResult


@dataclass(frozen=True)
class ExplainPolicy:
    log_lines: int = DEFAULT_LOG_LINES
    log_runs: int = DEFAULT_LOG_RUNS


EXPLAIN_DEFAULTS = ExplainPolicy()


def _failed_run(result: CheckResult) -> bool:
    run = result.run
    if result.outcome != "fail" or run is None:
        return False
    return run.status in FAILED_STATUSES or any(s.status in FAILED_STATUSES for s in run.stages)


async def explain_failures(
    session: Session, results: Sequence[CheckResult], policy: ExplainPolicy
) -> list[CheckResult]:
    """``results`` with ``failure`` filled in for the first ``log_runs`` failed runs."""
    chosen = [r for r in results if _failed_run(r)][: policy.log_runs]
    if not chosen:
        return list(results)
    queries = [
        DetailQuery(
            endpoint=r.endpoint,
            project_id=r.project_id,
            pipeline_id=r.pipeline_id,
            pipeline_run_id=r.pipeline_run_id,
        )
        for r in chosen
    ]
    answers = await session.details(queries)
    places: dict[str, FailurePlace] = {}
    for result, answer in zip(chosen, answers, strict=True):
        if answer.run is None:
            continue
        found = locate(answer.run)
        if found is None:
            continue
        place, job_id, step_id = found
        if policy.log_lines > 0 and job_id and step_id:
            where = (result.endpoint, result.project_id, result.pipeline_id, result.pipeline_run_id)
            text, _ = await step_log(session, where, job_id, step_id)
            if text:
                place = place.model_copy(
                    update={"log": log_tail(text, policy.log_lines, place.path())}
                )
        places[result.name] = place
    return [
        r.model_copy(update={"failure": places[r.name]}) if r.name in places else r for r in results
    ]
