"""``start``: start the manifest's pipelines through the batch start API, and say what became
of each.

Starting costs money and quota, and is not idempotent: a request that may have reached the
service is never sent again (the client's rule for non-idempotent calls); such a batch is
reported as unknown, for a person to check in the console.
"""

from __future__ import annotations

import asyncio
import errno
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checker.app.common import ClientOptions, CommonOptions, client_context, load
from checker.codearts.client import open_session, send_starts
from checker.codearts.context import ClientContext
from checker.codearts.iam import IamTarget, targets_of
from checker.errors import CheckerError, ExitCode, Stopped, UsageError
from checker.gate.answers import QueryFailure, StartAnswer, StartedRun
from checker.gate.starts import StartPlan, plan_starts
from checker.manifest.runs import RunsFile
from checker.output import Output
from checker.reports.paths import OutputRule, refuse_outputs
from checker.reports.plan import render_start_plan
from checker.reports.write import write_atomic


@dataclass(frozen=True)
class StartOptions:
    common: CommonOptions
    client: ClientOptions
    out: Path | None = None
    auto_approve: bool = False
    follow_links: bool = False
    """``--follow-output-links``: write ``out`` through a link leading out of the folder."""


def start(
    options: StartOptions, console: Output, confirm: Callable[[str], bool] | None
) -> ExitCode:
    """Start the pipelines of the selected checks that name no run; write their run IDs.

    ``confirm`` asks a person (None: nobody can be asked, so only --auto-approve starts).
    """
    common = replace(options.common, load=replace(options.common.load, for_start=True))
    if options.out is not None:
        rule = OutputRule(Path.cwd().resolve(), common.inputs, options.follow_links)
        refuse_outputs(rule.problems([options.out]))
        _writable(options.out)
    result = load(common, console)
    plan = plan_starts(result.checks, options.client.batch_size)
    if conflicts := plan.conflicts():
        raise UsageError(
            "; ".join(conflicts) + "; nothing was started",
            "give every check of one pipeline the same endpoint (or region) and project",
        )
    source = options.client.credentials.describe()
    console.err(render_start_plan(plan, result.checks, source).strip("\n"))
    if not plan.batches:
        console.err("nothing to start: every selected check names its run")
        return ExitCode.PASSED
    if not _approved(options.auto_approve, confirm, plan.pipeline_count):
        console.err("nothing started")
        return ExitCode.FAILED
    context = client_context(options.client, common, console, options.client.timeout)
    try:
        outcome = start_runs(plan, context, targets_of(result.checks))
    except StartInterrupted as interrupted:
        _started(options, console, interrupted.outcome, plan.pipeline_count)
        raise
    return _started(options, console, outcome, plan.pipeline_count)


def _started(
    options: StartOptions, console: Output, outcome: StartOutcome, planned: int
) -> ExitCode:
    """Write what started (even after a stop), name what did not or may have.

    Run IDs that could not be written go to stderr: a CI retry that cannot find them would
    start everything again.
    """
    text = console.redact(outcome.runs_file())
    lost = _write_runs(options.out, console, text)
    problems = outcome.problems()
    for line in problems:
        console.err(f"error: {line}")
    console.err(f"started {len(outcome.started)} of {planned} pipeline(s)")
    if lost is not None:
        console.err(text.rstrip("\n"))
        console.err(
            f"error: {len(outcome.started)} pipeline(s) started; could not write {lost}: "
            "their runs are above, give them to check --runs"
        )
    return ExitCode.UNEVALUATED if problems or lost is not None else ExitCode.PASSED


def _write_runs(out: Path | None, console: Output, text: str) -> str | None:
    """Where the runs could not be written, or None when they were."""
    if out is None:
        console.out(text.rstrip("\n"))
        return "stdout" if console.stdout_lost() else None
    try:
        write_atomic(out, text)
    except CheckerError as error:
        return f"{out} ({error.message.rpartition(': ')[2]})"
    return None


def _writable(out: Path) -> None:
    """Refuse, before anything starts, a runs file that could not be written afterwards."""
    try:
        if out.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a folder is in the way")
        if out.exists() and not out.is_file():
            return  # a device named directly (/dev/stdout) is written as it is, not probed
        out.absolute().parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.absolute().parent)
        os.close(fd)
        Path(probe).unlink()
    except OSError as error:
        raise UsageError(
            f"cannot write the runs file {out}: {error.strerror or error.__class__.__name__}",
            "nothing was started; choose another --out",
        ) from None


def _approved(auto_approve: bool, confirm: Callable[[str], bool] | None, count: int) -> bool:
    """Starting costs money and quota: never without --auto-approve or a person's yes."""
    if auto_approve:
        return True
    if confirm is None:
        raise UsageError(
            f"not starting {count} pipeline(s): nobody can confirm here",
            "run it on a terminal to confirm, or pass --auto-approve (starting costs "
            "money and quota)",
        )
    return confirm(f"Start {count} pipeline(s)?")


@dataclass(frozen=True)
class StartOutcome:
    """Every start batch's answer, and what follows from them."""

    answers: tuple[StartAnswer, ...]

    @property
    def started(self) -> tuple[StartedRun, ...]:
        return tuple(run for answer in self.answers for run in answer.started)

    def runs_file(self) -> str:
        """The merged answers in exactly the shape CodeArts returns, for ``check --runs``."""
        return RunsFile(result=list(self.started)).text()

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
                lines += [f"{where}: the answer is not trusted: {why}" for why in answer.rejected]
                returned = {run.pipeline_id for run in answer.started}
                lines += [
                    f"{where}: pipeline {pipeline_id} is not in the answer: not started"
                    for pipeline_id in batch.pipeline_ids
                    if pipeline_id not in returned
                ]
        return lines


async def _start(
    plan: StartPlan,
    context: ClientContext,
    targets: Sequence[IamTarget],
    received: list[StartAnswer],
) -> Sequence[StartAnswer]:
    async with open_session(context) as session:
        unknown = {
            target.endpoint: problem
            for target, problem in await session.settle_iam_projects(targets, context.environment)
        }
        refused = []
        for batch in plan.batches:
            if batch.endpoint in unknown:
                why = QueryFailure(
                    kind="not_sent",
                    message=f"not sent: {unknown[batch.endpoint].message}",
                    unsent=True,
                )
                refused.append(StartAnswer(batch=batch, failure=why))
        received.extend(refused)
        batches = [batch for batch in plan.batches if batch.endpoint not in unknown]
        return [*refused, *await send_starts(session, batches, received.append)]


class StartInterrupted(Stopped):
    """Stopped while starting; carries what is known, so the runs file is still written."""

    def __init__(self, stopped: Stopped, outcome: StartOutcome) -> None:
        super().__init__(stopped.signal_name, stopped.exit_code)
        self.outcome = outcome


def start_runs(
    plan: StartPlan, context: ClientContext, targets: Sequence[IamTarget] = ()
) -> StartOutcome:
    """Send every start batch once (retrying only what never reached the service).

    Stopped half-way, it raises :class:`StartInterrupted`: the batches that answered are in
    it, and every other batch is unknown (it may have been sent).
    """
    if not plan.batches:
        return StartOutcome(())
    received: list[StartAnswer] = []
    try:
        return StartOutcome(tuple(asyncio.run(_start(plan, context, targets, received))))
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
