"""The console: every line a command prints passes the redactor; ``--debug`` logs go there too."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from checker.codearts.secret import Redactor
from checker.diagnostics.problem import (
    Problem,
    format_json,
    format_text,
    printable,
    sorted_problems,
)

LOGGER = "checker"


@dataclass
class Console:
    """Where a command's output goes. Every line is redacted first.

    Mutable on purpose: the redactor grows when a command learns the credentials it uses.
    """

    write_out: Callable[[str], None]
    write_err: Callable[[str], None]
    redactor: Redactor = field(default_factory=Redactor)
    lost: set[str] = field(default_factory=set)
    """The streams a write to failed (closed, full, a broken pipe): the verdict still stands,
    and what must not be lost (started run IDs) is said elsewhere."""

    def out(self, text: str) -> None:
        self._write(self.write_out, "stdout", text)

    def err(self, text: str) -> None:
        self._write(self.write_err, "stderr", text)

    def _write(self, write: Callable[[str], None], stream: str, text: str) -> None:
        try:
            write(_shown(self.redactor(text)))
        except (OSError, ValueError):  # ValueError: the stream was closed under us
            self.lost.add(stream)

    def stdout_lost(self) -> bool:
        return "stdout" in self.lost

    def problems(self, problems: Sequence[Problem], output_format: str = "text") -> None:
        ordered = sorted_problems(problems)
        if output_format == "json":
            self.out(format_json(ordered))
        elif ordered:
            self.err(format_text(ordered))

    def protect(self, redactor: Redactor) -> None:
        self.redactor = self.redactor.merged(redactor)

    def redact(self, text: str) -> str:
        return self.redactor(text)

    def mentions_secret(self, text: str) -> bool:
        return self.redactor.mentions(text)


def _shown(text: str) -> str:
    """Each line as a terminal may show it: control, bidi and invisible characters escaped."""
    return "\n".join(printable(line) for line in text.split("\n"))


class _ConsoleLogHandler(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        # One record, one line: a newline from an answer must not start a line of its own
        # (CI systems read lines such as "::error::" as commands).
        self.console.err(printable(self.format(record)))


@contextmanager
def debug_logging(console: Console, enabled: bool) -> Iterator[None]:
    """Send checker's log to the console for one command, and take it away afterwards, so a
    second command in the same process neither logs twice nor through an old redactor."""
    if not enabled:
        yield
        return
    handler = _ConsoleLogHandler(console)
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    logger = logging.getLogger(LOGGER)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
