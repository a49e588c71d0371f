"""Reports: a run's results rendered through Jinja templates, and written atomically.

Every string that enters a report passes one escaping filter for its format: XML-illegal
characters removed for JUnit (autoescape does not remove them), ``|``, newlines and HTML
neutralised for Markdown, control characters removed for the terminal.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from checker.diagnostics import printable
from checker.errors import CheckerError, UsageError
from checker.planner import Plan
from checker.results import CheckResult, RunReport

# XML 1.0 allows tab, newline, carriage return and most of the BMP and astral planes.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_clean(value: object) -> str:
    """Replace characters XML 1.0 cannot carry with a visible ``\\xNN`` escape."""
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def terminal(value: object) -> str:
    """One line for a terminal or CI log: control characters shown escaped."""
    return printable(str(value))


def md_cell(value: object) -> str:
    """Text safe inside a GFM table cell: one line, pipes escaped, HTML shown as text."""
    cells = []
    for line in str(value).splitlines():
        text = xml_clean(printable(" ".join(line.split())))
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for special in "\\|`*_[]":
            text = text.replace(special, "\\" + special)
        if text:
            cells.append(text)
    return "<br>".join(cells) or " "


def classname(result: CheckResult) -> str:
    """Dotted and stable: ``checker.<manifest file stem>``."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", Path(result.manifest).stem) or "manifest"
    return f"checker.{stem}"


def pipeline_cell(result: CheckResult) -> str:
    name = result.observed.pipeline_name if result.observed else None
    ident = f"`{result.pipeline_id}`"
    return f"{md_cell(name)}<br>{ident}" if name else ident


def observed_cell(result: CheckResult) -> str:
    if result.observed is None:
        return "—" if result.outcome == "missing" else "(not queried)"
    parts = [md_cell(result.observed.status or "no status")]
    if result.observed.reason:
        parts.append(f"reason: {md_cell(result.observed.reason)}")
    return "<br>".join(parts)


@cache
def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=PackageLoader("checker", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("xml", "xml.j2"), default=False),
        keep_trailing_newline=True,
    )
    environment.filters.update(
        xml_clean=xml_clean,
        md_cell=md_cell,
        terminal=terminal,
        classname=classname,
        pipeline_cell=pipeline_cell,
        observed_cell=observed_cell,
        ljust=lambda text, width: str(text).ljust(width),
    )
    return environment


@dataclass(frozen=True)
class _Suite:
    name: str
    endpoint: str
    project_id: str
    results: tuple[CheckResult, ...]

    @property
    def failures(self) -> int:
        return sum(r.blocking and r.outcome in ("fail", "missing") for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r.blocking and r.outcome == "error" for r in self.results)

    @property
    def skipped(self) -> int:
        return sum(not r.blocking and r.outcome != "pass" for r in self.results)


def _suites(results: Iterable[CheckResult]) -> list[_Suite]:
    groups: dict[tuple[str, str], list[CheckResult]] = {}
    for result in results:
        groups.setdefault((result.endpoint, result.project_id), []).append(result)
    return [
        _Suite(f"CodeArts project {project}", endpoint, project, tuple(items))
        for (endpoint, project), items in groups.items()
    ]


def render_junit(report: RunReport) -> str:
    template = _environment().get_template("junit.xml.j2")
    return template.render(report=report, suites=_suites(report.results))


def render_markdown(report: RunReport) -> str:
    template = _environment().get_template("markdown.md.j2")
    return template.render(
        report=report,
        blocking=[r for r in report.results if r.blocking],
        warnings=[r for r in report.results if not r.blocking],
        not_passed=[r for r in report.results if not r.passed],
    )


def render_json(report: RunReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def render_text(report: RunReport) -> str:
    width = max((len(r.name) for r in report.results), default=0)
    return _environment().get_template("text.txt.j2").render(report=report, width=width)


Renderer = Callable[[RunReport], str]

RENDERERS: dict[str, Renderer] = {
    "junit": render_junit,
    "markdown": render_markdown,
    "json": render_json,
    "text": render_text,
}


@dataclass(frozen=True)
class ReportTarget:
    format: str
    path: Path


def parse_target(text: str) -> ReportTarget:
    """``FORMAT=PATH`` as given to ``--report``."""
    name, sep, path = text.partition("=")
    if not sep or not path:
        raise UsageError(
            f"--report expects FORMAT=PATH, got '{text}'",
            f"formats: {', '.join(RENDERERS)}; e.g. --report junit=reports/gate.xml",
        )
    if name not in RENDERERS:
        raise UsageError(f"unknown report format '{name}'", f"formats: {', '.join(RENDERERS)}")
    return ReportTarget(name, Path(path))


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that readers see the old file or the whole new one, never a part."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise CheckerError(
            f"cannot write report {path}: {error.strerror or error.__class__.__name__}"
        ) from None


def write_reports(report: RunReport, targets: Iterable[ReportTarget]) -> list[Path]:
    written = []
    for target in targets:
        write_atomic(target.path, RENDERERS[target.format](report))
        written.append(target.path)
    return written


def render_plan(plan: Plan, credential_source: str) -> str:
    """The Terraform-like plan: per project, each request and the checks it serves."""
    width = max((len(check.name) for check in plan.checks), default=0)
    return (
        _environment()
        .get_template("plan.txt.j2")
        .render(
            plan=plan,
            credential_source=credential_source,
            width=width,
            expectations={check.name: check.expect.describe() for check in plan.checks},
            severities={check.name: check.severity for check in plan.checks},
        )
    )
