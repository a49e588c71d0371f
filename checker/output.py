"""What a command writes to: the CLI's console (which redacts every known secret)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from checker.codearts.secret import Redactor
from checker.diagnostics.problem import Problem

ProblemFormat = Literal["text", "json"]


class Output(Protocol):
    """Where a command's words go; every implementation redacts what it is told to."""

    def out(self, text: str) -> None: ...

    def err(self, text: str) -> None: ...

    def stdout_lost(self) -> bool:
        """Whether something written to stdout did not arrive (closed, full, broken pipe)."""

    def problems(
        self, problems: Sequence[Problem], output_format: ProblemFormat = "text"
    ) -> None: ...

    def protect(self, redactor: Redactor) -> None:
        """Redact these secrets too from now on."""

    def redact(self, text: str) -> str: ...

    def mentions_secret(self, text: str) -> bool:
        """Whether ``text`` holds a known secret (as it is, or JSON-escaped)."""
