"""Renders one user template in a child process, under hard limits.

A template is code from the checkout. The Jinja sandbox keeps it from Python's internals, but
not from burning CPU or memory (nested loops, ``"a" * 10**9``, ``lipsum(n=10**7)``, a
format width of a billion): the child caps its own memory and CPU time, stops at an output
limit, and the parent kills it at a wall-clock limit. Any failure is one line of JSON.

Protocol: a JSON object ``{source, name, markup, report}`` on stdin; ``{text}`` or
``{error, line}`` on stdout.
"""

from __future__ import annotations

import json
import resource
import sys
import traceback
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from checker.defaults import (
    TEMPLATE_CPU_SECONDS,
    TEMPLATE_MAX_MEMORY_BYTES,
    TEMPLATE_MAX_OUTPUT_BYTES,
)
from checker.reports.filters import md_cell, terminal, xml_clean

_MAX_REPEAT = 1_000_000
"""The longest string or list ``*`` may build."""


class _BoundedSandbox(SandboxedEnvironment):
    """Refuses the one-expression bombs before they allocate."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*" and _big_repeat(left, right):
            raise OverflowError(f"'*' would build more than {_MAX_REPEAT:,} items")
        if operator == "**" and isinstance(right, int) and abs(right) > 1_000:
            raise OverflowError("'**' with an exponent over 1000")
        return super().call_binop(context, operator, left, right)


def _big_repeat(left: Any, right: Any) -> bool:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            return len(sequence) * count > _MAX_REPEAT
    return False


def _lipsum(n: int = 5, html: bool = True, **words: int) -> str:
    """Jinja's ``lipsum``, at most 100 paragraphs of at most 100 words."""
    from jinja2.utils import generate_lorem_ipsum

    low, high = (_clamp(words.get(name, default)) for name, default in (("min", 20), ("max", 100)))
    return str(generate_lorem_ipsum(n=_clamp(n), html=html, min=low, max=max(low, high)))


def _clamp(value: object) -> int:
    return value if isinstance(value, int) and 0 <= value <= 100 else 100


def _limit_resources() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (TEMPLATE_CPU_SECONDS, TEMPLATE_CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (TEMPLATE_MAX_MEMORY_BYTES, TEMPLATE_MAX_MEMORY_BYTES))


def _template_line(error: BaseException) -> int | None:
    """The template line an error was raised on: Jinja rewrites tracebacks to show it."""
    found = getattr(error, "lineno", None)
    if isinstance(found, int):
        return found
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


def render(request: dict[str, Any]) -> dict[str, Any]:
    environment = _BoundedSandbox(
        undefined=StrictUndefined, autoescape=bool(request["markup"]), keep_trailing_newline=True
    )
    environment.filters.update(md_cell=md_cell, xml_clean=xml_clean, terminal=terminal)
    environment.globals["lipsum"] = _lipsum
    chunks: list[str] = []
    size = 0
    try:
        compiled = environment.from_string(request["source"])
        for chunk in compiled.generate(report=request["report"]):
            size += len(chunk)
            if size > TEMPLATE_MAX_OUTPUT_BYTES:
                return {"error": f"its output passed {TEMPLATE_MAX_OUTPUT_BYTES:,} characters"}
            chunks.append(chunk)
    except Exception as error:
        return {
            "error": f"{error.__class__.__name__}: {error}"[:2_000],
            "line": _template_line(error),
        }
    return {"text": "".join(chunks)}


def main() -> None:
    _limit_resources()
    sys.setrecursionlimit(2_000)
    request = json.load(sys.stdin)
    try:
        answer = render(request)
    except MemoryError:
        answer = {"error": f"it needed more than {TEMPLATE_MAX_MEMORY_BYTES:,} bytes of memory"}
    except RecursionError:
        answer = {"error": "it recursed too deeply"}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
