"""Sending a start plan: every start request once, and what became of each.

A pipeline started with parameters is looked up first (ShowPipelineDetail) and its RunPipeline
body built; anything the manifest asks that the pipeline does not have stops everything before
the first start. Stopped half-way, what answered is kept and the rest is unknown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from checker.codearts.client import Session, open_session
from checker.codearts.context import ClientContext
from checker.codearts.iam import IamTarget
from checker.codearts.run_starts import pipeline_facts, send_starts
from checker.errors import Stopped, UsageError
from checker.gate.answers import QueryFailure, StartAnswer, StartedRun
from checker.gate.run_parameters import run_body
from checker.gate.starts import StartBatch, StartPlan
from checker.manifest.runs import RunsFile


@dataclass(frozen=True)
class StartOutcome:
    """Every start request's answer, and what follows from them."""

    answers: tuple[StartAnswer, ...]
    earlier: tuple[StartedRun, ...] = ()
    """Runs a previous attempt started (the ``--runs`` files, an existing ``--out``)."""

    @property
    def started(self) -> tuple[StartedRun, ...]:
        return tuple(run for answer in self.answers for run in answer.started)

    @property
    def queued(self) -> int:
        return sum(len(answer.queued) for answer in self.answers)

    def runs_file(self) -> str:
        """What started, before and now, in the shape the batch start API answers with."""
        runs = list(dict.fromkeys((*self.earlier, *self.started)))
        return RunsFile(result=runs).text()

    def problems(self) -> list[str]:
        """One line per request that failed or may have, and per pipeline left unstarted."""
        lines = []
        for answer in self.answers:
            where = answer.batch.label
            pipelines = ", ".join(answer.batch.pipeline_ids)
            if answer.failure is not None and answer.ambiguous:
                lines.append(
                    f"{where}: unknown — check the console: {answer.failure.message}; "
                    f"these pipelines may have started: {pipelines}"
                )
            elif answer.failure is not None:
                lines.append(f"{where}: not started: {answer.failure.message} ({pipelines})")
            else:
                lines += [f"{where}: the answer is not trusted: {why}" for why in answer.rejected]
                returned = {run.pipeline_id for run in answer.started}
                lines += [
                    f"{where}: pipeline {pipeline_id} is not in the answer: not started"
                    for pipeline_id in answer.batch.pipeline_ids
                    if pipeline_id not in returned
                ]
        return lines


class StartInterrupted(Stopped):
    """Stopped while starting; carries what is known, so the runs file is still written."""

    def __init__(self, stopped: Stopped, outcome: StartOutcome) -> None:
        super().__init__(stopped.signal_name, stopped.exit_code)
        self.outcome = outcome


def _not_sent(batch: StartBatch, why: str) -> StartAnswer:
    return StartAnswer(batch=batch, failure=QueryFailure(kind="not_sent", message=why, unsent=True))


async def _bodies(
    session: Session, batches: Sequence[StartBatch]
) -> tuple[dict[StartBatch, dict[str, object]], list[StartAnswer]]:
    """The RunPipeline bodies; banned or unreadable pipelines are answered now, unsent. A
    manifest asking what a pipeline does not have raises: nothing is started."""
    wanted = [batch for batch in batches if batch.parameters is not None]
    bodies: dict[StartBatch, dict[str, object]] = {}
    unsent: list[StartAnswer] = []
    problems: list[str] = []
    for batch, (facts, failure) in zip(wanted, await pipeline_facts(session, wanted), strict=True):
        if facts is None:
            why = failure.message if failure else "no answer"
            unsent.append(_not_sent(batch, f"not sent: its pipeline could not be read: {why}"))
        elif facts.banned:
            unsent.append(_not_sent(batch, "the pipeline is banned"))
        else:
            assert batch.parameters is not None
            body, found = run_body(batch.parameters, facts)
            problems += [f"pipeline {batch.pipeline_ids[0]}: {problem}" for problem in found]
            bodies[batch] = body
    if problems:
        raise UsageError(
            "; ".join(problems) + "; nothing was started",
            "correct the check's start: block to what the pipeline has",
        )
    return bodies, unsent


async def _start(
    plan: StartPlan,
    context: ClientContext,
    targets: Sequence[IamTarget],
    received: list[StartAnswer],
) -> Sequence[StartAnswer]:
    async with open_session(context) as session:
        unknown = {
            target.endpoint: problem
            for target, problem in await session.settle_iam_projects(targets, context.environment)
        }
        refused = [
            _not_sent(batch, f"not sent: {unknown[batch.endpoint].message}")
            for batch in plan.batches
            if batch.endpoint in unknown
        ]
        batches = [batch for batch in plan.batches if batch.endpoint not in unknown]
        bodies, unsent = await _bodies(session, batches)
        refused += unsent
        received.extend(refused)
        done = {answer.batch for answer in refused}
        batches = [batch for batch in batches if batch not in done]
        return [*refused, *await send_starts(session, batches, bodies, received.append)]


def start_runs(
    plan: StartPlan,
    context: ClientContext,
    targets: Sequence[IamTarget] = (),
    earlier: tuple[StartedRun, ...] = (),
) -> StartOutcome:
    """Send every start request once (retrying only what never reached the service).

    Stopped half-way, it raises :class:`StartInterrupted`: the requests that answered are in
    it, and every other one is unknown (it may have been sent).
    """
    if not plan.batches:
        return StartOutcome((), earlier)
    received: list[StartAnswer] = []
    try:
        answers = asyncio.run(_start(plan, context, targets, received))
        return StartOutcome(tuple(answers), earlier)
    except (KeyboardInterrupt, Stopped) as error:
        stopped = error if isinstance(error, Stopped) else Stopped("SIGINT", 130)
        answered = {answer.batch for answer in received}
        why = QueryFailure(kind="network", message=f"stopped by {stopped.signal_name}")
        unknown = tuple(
            StartAnswer(batch=batch, failure=why, ambiguous=True)
            for batch in plan.batches
            if batch not in answered
        )
        outcome = StartOutcome((*received, *unknown), earlier)
        raise StartInterrupted(stopped, outcome) from None
