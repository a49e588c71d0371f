"""What one ``${var.NAME}`` or ``${env.NAME}`` stands for, or why it stands for nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from checker.environment import CREDENTIAL_VARIABLES, VARIABLE_PREFIX, Environment
from checker.manifest.inputs import VariableInputs

_REFERENCE = re.compile(r"(var|env)\.([A-Za-z_][A-Za-z0-9_]*)")

Refusal = tuple[str, str]
"""A message and a hint."""


@dataclass(frozen=True)
class Scope:
    """What references in one manifest may see."""

    declared: Mapping[str, str | None]
    inputs: VariableInputs
    environment: Environment
    allowed_env: frozenset[str] = frozenset()
    allow_unset: bool = False


def lookup(scope: Scope, inner: str, where: str) -> tuple[str | None, Refusal | None]:
    """The value of the reference ``${inner}`` found at ``where`` (a key path).

    No value and no refusal means a variable left unset on purpose (``--allow-unset``).
    """
    reference = _REFERENCE.fullmatch(inner.strip())
    if not reference:
        return None, (
            f"invalid reference '${{{inner}}}' in {where}",
            "use ${var.NAME} or ${env.NAME}; write '$${' for a literal '${'",
        )
    kind, name = reference.groups()
    if kind == "env":
        return _environment_value(scope, name)
    return _variable_value(scope, name, where)


def _environment_value(scope: Scope, name: str) -> tuple[str | None, Refusal | None]:
    if name in CREDENTIAL_VARIABLES:
        return None, (
            f"${{env.{name}}} is a credential; a manifest may not read it",
            "manifests are changed in pull requests: a reference could leak the secret "
            "into reports and logs",
        )
    if not (name.startswith(VARIABLE_PREFIX) or name in scope.allowed_env):
        return None, (
            f"${{env.{name}}} is not allowed: a manifest reads only CHECKER_VAR_* variables "
            "and the ones the command line allows",
            f"pass --allow-env {name} if this variable holds nothing secret",
        )
    if name not in scope.environment.readable:
        return None, (
            f"environment variable '{name}' is not set (referenced by ${{env.{name}}})",
            f"export {name} before running checker",
        )
    return scope.environment.readable[name], None


def _variable_value(scope: Scope, name: str, where: str) -> tuple[str | None, Refusal | None]:
    if name not in scope.declared:
        declared = ", ".join(sorted(scope.declared)) or "none"
        return None, (
            f"undeclared variable '{name}' in {where}",
            f"declare it under 'variables:' (declared: {declared})",
        )
    given = scope.inputs.values.get(name)
    if given is not None:
        return given, None
    default = scope.declared[name]
    if default is not None or scope.allow_unset:
        return default, None
    return None, (
        f"variable '{name}' has no value",
        f"give it with --var {name}=VALUE, a --var-file, the environment variable "
        f"{VARIABLE_PREFIX}{name}, or a default",
    )
