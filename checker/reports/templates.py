"""The sandboxed Jinja environment every report is rendered in."""

from __future__ import annotations

from functools import cache

from jinja2 import PackageLoader, StrictUndefined, Template, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from checker.reports.filters import FILTERS


@cache
def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=PackageLoader("checker.reports", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("xml", "xml.j2", "html", "html.j2"), default=False
        ),
        keep_trailing_newline=True,
    )
    environment.filters.update(FILTERS)
    environment.globals["log_text"] = FILTERS["log_text"]
    return environment


def template(name: str) -> Template:
    """A packaged template, loaded once per process."""
    return _environment().get_template(name)
