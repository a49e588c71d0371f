"""Symbolic links a pull request may have committed: which of them lead out of the working
folder, for inputs (never read through them) and outputs (never written through them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


@dataclass(frozen=True)
class LinkWalk:
    """Where a path really leads, and the first link in the working folder that leads out."""

    target: Path
    """The path with every link resolved (it may not exist yet)."""
    escaping_link: Path | None
    """The first link inside the working folder whose target is outside it."""
    through_folder_link: bool
    """Whether a link inside the working folder was followed on the way."""


def walk_links(path: Path, folder: Path) -> LinkWalk:
    """Follow ``path`` one component at a time, noting the links that lie in ``folder``.

    Links outside the folder (``/dev/stdout`` → ``/proc/self/fd/1``) are the system's, not a
    pull request's: they are followed without remark.
    """
    absolute = path.absolute()
    current = Path(absolute.anchor)
    escaping: Path | None = None
    through = False
    for part in absolute.parts[1:]:
        # Every component before this one is resolved already, so ".." is its parent.
        current = current.parent if part == ".." else current / part
        if not current.is_symlink():
            continue
        target = current.resolve()
        if inside(current.parent, folder):
            through = True
            if escaping is None and not inside(target, folder):
                escaping = current
        current = target
    return LinkWalk(current, escaping, through)
