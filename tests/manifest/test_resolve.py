"""The pure resolution steps, one at a time: each returns a value, or None and the problems
that say why."""

from __future__ import annotations

from helpers import P_BUILD, R_BUILD, R_TESTS

from checker.diagnostics.located_yaml import load_located
from checker.diagnostics.problem import Location
from checker.environment import Environment
from checker.manifest import models
from checker.manifest.inputs import VariableInputs
from checker.manifest.resolve import Inputs, Locator, resolve_endpoint, resolve_run_id
from checker.manifest.runs import RunsIndex, SavedRun

TEXT = "provider:\n  region: cn-north-4\nchecks:\n  build:\n    pipeline_id: x\n"


def _inputs(runs: RunsIndex | None = None, **changes: object) -> Inputs:
    values: dict[str, object] = {
        "environment": Environment(),
        "variables": VariableInputs(),
        "runs": runs or RunsIndex({}),
        "runs_given": runs is not None,
        "endpoint_override": None,
        "project_id": None,
        "only": (),
        "allowed_env": frozenset(),
        "allow_unset": False,
    }
    values.update(changes)
    return Inputs(**values)  # type: ignore[arg-type]


def _locator() -> Locator:
    document, _ = load_located(TEXT, "gate.yaml")
    return Locator(document, {})


def test_run_id_from_the_one_saved_start() -> None:
    runs = RunsIndex({P_BUILD: (SavedRun(R_BUILD, Location("runs.json", 1, 12)),)})
    check = models.Check(pipeline_id=P_BUILD)
    assert resolve_run_id(check, P_BUILD, ("checks", "build"), _inputs(runs), _locator()) == (
        R_BUILD,
        [],
    )


def test_run_id_started_twice_names_both_places() -> None:
    runs = RunsIndex(
        {
            P_BUILD: (
                SavedRun(R_BUILD, Location("a.json", 1, 12)),
                SavedRun(R_TESTS, Location("b.json", 1, 12)),
            )
        }
    )
    check = models.Check(pipeline_id=P_BUILD)
    value, problems = resolve_run_id(check, P_BUILD, ("checks", "build"), _inputs(runs), _locator())
    assert value is None
    assert [(p.line, p.column) for p in problems] == [(4, 3)]
    assert "a.json:1:12, b.json:1:12" in problems[0].message


def test_endpoint_override_wins_and_region_resolves() -> None:
    provider = models.Provider(region="cn-north-4")
    assert resolve_endpoint(provider, _inputs(), _locator()) == (
        "https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com",
        [],
    )
    override = _inputs(endpoint_override="http://127.0.0.1:9")
    assert resolve_endpoint(provider, override, _locator()) == ("http://127.0.0.1:9", [])


def test_no_endpoint_is_located_at_the_provider() -> None:
    value, problems = resolve_endpoint(models.Provider(), _inputs(), _locator())
    assert value is None
    assert (problems[0].line, problems[0].message.split(":")[0]) == (2, "no endpoint")
