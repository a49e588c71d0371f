"""Where reports and runs files may be written.

Anything a pull request commits is untrusted, links included: a committed
``reports/gate.xml`` → ``~/.bashrc`` must not turn the gate into a way to overwrite a CI
runner's files. The rule: an output path inside the working folder that is, or passes through,
a link leading out of it is refused (unless the command line explicitly allows it); a link in
the working folder never leads to a device, FIFO or folder; and no output is also an input.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from checker.diagnostics.links import walk_links
from checker.errors import UsageError


@dataclass(frozen=True)
class OutputRule:
    """What output paths must respect in one command."""

    folder: Path
    """The working folder, resolved."""
    inputs: tuple[Path, ...] = ()
    """Files the command reads (manifests, var files, runs files, a saved result)."""
    follow_links: bool = False
    """``--follow-output-links``: the command line trusts links that lead out of the folder."""

    def problem(self, path: Path) -> str | None:
        """Why ``path`` must not be written, or None."""
        walk = walk_links(path, self.folder)
        if walk.escaping_link is not None and not self.follow_links:
            return (
                f"{path} passes through the symbolic link {walk.escaping_link}, which leads "
                "out of the working folder (pass --follow-output-links to write there anyway)"
            )
        if walk.through_folder_link and _special(walk.target):
            return f"{path} is a symbolic link to a device, FIFO or folder; name it directly"
        for source in self.inputs:
            if walk.target == walk_links(source, self.folder).target:
                return (
                    f"{path} is also an input of this command ({source}); it would be overwritten"
                )
        return None

    def problems(self, paths: Iterable[Path]) -> list[str]:
        return [problem for path in paths if (problem := self.problem(path)) is not None]


def _special(path: Path) -> bool:
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False  # nothing there yet: a new regular file will be made


def refuse_outputs(refusals: list[str]) -> None:
    """Stop before anything is queried or started when an output may not be written."""
    if refusals:
        raise UsageError(
            "; ".join(refusals),
            "write reports to plain paths in the working folder, or name the target directly",
        )
