"""The planner: checks in, the fewest batch requests out. Pure: no I/O, no clock, no randomness.

Several checks may watch the same run; each run is queried once. Runs are grouped by
``(endpoint, project_id)`` (one request cannot span projects) and each group is cut into
batches of at most ``batch_size`` runs, so a plan makes ``sum(ceil(runs / batch_size))``
requests: the minimum possible.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.gate.checks import CheckSpec
from checker.gate.types import Frozen, RunKey

DEFAULT_BATCH_SIZE = 100


class PlannedRun(Frozen):
    """One query item and the names of the checks that read its answer."""

    pipeline_id: str
    pipeline_run_id: str
    check_names: tuple[str, ...]


class Batch(Frozen):
    """One request: up to ``batch_size`` runs of one project on one endpoint."""

    endpoint: str
    project_id: str
    number: int
    runs: tuple[PlannedRun, ...]

    def query_body(self) -> dict[str, list[dict[str, str]]]:
        """The request body the API expects."""
        return {
            "query": [
                {"pipeline_id": run.pipeline_id, "pipeline_run_id": run.pipeline_run_id}
                for run in self.runs
            ]
        }


class ProjectPlan(Frozen):
    endpoint: str
    project_id: str
    batches: tuple[Batch, ...]


class Plan(Frozen):
    """Every request to send, grouped by project, in a deterministic order."""

    checks: tuple[CheckSpec, ...]
    projects: tuple[ProjectPlan, ...]
    batch_size: int

    @property
    def batches(self) -> tuple[Batch, ...]:
        return tuple(batch for project in self.projects for batch in project.batches)

    @property
    def unique_runs(self) -> int:
        return sum(len(batch.runs) for batch in self.batches)

    @property
    def request_count(self) -> int:
        return len(self.batches)


def plan_checks(checks: Sequence[CheckSpec], batch_size: int = DEFAULT_BATCH_SIZE) -> Plan:
    """Deduplicate, group and chunk. Groups and runs keep the order they first appear in."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    readers: dict[RunKey, list[str]] = {}
    for check in checks:
        readers.setdefault(check.run_key, []).append(check.name)
    groups: dict[tuple[str, str], list[PlannedRun]] = {}
    for key, names in readers.items():
        groups.setdefault((key.endpoint, key.project_id), []).append(
            PlannedRun(
                pipeline_id=key.pipeline_id,
                pipeline_run_id=key.pipeline_run_id,
                check_names=tuple(names),
            )
        )
    projects = []
    for (endpoint, project_id), runs in groups.items():
        batches = tuple(
            Batch(
                endpoint=endpoint,
                project_id=project_id,
                number=index // batch_size + 1,
                runs=tuple(runs[index : index + batch_size]),
            )
            for index in range(0, len(runs), batch_size)
        )
        projects.append(ProjectPlan(endpoint=endpoint, project_id=project_id, batches=batches))
    return Plan(checks=tuple(checks), projects=tuple(projects), batch_size=batch_size)
