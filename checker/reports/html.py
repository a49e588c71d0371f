"""The HTML report: one self-contained file for people, opened from a CI artefact store.

No external asset and no network: a Content-Security-Policy forbids every load, and the
one inline script is allowed by its hash. Every string from the result is escaped by Jinja's
autoescape; links go only to https Huawei Cloud hosts. The table can be filtered by outcome
and searched (``#group=failed&q=deploy`` in the URL does the same); without scripts every
check is still shown. The SVG timeline draws each run from start to end, coloured by outcome
and labelled, pending runs to the report's time.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from checker.gate.durations import format_duration
from checker.gate.results import CheckResult, RunReport
from checker.reports.settings import DEFAULT_SETTINGS, RenderSettings
from checker.reports.templates import template

MAX_BARS = 500
GROUPS = ("failed", "missing", "errors", "pending", "flaky", "warnings", "skipped", "passed")
"""What the header counts and the filter buttons filter, in the table's order: blocking
problems first, a non-blocking warning never above them."""
_COLOURS = {
    "pass": "#1a7f37",
    "fail": "#cf222e",
    "missing": "#cf222e",
    "error": "#9a6700",
    "pending": "#8250df",
    "skipped": "#57606a",
    "flaky": "#bc4c00",
}
_LABEL_WIDTH, _CHART_WIDTH, _ROW, _AXIS = 200, 600, 22, 28
_STEPS = (1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
"""Tick spacings of the time axis, in seconds; the first that gives at most 8 ticks."""


def group_of(result: CheckResult) -> str:
    """The one group of :data:`GROUPS` a check is counted and filtered under: the summary's
    own classification (a failed warning is a warning, not a failure)."""
    standing = result.standing
    if standing == "failed":
        return {"fail": "failed", "missing": "missing"}.get(result.outcome, "pending")
    return {"warned": "warnings", "errored": "errors"}.get(standing, standing)


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
class _Tick:
    x: float
    label: str


@dataclass(frozen=True)
class _Chart:
    width: int
    height: int
    left_out: int
    ticks: tuple[_Tick, ...] = ()
    deadline: _Tick | None = None


def _ms(moment: str | None) -> int | None:
    if moment is None:
        return None
    try:
        return int(datetime.fromisoformat(moment).timestamp() * 1000)
    except ValueError:
        return None


def _clock(ms: float, seconds: bool) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%H:%M:%S" if seconds else "%H:%M")


def _ticks(first: int, last: int, x_of: Callable[[float], float]) -> tuple[_Tick, ...]:
    span = (last - first) / 1000
    step = next((s for s in _STEPS if span / s <= 8), _STEPS[-1])
    tick = (first // (step * 1000) + 1) * step * 1000
    ticks = []
    while tick <= last:
        ticks.append(_Tick(round(x_of(tick), 1), _clock(tick, step < 60)))
        tick += step * 1000
    return tuple(ticks)


def _bars(report: RunReport, rows: list[CheckResult]) -> tuple[list[_Bar], _Chart]:
    now = _ms(report.generated_at) or 0
    timed = [r for r in rows if r.run and r.run.start_time is not None]
    drawn = timed[:MAX_BARS]
    if not drawn:
        return [], _Chart(0, 0, 0)
    deadline = _ms(report.deadline)
    starts = [r.run.start_time for r in drawn if r.run and r.run.start_time is not None]
    ends = [(r.run.end_time or now) if r.run else now for r in drawn]
    first = min(starts)
    last = max(max(ends), deadline or first, first + 1)
    scale = _CHART_WIDTH / (last - first)

    def x_of(moment: float) -> float:
        return _LABEL_WIDTH + (moment - first) * scale

    bars = []
    for index, result in enumerate(drawn):
        assert result.run is not None and result.run.start_time is not None
        end = result.run.end_time or now
        label = format_duration((end - result.run.start_time) / 1000)
        width = max(2.0, (end - result.run.start_time) * scale)
        y = _AXIS + 8 + index * _ROW
        colour = _COLOURS[result.outcome]
        bars.append(
            _Bar(
                result.name,
                result.outcome,
                label,
                round(x_of(result.run.start_time), 1),
                y,
                round(width, 1),
                colour,
            )
        )
    mark = _Tick(round(x_of(deadline), 1), _clock(deadline, True)) if deadline else None
    chart = _Chart(
        _LABEL_WIDTH + _CHART_WIDTH + 160,
        _AXIS + 16 + len(bars) * _ROW,
        len(timed) - len(drawn),
        _ticks(first, last, x_of),
        mark,
    )
    return bars, chart


def _ordered(results: tuple[CheckResult, ...]) -> list[CheckResult]:
    return sorted(results, key=lambda r: GROUPS.index(group_of(r)))


def html_report(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    script, script_hash = _script()
    rows = _ordered(report.results)
    bars, chart = _bars(report, rows)
    groups: Counter[str] = Counter(group_of(result) for result in report.results)
    return template("report.html.j2").render(
        report=report,
        counts=[(g, groups[g]) for g in GROUPS if groups[g] or g in ("passed", "failed")],
        group_counts=[(g, groups[g]) for g in GROUPS if groups[g]],
        rows=rows,
        group_of=group_of,
        bars=bars,
        timeline=chart,
        script=script,
        script_hash=script_hash,
    )
