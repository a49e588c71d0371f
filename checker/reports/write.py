"""Writes that never leave half a report, and never replace a device with a file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from checker.errors import CheckerError


def _umask() -> int:
    # The umask can only be read by setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The mode a new report gets: the replaced file's, else what the umask allows."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _replace(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that readers see the old file or the whole new one, never a part.

    A path that is (or links to) something other than a regular file — ``/dev/stdout``, a
    FIFO, a device — is written directly: renaming over it would replace the device with a
    file. A link to a regular file is followed, and the file it names is replaced.
    """
    try:
        if path.exists() and not path.is_file():  # both follow links
            with path.open("w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            return
        target = path.resolve() if path.is_symlink() else path
        target.parent.mkdir(parents=True, exist_ok=True)
        _replace(target, text)
    except OSError as error:
        raise CheckerError(
            f"cannot write report {path}: {error.strerror or error.__class__.__name__}"
        ) from None


def append_report(path: Path, text: str) -> None:
    """Add ``text`` at the end of ``path`` (GitHub's step summary is shared by all steps)."""
    try:
        with path.open("a", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as error:
        raise CheckerError(
            f"cannot write report {path}: {error.strerror or error.__class__.__name__}"
        ) from None
