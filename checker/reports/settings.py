"""How reports are rendered beyond the result itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.defaults import DEFAULT_MARKDOWN_MAX_BYTES


@dataclass(frozen=True)
class RenderSettings:
    markdown_max_bytes: int = DEFAULT_MARKDOWN_MAX_BYTES
    """The Markdown report's budget: 1,000,000 fits GitHub's step summary, 65,000 a PR comment."""
    complete: str | None = None
    """Where every check can be read when the Markdown leaves rows out (another report)."""
    checkout: Path | None = None
    """The CI job's checkout: paths to manifests are made relative to it (default: the
    working folder)."""


DEFAULT_SETTINGS = RenderSettings()
