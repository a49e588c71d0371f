"""Problems as data: a located message about an input file, sortable and printable."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal, NamedTuple

Level = Literal["error", "warning"]
KeyPath = tuple[str | int, ...]
COMMAND_LINE = "<command line>"


class Position(NamedTuple):
    """1-based line and column within one file."""

    line: int
    column: int


class Location(NamedTuple):
    """A place in a named file: where a check is defined, a run was saved, a problem is.

    A named tuple, not a dataclass: a manifest of 100,000 checks makes 100,000 of them.
    """

    file: str
    line: int
    column: int

    @classmethod
    def of(cls, file: str, position: Position) -> Location:
        return cls(file, position.line, position.column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or suspicious) in an input file, at a position.

    Fields stay flat (not a nested :class:`Location`) because they are the JSON shape that
    ``validate --format json`` publishes.
    """

    file: str
    line: int
    column: int
    level: Level
    message: str
    path: str = ""
    hint: str | None = None

    @classmethod
    def at(
        cls,
        location: Location,
        message: str,
        *,
        level: Level = "error",
        path: KeyPath = (),
        hint: str | None = None,
    ) -> Problem:
        return cls(
            location.file,
            location.line,
            location.column,
            level,
            message,
            format_path(path),
            hint,
        )

    @classmethod
    def on_command_line(
        cls, message: str, *, column: int = 1, level: Level = "error", hint: str | None = None
    ) -> Problem:
        """A problem with an option; ``column`` numbers the option among its repeats."""
        return cls(COMMAND_LINE, 1, column, level, message, "", hint)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    @property
    def is_error(self) -> bool:
        return self.level == "error"


def format_path(path: KeyPath) -> str:
    """Render a key path the way a reader writes it: ``checks.build.expect`` or ``query[2]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# Control characters and line separators (what str.splitlines splits on) would let text from
# a file break a one-line message or rewrite a terminal; bidi controls and invisible format
# characters would make it display as something else ("safe\u202eTXT.EXE"). All are shown
# escaped instead.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)


def printable(text: str) -> str:
    """``text`` on one line, with control characters shown as ``\\xNN`` / ``\\uNNNN``."""
    return _UNPRINTABLE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def format_text(problems: Iterable[Problem]) -> str:
    """``FILE:LINE:COL: level: message`` lines, each followed by an indented hint if any."""
    lines: list[str] = []
    for problem in problems:
        lines.append(
            printable(
                f"{problem.file}:{problem.line}:{problem.column}: {problem.level}: "
                f"{problem.message}"
            )
        )
        if problem.hint:
            lines.append(f"    hint: {printable(problem.hint)}")
    return "\n".join(lines)


def format_json(problems: Iterable[Problem]) -> str:
    """Problems as a JSON array for editors and bots."""
    return json.dumps([asdict(problem) for problem in problems], indent=2, ensure_ascii=False)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, if one is close enough to suggest."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggestion_suffix(word: str, candidates: Iterable[str]) -> str:
    """``; did you mean 'x'?`` or nothing."""
    match = did_you_mean(word, candidates)
    return f"; did you mean '{match}'?" if match else ""


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(problem.is_error for problem in problems)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Stable order for output: by file, then position, errors before warnings."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.level, p.message))


def kind_of(value: object) -> str:
    """What a value from a YAML or JSON file is, in a message's words (never the value)."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else type(value).__name__
