"""Reason patterns, matched in linear time.

A ``matches:`` pattern comes from a manifest, which a pull request may change, and is run
against text from the API: Python's backtracking ``re`` can take for ever on
``^(.|.)*X$``. RE2 cannot: it guarantees time linear in the text. Patterns are first checked
by Python's parser (so a typo gets Python's familiar message), then must also be RE2's
syntax — everything but lookaround and backreferences.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import re2


class Pattern(Protocol):
    def search(self, text: str) -> Any: ...


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print parse errors on stderr itself
    return options


def checked_pattern(pattern: str) -> Pattern | str:
    """The compiled pattern, or why ``pattern`` cannot be used. Compiled once with RE2;
    Python's ``re`` only words the error of a pattern RE2 refused, when it is a syntax error
    (its messages say where)."""
    try:
        compiled: Pattern = re2.compile(pattern, options=_options())
    except re2.error as error:
        try:
            re.compile(pattern)
        except re.error as syntax:
            return str(syntax)
        detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else ""
        return (
            f"{detail or 'not supported'}: checker matches in linear time (RE2), "
            "without lookaround or backreferences"
        )
    return compiled


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, or None."""
    found = checked_pattern(pattern)
    return found if isinstance(found, str) else None


def compile_pattern(pattern: str) -> Pattern:
    """The compiled pattern; call :func:`pattern_error` first."""
    compiled: Pattern = re2.compile(pattern, options=_options())
    return compiled
