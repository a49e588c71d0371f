"""The report formats: a run's results rendered to text, one function per format."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from checker.gate.results import CheckResult, RunReport
from checker.reports.codequality import render_codequality
from checker.reports.markdown import render_markdown
from checker.reports.settings import DEFAULT_SETTINGS, RenderSettings
from checker.reports.text import text_summary


@dataclass(frozen=True)
class _Suite:
    """One JUnit ``<testsuite>``: the checks of one project on one endpoint."""

    name: str
    endpoint: str
    project_id: str
    results: tuple[CheckResult, ...]

    def count(self, standing: str) -> int:
        return sum(result.standing == standing for result in self.results)

    @property
    def time(self) -> float:
        """The sum of its cases' times (what JUnit readers show as the suite's duration)."""
        return sum(result.duration or 0.0 for result in self.results)


def _suites(results: Iterable[CheckResult]) -> list[_Suite]:
    groups: dict[tuple[str, str], list[CheckResult]] = {}
    for result in results:
        groups.setdefault((result.endpoint, result.project_id), []).append(result)
    return [
        _Suite(f"CodeArts project {project}", endpoint, project, tuple(items))
        for (endpoint, project), items in groups.items()
    ]


def render_junit(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    from checker.reports.templates import template  # Jinja: loaded only to write a report

    suites = _suites(report.results)
    total = sum(suite.time for suite in suites)
    return template("junit.xml.j2").render(report=report, suites=suites, total_time=total)


def render_json(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    return report.model_dump_json(indent=2) + "\n"


def render_html(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    from checker.reports.html import html_report  # Jinja and the page's assets

    return html_report(report, options)


def render_text(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    return text_summary(report)


def render_dotenv(report: RunReport, options: RenderSettings = DEFAULT_SETTINGS) -> str:
    """The verdict and counts as ``CHECKER_…=`` lines, for GitLab's dotenv reports."""
    from checker.reports.outputs import dotenv_text, gate_outputs

    return dotenv_text(gate_outputs(report))


Renderer = Callable[[RunReport, RenderSettings], str]

RENDERERS: dict[str, Renderer] = {
    "junit": render_junit,
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
    "text": render_text,
    "dotenv": render_dotenv,
    "codequality": render_codequality,
}
"""Every report format by the name ``--report FORMAT=PATH`` takes."""
