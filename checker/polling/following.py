"""Run-level requests pipelined behind startup: as soon as a startup answer shows runs
started, their pipelines' latest-status request can go, without waiting for every other
startup batch — and still one request per ``--batch-size`` pipelines of a project, so a poll
sends no more requests than its plan.

Pipelines wait in one buffer per project; a full buffer is sent at once, the partial ones
when the last startup answer is in. A pipeline is asked about once per poll, however many of
its runs are followed (the answer names its latest run; the others are read with the detail
API afterwards).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Container, Iterable, Sequence
from typing import TYPE_CHECKING

from checker.gate.answers import LatestAnswer
from checker.gate.checks import CheckSpec
from checker.gate.evaluator import decide
from checker.gate.knowledge import Knowledge
from checker.gate.planner import LatestBatch
from checker.gate.types import RunKey

if TYPE_CHECKING:
    from checker.polling.poller import Queries


def runs_to_follow(
    checks: Sequence[CheckSpec],
    knowledge: Knowledge,
    now_ms: int,
    decided: Container[str],
    skip: Container[RunKey] = frozenset(),
) -> list[RunKey]:
    """Runs that started and whose outcome one of these undecided checks still waits for
    (``skip``: runs whose startup is being asked about now)."""
    keys = []
    for check in checks:
        if check.run_key in skip or check.name in decided:
            continue
        state = knowledge.get(check.run_key)
        if check.checks_run and state.started and decide(check, state, now_ms, "waiting") is None:
            keys.append(check.run_key)
    return keys


class Follower:
    """The latest-status requests of one poll, sent as their pipelines become known."""

    def __init__(self, queries: Queries, size: Callable[[], int]) -> None:
        self.queries = queries
        self.size = size
        """The batch size now: it shrinks if the service refuses a size mid-poll."""
        self.keys: dict[RunKey, None] = {}
        self._pending: dict[tuple[str, str], dict[str, None]] = {}
        self._asked: set[tuple[str, str, str]] = set()
        self._numbers: dict[tuple[str, str], int] = {}
        self._sent: list[asyncio.Task[list[LatestAnswer]]] = []

    def follow(self, keys: Iterable[RunKey], latest: Callable[[RunKey], bool]) -> None:
        """Runs to read at the run level; ``latest(key)``: whether the latest-status request
        can read it (else the detail API does, after the latest answers)."""
        for key in keys:
            if key in self.keys:
                continue
            self.keys[key] = None
            if not latest(key):
                continue
            group = (key.endpoint, key.project_id)
            if (*group, key.pipeline_id) in self._asked:
                continue
            self._asked.add((*group, key.pipeline_id))
            pending = self._pending.setdefault(group, {})
            pending[key.pipeline_id] = None
            if len(pending) >= self.size():
                self._send(group)

    def _send(self, group: tuple[str, str]) -> None:
        pipelines = tuple(self._pending.pop(group, ()))
        size = self.size()
        for start in range(0, len(pipelines), size):
            number = self._numbers[group] = self._numbers.get(group, 0) + 1
            batch = LatestBatch(
                endpoint=group[0],
                project_id=group[1],
                number=number,
                pipeline_ids=pipelines[start : start + size],
            )
            self._sent.append(asyncio.ensure_future(self.queries.latest([batch])))

    async def answers(self) -> list[LatestAnswer]:
        """Send what is still buffered, then every latest-status answer of the poll."""
        for group in list(self._pending):
            self._send(group)
        done = await asyncio.gather(*self._sent)
        return [answer for answers in done for answer in answers]
