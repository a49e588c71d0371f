"""The Markdown report, for a pull request comment or GitHub's step summary: within a byte
budget, failures first, every row escaped so that API text stays text.

GitHub caps a PR comment at 65,536 characters and a step summary at 1 MiB. Rows go in order
of importance — failures and errors, pending, warnings, skipped, then the passing checks
folded in ``<details>`` — and when the next row would not fit, the rest are left out and a
last line says how many, and where they all are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checker.diagnostics.wording import counted
from checker.gate.results import CheckResult, RunReport
from checker.reports.filters import log_text, md_cell, run_cell
from checker.reports.settings import DEFAULT_SETTINGS, RenderSettings

CELL_CHARS = 300
_ICONS = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "missing": "❓ missing",
    "error": "⚠️ error",
    "pending": "⏳ pending",
    "skipped": "⏭️ skipped",
    "flaky": "🔁 flaky",
}
_HEADER = "| Outcome | Check | Pipeline | Run | Why |\n|---|---|---|---|---|\n"
_VERDICT_ICONS = {0: "✅", 1: "❌", 2: "⛔", 3: "⚠️"}
SHOWN_PROBLEMS = 200
"""Manifest problems listed in the report; a manifest with more has one cause to fix first."""


def _short(text: str, limit: int = CELL_CHARS) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _row(result: CheckResult) -> str:
    name = md_cell(result.name)
    if result.description:
        name += f"<br><sub>{md_cell(_short(result.description, 120))}</sub>"
    pipeline = f"`{result.pipeline_id}`"
    observed_name = result.observed.pipeline_name if result.observed else None
    if observed_name:
        pipeline = f"{md_cell(_short(observed_name, 120))}<br>{pipeline}"
    why = md_cell(_short(result.message))
    if result.failure is not None:
        why += f"<br>at {md_cell(_short(result.failure.describe()))}"
    for number, attempt in enumerate(result.attempts, start=1):
        where = f" at {attempt.failed_at}" if attempt.failed_at else ""
        why += f"<br>attempt {number}: {md_cell(_short(f'{attempt.status}{where}'))}"
    return f"| {_ICONS[result.outcome]} | {name} | {pipeline} | {run_cell(result)} | {why} |\n"


def _sections(results: Sequence[CheckResult]) -> list[tuple[str, list[CheckResult], bool]]:
    """(title, rows, folded) in the order they are shown."""
    by = {standing: [r for r in results if r.standing == standing] for standing in _ORDER}
    failed = [r for r in by["failed"] if r.outcome != "pending"] + by["errored"]
    pending = [r for r in by["failed"] if r.outcome == "pending"]
    return [
        ("Failures and errors", failed, False),
        ("Pending", pending, False),
        ("Flaky (passed after a retry; not blocking)", by["flaky"], False),
        ("Warnings (non-blocking)", by["warned"], False),
        ("Skipped", by["skipped"], False),
        (f"Passed ({len(by['passed'])})", by["passed"], True),
    ]


_ORDER = ("failed", "errored", "flaky", "warned", "skipped", "passed")


def _head(report: RunReport) -> str:
    icon = _VERDICT_ICONS.get(report.exit_code, "")
    lines = [f"**{icon} checker {md_cell(report.verdict)}**\n"]
    for note in report.notes:
        hint = f" — {md_cell(note.hint)}" if note.hint else ""
        lines.append(f"\n> {md_cell(note.message)}{hint}\n")
    if report.problems:
        lines.append("\n### Problems in the manifests (the gate did not run)\n\n")
        lines.append("| Where | Problem |\n|---|---|\n")
        for problem in report.problems[:SHOWN_PROBLEMS]:
            hint = f"<br><sub>hint: {md_cell(_short(problem.hint))}</sub>" if problem.hint else ""
            text = md_cell(_short(f"{problem.level}: {problem.message}"))
            lines.append(f"| {md_cell(problem.origin)} | {text}{hint} |\n")
        if (more := len(report.problems) - SHOWN_PROBLEMS) > 0:
            lines.append(f"\n_{counted(more, 'more problem')}: run `checker validate`._\n")
    return "".join(lines)


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, text: str) -> bool:
        size = len(text.encode("utf-8"))
        if size > self.left:
            return False
        self.left -= size
        return True


def _tail(left_out: int, options: RenderSettings, failing: int = 0) -> str:
    where = (
        f"every check is in {md_cell(options.complete)}"
        if options.complete
        else "write a JSON or JUnit report (--report json=PATH) for every check"
    )
    of_them = f", {failing:,} of them failing" if failing else ""
    return f"\n_{counted(left_out, 'more check')} not shown here{of_them}: {where}._\n"


def render_markdown(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    """The report, at most ``options.markdown_max_bytes`` bytes (UTF-8), ending with a blank
    line so that whatever is appended after it never joins the last table."""
    reserve = len(_tail(len(report.results), options).encode()) + 64
    budget = _Budget(max(0, options.markdown_max_bytes - reserve))
    parts = [_head(report)]
    budget.take(parts[0])
    shown = offered = 0
    shown_names: set[str] = set()
    for title, rows, folded in _sections(report.results):
        if not rows:
            continue
        opening = (
            f"\n<details><summary>{title}</summary>\n\n{_HEADER}"
            if folded
            else f"\n### {title}\n\n{_HEADER}"
        )
        closing = "\n</details>\n" if folded else ""
        if not budget.take(opening + closing):
            break
        parts.append(opening)
        shown += _fill(parts, rows, budget, shown_names)
        parts.append(closing)
        offered += len(rows)
        if shown < offered:
            break
    left_out = len(report.results) - shown
    if left_out:
        failing = sum(r.standing in ("failed", "errored") for r in report.results)
        shown_failing = (
            "".join(parts).count("| ❌ ")
            + "".join(parts).count("| ❓ ")
            + "".join(parts).count("| ⚠️ error")
        )
        parts.append(_tail(left_out, options, max(0, failing - shown_failing)))
    else:
        parts.append(_log_tails(report.results, budget))  # the first thing cut
    return "".join(parts) + "\n"


def _log_tails(results: Sequence[CheckResult], budget: _Budget) -> str:
    """Each failed run's log tail, folded, in a code block no log line can close."""
    tails = [r for r in results if r.failure is not None and r.failure.log is not None]
    parts = []
    for index, result in enumerate(tails):
        assert result.failure is not None and result.failure.log is not None
        text = log_text(result.failure.log)
        fence = "`" * max(3, _longest_backtick_run(text) + 1)
        block = (
            f"\n<details><summary>Log: {md_cell(result.name)} — "
            f"{md_cell(result.failure.path())}</summary>\n\n"
            f"{fence}text\n{text}\n{fence}\n\n</details>\n"
        )
        if not budget.take(block):
            left = len(tails) - index
            parts.append(f"\n_{counted(left, 'log tail')} left out: over the budget._\n")
            break
        parts.append(block)
    return "".join(parts)


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _fill(parts: list[str], rows: Sequence[CheckResult], budget: _Budget, shown: set[str]) -> int:
    count = 0
    for result in rows:
        row = _row(result)
        if not budget.take(row):
            break
        parts.append(row)
        shown.add(result.name)
        count += 1
    return count
