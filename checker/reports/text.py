"""The text summary: what the terminal shows after a gate, and ``--report text``.

Plain Python, not a template: a ``check`` that writes no other report never loads Jinja.
"""

from __future__ import annotations

from checker.diagnostics.wording import counted
from checker.gate.results import CheckResult, RunReport
from checker.reports.filters import log_text, safe_link, terminal

TERMINAL_TAILS = 3
"""Log tails shown in the summary; the rest are in the reports."""

LABELS = {
    "pass": "PASS",
    "fail": "FAIL",
    "missing": "MISS",
    "error": "ERR ",
    "pending": "PEND",
    "skipped": "SKIP",
    "flaky": "FLKY",
}


def _result_lines(result: CheckResult, width: int, with_tail: bool) -> list[str]:
    label = "WARN" if result.standing == "warned" else LABELS[result.outcome]
    lines = [f"{label}  {terminal(result.name).ljust(width)}  {terminal(result.message)}"]
    if result.failure:
        run = result.run
        link = safe_link(run.detail_url) if run and run.detail_url else None
        at = f"      at {terminal(result.failure.describe())}"
        lines.append(f"{at} — {terminal(link)}" if link else at)
        if result.failure.log and with_tail:
            lines += [f"      {line}" for line in log_text(result.failure.log).split("\n")]
    return lines


def text_summary(report: RunReport) -> str:
    """One line per check (with where a failed run failed, and the first log tails), then
    the verdict."""
    width = max((len(r.name) for r in report.results), default=0)
    tails = [r.name for r in report.results if r.failure and r.failure.log]
    shown = set(tails[:TERMINAL_TAILS])
    lines = [
        f"checker: {counted(report.summary.total, 'check')}, "
        f"credentials: {terminal(report.credential_source)}"
    ]
    lines += [f"{p.origin}: {p.level}: {terminal(p.message)}" for p in report.problems]
    for result in report.results:
        lines += _result_lines(result, width, result.name in shown)
    if more := max(0, len(tails) - TERMINAL_TAILS):
        lines.append(
            f"log tails of {counted(more, 'more failed run')} are in the reports "
            "(--report junit|markdown|html|json)"
        )
    lines.append(terminal(report.verdict))
    return "\n".join(lines) + "\n"
