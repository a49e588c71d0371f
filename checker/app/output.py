"""A gate's result delivered: every report written, the summary, annotations and notes said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from checker.app.check import CheckOptions
from checker.diagnostics.problem import Problem
from checker.errors import CheckerError, ExitCode
from checker.gate.results import InputProblem, RunReport, not_run_report, with_text_replaced
from checker.output import Output
from checker.reports.annotations import render_annotations
from checker.reports.delivery import write_reports
from checker.reports.formats import render_text
from checker.reports.outputs import gate_outputs, github_output_text
from checker.reports.write import append_report


def deliver(options: CheckOptions, console: Output, report: RunReport) -> ExitCode:
    """Write every report, print the summary and notes; the exit code follows."""
    report = with_text_replaced(report, console.redact, console.mentions_secret)
    failures = write_reports(report, options.delivery, console.redact)
    if not options.quiet:
        console.out(render_text(report).rstrip("\n"))
    if options.annotations and options.common.environment.github_actions:
        annotations = render_annotations(report, options.common.environment.github_workspace)
        if annotations:
            console.out(annotations)
    for note in report.notes:
        label = "note" if note.level == "info" else "error"
        console.err(f"{label}: {note.message}" + (f"\n    hint: {note.hint}" if note.hint else ""))
    failures += _step_outputs(options, report)
    for message in failures:
        console.err(f"error: {message}")
    return ExitCode.USAGE if failures else ExitCode(report.exit_code)


def deliver_problems(
    options: CheckOptions, console: Output, problems: Sequence[Problem], now: str
) -> None:
    """The reports of a gate that did not run: its manifests' problems, located. Nothing is
    printed (the problems are, by whoever raised them); reports that fail to write say so."""
    if not (options.delivery.reports or options.delivery.templates):
        return
    found = [InputProblem.model_validate(asdict(problem)) for problem in problems]
    report = with_text_replaced(
        not_run_report(found, generated_at=now), console.redact, console.mentions_secret
    )
    failures = write_reports(report, options.delivery, console.redact)
    failures += _step_outputs(options, report)
    for message in failures:
        console.err(f"error: {message}")


def _step_outputs(options: CheckOptions, report: RunReport) -> list[str]:
    """GitHub step outputs for the next step, when GitHub gives a file for them."""
    target = options.common.environment.github_output
    if target is None:
        return []
    json_report = next((t.path for t in options.delivery.reports if t.format == "json"), None)
    values = gate_outputs(report, str(json_report) if json_report else None)
    try:
        append_report(target, github_output_text(values))
    except CheckerError as error:
        return [error.message]
    return []
