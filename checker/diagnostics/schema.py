"""JSON Schemas generated from the models, and jsonschema errors turned into located problems.

Messages for values that fail a known pattern (an ID, say) come from the caller as
:data:`PatternMessages`: this package knows nothing of what the patterns mean.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match
from pydantic import BaseModel

from checker.diagnostics.generation import generate_schema
from checker.diagnostics.located import LocatedDocument
from checker.diagnostics.problem import (
    KeyPath,
    Problem,
    format_path,
    kind_of,
    suggestion_suffix,
)

PatternMessages = Mapping[str, Callable[[str], str]]
"""For a regex used in a schema, how to say that a value does not match it (``must be …``)."""


def _full_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """``pattern`` with ``$`` meaning the end of the text: Python's ``re.search`` also lets
    ``$`` match before a final newline, so ``"a\\n"`` would pass ``^[a-z]+$``."""
    if not validator.is_type(instance, "string"):
        return
    anchored = (
        pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    )
    if not re.search(anchored, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_FullMatchValidator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _full_pattern}
)


@cache
def _validator(model: type[BaseModel]) -> Any:
    return _FullMatchValidator(generate_schema(model))


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
    "null": "empty",
}
_COMBINATORS = ("anyOf", "oneOf")


def _alternative_keys(branches: object) -> list[str]:
    """The keys of ``anyOf: [{required: [a]}, {required: [b]}]`` (one of them is needed)."""
    if not isinstance(branches, list) or not branches:
        return []
    keys = []
    for branch in branches:
        if not (isinstance(branch, dict) and list(branch) == ["required"]):
            return []
        keys += [str(key) for key in branch["required"]]
    return keys


def _expected_types(schema: dict[str, Any]) -> list[str]:
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return [str(_TYPE_NAMES.get(t, t)) for t in types]
    names: list[str] = []
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        branch_types = _expected_types(branch)
        if branch.get("type") == "array" and "items" in branch:
            item_types = _expected_types(branch["items"])
            branch_types = [
                f"a list of {' or '.join(t.removeprefix('a ') + 's' for t in item_types)}"
            ]
        names.extend(branch_types)
    if "const" in schema:
        names.append(repr(schema["const"]))
    return names


def _relevance(error: ValidationError) -> tuple[bool, int, bool]:
    """For :func:`best_match`: a branch whose type does not even fit the value is the least
    relevant; among the rest, the deepest error says the most."""
    type_mismatch = error.validator == "type" and not error.relative_path
    return (not type_mismatch, len(error.absolute_path), error.validator not in _COMBINATORS)


def _only_fitting_branch(errors: Iterable[ValidationError]) -> list[ValidationError]:
    """The errors of the one branch whose type fits the value (``run: {...}`` against
    ``anyOf: [RunExpectation, null]``), all of them; empty when no branch, or several, fit."""
    branches: dict[object, list[ValidationError]] = {}
    for found in errors:
        branches.setdefault(found.relative_schema_path[0], []).append(found)
    fitting = [
        found
        for found in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in found)
    ]
    return fitting[0] if len(fitting) == 1 else []


class SchemaProblems:
    """Translate jsonschema errors for one document into located, readable problems."""

    def __init__(self, document: LocatedDocument, patterns: PatternMessages) -> None:
        self.document = document
        self.patterns = patterns

    def translate(self, error: ValidationError) -> Iterator[Problem]:
        path: KeyPath = tuple(error.absolute_path)
        where = format_path(path) or "the document"
        validator = error.validator
        schema = error.schema if isinstance(error.schema, dict) else {}
        instance = error.instance

        if validator == "additionalProperties" and isinstance(instance, dict):
            yield from self._unknown_keys(path, where, instance, list(schema.get("properties", {})))
        elif validator == "required" and isinstance(instance, dict):
            required = error.validator_value if isinstance(error.validator_value, list) else []
            for missing in required:
                if missing not in instance:
                    yield self.document.problem(
                        path, f"missing required key '{missing}' in {where}", at_key=bool(path)
                    )
        elif "propertyNames" in error.schema_path and isinstance(instance, str):
            yield self.document.problem(
                (*path, instance),
                f"invalid name '{instance}' in {where}: use letters, digits and '_' "
                "(check names may also use '.' and '-'), starting with a letter or digit",
                at_key=True,
            )
        elif validator in ("minProperties", "minLength", "minItems") and not instance:
            yield self.document.problem(path, f"{where} must not be empty")
        elif validator in ("minProperties", "maxProperties") and schema.get("properties"):
            options = ", ".join(schema["properties"])
            yield self.document.problem(path, f"{where} takes exactly one of: {options}")
        elif validator in ("const", "enum"):
            yield self._choice_problem(path, where, instance, schema, validator)
        elif validator in ("minimum", "maximum"):
            bound = "at least" if validator == "minimum" else "at most"
            yield self.document.problem(
                path, f"{where} must be {bound} {error.validator_value}, not {instance}"
            )
        elif validator == "type":
            yield self._type_problem(path, where, instance, _expected_types(schema))
        elif validator == "pattern":
            yield self._pattern_problem(path, where, instance, schema)
        elif validator in _COMBINATORS:
            yield from self._combinator(error, path, where, schema)
        else:
            yield self.document.problem(path, f"{where}: {error.message}")

    def _combinator(
        self, error: ValidationError, path: KeyPath, where: str, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        if keys := _alternative_keys(error.validator_value):
            listed = ", ".join(repr(key) for key in keys)
            yield self.document.problem(
                path, f"missing required key in {where}: one of {listed}", at_key=bool(path)
            )
            return
        if fitting := _only_fitting_branch(error.context or ()):
            for found in fitting:
                yield from self.translate(found)
            return
        best = best_match(error.context or (), key=_relevance)
        if best is not None and not (best.validator == "type" and not best.relative_path):
            yield from self.translate(best)
        else:
            yield self._type_problem(path, where, error.instance, _expected_types(schema))

    def _unknown_keys(
        self, path: KeyPath, where: str, instance: dict[str, Any], known: list[str]
    ) -> Iterator[Problem]:
        for key in instance:
            if key not in known:
                yield self.document.problem(
                    (*path, key),
                    f"unknown key '{key}' in {where}{suggestion_suffix(key, known)}",
                    at_key=True,
                    hint=f"allowed keys: {', '.join(known)}" if known else None,
                )

    def _choice_problem(
        self, path: KeyPath, where: str, instance: Any, schema: dict[str, Any], validator: str
    ) -> Problem:
        allowed = [schema["const"]] if validator == "const" else list(schema["enum"])
        shown = " or ".join(json.dumps(a) for a in allowed)
        suffix = ""
        if isinstance(instance, str) and instance not in {str(a) for a in allowed}:
            suffix = suggestion_suffix(instance, [str(a) for a in allowed])
        return self.document.problem(
            path, f"{where} must be {shown}, not {json.dumps(instance)}{suffix}"
        )

    def _type_problem(
        self, path: KeyPath, where: str, instance: Any, expected: list[str]
    ) -> Problem:
        wanted = " or ".join(dict.fromkeys(expected)) or "another type"
        hint = None
        message = f"{where} must be {wanted}, not {kind_of(instance)}"
        if (
            "a string" in expected
            and isinstance(instance, int | float)
            and not isinstance(instance, bool)
        ):
            source = self.document.source_text(path) or str(instance)
            message = (
                f"{where} must be a string, but YAML reads {source} as a number; "
                f"quote it: '{source}'"
            )
            hint = "YAML turns unquoted digits into numbers; quote IDs and other text"
        elif "a string" in expected and isinstance(instance, bool):
            source = self.document.source_text(path) or str(instance)
            message = f"{where} must be a string, but YAML reads {source} as true/false; quote it"
        return self.document.problem(path, message, hint=hint)

    def _pattern_problem(
        self, path: KeyPath, where: str, instance: Any, schema: dict[str, Any]
    ) -> Problem:
        text = str(instance)
        pattern = schema.get("pattern", "")
        explain = self.patterns.get(pattern)
        if explain is not None:
            return self.document.problem(path, f"{where} {explain(text)}")
        return self.document.problem(
            path, f"{where} does not match the pattern {pattern}: '{text}'"
        )


def validate_document(
    document: LocatedDocument, model: type[BaseModel], patterns: PatternMessages
) -> list[Problem]:
    """Every schema problem in the document, located and translated, each once."""
    translator = SchemaProblems(document, patterns)
    errors = list(_validator(model).iter_errors(document.data))
    # "must be 1" already says what "must be an integer" would: keep the more precise one.
    precise = {tuple(e.absolute_path) for e in errors if e.validator in ("const", "enum")}
    problems: dict[Problem, None] = {}
    for error in errors:
        if error.validator == "type" and tuple(error.absolute_path) in precise:
            continue
        problems.update(dict.fromkeys(translator.translate(error)))
    return list(problems)
