"""One poll after another: ask only about undecided runs, merge what comes back, decide.

The state lives in a :class:`Poller` for one command; every decision comes from the pure
:mod:`checker.gate` (knowledge, planner, evaluator). A decided check is final: its run is
never asked about again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from checker.gate.answers import AnswerHook, BatchAnswer, DetailAnswer, LatestAnswer, QueryFailure
from checker.gate.checks import CheckSpec
from checker.gate.evaluator import Phase, decide
from checker.gate.knowledge import Knowledge
from checker.gate.planner import Batch, DetailQuery, LatestBatch, plan_poll
from checker.gate.results import CheckResult
from checker.gate.types import RunKey
from checker.gate.verdicts import result
from checker.polling.following import Follower, runs_to_follow


class Queries(Protocol):
    """What a poll asks of the service (the HTTP session, or a fake in unit tests)."""

    @property
    def batch_limit(self) -> int | None:
        """The most items a request may hold, once the service refused more (HTTP 413)."""

    async def startup(
        self, batches: Sequence[Batch], on_answer: AnswerHook | None = None
    ) -> list[BatchAnswer]:
        """Every batch's answer; ``on_answer`` is told of each as soon as it is in."""

    async def latest(self, batches: Sequence[LatestBatch]) -> list[LatestAnswer]: ...

    async def details(self, queries: Sequence[DetailQuery]) -> list[DetailAnswer]: ...


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Progress:
    """Where waiting stands after a poll, for a person watching."""

    poll: int
    total: int
    decided: int
    passed: int
    failed: int
    running: int
    queued: int
    elapsed: float
    remaining: float | None
    next_in: float | None
    changed: bool
    links: tuple[tuple[str, str], ...] = ()
    """Runs whose console link became known since the last progress: (check, URL)."""


def _new_links(
    checks: Sequence[CheckSpec], knowledge: Knowledge, linked: set[str]
) -> list[tuple[str, str]]:
    """Runs whose console link is known now and was not said before (``linked`` grows)."""
    links = []
    for check in checks:
        run = knowledge.get(check.run_key).run
        if run is not None and run.detail_url and check.name not in linked:
            linked.add(check.name)
            links.append((check.name, run.detail_url))
    return links


class Poller:
    """What one command knows and has decided, poll after poll."""

    def __init__(self, checks: Sequence[CheckSpec], batch_size: int, waiting: bool) -> None:
        self.checks = tuple(checks)
        self.batch_size = batch_size
        self.waiting = waiting
        self.knowledge = Knowledge()
        self.decided: dict[str, CheckResult] = {}
        self.auth_failures: list[tuple[QueryFailure, str]] = []
        self.polls = 0
        self._last_progress: tuple[int, int, int] | None = None
        self._linked: set[str] = set()
        self._by_key: dict[RunKey, list[CheckSpec]] = {}
        for check in self.checks:
            self._by_key.setdefault(check.run_key, []).append(check)

    @property
    def undecided(self) -> list[CheckSpec]:
        return [check for check in self.checks if check.name not in self.decided]

    @property
    def failed(self) -> bool:
        """Whether a blocking check has been decided against (what --fail-fast stops on)."""
        return any(r.standing in ("failed", "errored") for r in self.decided.values())

    def _size(self, queries: Queries) -> int:
        """The batch size to plan with: the command's, or less once the service refused it."""
        limit = queries.batch_limit
        return self.batch_size if limit is None else min(self.batch_size, limit)

    async def poll(self, session: Queries, now: datetime) -> None:
        """Ask about every undecided run once, then decide what can be decided. Run-level
        requests go as soon as a run is known to have started: for runs started in earlier
        polls at once, for the others as their startup answer comes in."""
        self.polls += 1
        now_ms = epoch_ms(now)
        undecided = self.undecided
        startup = [c for c in undecided if not self.knowledge.get(c.run_key).startup_settled]
        follower = Follower(session, lambda: self._size(session))
        known = self.knowledge

        def readable(key: RunKey) -> bool:
            return not known.get(key).not_latest

        asking = {c.run_key for c in startup}
        follower.follow(runs_to_follow(undecided, known, now_ms, self.decided, asking), readable)

        def answered(answer: BatchAnswer) -> None:
            batch = answer.batch
            keys = [batch.key_of(run) for run in batch.runs]
            learned = Knowledge({key: known.get(key) for key in keys}).with_startup([answer])
            checks = [c for key in keys for c in self._by_key.get(key, ())]
            follower.follow(runs_to_follow(checks, learned, now_ms, self.decided), readable)

        if startup:
            plan = plan_poll(startup, (), (), self._size(session))
            answers = await session.startup(plan.batches, answered)
            self.knowledge = self.knowledge.with_startup(answers)
            self._note_auth([a.failure for a in answers], [a.batch.project_id for a in answers])
        latest = await follower.answers()
        followed = list(follower.keys)
        self.knowledge = self.knowledge.with_latest(latest, [k for k in followed if readable(k)])
        self._note_auth([a.failure for a in latest], [a.batch.project_id for a in latest])
        details = [key for key in followed if self.knowledge.get(key).not_latest]
        plan = plan_poll((), (), details, self._size(session))
        found = await session.details(plan.details)  # not the latest: read one by one
        self.knowledge = self.knowledge.with_details(found)
        self._note_auth([a.failure for a in found], [a.query.project_id for a in found])
        self.knowledge = self.knowledge.polled(asking | set(followed))
        self._decide(now_ms, iso(now), "waiting" if self.waiting else "snapshot")

    def _note_auth(self, failures: Sequence[QueryFailure | None], projects: Sequence[str]) -> None:
        for failure, project in zip(failures, projects, strict=True):
            if failure is not None and failure.kind == "auth":
                self.auth_failures.append((failure, project))

    def refuse(self, endpoint: str, message: str) -> None:
        """Decide every check on ``endpoint`` as an error now: nothing can be asked there."""
        for check in self.undecided:
            if check.endpoint == endpoint:
                self.decided[check.name] = result(check, "error", f"not evaluated: {message}")

    def _decide(self, now_ms: int, now_iso: str, phase: Phase) -> None:
        for check in self.undecided:
            state = self.knowledge.get(check.run_key)
            outcome = decide(check, state, now_ms, phase)
            if outcome is not None:
                stamp = {"decided_at": now_iso, "polls": state.polls}
                self.decided[check.name] = outcome.model_copy(update=stamp)

    def progress(self, elapsed: float, remaining: float | None, next_in: float | None) -> Progress:
        """Where waiting stands now; ``changed`` says whether anything was decided, or began
        or stopped running, since the last time this was asked."""
        decided = list(self.decided.values())
        going = [
            run
            for check in self.undecided
            if (run := self.knowledge.get(check.run_key).run) is not None and run.end_time is None
        ]
        queued = sum(run.status == "QUEUED" for run in going)
        running = len(going) - queued
        now = (len(decided), running, queued)
        changed, self._last_progress = self._last_progress != now, now
        links = _new_links(self.checks, self.knowledge, self._linked)
        return Progress(
            poll=self.polls,
            total=len(self.checks),
            decided=len(decided),
            passed=sum(r.standing == "passed" for r in decided),
            failed=sum(r.standing in ("failed", "errored") for r in decided),
            running=running,
            queued=queued,
            elapsed=elapsed,
            remaining=remaining,
            next_in=next_in,
            changed=changed or bool(links),
            links=tuple(links),
        )

    def results(
        self, now: datetime, *, skipped_reason: str | None = None, stopped: str | None = None
    ) -> list[CheckResult]:
        """Every check's result: the decided ones, and the rest decided now as the deadline,
        --fail-fast or a stop leaves them."""
        now_ms = epoch_ms(now)
        final: list[CheckResult] = []
        for check in self.checks:
            if check.name in self.decided:
                final.append(self.decided[check.name])
            elif skipped_reason is not None:
                final.append(result(check, "skipped", f"not evaluated: {skipped_reason}"))
            elif stopped is not None:
                final.append(self._stopped(check, stopped))
            else:
                state = self.knowledge.get(check.run_key)
                outcome = decide(check, state, now_ms, "final" if self.waiting else "snapshot")
                assert outcome is not None
                final.append(outcome)
        return final

    def _stopped(self, check: CheckSpec, signal_name: str) -> CheckResult:
        state = self.knowledge.get(check.run_key)
        if self.waiting and state.startup:
            message = f"not decided: stopped by {signal_name} while waiting"
            return result(check, "pending", message, polls=state.polls, run=state.run)
        message = f"not evaluated: stopped by {signal_name} before an answer came"
        return result(check, "error", message)
