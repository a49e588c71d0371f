"""Counts in words that agree in number: ``1 check``, ``2 checks``, ``1,885 checks``."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun`` in the number it takes (``plural``
    when adding an ``s`` is wrong)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
