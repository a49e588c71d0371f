"""Paths to manifests as CI systems attach findings to them: relative to the checkout."""

from __future__ import annotations

import contextlib
from pathlib import Path


def source_path(file: str, checkout: Path | None) -> str:
    """``file`` relative to ``checkout`` (default: the working folder) when it is inside it,
    with forward slashes; GitHub and GitLab attach nothing to an absolute or ``../`` path."""
    path = Path(file)
    root = checkout if checkout is not None else Path.cwd()
    absolute = path if path.is_absolute() else Path.cwd() / path
    with contextlib.suppress(ValueError, OSError):
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    return path.as_posix()
