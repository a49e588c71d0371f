"""Reading an input file into a validated model, every problem located: the shared path for
manifests, var files, runs files and emulator worlds."""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from checker.diagnostics.links import walk_links
from checker.diagnostics.located import LocatedDocument
from checker.diagnostics.located_yaml import YamlSyntaxError, load_located
from checker.diagnostics.problem import KeyPath, Location, Position, Problem, format_path

if TYPE_CHECKING:
    from checker.diagnostics.schema import PatternMessages

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_INPUT_BYTES = 32 * 1024 * 1024
"""The largest manifest, runs or world file read: a 100,000-check manifest is about 12 MB."""


class InputRefused(Exception):
    """A file checker will not read; the message says why, naming no contents."""


def read_input(path: Path, limit: int = MAX_INPUT_BYTES, *, follow_links: bool = False) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Devices, FIFOs and folders are refused before they are opened (``/dev/zero`` would fill
    memory, a FIFO would hang), and so is a symbolic link in the working folder that leads out
    of it: a pull request could commit ``vars.yaml`` as a link to ``~/.kube/config``.
    ``follow_links``: the path is trusted as the command line is (a CA bundle: public
    certificates, never echoed).
    """
    try:
        if not follow_links and walk_links(path, Path.cwd().resolve()).escaping_link is not None:
            raise InputRefused("it is a symbolic link to a file outside the working folder")
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise InputRefused("not a regular file")
        if status.st_size > limit:
            raise InputRefused(f"larger than the limit of {limit:,} bytes")
        with path.open("rb") as handle:
            content = handle.read(limit + 1)
    except OSError as error:
        raise InputRefused(error.strerror or error.__class__.__name__) from None
    if len(content) > limit:
        raise InputRefused(f"larger than the limit of {limit:,} bytes")
    return content


def read_document(
    path: Path, what: str, limit: int = MAX_INPUT_BYTES
) -> tuple[LocatedDocument | None, list[Problem]]:
    """Read and parse a YAML or JSON file; unreadable or unparsable files become problems."""
    start = Location(str(path), 1, 1)
    try:
        text = read_input(path, limit).decode("utf-8")
    except UnicodeDecodeError:
        return None, [Problem.at(start, f"cannot read {what}: not UTF-8 text")]
    except InputRefused as refused:
        return None, [Problem.at(start, f"cannot read {what}: {refused}")]
    try:
        document, problems = load_located(text, str(path))
    except YamlSyntaxError as error:
        return None, [error.problem]
    if document is not None and _ESCAPED_SURROGATE.search(text):
        lone: list[KeyPath] = []
        document = replace(document, data=_paired(document.data, (), lone))
        if lone:
            message = "not valid Unicode: a lone surrogate (\\uD800-\\uDFFF)"
            return None, [*problems, *(document.problem(where, message) for where in lone)]
    return document, problems


# UTF-8 text cannot hold a surrogate; only an escape in a quoted string can make one.
_ESCAPED_SURROGATE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _paired(value: Any, path: KeyPath, lone: list[KeyPath]) -> Any:
    """``value`` with escaped surrogate pairs joined (JSON writes an emoji as
    ``\\ud83d\\ude00``; YAML reads that as two code points); where a lone one is left, no
    file, terminal or encoder can write it, so it is a problem."""
    if isinstance(value, str):
        if not _SURROGATE.search(value):
            return value
        try:
            return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:
            lone.append(path)
            return value
    if isinstance(value, dict):
        return {
            _paired(key, (*path, key), lone): _paired(item, (*path, key), lone)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_paired(item, (*path, index), lone) for index, item in enumerate(value)]
    return value


def build_model(
    document: LocatedDocument,
    model: type[ModelT],
    patterns: PatternMessages,
    data: object = None,
    positions: Mapping[KeyPath, Position] | None = None,
) -> tuple[ModelT | None, list[Problem]]:
    """Validate ``data`` (default: the document's own) into ``model``, located problems if not.

    ``positions`` overrides where a path is reported, e.g. at a ``${var.X}`` reference whose
    substituted value is wrong.
    """
    overrides = positions or {}
    try:
        return model.model_validate(document.data if data is None else data), []
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            path: KeyPath = tuple(item["loc"])
            explain = None
            if item["type"] == "string_pattern_mismatch":
                explain = patterns.get(str((item.get("ctx") or {}).get("pattern", "")))
            if explain is not None:
                message = " " + explain(str(item["input"]))
            else:
                message = ": " + str(item["msg"]).removeprefix("Value error, ")
            label = format_path(path) or "the document"
            problems.append(
                document.problem(path, f"{label}{message}", position=overrides.get(path))
            )
        return None, problems


def load_model(
    path: Path, model: type[ModelT], what: str, patterns: PatternMessages
) -> tuple[ModelT | None, LocatedDocument | None, list[Problem]]:
    """Read, schema-check and build a whole file into ``model``."""
    document, problems = read_document(path, what)
    if document is None:
        return None, None, problems
    if document.data is None:
        problems.append(document.problem((), f"the {what} is empty"))
        return None, document, problems
    from checker.diagnostics.schema import validate_document

    problems += validate_document(document, model, patterns)
    if any(p.is_error for p in problems):
        return None, document, problems
    instance, build_problems = build_model(document, model, patterns)
    return instance, document, problems + build_problems
