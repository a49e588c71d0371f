"""A gate's result delivered: every report written, the summary, annotations and notes said."""

from __future__ import annotations

from checker.app.check import CheckOptions
from checker.errors import ExitCode
from checker.gate.results import RunReport, with_text_replaced
from checker.output import Output
from checker.reports.annotations import render_annotations
from checker.reports.delivery import write_reports
from checker.reports.formats import render_text


def deliver(options: CheckOptions, console: Output, report: RunReport) -> ExitCode:
    """Write every report, print the summary and notes; the exit code follows."""
    report = with_text_replaced(report, console.redact, console.mentions_secret)
    failures = write_reports(report, options.delivery, console.redact)
    if not options.quiet:
        console.out(render_text(report).rstrip("\n"))
    if options.annotations and options.common.environment.github_actions:
        annotations = render_annotations(report)
        if annotations:
            console.out(annotations)
    for note in report.notes:
        label = "note" if note.level == "info" else "error"
        console.err(f"{label}: {note.message}" + (f"\n    hint: {note.hint}" if note.hint else ""))
    for message in failures:
        console.err(f"error: {message}")
    return ExitCode.USAGE if failures else ExitCode(report.exit_code)
