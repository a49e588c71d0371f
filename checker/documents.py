"""Reading an input file into a validated model, every problem located: the shared path for
manifests, var files, runs files and emulator worlds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from checker.diagnostics import KeyPath, Position, Problem, format_path
from checker.located_yaml import LocatedDocument, YamlSyntaxError, load_located
from checker.schema import bad_id_message, validate_document

ModelT = TypeVar("ModelT", bound=BaseModel)


def read_document(path: Path, what: str) -> tuple[LocatedDocument | None, list[Problem]]:
    """Read and parse a YAML or JSON file; unreadable or unparsable files become problems."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(file, 1, 1, "error", f"cannot read {what}: not UTF-8 text")]
    except OSError as error:
        reason = error.strerror or error.__class__.__name__
        return None, [Problem(file, 1, 1, "error", f"cannot read {what}: {reason}")]
    try:
        return load_located(text, file)
    except YamlSyntaxError as error:
        return None, [error.problem]


def build_model(
    document: LocatedDocument,
    model: type[ModelT],
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
            message = str(item["msg"]).removeprefix("Value error, ")
            where = overrides.get(path)
            if item["type"] == "string_pattern_mismatch" and "{32}" in str(
                (item.get("ctx") or {}).get("pattern", "")
            ):
                message = " " + bad_id_message(str(item["input"]))
            else:
                message = f": {message}"
            label = format_path(path) or "the document"
            problems.append(document.problem(path, f"{label}{message}", position=where))
        return None, problems


def load_model(
    path: Path, model: type[ModelT], what: str
) -> tuple[ModelT | None, LocatedDocument | None, list[Problem]]:
    """Read, schema-check and build a whole file into ``model``."""
    document, problems = read_document(path, what)
    if document is None:
        return None, None, problems
    if document.data is None:
        problems.append(document.problem((), f"the {what} is empty"))
        return None, document, problems
    problems += validate_document(document, model)
    if any(p.is_error for p in problems):
        return None, document, problems
    instance, build_problems = build_model(document, model)
    return instance, document, problems + build_problems
