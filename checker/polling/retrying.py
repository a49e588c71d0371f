"""Retrying runs that ended FAILED, within their budget (``expect.run.retries`` or
``--retry-failed``), under the same deadline; only runs from ``--runs`` files.

A retried run is polled again like any undecided one. A check that passes after a retry is
``flaky``; one that fails every attempt is a ``fail`` listing them.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.codearts.client import Session
from checker.codearts.stops import retry_run
from checker.gate.checks import CheckSpec
from checker.gate.failures import FAILED_STATUSES, locate
from checker.gate.planner import DetailQuery
from checker.gate.results import Attempt, CheckResult
from checker.gate.types import RunKey
from checker.polling.poller import Poller


def _forget(poller: Poller, key: RunKey) -> None:
    """A retried run: its checks are undecided again, its last attempt unknown."""
    poller.knowledge = poller.knowledge.forgotten(key)
    for check in poller.checks:
        if check.run_key == key:
            poller.decided.pop(check.name, None)


class Retries:
    """The attempts of every retried run, and what is left of each budget."""

    def __init__(self, override: int | None = None) -> None:
        self.override = override
        self.attempts: dict[RunKey, list[Attempt]] = {}
        self.refused: dict[RunKey, str] = {}

    def _budget(self, check: CheckSpec) -> int:
        if self.override is not None:
            return self.override
        return check.expect.run.retries if check.expect.run is not None else 0

    def _due(self, check: CheckSpec, result: CheckResult) -> bool:
        run = result.run
        return (
            result.outcome == "fail"
            and check.run_from_runs_file
            and run is not None
            and run.status in FAILED_STATUSES
            and check.run_key not in self.refused
            and len(self.attempts.get(check.run_key, ())) < self._budget(check)
        )

    async def after_poll(self, session: Session, poller: Poller) -> None:
        """Retry each run just decided FAILED that has budget left; its checks go back to
        undecided, so the next poll asks about the new attempt."""
        due: dict[RunKey, CheckResult] = {}
        for check in poller.checks:
            result = poller.decided.get(check.name)
            if result is not None and self._due(check, result):
                due.setdefault(check.run_key, result)
        for key, result in due.items():
            assert result.run is not None
            located = locate(result.run)
            self.attempts.setdefault(key, []).append(
                Attempt(
                    run_number=result.run.run_number,
                    status=result.run.status,
                    failed_at=located[0].path() if located else None,
                )
            )
            query = DetailQuery(
                endpoint=key.endpoint,
                project_id=key.project_id,
                pipeline_id=key.pipeline_id,
                pipeline_run_id=key.pipeline_run_id,
            )
            sent, failure = await retry_run(session, query)
            if not sent:
                self.refused[key] = failure.message if failure else "refused"
                continue
            _forget(poller, key)

    def finish(
        self, results: Sequence[CheckResult], checks: Sequence[CheckSpec]
    ) -> list[CheckResult]:
        """Flaky for a pass after a retry; the attempts in every retried check's result."""
        keys = {check.name: check.run_key for check in checks}
        final = []
        for result in results:
            key = keys[result.name]
            attempts = tuple(self.attempts.get(key, ()))
            if not attempts:
                final.append(result)
                continue
            count = len(attempts)
            said = f"after {count} retr{'y' if count == 1 else 'ies'}"
            if key in self.refused:
                said += f"; a retry could not be sent: {self.refused[key]}"
            update: dict[str, object] = {
                "attempts": attempts,
                "message": f"{result.message} ({said})",
            }
            if result.outcome == "pass":
                update["outcome"] = "flaky"
            final.append(result.model_copy(update=update))
        return final
