"""A document as plain data, with where each value and key came from in its file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from checker.diagnostics.problem import KeyPath, Level, Location, Position, Problem


class Marked(Protocol):
    """A parser's mark: the pure-Python one or libyaml's."""

    line: int
    column: int


def packed(mark: Marked | None) -> int:
    """A position as one int: a 100,000-check manifest keeps 400,000 of them, and the
    parser's nodes and marks (ten times larger) are freed once the document is built."""
    if mark is None:
        return (1 << 32) | 1
    return ((mark.line + 1) << 32) | (mark.column + 1)


KEY_SHIFT = 64
_POSITION_MASK = (1 << KEY_SHIFT) - 1


def with_key(value: int, key: int) -> int:
    """A value's packed position and its key's in one int: one table, not two (a dict of
    400,000 entries is 20 MB)."""
    return value | (key << KEY_SHIFT)


def merge_positions(
    values: Mapping[KeyPath, int], keys: Mapping[KeyPath, int]
) -> dict[KeyPath, int]:
    """Separate value and key tables (as a builder that meets keys first keeps them) as one."""
    return {path: with_key(value, keys.get(path, 0)) for path, value in values.items()}


def _unpacked(packed: int) -> Position:
    return Position(packed >> 32, packed & 0xFFFFFFFF)


@dataclass(frozen=True)
class Scalar:
    """How a scalar was written, kept for the scalars messages quote: those that are not
    plain strings (``00123`` read as a number) and those holding a ``${…}`` reference."""

    text: str
    style: str | None


@dataclass(frozen=True)
class LocatedDocument:
    """Plain Python data plus the position of each value and each mapping key, by key path."""

    file: str
    data: Any
    positions: Mapping[KeyPath, int] = field(default_factory=dict)
    """Each value's packed position, its key's above it (:func:`with_key`; 0: no key)."""
    scalars: Mapping[KeyPath, Scalar] = field(default_factory=dict)
    may_reference: bool = field(default=True, compare=False)
    """False when no string holds a ``$``: substitution has nothing to walk (a hint the
    builder gives; it never changes what the document is)."""
    may_hold_null: bool = field(default=True, compare=False)
    """False when no value is null: nothing to look for."""

    def position(self, path: KeyPath) -> Position:
        """The position of the value at ``path``, or of its closest located ancestor."""
        probe = tuple(path)
        while probe:
            packed = self.positions.get(probe)
            if packed is not None:
                return _unpacked(packed & _POSITION_MASK)
            probe = probe[:-1]
        root = self.positions.get(())
        return _unpacked(root & _POSITION_MASK) if root is not None else Position(1, 1)

    def key_position(self, path: KeyPath) -> Position:
        """The position of the key that introduces ``path`` (falls back to its value)."""
        key = self.positions.get(tuple(path), 0) >> KEY_SHIFT
        return _unpacked(key) if key else self.position(path)

    def source_text(self, path: KeyPath) -> str | None:
        """A scalar as written in the file (``00123``, not the number 83)."""
        scalar = self.scalars.get(tuple(path))
        return scalar.text if scalar else None

    def scalar_style(self, path: KeyPath) -> str | None:
        """How a scalar was quoted: None (plain), ``'``, ``"``, ``|`` or ``>``."""
        scalar = self.scalars.get(tuple(path))
        return scalar.style if scalar else None

    def problem(
        self,
        path: KeyPath,
        message: str,
        *,
        level: Level = "error",
        hint: str | None = None,
        at_key: bool = False,
        position: Position | None = None,
    ) -> Problem:
        where = position or (self.key_position(path) if at_key else self.position(path))
        return Problem.at(self.location(where), message, level=level, path=path, hint=hint)

    def location(self, position: Position) -> Location:
        return Location.of(self.file, position)
