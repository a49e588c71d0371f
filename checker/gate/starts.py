"""Which pipelines ``checker start`` starts, in the fewest requests. Pure.

A check that names its run checks an existing run and starts nothing; several checks of one
pipeline start it once. Pipelines are grouped by ``(endpoint, project_id)`` and cut into
batches of at most ``batch_size``, like queries.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.gate.checks import CheckSpec
from checker.gate.run_parameters import RunParameters
from checker.gate.types import Frozen


class StartBatch(Frozen):
    """One start request: ``POST …/pipelines/batch-runs`` for up to ``batch_size`` pipelines
    of one project, or, with ``parameters``, ``POST …/pipelines/{id}/run`` for one."""

    endpoint: str
    project_id: str
    number: int
    pipeline_ids: tuple[str, ...]
    parameters: RunParameters | None = None

    def body(self) -> dict[str, list[str]]:
        return {"pipeline_ids": list(self.pipeline_ids)}

    @property
    def label(self) -> str:
        if self.parameters is not None:
            return f"project {self.project_id}, pipeline {self.pipeline_ids[0]}"
        return f"project {self.project_id}, start request {self.number}"


class StartPlan(Frozen):
    batches: tuple[StartBatch, ...]
    existing: tuple[CheckSpec, ...]
    """Checks that name their run: nothing is started for them."""

    def conflicts(self) -> list[str]:
        """A pipeline under two endpoint or project spellings would be started twice."""
        seen: dict[str, list[StartBatch]] = {}
        for batch in self.batches:
            for pipeline_id in batch.pipeline_ids:
                seen.setdefault(pipeline_id.lower(), []).append(batch)
        return [
            f"pipeline {pipeline_id} would be started {len(batches)} times, under "
            + " and ".join(f"project {b.project_id} at {b.endpoint}" for b in batches)
            for pipeline_id, batches in seen.items()
            if len(batches) > 1
        ]

    @property
    def pipeline_count(self) -> int:
        return sum(len(batch.pipeline_ids) for batch in self.batches)


def plan_starts(checks: Sequence[CheckSpec], batch_size: int) -> StartPlan:
    """Start the pipeline of every check without a run ID, once each."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    groups: dict[tuple[str, str], list[str]] = {}
    existing = []
    singles: dict[tuple[str, str, str], StartBatch] = {}
    for check in checks:
        if check.pipeline_run_id:
            existing.append(check)
        elif check.start is not None:
            key = (check.endpoint, check.project_id, check.pipeline_id)
            singles.setdefault(
                key,
                StartBatch(
                    endpoint=check.endpoint,
                    project_id=check.project_id,
                    number=len(singles) + 1,
                    pipeline_ids=(check.pipeline_id,),
                    parameters=check.start,
                ),
            )
        else:
            pipelines = groups.setdefault((check.endpoint, check.project_id), [])
            if check.pipeline_id not in pipelines:
                pipelines.append(check.pipeline_id)
    batches = tuple(
        StartBatch(
            endpoint=endpoint,
            project_id=project_id,
            number=index // batch_size + 1,
            pipeline_ids=tuple(pipelines[index : index + batch_size]),
        )
        for (endpoint, project_id), pipelines in groups.items()
        for index in range(0, len(pipelines), batch_size)
    )
    return StartPlan(batches=(*batches, *singles.values()), existing=tuple(existing))
