"""The HTML report: one self-contained file for people, opened from a CI artefact store.

No external asset and no network: a Content-Security-Policy forbids every load, and the
one inline script is allowed by its hash. Every string from the result is escaped by Jinja's
autoescape; links go only to https Huawei Cloud hosts. The table can be filtered by outcome
and searched (``#outcome=fail&q=deploy`` in the URL does the same); without scripts every
check is still shown. The SVG timeline draws each run from start to end, coloured by outcome
and labelled, pending runs to the report's time.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from checker.gate.durations import format_duration
from checker.gate.results import CheckResult, RunReport
from checker.reports.settings import DEFAULT_SETTINGS, RenderSettings
from checker.reports.templates import template

MAX_BARS = 500
_ORDER = ("fail", "missing", "error", "pending", "skipped", "flaky", "pass")
_COLOURS = {
    "pass": "#1a7f37",
    "fail": "#cf222e",
    "missing": "#cf222e",
    "error": "#9a6700",
    "pending": "#8250df",
    "skipped": "#57606a",
    "flaky": "#bc4c00",
}
_LABEL_WIDTH, _CHART_WIDTH, _ROW = 200, 600, 22


@cache
def _script() -> tuple[str, str]:
    text = resources.files("checker.reports").joinpath("templates/report.js").read_text()
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return text, f"sha256-{digest}"


@dataclass(frozen=True)
class _Bar:
    name: str
    outcome: str
    label: str
    x: float
    y: int
    width: float
    colour: str


@dataclass(frozen=True)
class _Chart:
    width: int
    height: int
    left_out: int


def _report_ms(report: RunReport) -> int:
    try:
        return int(datetime.fromisoformat(report.generated_at).timestamp() * 1000)
    except ValueError:
        return 0


def _bars(report: RunReport) -> tuple[list[_Bar], _Chart]:
    now = _report_ms(report)
    timed = [r for r in _ordered(report.results) if r.run and r.run.start_time is not None]
    drawn = timed[:MAX_BARS]
    if not drawn:
        return [], _Chart(0, 0, 0)
    starts = [r.run.start_time for r in drawn if r.run and r.run.start_time is not None]
    ends = [(r.run.end_time or now) if r.run else now for r in drawn]
    first, last = min(starts), max(max(ends), min(starts) + 1)
    scale = _CHART_WIDTH / (last - first)
    bars = []
    for index, result in enumerate(drawn):
        assert result.run is not None and result.run.start_time is not None
        end = result.run.end_time or now
        x = _LABEL_WIDTH + (result.run.start_time - first) * scale
        label = format_duration((end - result.run.start_time) / 1000)
        width = max(2.0, (end - result.run.start_time) * scale)
        bars.append(
            _Bar(
                result.name,
                result.outcome,
                label,
                round(x, 1),
                8 + index * _ROW,
                round(width, 1),
                _COLOURS[result.outcome],
            )
        )
    chart = _Chart(
        _LABEL_WIDTH + _CHART_WIDTH + 160, 16 + len(bars) * _ROW, len(timed) - len(drawn)
    )
    return bars, chart


def _ordered(results: tuple[CheckResult, ...]) -> list[CheckResult]:
    return sorted(results, key=lambda r: _ORDER.index(r.outcome) if r.outcome in _ORDER else 99)


def render_html(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    script, script_hash = _script()
    bars, chart = _bars(report)
    summary = report.summary
    counts = [
        ("checks", summary.total),
        ("passed", summary.passed),
        ("failed", summary.failed),
        ("missing", summary.missing),
        ("errors", summary.errors),
        ("pending", summary.pending),
        ("skipped", summary.skipped),
        ("warnings", summary.warnings),
    ]
    outcomes: Counter[str] = Counter(result.outcome for result in report.results)
    return template("report.html.j2").render(
        report=report,
        counts=[
            (label, count)
            for label, count in counts
            if count or label in ("checks", "passed", "failed")
        ],
        outcome_counts=[(o, outcomes[o]) for o in _ORDER if outcomes[o]],
        rows=_ordered(report.results),
        bars=bars,
        timeline=chart,
        script=script,
        script_hash=script_hash,
    )
