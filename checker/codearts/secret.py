"""A string that does not show itself: secrets stay out of reprs, logs and tracebacks."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

MASK = "********"
MIN_SECRET_LENGTH = 8
"""Shorter keys, secrets and tokens are refused: real ones are 20 to thousands of characters,
and redacting a two-letter value would garble every line printed."""


class Secret:
    """Holds a credential; ``str()`` and ``repr()`` never reveal it, ``reveal()`` does."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(
            self._value.encode(), other._value.encode()
        )

    def __hash__(self) -> int:
        return hash(("Secret", len(self._value)))

    def __bool__(self) -> bool:
        return bool(self._value)


def mask_access_key(access_key: str) -> str:
    """An AK as it may be shown: its first four characters only."""
    return f"{access_key[:4]}{MASK}"


class Redactor:
    """Replaces known secret values in text: a last line of defence for anything printed."""

    def __init__(self, replacements: Mapping[str, str] | None = None) -> None:
        # Every value is redacted, however short: credentials shorter than MIN_SECRET_LENGTH
        # are refused before use, so short values here never blank out ordinary words.
        usable = {k: v for k, v in (replacements or {}).items() if k}
        self._replacements = dict(sorted(usable.items(), key=lambda kv: -len(kv[0])))

    def __call__(self, text: str) -> str:
        for value, replacement in self._replacements.items():
            if value in text:
                text = text.replace(value, replacement)
        return text

    def mentions(self, text: str) -> bool:
        """Whether ``text`` holds a secret, as it is or as JSON escapes it."""
        return any(value in text or json.dumps(value)[1:-1] in text for value in self._replacements)

    def merged(self, other: Redactor) -> Redactor:
        return Redactor({**self._replacements, **other._replacements})
