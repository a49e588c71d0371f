"""A user's own report template: Jinja, sandboxed, strict.

The template sees the result as plain data (``report.summary.total``,
``report.results[0].message``…) and the escaping filters (``md_cell``, ``xml_clean``,
``terminal``). A misspelt name fails loudly (StrictUndefined) instead of printing nothing,
and the sandbox keeps the template from Python's internals. ``.html``/``.xml`` templates are
autoescaped.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from checker.diagnostics.documents import InputRefused, read_input
from checker.errors import CheckerError, UsageError
from checker.gate.results import RunReport
from checker.reports.filters import md_cell, terminal, xml_clean

MAX_TEMPLATE_BYTES = 1024 * 1024


def _environment(template: Path) -> SandboxedEnvironment:
    markup = any(part in (".html", ".htm", ".xml") for part in template.suffixes)
    environment = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=markup, keep_trailing_newline=True
    )
    environment.filters.update(md_cell=md_cell, xml_clean=xml_clean, terminal=terminal)
    return environment


def _template_line(error: BaseException) -> int | None:
    """The template line an error was raised on: Jinja rewrites tracebacks to show it."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


def render_template(template: Path, report: RunReport) -> str:
    """The user's template rendered with the result; any problem is a one-line error."""
    try:
        source = read_input(template, MAX_TEMPLATE_BYTES).decode("utf-8")
    except (InputRefused, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read template {template}: {error}") from None
    environment = _environment(template)
    try:
        compiled = environment.from_string(source)
        compiled.name = template.name
        return compiled.render(report=report.model_dump(mode="json"))
    except TemplateError as error:
        line = getattr(error, "lineno", None) or _template_line(error)
        where = f"{template}:{line}" if line else str(template)
        raise CheckerError(f"template {where}: {error.__class__.__name__}: {error}") from None
