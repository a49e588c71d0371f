"""Terraform-style variables: every ``${var.NAME}`` and ``${env.NAME}`` in a manifest's strings
replaced by its value, each problem located at its reference.

Precedence of a variable's value, lowest to highest: the declaration's ``default``; the
environment variable ``CHECKER_VAR_<NAME>``; ``--var-file`` files in order; ``--var NAME=VALUE``
in order (see :mod:`checker.manifest.inputs`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.diagnostics.located import LocatedDocument
from checker.diagnostics.problem import KeyPath, Location, Position, Problem, format_path
from checker.manifest.references import Scope, lookup

UNSET_PLACEHOLDER = "0" * 32
MAX_SUBSTITUTED_CHARS = 10_000
"""The longest string a substitution may produce: enough for any ID, name or reason."""
MAX_TOTAL_SUBSTITUTED_CHARS = 10_000_000
"""What all substitutions of one manifest may add up to (a 10 kB value referenced 100,000
times would otherwise take a gigabyte)."""

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)(\}?)")


@dataclass(frozen=True)
class Substitution:
    """Interpolated data, where each substituted value's first reference was, what could not
    be resolved, and the problems found."""

    data: Any
    reference_positions: Mapping[KeyPath, Position]
    unresolved_paths: frozenset[KeyPath] = frozenset()
    problems: tuple[Problem, ...] = ()


def substitute(document: LocatedDocument, scope: Scope) -> Substitution:
    """Every ``${…}`` in the document's strings replaced, except under ``variables:``."""
    if not document.may_reference:
        return Substitution(document.data, {})
    return _Interpolator(document, scope).run()


class _Interpolator:
    """One pass over one document; its state lives only for that pass."""

    def __init__(self, document: LocatedDocument, scope: Scope) -> None:
        self.document = document
        self.scope = scope
        self.unresolved: set[KeyPath] = set()
        self.problems: list[Problem] = []
        self.positions: dict[KeyPath, Position] = {}
        self.produced = 0
        self.exhausted = False

    def run(self, skip: tuple[str, ...] = ("variables",)) -> Substitution:
        data = self._walk(self.document.data, (), skip)
        return Substitution(
            data, dict(self.positions), frozenset(self.unresolved), tuple(self.problems)
        )

    def _walk(self, value: Any, path: KeyPath, skip: tuple[str, ...]) -> Any:
        """The value with references substituted; the very same object when it holds none
        (a large manifest without variables is not copied)."""
        if isinstance(value, dict):
            changed = {
                key: walked
                for key, item in value.items()
                if not (not path and key in skip)
                and (walked := self._walk(item, (*path, key), skip)) is not item
            }
            return {**value, **changed} if changed else value
        if isinstance(value, list):
            items = [self._walk(item, (*path, index), skip) for index, item in enumerate(value)]
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if isinstance(value, str) and "$" in value:
            return self._substitute(value, path)
        return value

    def _reference_position(self, path: KeyPath, offset: int) -> Position:
        start = self.document.position(path)
        style = self.document.scalar_style(path)
        source = self.document.source_text(path) or ""
        if "\n" in source or style not in (None, "'", '"'):
            return start
        return Position(start.line, start.column + offset + (1 if style else 0))

    def _substitute(self, text: str, path: KeyPath) -> str:
        pieces: list[str] = []
        last = 0
        for match in _TOKEN.finditer(text):
            pieces.append(text[last : match.start()])
            last = match.end()
            if match.group(0) == "$${":
                pieces.append("${")
                continue
            where = self._reference_position(path, match.start())
            self.positions.setdefault(path, where)
            inner, closed = match.group(1), match.group(2)
            if not closed:
                self._error(
                    where,
                    path,
                    f"unterminated reference '${{{inner}' in {format_path(path)}",
                    "close it with '}', or write '$${' for a literal '${'",
                )
                pieces.append(match.group(0))
                self.unresolved.add(path)
                continue
            value = self._resolve(inner, path, where)
            if value is None:
                # Reported already; a stand-in shaped like an ID lets the rest be checked.
                self.unresolved.add(path)
                value = UNSET_PLACEHOLDER
            pieces.append(value)
            if not self._within_limits(pieces, path, where):
                return UNSET_PLACEHOLDER
        pieces.append(text[last:])
        return "".join(pieces)

    def _within_limits(self, pieces: list[str], path: KeyPath, where: Position) -> bool:
        self.produced += len(pieces[-1])
        length = sum(map(len, pieces))
        if length <= MAX_SUBSTITUTED_CHARS and self.produced <= MAX_TOTAL_SUBSTITUTED_CHARS:
            return True
        self.unresolved.add(path)
        if self.produced > MAX_TOTAL_SUBSTITUTED_CHARS and self.exhausted:
            return False  # said once is enough
        self.exhausted = self.produced > MAX_TOTAL_SUBSTITUTED_CHARS
        if length > MAX_SUBSTITUTED_CHARS:
            message = (
                f"{format_path(path)} would be longer than {MAX_SUBSTITUTED_CHARS:,} "
                "characters after substitution"
            )
        else:
            message = (
                f"substitutions in this manifest would add up to more than "
                f"{MAX_TOTAL_SUBSTITUTED_CHARS:,} characters"
            )
        self._error(where, path, message, "variables hold IDs, names and short texts")
        return False

    def _resolve(self, inner: str, path: KeyPath, where: Position) -> str | None:
        value, refusal = lookup(self.scope, inner, format_path(path))
        if refusal is not None:
            self._error(where, path, *refusal)
        return value

    def _error(self, where: Position, path: KeyPath, message: str, hint: str | None = None) -> None:
        self.problems.append(
            Problem.at(Location.of(self.document.file, where), message, path=path, hint=hint)
        )
