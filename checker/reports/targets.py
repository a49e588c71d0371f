"""Where reports go, named by the command line: ``--report FORMAT=PATH`` and
``--template TEMPLATE=PATH``. Light on purpose: ``--help`` reads it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FORMATS = ("junit", "markdown", "json", "html", "text", "dotenv", "codequality")
"""Every report format by the name ``--report FORMAT=PATH`` takes."""


@dataclass(frozen=True)
class ReportTarget:
    """One ``--report FORMAT=PATH``."""

    format: str
    path: Path


@dataclass(frozen=True)
class TemplateTarget:
    """One ``--template TEMPLATE.j2=PATH``."""

    template: Path
    path: Path
