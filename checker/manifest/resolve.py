"""Pure resolution steps: one manifest's written values → endpoint, project, run, expectation.

Each function returns ``(value, problems)``; a value is None when its problems say why. Nothing
here reads files or the environment: what comes from outside arrives in :class:`Inputs`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.codearts.endpoints import EndpointRefused, check_manifest_endpoint, region_endpoint
from checker.diagnostics.located import LocatedDocument
from checker.diagnostics.problem import (
    KeyPath,
    Level,
    Location,
    Position,
    Problem,
    format_path,
)
from checker.environment import CODEARTS_PROJECT_VARIABLE, PROJECT_ID_VARIABLE, Environment
from checker.gate.patterns import pattern_error
from checker.gate.run_parameters import Listings
from checker.gate.types import is_id, same_text
from checker.manifest import models
from checker.manifest.inputs import VariableInputs
from checker.manifest.runs import RunsIndex
from checker.manifest.variables import UNSET_PLACEHOLDER

Problems = list[Problem]
TO_START = ""
UNLISTED = ""
"""The pipeline ID of a check that names its pipeline, before ListPipelines was asked."""
"""The run ID of a check whose run ``checker start`` is to start."""


@dataclass(frozen=True)
class Inputs:
    """What every manifest of one run is resolved with."""

    environment: Environment
    variables: VariableInputs
    runs: RunsIndex
    runs_given: bool
    endpoint_override: str | None
    project_id: str | None
    only: tuple[str, ...]
    allowed_env: frozenset[str]
    allow_unset: bool
    for_start: bool = False
    """Resolving for ``checker start``: a check without a run ID is one to start."""
    listings: Listings | None = None
    """The pipelines of the projects whose checks name pipelines by name (ListPipelines);
    None: not listed (``validate``, or a first pass before listing)."""


@dataclass(frozen=True)
class Locator:
    """Places problems in one document; a substituted value's problem goes to its ``${…}``."""

    document: LocatedDocument
    references: Mapping[KeyPath, Position]

    def problem(
        self,
        path: KeyPath,
        message: str,
        *,
        level: Level = "error",
        hint: str | None = None,
        at_key: bool = False,
    ) -> Problem:
        return self.document.problem(
            path,
            message,
            level=level,
            hint=hint,
            at_key=at_key,
            position=self.references.get(path),
        )

    def origin(self, path: KeyPath) -> Location:
        return self.document.location(self.document.key_position(path))


def declared_variables(data: Mapping[str, Any]) -> dict[str, str | None]:
    """Declared variable names and their string defaults, from the raw document."""
    block = data.get("variables")
    if not isinstance(block, dict):
        return {}
    declared: dict[str, str | None] = {}
    for name, spec in block.items():
        default = spec.get("default") if isinstance(spec, dict) else None
        declared[name] = default if isinstance(default, str) else None
    return declared


def _expect_blocks(data: Any) -> list[tuple[KeyPath, Any]]:
    if not isinstance(data, dict):
        return []
    blocks: list[tuple[KeyPath, Any]] = []
    defaults = data.get("defaults")
    if isinstance(defaults, dict):
        blocks.append((("defaults", "expect"), defaults.get("expect")))
    checks = data.get("checks")
    if isinstance(checks, dict):
        for name, check in checks.items():
            if isinstance(check, dict):
                blocks.append((("checks", name, "expect"), check.get("expect")))
    return blocks


def regex_problems(data: Any, locator: Locator) -> Problems:
    """Every invalid ``reason.matches`` in the raw data, wherever it is."""
    problems = []
    for path, expect in _expect_blocks(data):
        reason = expect.get("reason") if isinstance(expect, dict) else None
        pattern = reason.get("matches") if isinstance(reason, dict) else None
        error = pattern_error(pattern) if isinstance(pattern, str) else None
        if error:
            where = (*path, "reason", "matches")
            problems.append(
                locator.problem(
                    where,
                    f"{format_path(where)}: invalid regular expression: {error}",
                    hint="reason.matches takes a regular expression "
                    "(RE2 syntax, searched like re.search)",
                )
            )
    return problems


def _written_endpoint(
    provider: models.Provider, environment: Environment, locator: Locator
) -> tuple[str | None, Problems]:
    try:
        if provider.endpoint:
            return check_manifest_endpoint(provider.endpoint, environment.allowed_hosts), []
        if provider.region:
            return region_endpoint(provider.region, environment), []
    except EndpointRefused as refused:
        key = "endpoint" if provider.endpoint else "region"
        return None, [locator.problem(("provider", key), str(refused), hint=refused.hint)]
    return None, []


def resolve_endpoint(
    provider: models.Provider | None, inputs: Inputs, locator: Locator
) -> tuple[str | None, Problems]:
    """The endpoint of a manifest's checks: ``--endpoint`` wins over the manifest's own."""
    if provider is None or not (provider.endpoint or provider.region):
        if inputs.endpoint_override:
            return inputs.endpoint_override, []
        return None, [
            locator.problem(
                ("provider",) if provider else (),
                "no endpoint: set provider.region or provider.endpoint",
                hint="or pass --endpoint / CHECKER_ENDPOINT for the whole run",
            )
        ]
    found, problems = _written_endpoint(provider, inputs.environment, locator)
    if provider.region and provider.endpoint:
        problems.append(
            locator.problem(
                ("provider", "endpoint"),
                "provider sets both region and endpoint; keep one",
                hint="endpoint replaces region",
            )
        )
        return None, problems
    return inputs.endpoint_override or found, problems


def resolve_project(
    manifest: models.Manifest, check: models.Check, path: KeyPath, inputs: Inputs, locator: Locator
) -> tuple[str | None, Problems]:
    """The check's project, first found: check, defaults, provider, option, environment."""
    project = (
        check.project_id
        or (manifest.defaults.project_id if manifest.defaults else None)
        or (manifest.provider.project_id if manifest.provider else None)
        or inputs.project_id
        or inputs.environment.codearts_project_id
    )
    if project is None and inputs.environment.project_id:
        return None, [
            locator.problem(
                path,
                f"check '{path[-1]}' has no CodeArts project, and {PROJECT_ID_VARIABLE} is "
                "not one: it names the IAM project of the region (sent as X-Project-Id), a "
                "different ID",
                hint="set provider.project_id to the CodeArts project (the ID in the CodeArts "
                f"console URL), pass --project-id, or set {CODEARTS_PROJECT_VARIABLE}; "
                f"{PROJECT_ID_VARIABLE} stays the IAM project",
                at_key=True,
            )
        ]
    if project is None:
        return None, [
            locator.problem(
                path,
                f"check '{path[-1]}' has no CodeArts project",
                hint="set provider.project_id (or the check's project_id), pass --project-id, "
                f"or set {CODEARTS_PROJECT_VARIABLE}",
                at_key=True,
            )
        ]
    if not is_id(project):
        message = (
            f"project ID '{project}' for check '{path[-1]}' must be exactly 32 letters or digits"
        )
        return None, [locator.problem(path, message, at_key=True)]
    return project, []


def resolve_pipeline(
    check: models.Check,
    path: KeyPath,
    where: tuple[str, str] | None,
    inputs: Inputs,
    locator: Locator,
) -> tuple[str | None, Problems]:
    """The pipeline's ID: written, else found by name in the listing of ``where`` (endpoint,
    project); ``""`` while the names are not listed yet."""
    if check.pipeline_id is not None:
        return check.pipeline_id, []
    name = check.pipeline or ""
    listing = (inputs.listings or {}).get(where) if where else None
    if listing is None:
        return UNLISTED, []
    found = [p for p in listing if same_text(p.name, name)]
    if len(found) == 1:
        return found[0].pipeline_id, []
    if found:
        ids = ", ".join(p.pipeline_id for p in found)
        message = f"{len(found)} pipelines are named '{name}' ({ids}); which one is meant?"
        return None, [locator.problem((*path, "pipeline"), message, hint="name it by pipeline_id")]
    close = difflib.get_close_matches(name, [p.name for p in listing], n=3, cutoff=0.6)
    guess = f"; close: {', '.join(repr(c) for c in close)}" if close else ""
    message = f"no pipeline is named '{name}' in project {where[1] if where else ''}{guess}"
    return None, [locator.problem((*path, "pipeline"), message)]


def resolve_run_id(
    check: models.Check, pipeline_id: str, path: KeyPath, inputs: Inputs, locator: Locator
) -> tuple[str | None, Problems]:
    """The run to check: written in the check, else the one ``--runs`` started."""
    name = path[-1]
    if check.pipeline_run_id:
        return check.pipeline_run_id, []
    if pipeline_id == UNLISTED:
        return UNSET_PLACEHOLDER, []  # the name is listed first, then resolved again
    saved = inputs.runs.lookup(pipeline_id)
    if inputs.for_start and not saved:
        return TO_START, []  # a run in a --runs file was started already: never again
    if len(saved) == 1:
        return saved[0].run_id, []
    if not saved and inputs.allow_unset:
        return UNSET_PLACEHOLDER, []
    if not saved:
        where = (
            "its pipeline is in none of the --runs files"
            if inputs.runs_given
            else "no --runs file was given"
        )
        message = f"check '{name}' has no pipeline_run_id and {where}"
        hint = (
            "write pipeline_run_id in the check (a ${var.NAME} works), or pass "
            "--runs FILE with the saved answer of the batch start API"
        )
        return None, [locator.problem(path, message, hint=hint, at_key=True)]
    places = ", ".join(str(run.location) for run in saved)
    message = (
        f"check '{name}': pipeline {pipeline_id} was started {len(saved)} times "
        f"in the --runs files ({places}); which run is meant?"
    )
    hint = "name the run with pipeline_run_id in the check"
    return None, [locator.problem(path, message, hint=hint, at_key=True)]
