"""The poller against a fake session (the Queries protocol): no HTTP, no clock but the one
passed in. What it asks, with which batch sizes, and how it reports progress."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from helpers import make_check

from checker.gate.answers import (
    BatchAnswer,
    DetailAnswer,
    LatestAnswer,
    Observation,
    RunObservation,
)
from checker.gate.checks import CheckSpec, Expectation, RunExpectation
from checker.gate.planner import Batch, DetailQuery, LatestBatch
from checker.polling.poller import Poller

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def _id(prefix: str, i: int) -> str:
    return f"{prefix}{i:031d}"


class FakeQueries:
    """Answers like CodeArts would: every run started; runs end when ``ended`` says so.
    After the first request with more than ``limit`` items, it imposes ``limit`` (as the
    session does after a 413)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.starts: Callable[[str], bool] = lambda pipeline_id: True
        self._learned: int | None = None
        self.sizes: list[tuple[str, int]] = []
        self.ended: set[str] = set()

    @property
    def batch_limit(self) -> int | None:
        return self._learned

    def _record(self, kind: str, size: int) -> None:
        self.sizes.append((kind, size))
        if self.limit is not None and size > self.limit:
            self._learned = self.limit

    async def startup(
        self,
        batches: Sequence[Batch],
        on_answer: Callable[[BatchAnswer], None] | None = None,
    ) -> list[BatchAnswer]:
        answers = []
        for batch in batches:
            self._record("startup", len(batch.runs))
            observed = tuple(
                Observation(
                    pipeline_id=run.pipeline_id,
                    pipeline_run_id=run.pipeline_run_id,
                    status="START_SUCCESS" if self.starts(run.pipeline_id) else "START_FAILED",
                )
                for run in batch.runs
            )
            answers.append(BatchAnswer(batch=batch, observations=observed))
            if on_answer is not None:
                on_answer(answers[-1])
            await asyncio.sleep(0)  # a request in flight: what was sent meanwhile can go
        return answers

    async def latest(self, batches: Sequence[LatestBatch]) -> list[LatestAnswer]:
        answers = []
        for batch in batches:
            self._record("latest", len(batch.pipeline_ids))
            runs = tuple(
                RunObservation(
                    pipeline_id=pipeline,
                    pipeline_run_id=pipeline.replace("p", "r", 1),
                    status="COMPLETED" if pipeline in self.ended else "RUNNING",
                    start_time=int(NOW.timestamp() * 1000),
                    end_time=int(NOW.timestamp() * 1000) if pipeline in self.ended else None,
                )
                for pipeline in batch.pipeline_ids
            )
            answers.append(LatestAnswer(batch=batch, runs=runs))
        return answers

    async def details(self, queries: Sequence[DetailQuery]) -> list[DetailAnswer]:
        assert not queries, "every run here is its pipeline's latest"
        return []


def _checks(count: int) -> list[CheckSpec]:
    run = Expectation(run=RunExpectation())
    return [
        make_check(f"c{i}", pipeline_id=_id("p", i), pipeline_run_id=_id("r", i), expect=run)
        for i in range(count)
    ]


def test_later_polls_are_planned_with_the_learned_batch_size() -> None:
    """Once the service refused a size, every later request is planned at the size that
    works: none is sent larger again (so no second 413)."""
    queries = FakeQueries(limit=25)
    poller = Poller(_checks(100), batch_size=100, waiting=True)
    asyncio.run(poller.poll(queries, NOW))
    asyncio.run(poller.poll(queries, NOW))
    assert queries.sizes[0] == ("startup", 100)  # the first, refused
    later = queries.sizes[1:]
    assert later and all(size <= 25 for _, size in later)
    assert [kind for kind, _ in later].count("latest") == 4 + 4  # two polls, 4 batches each


def test_decided_checks_are_never_asked_about_again() -> None:
    queries = FakeQueries()
    poller = Poller(_checks(4), batch_size=100, waiting=True)
    queries.ended = {_id("p", 0), _id("p", 1)}
    asyncio.run(poller.poll(queries, NOW))
    assert sorted(poller.decided) == ["c0", "c1"]
    queries.sizes.clear()
    asyncio.run(poller.poll(queries, NOW))
    assert queries.sizes == [("latest", 2)]  # startup is settled; only the two undecided


def test_progress_says_what_changed_since_it_was_last_asked() -> None:
    queries = FakeQueries()
    poller = Poller(_checks(3), batch_size=100, waiting=True)
    asyncio.run(poller.poll(queries, NOW))
    first = poller.progress(elapsed=0.0, remaining=60.0, next_in=10.0)
    assert (first.poll, first.total, first.decided, first.running) == (1, 3, 0, 3)
    assert first.changed
    asyncio.run(poller.poll(queries, NOW))
    assert not poller.progress(elapsed=10.0, remaining=50.0, next_in=15.0).changed
    queries.ended = {_id("p", 2)}
    asyncio.run(poller.poll(queries, NOW))
    third = poller.progress(elapsed=25.0, remaining=35.0, next_in=None)
    assert (third.decided, third.passed, third.running, third.changed) == (1, 1, 2, True)


def test_run_level_requests_go_as_soon_as_their_runs_are_known_to_have_started() -> None:
    """Pipelined: the latest-status request for a startup batch's runs goes while the next
    startup batch is still in flight — and a poll sends exactly the requests of its plan."""
    from checker.gate.planner import plan_checks

    queries = FakeQueries()
    checks = _checks(300)
    poller = Poller(checks, batch_size=100, waiting=True)
    asyncio.run(poller.poll(queries, NOW))
    kinds = [kind for kind, _ in queries.sizes]
    assert kinds.index("latest") < len(kinds) - 1 - kinds[::-1].index("startup")
    assert len(queries.sizes) == plan_checks(checks, 100).request_count == 6
    assert sorted(queries.sizes) == [("latest", 100)] * 3 + [("startup", 100)] * 3


def test_runs_that_failed_to_start_get_no_run_level_request() -> None:
    queries = FakeQueries()
    queries.starts = lambda pipeline_id: not int(pipeline_id[-1]) % 2  # odd ones fail
    checks = _checks(10)
    poller = Poller(checks, batch_size=100, waiting=True)
    asyncio.run(poller.poll(queries, NOW))
    started = sum(not int(c.pipeline_id[-1]) % 2 for c in checks)
    assert queries.sizes == [("startup", 10), ("latest", started)]


def test_a_long_wait_stays_flat_in_memory_and_in_work_per_poll() -> None:
    """1,000 run checks polled 200 times: what is known replaces what was known (results,
    progress, knowledge never accumulate), so memory after poll 200 is what it was after
    poll 20, within 2,000 allocated blocks (a poll allocates ~100,000 and frees them); and a
    poll's requests cover only the undecided runs."""
    import gc
    import sys

    queries = FakeQueries()
    checks = _checks(1_000)
    poller = Poller(checks, batch_size=100, waiting=True)

    async def wait(polls: int) -> None:
        for poll in range(polls):
            await poller.poll(queries, NOW)
            poller.progress(float(poll), None, 10.0)

    asyncio.run(wait(20))
    gc.collect()
    early = sys.getallocatedblocks()
    queries.sizes.clear()
    asyncio.run(wait(180))
    gc.collect()
    late = sys.getallocatedblocks()
    assert late - early < 2_000, (early, late)
    assert len(poller.knowledge.states) == 1_000 and not poller.decided
    assert queries.sizes == [("latest", 100)] * 10 * 180  # the same requests every poll
    # 900 runs end: the next poll decides them, and later polls ask only about the rest.
    queries.ended = {_id("p", i) for i in range(900)}
    queries.sizes.clear()
    asyncio.run(wait(2))
    assert len(poller.decided) == 900
    assert queries.sizes == [("latest", 100)] * 10 + [("latest", 100)]
