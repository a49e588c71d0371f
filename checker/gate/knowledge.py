"""What is known about each run so far, merged from every answer; immutable, pure.

The waiting loop asks, merges, decides, and asks again only about runs some check still
waits on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from checker.gate.answers import (
    BatchAnswer,
    DetailAnswer,
    LatestAnswer,
    Observation,
    QueryFailure,
    RunObservation,
)
from checker.gate.checks import TERMINAL_STARTUP_STATUSES
from checker.gate.types import Frozen, RunKey, prevalidated


class RunState(Frozen):
    """Everything learned about one run."""

    startup: tuple[Observation, ...] = ()
    """The startup answer's entries for this run (normally one)."""
    startup_failure: QueryFailure | None = None
    run: RunObservation | None = None
    run_failure: QueryFailure | None = None
    not_latest: bool = False
    """Learned from a latest-status answer: from now on read with the detail API."""
    polls: int = 0

    def updated(self, **changes: object) -> RunState:
        """This state with ``changes`` (values of the right types, from answers already
        read): what ``model_copy`` makes, several times faster — every undecided run's state
        is replaced twice a poll."""
        return prevalidated(RunState, _STATE_FIELDS, {**self.__dict__, **changes})

    @property
    def startup_entry(self) -> Observation | None:
        """The one consistent startup entry, if there is one."""
        distinct = {(e.status, e.pipeline_name, e.reason) for e in self.startup}
        return self.startup[0] if len(distinct) == 1 else None

    @property
    def startup_settled(self) -> bool:
        """Whether the startup status is final: it is never asked for again."""
        entry = self.startup_entry
        return entry is not None and entry.status in TERMINAL_STARTUP_STATUSES

    @property
    def started(self) -> bool:
        entry = self.startup_entry
        return entry is not None and entry.status == "START_SUCCESS"


_NOTHING_KNOWN = RunState()
_STATE_FIELDS = set(RunState.model_fields)


def _entries_by_run(
    observations: Iterable[Observation],
) -> dict[tuple[str, str], list[Observation]]:
    found: dict[tuple[str, str], list[Observation]] = {}
    for observation in observations:
        found.setdefault((observation.pipeline_id, observation.pipeline_run_id), []).append(
            observation
        )
    return found


@dataclass(frozen=True)
class Knowledge:
    """Every run's :class:`RunState`; each merge returns a new value."""

    states: Mapping[RunKey, RunState] = field(default_factory=dict)

    def get(self, key: RunKey) -> RunState:
        return self.states.get(key, _NOTHING_KNOWN)

    def _with(self, updates: Mapping[RunKey, RunState]) -> Knowledge:
        return Knowledge({**self.states, **updates}) if updates else self

    def polled(self, keys: Iterable[RunKey]) -> Knowledge:
        """One more poll asked about these runs."""
        return self._with(
            {key: self.get(key).updated(polls=self.get(key).polls + 1) for key in keys}
        )

    def with_startup(self, answers: Sequence[BatchAnswer]) -> Knowledge:
        updates: dict[RunKey, RunState] = {}
        for answer in answers:
            batch = answer.batch
            entries = _entries_by_run(answer.observations)
            for run in batch.runs:
                key = batch.key_of(run)
                state = self.get(key)
                if answer.failure is not None:
                    change: dict[str, object] = {"startup_failure": answer.failure}
                else:
                    found = tuple(entries.get((run.pipeline_id, run.pipeline_run_id), ()))
                    change = {"startup": found, "startup_failure": None}
                updates[key] = state.updated(**change)
        return self._with(updates)

    def with_latest(self, answers: Sequence[LatestAnswer], asked: Iterable[RunKey]) -> Knowledge:
        """Merge latest-status answers for the runs ``asked`` about: a pipeline's latest run
        is observed; the other asked runs of that pipeline are not its latest."""
        by_pipeline: dict[tuple[str, str, str], LatestAnswer] = {}
        # Each pipeline's latest run, found once: a linear search per run costs
        # runs × batch size every poll.
        runs: dict[tuple[int, str], RunObservation] = {}
        for answer in answers:
            for pipeline_id in answer.batch.pipeline_ids:
                by_pipeline[(answer.batch.endpoint, answer.batch.project_id, pipeline_id)] = answer
            for run in reversed(answer.runs):  # the first listed wins, as before
                runs[(id(answer), run.pipeline_id)] = run
        updates: dict[RunKey, RunState] = {}
        for key in asked:
            found = by_pipeline.get((key.endpoint, key.project_id, key.pipeline_id))
            if found is None:
                continue
            state = self.get(key)
            if found.failure is not None:
                updates[key] = state.updated(run_failure=found.failure)
                continue
            why = next((w for pipeline, w in found.spoiled if pipeline == key.pipeline_id), None)
            if why is not None:
                failure = QueryFailure(kind="answer", message=f"unusable answer: {why}")
                updates[key] = state.updated(run_failure=failure)
                continue
            latest = runs.get((id(found), key.pipeline_id))
            if latest is None:
                continue  # the pipeline has no run yet: ours has not appeared
            if latest.pipeline_run_id == key.pipeline_run_id:
                updates[key] = state.updated(run=latest, run_failure=None)
            else:
                updates[key] = state.updated(not_latest=True)
        return self._with(updates)

    def forgotten(self, key: RunKey) -> Knowledge:
        """The run as if never seen at run level: after a retry, a new attempt is going."""
        update = {"run": None, "run_failure": None}
        return self._with({key: self.get(key).updated(**update)})

    def with_details(self, answers: Sequence[DetailAnswer]) -> Knowledge:
        updates: dict[RunKey, RunState] = {}
        for answer in answers:
            query = answer.query
            key = RunKey(query.endpoint, query.project_id, query.pipeline_id, query.pipeline_run_id)
            state = self.get(key)
            if answer.failure is not None:
                updates[key] = state.updated(run_failure=answer.failure)
            elif answer.run is not None:
                updates[key] = state.updated(run=answer.run, run_failure=None)
        return self._with(updates)
