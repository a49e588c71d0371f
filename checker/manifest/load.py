"""Manifests in, resolved checks out: parse, validate, substitute, apply defaults, locate runs.

Nothing here touches the network. Every problem found is collected and returned, so that a
user sees all of them in one run, each at ``FILE:LINE:COL``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.codearts.endpoints import EndpointRefused, normalise
from checker.diagnostics.documents import build_model, read_document
from checker.diagnostics.located import LocatedDocument
from checker.diagnostics.problem import (
    Location,
    Problem,
    format_path,
    has_errors,
)
from checker.diagnostics.wording import counted
from checker.environment import Environment
from checker.gate.answers import StartedRun
from checker.gate.checks import CheckSpec
from checker.gate.run_parameters import Listings
from checker.manifest import models
from checker.manifest.build import (
    FileResult,
    WaitDefaults,
    provider_alone,
    resolve_checks,
    wait_defaults,
)
from checker.manifest.inputs import collect_inputs, undeclared_inputs
from checker.manifest.references import Scope
from checker.manifest.resolve import (
    TO_START,
    Inputs,
    Locator,
    declared_variables,
    regex_problems,
)
from checker.manifest.runs import read_runs_files
from checker.manifest.variables import Substitution, substitute


@dataclass(frozen=True)
class LoadOptions:
    """Everything from outside the manifests that shapes the resolved checks."""

    var_assignments: tuple[str, ...] = ()
    var_files: tuple[Path, ...] = ()
    runs_files: tuple[Path, ...] = ()
    only: tuple[str, ...] = ()
    endpoint_override: str | None = None
    project_id: str | None = None
    allowed_env: frozenset[str] = frozenset()
    """Environment variables besides ``CHECKER_VAR_*`` that ``${env.NAME}`` may read."""
    allow_unset: bool = False
    """Accept variables without values and checks without run IDs (pre-commit, before CI)."""
    for_start: bool = False
    """For ``checker start``: checks without a run ID are the ones to start."""
    listings: Listings | None = None
    """ListPipelines' answers, for checks that name pipelines by name (None: not asked)."""


@dataclass(frozen=True)
class LoadResult:
    """The resolved checks, in manifest order, and every problem found on the way.

    Invariant: when there is no error, there is at least one check.
    """

    checks: tuple[CheckSpec, ...]
    problems: tuple[Problem, ...]
    wait: WaitDefaults = field(default_factory=WaitDefaults)
    saved_runs: tuple[StartedRun, ...] = ()
    """Every run the ``--runs`` files hold, in order: what ``start`` keeps when it resumes."""
    secrets: tuple[str, ...] = ()
    """Values of variables declared ``secret: true``: masked and redacted everywhere."""
    banned: frozenset[str] = frozenset()
    """Pipelines ListPipelines lists as banned (only those named by name were listed)."""

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Loading a large manifest builds millions of objects and no reference cycles; the
    cyclic collector would rescan the growing heap again and again (8 of 12 s at 100,000
    checks). Pause it, then freeze what was built, so later collections skip it."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.freeze()


def load_checks(
    paths: Sequence[Path], options: LoadOptions, environment: Environment | None = None
) -> LoadResult:
    """Resolve every check of every manifest, or say precisely what is wrong."""
    with _collection_paused():
        return _load_checks(paths, options, environment or Environment())


def _load_checks(
    paths: Sequence[Path], options: LoadOptions, environment: Environment
) -> LoadResult:
    inputs, problems = _inputs(options, environment)
    files = [_load_file(path, inputs) for path in paths]
    checks = [check for loaded in files for check in loaded.checks]
    definitions: dict[str, Location] = {}
    for loaded in files:
        problems += loaded.problems
        problems += _redefinitions(loaded.definitions, definitions)
    if options.for_start:
        problems += _start_conflicts(checks)
    declared = frozenset().union(*(loaded.declared for loaded in files))
    problems += undeclared_inputs(inputs.variables, declared)
    if not has_errors(problems) and not checks:
        problems.append(_nothing_selected(options.only, definitions))
    wait = WaitDefaults()
    for loaded in files:
        wait = wait.merged(loaded.wait)
    secrets = tuple(dict.fromkeys(value for loaded in files for value in loaded.secrets))
    return LoadResult(tuple(checks), tuple(problems), wait, inputs.runs.runs, secrets)


def _inputs(options: LoadOptions, environment: Environment) -> tuple[Inputs, list[Problem]]:
    variables, problems = collect_inputs(environment, options.var_files, options.var_assignments)
    runs, runs_problems = read_runs_files(options.runs_files)
    problems += runs_problems
    override = None
    raw = options.endpoint_override or environment.endpoint
    if raw:
        try:
            override = normalise(raw)
        except EndpointRefused as refused:
            problems.append(Problem.on_command_line(f"--endpoint: {refused}", hint=refused.hint))
    inputs = Inputs(
        environment=environment,
        variables=variables,
        runs=runs,
        runs_given=bool(options.runs_files),
        endpoint_override=override,
        project_id=options.project_id,
        only=options.only,
        allowed_env=options.allowed_env,
        allow_unset=options.allow_unset,
        for_start=options.for_start,
        listings=options.listings,
    )
    return inputs, problems


def _start_conflicts(checks: Sequence[CheckSpec]) -> Iterable[Problem]:
    """A pipeline is started once: checks of it that say differently how are an error."""
    first: dict[tuple[str, str, str], CheckSpec] = {}
    for check in checks:
        if check.pipeline_run_id != TO_START:
            continue
        key = (check.endpoint, check.project_id, check.pipeline_id)
        earlier = first.setdefault(key, check)
        if earlier is not check and earlier.start != check.start:
            yield Problem.at(
                check.origin,
                f"check '{check.name}' starts pipeline {check.pipeline_id} differently from "
                f"check '{earlier.name}' ({earlier.origin}); a pipeline is started once",
                path=("checks", check.name, "start"),
                hint="give every check of one pipeline the same start: block, or one check only",
            )


def _redefinitions(
    definitions: dict[str, Location], first: dict[str, Location]
) -> Iterable[Problem]:
    """A name defined in an earlier manifest too; records this file's names in ``first``."""
    for name, origin in definitions.items():
        earlier = first.setdefault(name, origin)
        if earlier is not origin:
            yield Problem.at(
                origin,
                f"check '{name}' is defined twice: first at {earlier}",
                path=("checks", name),
                hint="check names must be unique across all manifests of one run",
            )


def _nothing_selected(only: tuple[str, ...], definitions: dict[str, Location]) -> Problem:
    if only and definitions:
        return Problem.on_command_line(
            f"--only {' '.join(only)} selects none of the {counted(len(definitions), 'check')}",
            hint="names: " + ", ".join(list(definitions)[:20]),
        )
    return Problem.on_command_line("no checks to run")


def _has_null(data: Any) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if value is None:
            return True
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _build(
    document: LocatedDocument, substituted: Substitution
) -> tuple[models.Manifest | None, list[Problem]]:
    return build_model(
        document,
        models.Manifest,
        models.MANIFEST_PATTERNS,
        substituted.data,
        substituted.reference_positions,
    )


def _not_a_mapping(document: LocatedDocument) -> Problem:
    return document.problem(
        (),
        "the manifest is empty"
        if document.data is None
        else "a manifest must be a mapping with version, provider and checks",
        hint="start from examples/release-gate.yaml",
    )


def _load_file(path: Path, inputs: Inputs) -> FileResult:
    """One manifest file from text to checks."""
    document, problems = read_document(path, "manifest")
    if document is None:
        return FileResult(problems=tuple(problems))
    if not isinstance(document.data, dict):
        return FileResult(problems=(*problems, _not_a_mapping(document)))
    broken_yaml = has_errors(problems)
    declared = declared_variables(document.data)
    scope = Scope(
        declared, inputs.variables, inputs.environment, inputs.allowed_env, inputs.allow_unset
    )
    substituted = substitute(document, scope)
    problems += substituted.problems
    locator = Locator(document, substituted.reference_positions)
    problems += regex_problems(substituted.data, locator)
    built: tuple[models.Manifest | None, list[Problem]] | None = None
    if not (
        broken_yaml
        or has_errors(substituted.problems)
        or (document.may_hold_null and _has_null(document.data))
    ):
        # The happy path validates once: the model is as strict as the schema, except that
        # it reads an empty value as "not given" where the schema refuses it.
        built = _build(document, substituted)
    if built is None or built[0] is None:
        # Something is wrong: the schema explains it with located, readable messages.
        from checker.diagnostics.schema import validate_document

        schema_problems = validate_document(document, models.Manifest, models.MANIFEST_PATTERNS)
        problems += schema_problems
        if broken_yaml or has_errors(schema_problems):
            problems += provider_alone(substituted.data, inputs, locator)
            return FileResult(declared=frozenset(declared), problems=tuple(problems))
        built = built or _build(document, substituted)
    manifest, build_problems = built
    unresolved = {format_path(p) for p in substituted.unresolved_paths}
    problems += [p for p in build_problems if p.path not in unresolved]
    if manifest is None:
        return FileResult(declared=frozenset(declared), problems=tuple(problems))
    resolved = resolve_checks(manifest, document, inputs, locator)
    return FileResult(
        resolved.checks,
        resolved.definitions,
        frozenset(declared),
        (*problems, *resolved.problems),
        wait_defaults(manifest.wait),
        _secret_values(manifest, inputs),
    )


def _secret_values(manifest: models.Manifest, inputs: Inputs) -> tuple[str, ...]:
    given = inputs.variables.values
    found = (
        given.get(name, variable.default)
        for name, variable in (manifest.variables or {}).items()
        if variable.secret
    )
    return tuple(value for value in found if value)
