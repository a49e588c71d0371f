"""Starting the manifest's pipelines: the batch start API, and what became of each pipeline.

Starting costs money and quota, and is not idempotent: a request that may have reached the
service is never sent again (the client's rule for non-idempotent calls); such a batch is
reported as unknown, for a person to check in the console.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass

from checker.codearts.client import open_session
from checker.codearts.context import ClientContext
from checker.errors import Stopped
from checker.gate.answers import QueryFailure, StartAnswer, StartedRun
from checker.gate.starts import StartPlan


@dataclass(frozen=True)
class StartOutcome:
    """Every start batch's answer, and what follows from them."""

    answers: tuple[StartAnswer, ...]

    @property
    def started(self) -> tuple[StartedRun, ...]:
        return tuple(run for answer in self.answers for run in answer.started)

    def runs_file(self) -> str:
        """The merged answers in exactly the shape CodeArts returns, for ``check --runs``."""
        result = [run.model_dump() for run in self.started]
        return json.dumps({"result": result}, indent=2) + "\n"

    def problems(self) -> list[str]:
        """One line per batch that failed or may have, and per pipeline left unstarted."""
        lines = []
        for answer in self.answers:
            batch = answer.batch
            where = f"project {batch.project_id}, start request {batch.number}"
            pipelines = ", ".join(batch.pipeline_ids)
            if answer.failure is not None and answer.ambiguous:
                lines.append(
                    f"{where}: unknown — check the console: {answer.failure.message}; "
                    f"these pipelines may have started: {pipelines}"
                )
            elif answer.failure is not None:
                lines.append(f"{where}: not started: {answer.failure.message} ({pipelines})")
            else:
                returned = {run.pipeline_id for run in answer.started}
                lines += [
                    f"{where}: pipeline {pipeline_id} is not in the answer: not started"
                    for pipeline_id in batch.pipeline_ids
                    if pipeline_id not in returned
                ]
        return lines


async def _start(
    plan: StartPlan, context: ClientContext, received: list[StartAnswer]
) -> Sequence[StartAnswer]:
    async with open_session(context) as session:
        return await session.start(plan.batches, received.append)


class StartInterrupted(Stopped):
    """Stopped while starting; carries what is known, so the runs file is still written."""

    def __init__(self, stopped: Stopped, outcome: StartOutcome) -> None:
        super().__init__(stopped.signal_name, stopped.exit_code)
        self.outcome = outcome


def start_runs(plan: StartPlan, context: ClientContext) -> StartOutcome:
    """Send every start batch once (retrying only what never reached the service).

    Stopped half-way, it raises :class:`StartInterrupted`: the batches that answered are in
    it, and every other batch is unknown (it may have been sent).
    """
    if not plan.batches:
        return StartOutcome(())
    received: list[StartAnswer] = []
    try:
        return StartOutcome(tuple(asyncio.run(_start(plan, context, received))))
    except (KeyboardInterrupt, Stopped) as error:
        stopped = error if isinstance(error, Stopped) else Stopped("SIGINT", 130)
        answered = {answer.batch for answer in received}
        why = QueryFailure(kind="network", message=f"stopped by {stopped.signal_name}")
        unknown = tuple(
            StartAnswer(batch=batch, failure=why, ambiguous=True)
            for batch in plan.batches
            if batch not in answered
        )
        raise StartInterrupted(stopped, StartOutcome((*received, *unknown))) from None
