"""Variable values from outside the manifests: ``CHECKER_VAR_<NAME>``, ``--var-file`` files in
order, ``--var NAME=VALUE`` in order (later wins), and the names no manifest declares."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from checker.diagnostics.documents import read_document
from checker.diagnostics.problem import (
    KeyPath,
    Location,
    Position,
    Problem,
    kind_of,
    suggestion_suffix,
)
from checker.environment import VARIABLE_PREFIX, Environment
from checker.manifest.models import VARIABLE_NAME_PATTERN

MAX_VAR_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class VariableInputs:
    """Values given from outside the manifest, before precedence against defaults."""

    values: Mapping[str, str] = field(default_factory=dict)
    command_line_names: Mapping[str, int] = field(default_factory=dict)
    var_file_names: Mapping[str, tuple[str, Position]] = field(default_factory=dict)


def parse_assignment(text: str) -> tuple[str, str] | None:
    """``NAME=VALUE`` split on the first ``=`` only; None when there is no ``=`` or no name."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        return None
    return name, value


def collect_inputs(
    environment: Environment,
    var_files: Iterable[Path],
    assignments: Iterable[str],
) -> tuple[VariableInputs, list[Problem]]:
    """Gather values from the environment, var files and ``--var``, later sources winning."""
    problems: list[Problem] = [
        Problem.on_command_line(
            f"{VARIABLE_PREFIX}{name} is not valid UTF-8 text", hint="set it to UTF-8 text"
        )
        for name, value in environment.variables.items()
        if not _text_ok(value)
    ]
    values: dict[str, str] = dict(environment.variables)
    var_file_names: dict[str, tuple[str, Position]] = {}
    for path in var_files:
        file_values, file_problems = _read_var_file(path)
        problems.extend(file_problems)
        for name, (value, position) in file_values.items():
            values[name] = value
            var_file_names[name] = (str(path), position)
    command_line: dict[str, int] = {}
    for index, text in enumerate(assignments, start=1):
        parsed = parse_assignment(text)
        if parsed is None or not re.fullmatch(VARIABLE_NAME_PATTERN, parsed[0]):
            problems.append(
                Problem.on_command_line(
                    f"--var expects NAME=VALUE with a valid name, got '{text.partition('=')[0]}='",
                    column=index,
                )
            )
            continue
        name, value = parsed
        if not _text_ok(value):
            problems.append(
                Problem.on_command_line(f"--var {name}: not valid UTF-8 text", column=index)
            )
            continue
        values[name] = value
        command_line[name] = index
    return (
        VariableInputs(values, command_line, var_file_names),
        problems,
    )


def _text_ok(value: str) -> bool:
    """Whether ``value`` can be written anywhere: bytes that were not UTF-8 reach Python as lone
    surrogates (``surrogateescape``), which no report or terminal can encode."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read_var_file(path: Path) -> tuple[dict[str, tuple[str, Position]], list[Problem]]:
    document, problems = read_document(path, "var file", MAX_VAR_FILE_BYTES)
    if document is None:
        return {}, problems
    if document.data is None:
        return {}, problems
    if not isinstance(document.data, dict):
        return {}, [*problems, document.problem((), "a var file must be a mapping of NAME: value")]
    found: dict[str, tuple[str, Position]] = {}
    for name, value in document.data.items():
        path_key: KeyPath = (name,)
        if not re.fullmatch(VARIABLE_NAME_PATTERN, name):
            problems.append(
                document.problem(path_key, f"invalid variable name '{name}'", at_key=True)
            )
        elif not isinstance(value, str):
            # Name the type, never the value: a var file may be a link to someone's secrets.
            problems.append(
                document.problem(
                    path_key,
                    f"variable '{name}' must be a string, not {kind_of(value)}"
                    + ("; quote it" if isinstance(value, int | float | bool) else ""),
                )
            )
        else:
            found[name] = (value, document.key_position(path_key))
    return found, problems


def undeclared_inputs(inputs: VariableInputs, declared: frozenset[str]) -> list[Problem]:
    problems = []
    for name, index in sorted(inputs.command_line_names.items()):
        if name not in declared:
            problems.append(
                Problem.on_command_line(
                    f"--var {name}: no manifest declares a variable '{name}'"
                    + suggestion_suffix(name, declared),
                    column=index,
                    hint="declare it under 'variables:' or drop the --var",
                )
            )
    for name, (file, where) in sorted(inputs.var_file_names.items()):
        if name not in declared and name not in inputs.command_line_names:
            problems.append(
                Problem.at(
                    Location.of(file, where),
                    f"variable '{name}' is not declared by any manifest; ignored"
                    + suggestion_suffix(name, declared),
                    level="warning",
                    path=(name,),
                )
            )
    return problems
