"""GitLab's Code Quality report: each check that did not pass, and each manifest problem, as
an issue on its manifest line, so GitLab shows it in the merge request's diff and widget.

The format is GitLab's documented subset of Code Climate's: an array of ``description``,
``check_name``, ``fingerprint``, ``severity`` and ``location.path`` / ``location.lines.begin``.
A fingerprint names the issue, not this run: the same check failing the same way in the next
pipeline has the same fingerprint, so GitLab compares branches instead of seeing new issues.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from checker.gate.results import CheckResult, InputProblem, RunReport
from checker.reports.filters import terminal
from checker.reports.settings import DEFAULT_SETTINGS, RenderSettings
from checker.reports.sources import source_path

SEVERITIES = {
    "fail": "critical",
    "missing": "critical",
    "pending": "major",
    "error": "major",
    "skipped": "info",
}
"""GitLab's scale is info, minor, major, critical, blocker. A blocking failure is critical; a
run that had not ended or could not be read is major; a non-blocking warning is minor; a
manifest problem (nothing ran) is a blocker."""


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _issue(description: str, check: str, severity: str, path: str, line: int, key: str) -> Any:
    return {
        "description": terminal(" ".join(description.split())),
        "check_name": check,
        "fingerprint": _fingerprint(check, path, key),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line}},
    }


def _check_issue(result: CheckResult, checkout: Path | None) -> Any:
    severity = "minor" if result.standing == "warned" else SEVERITIES[result.outcome]
    description = f"{result.name}: {result.message}"
    if result.failure is not None:
        description += f" — at {result.failure.describe()}"
    path = source_path(result.origin.file, checkout)
    return _issue(
        description, f"checker/{result.outcome}", severity, path, result.origin.line, result.name
    )


def _problem_issue(problem: InputProblem, checkout: Path | None) -> Any:
    path = source_path(problem.file, checkout)
    severity = "blocker" if problem.level == "error" else "minor"
    # Where and what, never the line number alone: the problem moves when lines are added.
    key = f"{problem.path}\0{problem.message}"
    return _issue(
        problem.message, f"checker/manifest-{problem.level}", severity, path, problem.line, key
    )


def render_codequality(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    issues = [_problem_issue(problem, options.checkout) for problem in report.problems]
    issues += [
        _check_issue(result, options.checkout)
        for result in report.results
        if result.standing in ("failed", "errored", "warned", "skipped")
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
