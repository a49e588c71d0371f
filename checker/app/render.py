"""``render``: a saved JSON result into other formats, offline, as ``check`` wrote them."""

from __future__ import annotations

from pathlib import Path

from checker.diagnostics.documents import InputRefused, read_input
from checker.errors import ExitCode, UsageError
from checker.output import Output
from checker.reports.delivery import Delivery
from checker.reports.paths import refuse_outputs


def render(result: Path, delivery: Delivery, console: Output) -> ExitCode:
    """Render a saved JSON result into other formats, offline; exit 0, or 2 if a report
    could not be written or the result not read."""
    from checker.gate.results import RunReport
    from checker.reports.delivery import write_reports

    refuse_outputs(delivery.refusals((result,)))
    try:
        text = read_input(result).decode("utf-8")
        report = RunReport.model_validate_json(text)
    except (InputRefused, UnicodeDecodeError, ValueError) as error:
        reason = _why(error)
        raise UsageError(
            f"cannot read result {result}: {reason}",
            "render takes the file check wrote with --report json=PATH",
        ) from None
    failures = write_reports(report, delivery, console.redact)
    for message in failures:
        console.err(f"error: {message}")
    return ExitCode.USAGE if failures else ExitCode.PASSED


def _why(error: Exception) -> str:
    """Where the saved result is wrong, never its text (it may be anything)."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "the document"
        return f"not a checker result: {where}: {first['msg']}"
    if isinstance(error, InputRefused):
        return str(error)
    return error.__class__.__name__
