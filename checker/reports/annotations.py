"""GitHub Actions annotations: each check that did not pass, on its line of the manifest, so
the pull request diff shows it where the check is written.

Text from the API is escaped by GitHub's workflow-command rules (``%``, ``\\r``, ``\\n`` in the
message; also ``:`` and ``,`` in properties), so an answer can never start a command.
"""

from __future__ import annotations

from pathlib import Path

from checker.gate.results import CheckResult, RunReport
from checker.reports.sources import source_path

_LEVELS = {"failed": "error", "errored": "error", "warned": "warning"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(result: CheckResult, workspace: Path | None = None) -> str | None:
    level = _LEVELS.get(result.standing)
    if level is None:
        return None
    file = source_path(result.origin.file, workspace)
    origin = result.origin
    title = f"checker: {result.name} {result.outcome}"
    return (
        f"::{level} file={_property(file)},line={origin.line},col={origin.column},"
        f"title={_property(title)}::{_data(result.message)}"
    )


def render_annotations(report: RunReport, workspace: Path | None = None) -> str:
    """One workflow command per check that did not pass (empty when all passed)."""
    lines = [
        text for result in report.results if (text := annotation(result, workspace)) is not None
    ]
    return "\n".join(lines)
