"""A user's own report template: Jinja, sandboxed, strict.

The template sees the result as plain data (``report.summary.total``,
``report.results[0].message``…) and the escaping filters (``md_cell``, ``xml_clean``,
``terminal``). A misspelt name fails loudly (StrictUndefined) instead of printing nothing,
and the sandbox keeps the template from Python's internals; a child process bounds its time,
memory and output. ``.html``, ``.xhtml``, ``.xml`` and ``.svg`` templates are autoescaped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from checker.defaults import TEMPLATE_SECONDS
from checker.diagnostics.documents import InputRefused, read_input
from checker.errors import CheckerError, UsageError
from checker.gate.results import RunReport

MAX_TEMPLATE_BYTES = 1024 * 1024


_MARKUP_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xml", ".svg"})


def _markup(template: Path) -> bool:
    """Autoescaped: a template whose name says HTML, XML or SVG, in any case."""
    return any(part.lower() in _MARKUP_SUFFIXES for part in template.suffixes)


def render_template(template: Path, report: RunReport) -> str:
    """The user's template rendered with the result, in a child process under time, memory
    and output limits; any problem is a one-line error naming the template."""
    try:
        source = read_input(template, MAX_TEMPLATE_BYTES).decode("utf-8")
    except (InputRefused, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read template {template}: {error}") from None
    request = {
        "source": source,
        "markup": _markup(template),
        "report": report.model_dump(mode="json"),
    }
    answer = _run_worker(template, json.dumps(request))
    if "text" in answer:
        return str(answer["text"])
    line = answer.get("line")
    where = f"{template}:{line}" if line else str(template)
    raise CheckerError(f"template {where}: {answer.get('error', 'failed')}")


# The child gets the parent's import path and nothing of its environment (which holds the
# credentials): it needs neither.
_BOOT = (
    "import sys; sys.path[:0] = sys.argv[1:]; "
    "from checker.reports.template_worker import main; main()"
)


def _run_worker(template: Path, request: str) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _BOOT, *sys.path],
            input=request.encode("utf-8"),
            capture_output=True,
            timeout=TEMPLATE_SECONDS,
            env={},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CheckerError(
            f"template {template}: stopped after {TEMPLATE_SECONDS:g}s (a template runs "
            "under a time limit)"
        ) from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        why = "its CPU or memory limit" if done.returncode < 0 else f"exit {done.returncode}"
        raise CheckerError(f"template {template}: rendering stopped ({why})")
    return answer
