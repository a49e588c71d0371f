"""Durations as people write them (``90``, ``90s``, ``15m``, ``1h30m``) and as reports show them
(``12m03s``, ``1h00m``)."""

from __future__ import annotations

import re

_PARTS = re.compile(r"(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")


def parse_duration(value: int | str) -> float | None:
    """Seconds, or None when ``value`` is not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if value >= 0 else None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    match = _PARTS.fullmatch(text)
    if not text or match is None:
        return None
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


def format_duration(seconds: float) -> str:
    """``45s``, ``12m03s``, ``1h00m``: whole seconds under an hour, whole minutes above."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"
    return f"{secs}s"
