"""Manifests in, resolved checks out: parse, validate, substitute, apply defaults, locate runs.

Nothing here touches the network. Every problem found is collected and returned, so that a
user sees all of them in one run, each at ``FILE:LINE:COL``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker.checks import (
    KNOWN_STATUSES,
    CheckSpec,
    ExpectedRun,
    Origin,
    ReasonRule,
)
from checker.diagnostics import (
    KeyPath,
    Position,
    Problem,
    did_you_mean,
    format_path,
    has_errors,
    suggestion_suffix,
)
from checker.documents import build_model, read_document
from checker.endpoints import (
    EndpointPolicy,
    EndpointRefused,
    check_manifest_endpoint,
    normalise,
    region_endpoint,
)
from checker.located_yaml import LocatedDocument
from checker.models import Check, Defaults, Expectation, Manifest, Provider
from checker.schema import validate_document
from checker.start_answers import RunsIndex, read_runs_files
from checker.variables import (
    COMMAND_LINE,
    UNSET_PLACEHOLDER,
    Interpolator,
    VariableInputs,
    collect_inputs,
)

PROJECT_ID_VARIABLE = "HUAWEICLOUD_SDK_PROJECT_ID"
ENDPOINT_VARIABLE = "CHECKER_ENDPOINT"


@dataclass(frozen=True)
class LoadOptions:
    """Everything from outside the manifests that shapes the resolved checks."""

    var_assignments: tuple[str, ...] = ()
    var_files: tuple[Path, ...] = ()
    runs_files: tuple[Path, ...] = ()
    only: tuple[str, ...] = ()
    endpoint_override: str | None = None
    project_id: str | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    allow_unset: bool = False
    """Accept variables without values and checks without run IDs (pre-commit, before CI)."""


@dataclass(frozen=True)
class LoadResult:
    """The resolved checks, in manifest order, and every problem found on the way."""

    checks: tuple[CheckSpec, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


@dataclass
class _Context:
    options: LoadOptions
    inputs: VariableInputs
    runs: RunsIndex
    policy: EndpointPolicy
    endpoint_override: str | None
    problems: list[Problem] = field(default_factory=list)


def load_checks(paths: Sequence[Path], options: LoadOptions) -> LoadResult:
    """Resolve every check of every manifest, or say precisely what is wrong."""
    problems: list[Problem] = []
    inputs, input_problems = collect_inputs(
        options.environ, options.var_files, options.var_assignments
    )
    problems += input_problems
    runs, runs_problems = read_runs_files(options.runs_files)
    problems += runs_problems
    endpoint_override = _endpoint_override(options, problems)
    context = _Context(
        options, inputs, runs, EndpointPolicy.from_environ(options.environ), endpoint_override
    )

    checks: list[CheckSpec] = []
    first_definition: dict[str, Origin] = {}
    declared_anywhere: set[str] = set()
    for path in paths:
        loaded = _ManifestFile(path, context)
        checks += loaded.resolve()
        declared_anywhere |= loaded.declared_names
        for name, origin in loaded.definitions.items():
            first = first_definition.setdefault(name, origin)
            if first is not origin:
                context.problems.append(
                    Problem(
                        origin.file,
                        origin.line,
                        origin.column,
                        "error",
                        f"check '{name}' is defined twice: first at {first}",
                        f"checks.{name}",
                        "check names must be unique across all manifests of one run",
                    )
                )
    problems += context.problems
    problems += _undeclared_inputs(inputs, declared_anywhere)
    if options.only and first_definition and not checks and not has_errors(problems):
        problems.append(
            Problem(
                COMMAND_LINE,
                1,
                1,
                "error",
                f"--only {' '.join(options.only)} selects none of the "
                f"{len(first_definition)} check(s)",
                hint="names: " + ", ".join(list(first_definition)[:20]),
            )
        )
    return LoadResult(tuple(checks), tuple(problems))


def _endpoint_override(options: LoadOptions, problems: list[Problem]) -> str | None:
    raw = options.endpoint_override or options.environ.get(ENDPOINT_VARIABLE)
    if not raw:
        return None
    try:
        return normalise(raw)
    except EndpointRefused as refused:
        problems.append(
            Problem(COMMAND_LINE, 1, 1, "error", f"--endpoint: {refused}", hint=refused.hint)
        )
        return None


def _undeclared_inputs(inputs: VariableInputs, declared: set[str]) -> list[Problem]:
    problems = []
    for name, index in sorted(inputs.command_line_names.items()):
        if name in declared:
            continue
        problems.append(
            Problem(
                COMMAND_LINE,
                1,
                index,
                "error",
                f"--var {name}: no manifest declares a variable '{name}'"
                + suggestion_suffix(name, declared),
                hint="declare it under 'variables:' or drop the --var",
            )
        )
    for name, (file, where) in sorted(inputs.var_file_names.items()):
        if name not in declared and name not in inputs.command_line_names:
            problems.append(
                Problem(
                    file,
                    where.line,
                    where.column,
                    "warning",
                    f"variable '{name}' is not declared by any manifest; ignored"
                    + suggestion_suffix(name, declared),
                    name,
                )
            )
    return problems


class _ManifestFile:
    """One manifest file on its way from text to checks."""

    def __init__(self, path: Path, context: _Context) -> None:
        self.path = path
        self.context = context
        self.declared_names: set[str] = set()
        self.definitions: dict[str, Origin] = {}
        self.document: LocatedDocument | None = None
        self.reference_positions: Mapping[KeyPath, Position] = {}

    def resolve(self) -> list[CheckSpec]:
        problems = self.context.problems
        document, found = read_document(self.path, "manifest")
        problems += found
        if document is None:
            return []
        self.document = document
        if not isinstance(document.data, dict):
            problems.append(
                document.problem(
                    (),
                    "the manifest is empty"
                    if document.data is None
                    else "a manifest must be a mapping with version, provider and checks",
                    hint="start from examples/release-gate.yaml",
                )
            )
            return []
        schema_problems = validate_document(document, Manifest)
        problems += schema_problems
        declared = self._declared_variables(document.data)
        self.declared_names = set(declared)
        interpolator = Interpolator(
            document,
            declared,
            self.context.inputs,
            self.context.options.environ,
            allow_unset=self.context.options.allow_unset,
        )
        substituted = interpolator.run()
        problems += interpolator.problems
        self.reference_positions = substituted.reference_positions
        self._check_regexes(substituted.data)
        if has_errors(schema_problems) or has_errors(found):
            self._check_provider_alone(substituted.data)
            return []
        manifest, build_problems = build_model(
            document, Manifest, substituted.data, substituted.reference_positions
        )
        unresolved = {format_path(path) for path in substituted.unresolved_paths}
        problems += [p for p in build_problems if p.path not in unresolved]
        if manifest is None:
            return []
        return self._checks(manifest)

    @staticmethod
    def _declared_variables(data: dict[str, Any]) -> dict[str, str | None]:
        block = data.get("variables")
        if not isinstance(block, dict):
            return {}
        declared: dict[str, str | None] = {}
        for name, spec in block.items():
            default = spec.get("default") if isinstance(spec, dict) else None
            declared[name] = default if isinstance(default, str) else None
        return declared

    def _problem(
        self,
        path: KeyPath,
        message: str,
        *,
        level: str = "error",
        hint: str | None = None,
        at_key: bool = False,
    ) -> None:
        assert self.document is not None
        where = self.reference_positions.get(path)
        self.context.problems.append(
            self.document.problem(
                path, message, level=level, hint=hint, at_key=at_key, position=where
            )
        )

    def _checks(self, manifest: Manifest) -> list[CheckSpec]:
        assert self.document is not None
        endpoint = self._endpoint(manifest.provider)
        defaults = manifest.defaults or Defaults()
        default_expect = (
            self._expectation(defaults.expect, ("defaults", "expect")) if defaults.expect else None
        )
        only = self.context.options.only
        resolved = []
        for name, check in manifest.checks.items():
            path: KeyPath = ("checks", name)
            key = self.document.key_position(path)
            origin = Origin(file=str(self.path), line=key.line, column=key.column)
            self.definitions[name] = origin
            expect = (
                self._expectation(check.expect, (*path, "expect"))
                if check.expect
                else default_expect
            )
            if only and not any(fnmatch.fnmatchcase(name, pattern) for pattern in only):
                continue
            project_id = self._project(manifest, check, path)
            run_id = self._run_id(name, check, path)
            if endpoint is None or project_id is None or run_id is None:
                continue
            resolved.append(
                CheckSpec(
                    name=name,
                    description=check.description,
                    manifest=str(self.path),
                    origin=origin,
                    endpoint=endpoint,
                    project_id=project_id,
                    pipeline_id=check.pipeline_id,
                    pipeline_run_id=run_id,
                    expect=expect or ExpectedRun(),
                    severity=check.severity or defaults.severity or "error",
                )
            )
        return resolved

    def _check_regexes(self, data: Any) -> None:
        """Compile every ``reason.matches`` now, so a bad regex is found wherever it is."""
        expects: list[tuple[KeyPath, Any]] = []
        if isinstance(data, dict):
            defaults = data.get("defaults")
            if isinstance(defaults, dict):
                expects.append((("defaults", "expect"), defaults.get("expect")))
            checks = data.get("checks")
            if isinstance(checks, dict):
                for name, check in checks.items():
                    if isinstance(check, dict):
                        expects.append((("checks", name, "expect"), check.get("expect")))
        for path, expect in expects:
            reason = expect.get("reason") if isinstance(expect, dict) else None
            pattern = reason.get("matches") if isinstance(reason, dict) else None
            if isinstance(pattern, str) and _regex_error(pattern):
                self._problem(
                    (*path, "reason", "matches"),
                    f"{format_path((*path, 'reason', 'matches'))}: invalid regular "
                    f"expression: {_regex_error(pattern)}",
                    hint="reason.matches takes a Python regular expression (re.search)",
                )

    def _check_provider_alone(self, data: Any) -> None:
        """Report endpoint problems even when other parts of the manifest are broken."""
        block = data.get("provider") if isinstance(data, dict) else None
        try:
            provider = Provider.model_validate(block) if isinstance(block, dict) else None
        except ValidationError:
            return  # its schema problems are already reported
        if provider is not None:
            self._endpoint(provider)

    def _endpoint(self, provider: Provider | None) -> str | None:
        context = self.context
        found: str | None = None
        try:
            if provider and provider.endpoint:
                found = check_manifest_endpoint(provider.endpoint, context.policy)
        except EndpointRefused as refused:
            self._problem(("provider", "endpoint"), str(refused), hint=refused.hint)
        try:
            if provider and provider.region and not (provider and provider.endpoint):
                found = region_endpoint(provider.region, context.options.environ)
        except EndpointRefused as refused:
            self._problem(("provider", "region"), str(refused), hint=refused.hint)
        if provider and provider.region and provider.endpoint:
            self._problem(
                ("provider", "endpoint"),
                "provider sets both region and endpoint; keep one",
                hint="endpoint replaces region",
            )
            return None
        if context.endpoint_override:
            return context.endpoint_override
        if found is None and not (provider and (provider.endpoint or provider.region)):
            self._problem(
                ("provider",) if provider else (),
                "no endpoint: set provider.region or provider.endpoint",
                hint="or pass --endpoint / CHECKER_ENDPOINT for the whole run",
            )
        return found

    def _project(self, manifest: Manifest, check: Check, path: KeyPath) -> str | None:
        options = self.context.options
        project = (
            check.project_id
            or (manifest.defaults.project_id if manifest.defaults else None)
            or (manifest.provider.project_id if manifest.provider else None)
            or options.project_id
            or options.environ.get(PROJECT_ID_VARIABLE)
        )
        if project is None:
            self._problem(
                path,
                f"check '{path[-1]}' has no project",
                hint="set provider.project_id (or the check's project_id), pass --project-id, "
                f"or set {PROJECT_ID_VARIABLE}",
                at_key=True,
            )
            return None
        if not re.fullmatch(r"[A-Za-z0-9]{32}", project):
            self._problem(
                path,
                f"project ID '{project}' for check '{path[-1]}' must be exactly 32 "
                "letters or digits",
                at_key=True,
            )
            return None
        return project

    def _run_id(self, name: str, check: Check, path: KeyPath) -> str | None:
        if check.pipeline_run_id:
            return check.pipeline_run_id
        sources = self.context.runs.lookup(check.pipeline_id)
        if len(sources) == 1:
            return sources[0].run_id
        if not sources and self.context.options.allow_unset:
            return UNSET_PLACEHOLDER
        if not sources:
            where = (
                "no --runs file was given"
                if not self.context.options.runs_files
                else "its pipeline is in none of the --runs files"
            )
            self._problem(
                path,
                f"check '{name}' has no pipeline_run_id and {where}",
                hint="write pipeline_run_id in the check (a ${var.NAME} works), or pass "
                "--runs FILE with the saved answer of the batch start API",
                at_key=True,
            )
            return None
        places = ", ".join(str(source) for source in sources)
        self._problem(
            path,
            f"check '{name}': pipeline {check.pipeline_id} was started {len(sources)} times "
            f"in the --runs files ({places}); which run is meant?",
            hint="name the run with pipeline_run_id in the check",
            at_key=True,
        )
        return None

    def _expectation(self, expect: Expectation, path: KeyPath) -> ExpectedRun:
        """The resolved expectation; a bad regex is reported and leaves the rule out."""
        statuses: tuple[str, ...]
        if expect.status is None:
            statuses = ExpectedRun().statuses
        elif isinstance(expect.status, str):
            statuses = (expect.status,)
        else:
            statuses = tuple(dict.fromkeys(expect.status))
        for index, status in enumerate(statuses):
            if status not in KNOWN_STATUSES:
                status_path = (
                    (*path, "status")
                    if isinstance(expect.status, str)
                    else (*path, "status", index)
                )
                self._problem(
                    status_path,
                    f"{status} is not a known status{_status_suggestion(status)}",
                    level="warning",
                    hint="the API's value range is undocumented, so it is accepted; known: "
                    + ", ".join(KNOWN_STATUSES[:2])
                    + " (startup), "
                    + ", ".join(KNOWN_STATUSES[2:9])
                    + " (run)",
                )
        rule = None
        if expect.reason is not None:
            kind, value = next(
                (k, v) for k, v in expect.reason.model_dump().items() if v is not None
            )
            if kind == "matches" and _regex_error(value):
                return ExpectedRun(statuses=statuses, pipeline_name=expect.pipeline_name)
            rule = ReasonRule(kind=kind, value=value)
        return ExpectedRun(statuses=statuses, reason=rule, pipeline_name=expect.pipeline_name)


def _regex_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as error:
        return str(error)
    return None


def _status_suggestion(status: str) -> str:
    match = did_you_mean(status, KNOWN_STATUSES)
    return f"; did you mean {match}?" if match else ""
