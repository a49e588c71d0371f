"""One gate run: plan, query, evaluate. Returns a report; never prints, never exits."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from checker import __version__
from checker.codearts.client import ClientContext, query_batches
from checker.codearts.credentials import Credentials, TokenCredentials
from checker.diagnostics.problem import printable
from checker.errors import Stopped
from checker.gate.answers import BatchAnswer, Observation, QueryFailure
from checker.gate.checks import CheckSpec
from checker.gate.evaluator import evaluate
from checker.gate.planner import plan_checks
from checker.gate.results import Note, RunReport, Summary, gate_exit_code, verdict_line
from checker.gate.types import RunKey


def _auth_note(failure: QueryFailure, credentials: Credentials, project_id: str) -> Note:
    details = [f"HTTP {failure.http_status}"]
    if failure.error_code:
        details.append(printable(failure.error_code))
    if failure.error_msg:
        details.append(printable(failure.error_msg))
    if failure.request_id:
        details.append(f"request id {printable(failure.request_id)}")
    source = credentials.describe()
    token = isinstance(credentials, TokenCredentials)
    if failure.http_status == 403:
        hint = (
            f"the credentials were accepted but may not query project {project_id}: check the "
            "project ID and the IAM user's CodeArts Pipeline permissions"
        )
    elif token:
        hint = (
            "the token may have expired (IAM tokens last 24 hours) or be scoped to another "
            f"project than {project_id}"
        )
    else:
        hint = (
            "check that the SK belongs to the AK, that this machine's clock is right (the "
            "gateway refuses signatures more than 15 minutes off), and that the project is "
            f"{project_id}; retrying is pointless: repeated failures lock the key for 5 minutes"
        )
    return Note(message=f"authentication failed ({', '.join(details)}) using {source}", hint=hint)


def _answers_by_run(
    answers: Sequence[BatchAnswer],
) -> dict[RunKey, tuple[BatchAnswer, list[Observation]]]:
    """Each planned run's batch answer and the answer's entries for that run.

    Indexing once keeps evaluation linear however large a batch is.
    """
    index: dict[RunKey, tuple[BatchAnswer, list[Observation]]] = {}
    for answer in answers:
        batch = answer.batch
        entries: dict[tuple[str, str], list[Observation]] = {}
        for observation in answer.observations:
            entries.setdefault((observation.pipeline_id, observation.pipeline_run_id), []).append(
                observation
            )
        for run in batch.runs:
            run_key = RunKey(batch.endpoint, batch.project_id, run.pipeline_id, run.pipeline_run_id)
            index[run_key] = (answer, entries.get((run.pipeline_id, run.pipeline_run_id), []))
    return index


def build_report(
    checks: Sequence[CheckSpec],
    answers: Sequence[BatchAnswer],
    credentials: Credentials,
    generated_at: str,
) -> RunReport:
    """Evaluate every check against its batch's answer (pure, given the answers)."""
    by_run = _answers_by_run(answers)
    results = []
    for check in checks:
        answer, observations = by_run[check.run_key]
        results.append(evaluate(check, observations, answer.failure))
    notes = tuple(
        _auth_note(answer.failure, credentials, answer.batch.project_id)
        for answer in answers
        if answer.failure is not None and answer.failure.kind == "auth"
    )
    summary = Summary.of(results)
    exit_code = gate_exit_code(results)
    return RunReport(
        checker_version=__version__,
        generated_at=generated_at,
        credential_source=credentials.describe(),
        summary=summary,
        exit_code=int(exit_code),
        verdict=verdict_line(summary, exit_code),
        notes=notes,
        results=tuple(results),
    )


class Interrupted(Stopped):
    """Stopped while querying; carries the report of what was known by then."""

    def __init__(self, stopped: Stopped, report: RunReport) -> None:
        super().__init__(stopped.signal_name, stopped.exit_code)
        self.report = report


def _stopped(error: BaseException) -> Stopped:
    return error if isinstance(error, Stopped) else Stopped("SIGINT", 130)


def run_checks(checks: Sequence[CheckSpec], context: ClientContext, batch_size: int) -> RunReport:
    """Plan, query and evaluate: the whole gate, minus reading manifests and writing reports.

    Stopped half-way, it raises :class:`Interrupted` with a report in which every batch
    without an answer yet is an ``error``, so the reports can still be written.
    """
    plan = plan_checks(checks, batch_size)
    received: dict[int, BatchAnswer] = {}

    def keep(index: int, answer: BatchAnswer) -> None:
        received[index] = answer

    try:
        asyncio.run(query_batches(plan.batches, context, keep))
    except (KeyboardInterrupt, Stopped) as error:
        stopped = _stopped(error)
        message = f"not evaluated: stopped by {stopped.signal_name} before an answer came"
        answers = [
            received.get(index)
            or BatchAnswer(batch=batch, failure=QueryFailure(kind="not_sent", message=message))
            for index, batch in enumerate(plan.batches)
        ]
        report = build_report(plan.checks, answers, context.credentials, _now(context))
        raise Interrupted(stopped, report) from None
    answers = [received[index] for index in range(len(plan.batches))]
    return build_report(plan.checks, answers, context.credentials, _now(context))


def _now(context: ClientContext) -> str:
    return context.clock().isoformat(timespec="seconds")
