"""One valid manifest → its resolved checks, the wait settings it asks for, its problems."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from checker.diagnostics.located import LocatedDocument
from checker.diagnostics.problem import KeyPath, Location, Problem
from checker.gate.checks import TERMINAL_RUN_STATUSES, CheckSpec, Expectation
from checker.gate.durations import parse_duration
from checker.gate.run_parameters import RefKind, RunParameters
from checker.gate.types import prevalidated
from checker.manifest import models
from checker.manifest.expect_models import Wait
from checker.manifest.expectations import merged_expectation, resolve_expectation
from checker.manifest.resolve import (
    Inputs,
    Locator,
    resolve_endpoint,
    resolve_pipeline,
    resolve_project,
    resolve_run_id,
)
from checker.manifest.start_models import StartBlock


@dataclass(frozen=True)
class WaitDefaults:
    """The manifests' ``wait:`` values, in seconds: the longest timeout and the shortest poll
    interval any of them asks for (the command line wins over both)."""

    timeout: float | None = None
    poll_interval: float | None = None
    stop_unfinished: bool = False
    """Any manifest asking for it is enough."""

    def merged(self, other: WaitDefaults) -> WaitDefaults:
        return WaitDefaults(
            _pick(max, self.timeout, other.timeout),
            _pick(min, self.poll_interval, other.poll_interval),
            self.stop_unfinished or other.stop_unfinished,
        )


def _pick(
    choose: Callable[[float, float], float], a: float | None, b: float | None
) -> float | None:
    if a is None or b is None:
        return a if b is None else b
    return choose(a, b)


@dataclass(frozen=True)
class FileResult:
    checks: tuple[CheckSpec, ...] = ()
    definitions: dict[str, Location] = field(default_factory=dict)
    declared: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    wait: WaitDefaults = field(default_factory=WaitDefaults)
    secrets: tuple[str, ...] = ()


def wait_defaults(wait: Wait | None) -> WaitDefaults:
    if wait is None:
        return WaitDefaults()
    return WaitDefaults(
        parse_duration(wait.timeout) if wait.timeout is not None else None,
        parse_duration(wait.poll_interval) if wait.poll_interval is not None else None,
        bool(wait.stop_unfinished),
    )


def provider_alone(data: Any, inputs: Inputs, locator: Locator) -> list[Problem]:
    """Endpoint problems, even when other parts of the manifest are broken."""
    block = data.get("provider") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        return []
    try:
        provider = models.Provider.model_validate(block)
    except ValidationError:
        return []  # its schema problems are already reported
    return resolve_endpoint(provider, inputs, locator)[1]


def resolve_checks(
    manifest: models.Manifest, document: LocatedDocument, inputs: Inputs, locator: Locator
) -> FileResult:
    endpoint, problems = resolve_endpoint(manifest.provider, inputs, locator)
    defaults = manifest.defaults or models.Defaults()
    terminal: tuple[str, ...] = TERMINAL_RUN_STATUSES
    if manifest.wait is not None and manifest.wait.terminal_statuses:
        terminal = tuple(dict.fromkeys(manifest.wait.terminal_statuses))
    default_expect = Expectation()
    if defaults.expect:
        default_expect, found = resolve_expectation(
            defaults.expect, ("defaults", "expect"), locator, terminal
        )
        problems += found
    provider = manifest.provider
    region = provider.region if provider else None
    iam_project = provider.iam_project_id if provider else None
    checks: list[CheckSpec] = []
    definitions: dict[str, Location] = {}
    for name, check in manifest.checks.items():
        path: KeyPath = ("checks", name)
        definitions[name] = locator.origin(path)
        expect = default_expect
        if check.expect:
            own, found = resolve_expectation(check.expect, (*path, "expect"), locator, terminal)
            expect = merged_expectation(default_expect, check.expect, own)
            problems += found
        if inputs.only and not any(fnmatch.fnmatchcase(name, p) for p in inputs.only):
            continue
        project_id, found = resolve_project(manifest, check, path, inputs, locator)
        problems += found
        group = (endpoint, project_id) if endpoint and project_id else None
        pipeline_id, found = resolve_pipeline(check, path, group, inputs, locator)
        problems += found
        if pipeline_id is None:
            continue
        run_id, found = resolve_run_id(check, pipeline_id, path, inputs, locator)
        problems += found
        if group is not None and run_id is not None:
            where = _Where(
                document.file, definitions[name], *group, pipeline_id, run_id, region, iam_project
            )
            checks.append(_spec(name, check, where, expect, defaults))
    return FileResult(tuple(checks), definitions, problems=tuple(problems))


_SPEC_FIELDS = set(CheckSpec.model_fields)


@dataclass(frozen=True)
class _Where:
    manifest: str
    origin: Location
    endpoint: str
    project_id: str
    pipeline_id: str
    run_id: str
    region: str | None
    iam_project_id: str | None


def _spec(
    name: str,
    check: models.Check,
    where: _Where,
    expect: Expectation,
    defaults: models.Defaults,
) -> CheckSpec:
    # Every value here was validated already (the manifest model, the resolvers): built
    # without validating again, and every field given, so all share one fields-set instead of
    # a set of fifteen names each (75 MB fewer at 100,000 checks).
    values = {
        "name": name,
        "description": check.description,
        "manifest": where.manifest,
        "origin": where.origin,
        "endpoint": where.endpoint,
        "project_id": where.project_id,
        "pipeline_id": where.pipeline_id,
        "pipeline_run_id": where.run_id,
        "expect": expect,
        "severity": check.severity or defaults.severity or "error",
        "region": where.region,
        "iam_project_id": where.iam_project_id,
        "pipeline_name": check.pipeline,
        "run_from_runs_file": check.pipeline_run_id is None,
        "start": run_parameters(check.start) if check.start is not None else None,
    }
    return prevalidated(CheckSpec, _SPEC_FIELDS, values)


def run_parameters(block: StartBlock) -> RunParameters:
    ref_kind: RefKind | None = next(
        (kind for kind in ("branch", "tag", "commit") if getattr(block, kind) is not None), None
    )
    return RunParameters(
        ref_kind=ref_kind,
        ref=getattr(block, ref_kind) if ref_kind else None,
        repository=block.repository,
        variables=tuple((block.variables or {}).items()),
        stages=tuple(block.stages or ()),
        description=block.description,
    )
