"""Writing a result's reports: every format, users' templates, GitHub's step summary.

Used by ``check`` and by ``render``, so a saved JSON result renders exactly as ``check``
wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from checker.defaults import DEFAULT_MARKDOWN_MAX_BYTES
from checker.errors import CheckerError
from checker.gate.results import RunReport
from checker.reports.custom import render_template
from checker.reports.formats import RENDERERS
from checker.reports.paths import OutputRule
from checker.reports.settings import RenderSettings
from checker.reports.targets import ReportTarget, TemplateTarget
from checker.reports.write import append_report, write_atomic


@dataclass(frozen=True)
class Delivery:
    """Where a result's reports go."""

    reports: tuple[ReportTarget, ...] = ()
    templates: tuple[TemplateTarget, ...] = ()
    markdown_max_bytes: int = DEFAULT_MARKDOWN_MAX_BYTES
    step_summary: Path | None = None
    """A report written to this file is appended: all steps of a GitHub job share it."""
    follow_links: bool = False
    """``--follow-output-links``: write through links that lead out of the working folder."""
    checkout: Path | None = None
    """The CI job's checkout (``CI_PROJECT_DIR``, ``GITHUB_WORKSPACE``), for report paths."""

    def refusals(self, inputs: tuple[Path, ...]) -> list[str]:
        """Why some report must not be written where it is asked to be (nothing: all fine)."""
        rule = OutputRule(
            Path.cwd().resolve(),
            (*inputs, *(custom.template for custom in self.templates)),
            self.follow_links,
        )
        return rule.problems([*(t.path for t in self.reports), *(t.path for t in self.templates)])

    def options_for(self, target: ReportTarget) -> RenderSettings:
        complete = next(
            (str(t.path) for t in self.reports if t.format in ("json", "junit") and t != target),
            None,
        )
        return RenderSettings(
            markdown_max_bytes=self.markdown_max_bytes, complete=complete, checkout=self.checkout
        )

    def write(self, path: Path, text: str) -> None:
        if self.step_summary is not None and path.absolute() == self.step_summary.absolute():
            append_report(path, "\n" + text)  # never joins the previous step's paragraph
        else:
            write_atomic(path, text)


def _renderers(report: RunReport, delivery: Delivery) -> list[tuple[Path, Callable[[], str]]]:
    jobs: list[tuple[Path, Callable[[], str]]] = []
    for target in delivery.reports:
        renderer, options = RENDERERS[target.format], delivery.options_for(target)
        jobs.append((target.path, partial(renderer, report, options)))
    for custom in delivery.templates:
        jobs.append((custom.path, partial(render_template, custom.template, report)))
    return jobs


def write_reports(report: RunReport, delivery: Delivery, redact: Callable[[str], str]) -> list[str]:
    """Write every report; the messages of those that could not be written."""
    failures: list[str] = []
    for path, render in _renderers(report, delivery):
        try:
            delivery.write(path, redact(render()))
        except CheckerError as error:
            failures.append(error.message)
    return failures
