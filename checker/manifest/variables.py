"""Terraform-style variables: ``${var.NAME}``, ``${env.NAME}``, and where their values come from.

Precedence, lowest to highest: the declaration's ``default``; the environment variable
``CHECKER_VAR_<NAME>``; ``--var-file`` files in order; ``--var NAME=VALUE`` in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.diagnostics.documents import read_document
from checker.diagnostics.located_yaml import LocatedDocument
from checker.diagnostics.problem import KeyPath, Location, Position, Problem, format_path
from checker.environment import CREDENTIAL_VARIABLES, VARIABLE_PREFIX, Environment
from checker.manifest.models import VARIABLE_NAME_PATTERN

UNSET_PLACEHOLDER = "0" * 32

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)(\}?)")
_REFERENCE = re.compile(r"^(var|env)\.([A-Za-z_][A-Za-z0-9_]*)$")


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
    problems: list[Problem] = []
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
        values[name] = value
        command_line[name] = index
    return (
        VariableInputs(values, command_line, var_file_names),
        problems,
    )


def _read_var_file(path: Path) -> tuple[dict[str, tuple[str, Position]], list[Problem]]:
    document, problems = read_document(path, "var file")
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
            source = document.source_text.get(path_key, repr(value))
            problems.append(
                document.problem(
                    path_key,
                    f"variable '{name}' must be a string, not {source!s}; quote it",
                )
            )
        else:
            found[name] = (value, document.key_position(path_key))
    return found, problems


@dataclass(frozen=True)
class Substitution:
    """Interpolated data, where each substituted value's first reference was, what could not
    be resolved, and the problems found."""

    data: Any
    reference_positions: Mapping[KeyPath, Position]
    unresolved_paths: frozenset[KeyPath] = frozenset()
    problems: tuple[Problem, ...] = ()


def substitute(
    document: LocatedDocument,
    declared: Mapping[str, str | None],
    inputs: VariableInputs,
    environment: Environment,
    *,
    allow_unset: bool = False,
) -> Substitution:
    """Every ``${…}`` in the document's strings replaced, except under ``variables:``."""
    return _Interpolator(document, declared, inputs, environment, allow_unset).run()


class _Interpolator:
    """One pass over one document; its state lives only for that pass."""

    def __init__(
        self,
        document: LocatedDocument,
        declared: Mapping[str, str | None],
        inputs: VariableInputs,
        environment: Environment,
        allow_unset: bool,
    ) -> None:
        self.document = document
        self.allow_unset = allow_unset
        self.unresolved: set[KeyPath] = set()
        self.declared = declared
        self.inputs = inputs
        self.environment = environment
        self.problems: list[Problem] = []
        self.positions: dict[KeyPath, Position] = {}

    def run(self, skip: tuple[str, ...] = ("variables",)) -> Substitution:
        data = self._walk(self.document.data, (), skip)
        return Substitution(
            data, dict(self.positions), frozenset(self.unresolved), tuple(self.problems)
        )

    def _walk(self, value: Any, path: KeyPath, skip: tuple[str, ...]) -> Any:
        if isinstance(value, dict):
            return {
                key: item if (not path and key in skip) else self._walk(item, (*path, key), skip)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._walk(item, (*path, index), skip) for index, item in enumerate(value)]
        if isinstance(value, str) and "$" in value:
            return self._substitute(value, path)
        return value

    def _reference_position(self, path: KeyPath, offset: int) -> Position:
        start = self.document.position(path)
        style = self.document.scalar_styles.get(path)
        source = self.document.source_text.get(path, "")
        if "\n" in source or style not in (None, "'", '"'):
            return start
        return Position(start.line, start.column + offset + (1 if style else 0))

    def _substitute(self, text: str, path: KeyPath) -> str:
        pieces: list[str] = []
        last = 0
        for match in _TOKEN.finditer(text):
            pieces.append(text[last : match.start()])
            last = match.end()
            if match.group(0) == "$${":
                pieces.append("${")
                continue
            where = self._reference_position(path, match.start())
            self.positions.setdefault(path, where)
            inner, closed = match.group(1), match.group(2)
            if not closed:
                self._error(
                    where,
                    path,
                    f"unterminated reference '${{{inner}' in {format_path(path)}",
                    "close it with '}', or write '$${' for a literal '${'",
                )
                pieces.append(match.group(0))
                self.unresolved.add(path)
                continue
            value = self._resolve(inner, path, where)
            if value is None:
                # Reported already; a stand-in shaped like an ID lets the rest be checked.
                self.unresolved.add(path)
                value = UNSET_PLACEHOLDER
            pieces.append(value)
        pieces.append(text[last:])
        return "".join(pieces)

    def _resolve(self, inner: str, path: KeyPath, where: Position) -> str | None:
        reference = _REFERENCE.match(inner.strip())
        if not reference:
            self._error(
                where,
                path,
                f"invalid reference '${{{inner}}}' in {format_path(path)}",
                "use ${var.NAME} or ${env.NAME}; write '$${' for a literal '${'",
            )
            return None
        kind, name = reference.groups()
        if kind == "env":
            return self._environment_value(name, path, where)
        return self._variable_value(name, path, where)

    def _environment_value(self, name: str, path: KeyPath, where: Position) -> str | None:
        if name in CREDENTIAL_VARIABLES:
            self._error(
                where,
                path,
                f"${{env.{name}}} is a credential; a manifest may not read it",
                "manifests are changed in pull requests: a reference could leak the secret "
                "into reports and logs",
            )
            return None
        if name not in self.environment.readable:
            self._error(
                where,
                path,
                f"environment variable '{name}' is not set (referenced by ${{env.{name}}})",
                f"export {name} before running checker",
            )
            return None
        return self.environment.readable[name]

    def _variable_value(self, name: str, path: KeyPath, where: Position) -> str | None:
        if name not in self.declared:
            declared = ", ".join(sorted(self.declared)) or "none"
            self._error(
                where,
                path,
                f"undeclared variable '{name}' in {format_path(path)}",
                f"declare it under 'variables:' (declared: {declared})",
            )
            return None
        given = self.inputs.values.get(name)
        if given is not None:
            return given
        default = self.declared[name]
        if default is not None:
            return default
        if self.allow_unset:
            return None
        self._error(
            where,
            path,
            f"variable '{name}' has no value",
            f"give it with --var {name}=VALUE, a --var-file, the environment variable "
            f"{VARIABLE_PREFIX}{name}, or a default",
        )
        return None

    def _error(self, where: Position, path: KeyPath, message: str, hint: str | None = None) -> None:
        self.problems.append(
            Problem.at(Location.of(self.document.file, where), message, path=path, hint=hint)
        )
