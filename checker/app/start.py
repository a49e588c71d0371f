"""``start``: start the manifest's pipelines through the batch start API, and say what became
of each.

Starting costs money and quota, and is not idempotent: a request that may have reached the
service is never sent again (the client's rule for non-idempotent calls); such a batch is
reported as unknown, for a person to check in the console.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from checker.app.common import ClientOptions, CommonOptions, client_context, load
from checker.app.names import with_pipeline_names
from checker.app.starting import StartInterrupted, StartOutcome, start_runs
from checker.codearts.iam import targets_of
from checker.diagnostics.wording import counted
from checker.errors import CheckerError, ExitCode, UsageError
from checker.gate.starts import plan_starts
from checker.manifest.load import LoadResult
from checker.output import Output
from checker.reports.outputs import github_output_text
from checker.reports.paths import OutputRule, refuse_outputs
from checker.reports.plan import render_start_plan
from checker.reports.write import append_report, write_atomic


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
        # The runs files may be the --out itself: it is read, then rewritten with the union.
        rule = OutputRule(Path.cwd().resolve(), common.manifests, options.follow_links)
        refuse_outputs(rule.problems([options.out]))
        _writable(options.out)
        common = _resuming(common, options.out)
    result = load(common, console)
    result = with_pipeline_names(result, common, options.client, console, options.client.timeout)
    _say_banned(result, console)
    plan = plan_starts(result.checks, options.client.batch_size)
    if conflicts := plan.conflicts():
        raise UsageError(
            "; ".join(conflicts) + "; nothing was started",
            "give every check of one pipeline the same endpoint (or region) and project",
        )
    source = options.client.credentials.describe()
    earlier = {run.pipeline_run_id for run in result.saved_runs}
    console.err(render_start_plan(plan, result.checks, source, common.load.runs_files, earlier))
    if not plan.batches:
        console.err("nothing to start: every selected check names its run or was started")
        return ExitCode.PASSED
    if not _approved(options.auto_approve, confirm, plan.pipeline_count):
        console.err("nothing started")
        return ExitCode.FAILED
    context = client_context(options.client, common, console, options.client.timeout)
    try:
        outcome = start_runs(plan, context, targets_of(result.checks), result.saved_runs)
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
    _step_outputs(options, console, outcome, lost)
    for answer in outcome.answers:
        if answer.queued:
            console.err(
                f"{answer.batch.label}: queued at a concurrency limit: it starts when a slot "
                "frees (the gate waits for it)"
            )
    problems = outcome.problems()
    for line in problems:
        console.err(f"error: {line}")
    queued = f" ({outcome.queued} queued at a concurrency limit)" if outcome.queued else ""
    console.err(f"started {len(outcome.started)} of {counted(planned, 'pipeline')}{queued}")
    if lost is not None:
        console.err(text.rstrip("\n"))
        console.err(
            f"error: {counted(len(outcome.started), 'pipeline')} started; could not write {lost}: "
            "their runs are above, give them to check --runs"
        )
    return ExitCode.UNEVALUATED if problems or lost is not None else ExitCode.PASSED


def _step_outputs(
    options: StartOptions, console: Output, outcome: StartOutcome, lost: str | None
) -> None:
    """GitHub step outputs: where the runs file is, how many started and were queued."""
    target = options.common.environment.github_output
    if target is None:
        return
    values = {
        "runs": str(options.out) if options.out is not None and lost is None else "",
        "started": str(len(outcome.started)),
        "queued": str(outcome.queued),
    }
    try:
        append_report(target, github_output_text(values))
    except CheckerError as error:
        console.err(f"error: {error.message}")


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


def _say_banned(result: LoadResult, console: Output) -> None:
    """Name, before anything starts, the pipelines ListPipelines lists as banned. They are
    still sent: CodeArts then records the start as failed with its reason, which the gate
    reports (a pipeline not started would leave the gate no run to judge)."""
    for check in result.checks:
        if check.pipeline_id in result.banned and not check.pipeline_run_id:
            console.err(
                f"warning: pipeline {check.pipeline_id} (check {check.name}) is banned "
                "(ListPipelines): CodeArts will refuse to start it"
            )


def _resuming(common: CommonOptions, out: Path) -> CommonOptions:
    """An existing ``--out`` is what an earlier attempt started: read it as a runs file, so
    its pipelines are not started again (a re-run CI job resumes)."""
    if not out.is_file() or out in common.load.runs_files:
        return common
    runs_files = (*common.load.runs_files, out)
    return replace(common, load=replace(common.load, runs_files=runs_files))


def _approved(auto_approve: bool, confirm: Callable[[str], bool] | None, count: int) -> bool:
    """Starting costs money and quota: never without --auto-approve or a person's yes."""
    if auto_approve:
        return True
    if confirm is None:
        raise UsageError(
            f"not starting {counted(count, 'pipeline')}: nobody can confirm here",
            "run it on a terminal to confirm, or pass --auto-approve (starting costs "
            "money and quota)",
        )
    return confirm(f"Start {counted(count, 'pipeline')}?")
