"""Reading an input file into a validated model, every problem located: the shared path for
manifests, var files, runs files and emulator worlds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from checker.diagnostics.located_yaml import LocatedDocument, YamlSyntaxError, load_located
from checker.diagnostics.problem import KeyPath, Location, Position, Problem, format_path
from checker.diagnostics.schema import PatternMessages, validate_document

ModelT = TypeVar("ModelT", bound=BaseModel)


def read_document(path: Path, what: str) -> tuple[LocatedDocument | None, list[Problem]]:
    """Read and parse a YAML or JSON file; unreadable or unparsable files become problems."""
    start = Location(str(path), 1, 1)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem.at(start, f"cannot read {what}: not UTF-8 text")]
    except OSError as error:
        reason = error.strerror or error.__class__.__name__
        return None, [Problem.at(start, f"cannot read {what}: {reason}")]
    try:
        return load_located(text, str(path))
    except YamlSyntaxError as error:
        return None, [error.problem]


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
    problems += validate_document(document, model, patterns)
    if any(p.is_error for p in problems):
        return None, document, problems
    instance, build_problems = build_model(document, model, patterns)
    return instance, document, problems + build_problems
