"""The planner: checks in, the fewest requests out. Pure: no I/O, no clock, no randomness.

Three kinds of request (reference notes §1, §1b):

- startup: ``batch-runs/result``, up to ``batch_size`` runs each;
- latest status: ``pipelines/status``, up to ``batch_size`` pipelines each, for runs whose
  outcome is checked — it answers for each pipeline's *latest* run only;
- detail: ``pipeline-runs/detail``, one run each, for runs known not to be their pipeline's
  latest (an older run never becomes the latest again).

Several checks may watch the same run; each run is asked about once. Requests are grouped by
``(endpoint, project_id)`` (one request cannot span projects) and cut into batches, so a poll
makes ``ceil(runs / batch_size)`` startup requests and ``ceil(pipelines / batch_size)``
latest-status requests per project, plus one per run that is not its pipeline's latest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from checker.defaults import DEFAULT_BATCH_SIZE
from checker.gate.checks import CheckSpec
from checker.gate.types import Frozen, RunKey, prevalidated

T = TypeVar("T")


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

    @property
    def size(self) -> int:
        return len(self.runs)

    def key_of(self, run: PlannedRun) -> RunKey:
        return RunKey(self.endpoint, self.project_id, run.pipeline_id, run.pipeline_run_id)

    def halves(self) -> tuple[Batch, Batch]:
        """Two batches of half the runs each (the service refused this one as too large)."""
        middle = len(self.runs) // 2
        return (
            self.model_copy(update={"runs": self.runs[:middle]}),
            self.model_copy(update={"runs": self.runs[middle:]}),
        )

    def query_body(self) -> dict[str, list[dict[str, str]]]:
        """The request body the API expects."""
        return {
            "query": [
                {"pipeline_id": run.pipeline_id, "pipeline_run_id": run.pipeline_run_id}
                for run in self.runs
            ]
        }


class LatestBatch(Frozen):
    """One latest-status request: up to ``batch_size`` pipelines of one project."""

    endpoint: str
    project_id: str
    number: int
    pipeline_ids: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.pipeline_ids)

    def halves(self) -> tuple[LatestBatch, LatestBatch]:
        """Two batches of half the pipelines each (the service refused this one as too large)."""
        middle = len(self.pipeline_ids) // 2
        return (
            self.model_copy(update={"pipeline_ids": self.pipeline_ids[:middle]}),
            self.model_copy(update={"pipeline_ids": self.pipeline_ids[middle:]}),
        )


class DetailQuery(Frozen):
    """One run's detail: for a run that is not its pipeline's latest."""

    endpoint: str
    project_id: str
    pipeline_id: str
    pipeline_run_id: str


class ProjectPlan(Frozen):
    endpoint: str
    project_id: str
    batches: tuple[Batch, ...]
    latest: tuple[LatestBatch, ...] = ()
    details: tuple[DetailQuery, ...] = ()


class Plan(Frozen):
    """Every request of one poll, grouped by project, in a deterministic order."""

    checks: tuple[CheckSpec, ...]
    projects: tuple[ProjectPlan, ...]
    batch_size: int

    @property
    def batches(self) -> tuple[Batch, ...]:
        return tuple(batch for project in self.projects for batch in project.batches)

    @property
    def latest(self) -> tuple[LatestBatch, ...]:
        return tuple(batch for project in self.projects for batch in project.latest)

    @property
    def details(self) -> tuple[DetailQuery, ...]:
        return tuple(query for project in self.projects for query in project.details)

    @property
    def unique_runs(self) -> int:
        return len({check.run_key for check in self.checks})

    @property
    def request_count(self) -> int:
        return len(self.batches) + len(self.latest) + len(self.details)


def _chunks(items: Sequence[T], size: int) -> list[tuple[int, tuple[T, ...]]]:
    return [
        (index // size + 1, tuple(items[index : index + size]))
        for index in range(0, len(items), size)
    ]


_RUN_FIELDS = set(PlannedRun.model_fields)


def plan_poll(
    startup: Sequence[CheckSpec],
    latest: Sequence[RunKey],
    details: Sequence[RunKey],
    batch_size: int = DEFAULT_BATCH_SIZE,
    checks: Sequence[CheckSpec] = (),
) -> Plan:
    """One poll: startup queries for the runs of ``startup``, latest-status queries for the
    pipelines of ``latest``, one detail query per run of ``details``."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    readers: dict[RunKey, list[str]] = {}
    for check in startup:
        readers.setdefault(check.run_key, []).append(check.name)
    groups: dict[tuple[str, str], _Group] = {}
    for key, names in readers.items():
        group = groups.get((key.endpoint, key.project_id))
        if group is None:
            group = groups[(key.endpoint, key.project_id)] = _Group()
        # Built from values known good (IDs of resolved checks): validating 100,000 of them
        # again would cost more than planning them.
        values = {
            "pipeline_id": key.pipeline_id,
            "pipeline_run_id": key.pipeline_run_id,
            "check_names": tuple(names),
        }
        group.runs.append(prevalidated(PlannedRun, _RUN_FIELDS, values))
    for key in latest:
        group = groups.setdefault((key.endpoint, key.project_id), _Group())
        if key.pipeline_id not in group.pipelines:
            group.pipelines.append(key.pipeline_id)
    for key in details:
        groups.setdefault((key.endpoint, key.project_id), _Group()).details.append(
            DetailQuery(
                endpoint=key.endpoint,
                project_id=key.project_id,
                pipeline_id=key.pipeline_id,
                pipeline_run_id=key.pipeline_run_id,
            )
        )
    projects = tuple(
        group.plan(endpoint, project_id, batch_size)
        for (endpoint, project_id), group in groups.items()
    )
    return Plan(checks=tuple(checks or startup), projects=projects, batch_size=batch_size)


class _Group:
    def __init__(self) -> None:
        self.runs: list[PlannedRun] = []
        self.pipelines: list[str] = []
        self.details: list[DetailQuery] = []

    def plan(self, endpoint: str, project_id: str, batch_size: int) -> ProjectPlan:
        return ProjectPlan(
            endpoint=endpoint,
            project_id=project_id,
            batches=tuple(
                Batch(endpoint=endpoint, project_id=project_id, number=number, runs=runs)
                for number, runs in _chunks(self.runs, batch_size)
            ),
            latest=tuple(
                LatestBatch(
                    endpoint=endpoint, project_id=project_id, number=number, pipeline_ids=ids
                )
                for number, ids in _chunks(self.pipelines, batch_size)
            ),
            details=tuple(self.details),
        )


def plan_checks(checks: Sequence[CheckSpec], batch_size: int = DEFAULT_BATCH_SIZE) -> Plan:
    """The first poll, before anything is known: every run's startup, every checked run's
    pipeline in a latest-status batch, and a detail query for each further run of a pipeline
    (at most one run of a pipeline can be its latest). Groups and runs keep the order they
    first appear in."""
    latest: list[RunKey] = []
    details: list[RunKey] = []
    pipelines: set[tuple[str, str, str]] = set()
    for key in dict.fromkeys(check.run_key for check in checks if check.checks_run):
        pipeline = (key.endpoint, key.project_id, key.pipeline_id)
        (details if pipeline in pipelines else latest).append(key)
        pipelines.add(pipeline)
    return plan_poll(checks, latest, details, batch_size)
