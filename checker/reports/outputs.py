"""Results for the next CI step: GitHub step outputs and a GitLab dotenv report.

Names are fixed; values come from the result, never raw API text. GitHub's multi-line syntax
(``name<<DELIMITER``) is used for every value with a random delimiter, so nothing a value holds
can end it early and forge another output.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping

from checker.errors import ExitCode
from checker.gate.results import RunReport

VERDICTS = {
    ExitCode.PASSED: "passed",
    ExitCode.FAILED: "failed",
    ExitCode.UNEVALUATED: "error",
    ExitCode.UNFINISHED: "pending",
    ExitCode.USAGE: "invalid",
}


def gate_outputs(report: RunReport, report_json: str | None = None) -> dict[str, str]:
    """The outputs of a gate: ``verdict`` (passed, failed, error, pending; invalid when the
    manifests had problems and nothing ran), ``count-<outcome>``
    per outcome, ``failed`` (JSON list of the blocking checks that did not pass),
    ``report-json`` (when one was written)."""
    summary = report.summary
    counts = {
        "total": summary.total,
        "passed": summary.passed,
        "failed": summary.failed,
        "missing": summary.missing,
        "errors": summary.errors,
        "pending": summary.pending,
        "skipped": summary.skipped,
        "warnings": summary.warnings,
    }
    failed = [r.name for r in report.results if r.blocking and r.standing in ("failed", "errored")]
    values = {
        "verdict": VERDICTS.get(ExitCode(report.exit_code), "error"),
        **{f"count-{name}": str(count) for name, count in counts.items()},
        "failed": json.dumps(failed, separators=(",", ":")),
    }
    if report_json is not None:
        values["report-json"] = report_json
    return values


def github_output_text(values: Mapping[str, str]) -> str:
    """``name<<DELIMITER`` blocks, one random delimiter that no value contains."""
    lines = []
    for name, value in values.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        lines += [f"{name}<<{delimiter}", value, delimiter]
    return "\n".join(lines) + "\n"


_DOTENV_UNSAFE = re.compile(r"[^\x20-\x7e]")


def dotenv_text(values: Mapping[str, str]) -> str:
    """``CHECKER_VERDICT=failed`` lines for GitLab's ``artifacts:reports:dotenv``: one line
    each, names fixed, anything but printable ASCII replaced (GitLab takes no newlines)."""
    lines = []
    for name, value in values.items():
        key = "CHECKER_" + name.upper().replace("-", "_")
        lines.append(f"{key}={_DOTENV_UNSAFE.sub('?', value)}")
    return "\n".join(lines) + "\n"
