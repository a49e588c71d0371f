"""Resolved checks: a reason pattern is compiled once, when the manifest loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import P_BUILD, R_BUILD, evaluate, make_check, manifest_data, write_yaml

from checker.gate.answers import Observation
from checker.gate.checks import CheckSpec, Expectation
from checker.manifest.load import LoadOptions, load_checks


def test_reason_pattern_is_compiled_at_load_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = write_yaml(
        tmp_path / "gate.yaml",
        manifest_data(
            {
                f"check-{index}": {
                    "pipeline_id": P_BUILD,
                    "pipeline_run_id": R_BUILD,
                    "expect": {
                        "status": "START_FAILED",
                        "reason": {"matches": "^Current .*banned"},
                    },
                }
                for index in range(3)
            }
        ),
    )
    loaded = load_checks([manifest], LoadOptions())
    assert loaded.ok, loaded.problems

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pattern was compiled during evaluation")

    monkeypatch.setattr(re, "compile", no_compiling)
    monkeypatch.setattr(re, "search", no_compiling)
    seen = Observation(
        pipeline_id=P_BUILD,
        pipeline_run_id=R_BUILD,
        status="START_FAILED",
        reason="Current pipeline is banned.",
    )
    assert [evaluate(check, [seen]).outcome for check in loaded.checks] == ["pass"] * 3


def test_loaded_checks_share_one_fields_set_that_a_copy_does_not_touch(tmp_path: Path) -> None:
    """Loaded checks share pydantic's fields-set (memory at 100,000 checks); that is safe only
    while every field is given and a copy gets a set of its own before it changes it."""
    checks = {f"check-{i}": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD} for i in range(2)}
    loaded = load_checks([write_yaml(tmp_path / "gate.yaml", manifest_data(checks))], LoadOptions())
    first, second = loaded.checks
    assert first.model_fields_set == set(type(first).model_fields)
    assert first.model_fields_set is second.model_fields_set
    copy = first.model_copy(update={"severity": "warning"})
    assert copy.model_fields_set is not first.model_fields_set
    assert (copy.severity, first.severity, second.severity) == ("warning", "error", "error")
    assert second.model_fields_set == set(type(first).model_fields)


def test_a_reason_pattern_is_compiled_by_re2_once_per_check_and_never_by_re(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading compiles each ``matches`` once to check the raw document and once to build
    the rule (which keeps it): no Python ``re`` on the happy path (it only words errors)."""
    import re2

    calls: list[str] = []
    real = re2.compile

    def counting(pattern: str, *args: object, **kwargs: object) -> object:
        calls.append(pattern)
        return real(pattern, *args, **kwargs)

    def no_re(*args: object, **kwargs: object) -> None:
        raise AssertionError("Python's re compiled a valid pattern")

    monkeypatch.setattr(re2, "compile", counting)
    monkeypatch.setattr(re, "compile", no_re)
    checks = {
        "one": {
            "pipeline_id": P_BUILD,
            "pipeline_run_id": R_BUILD,
            "expect": {"status": "START_FAILED", "reason": {"matches": "^Current .*banned"}},
        }
    }
    loaded = load_checks([write_yaml(tmp_path / "gate.yaml", manifest_data(checks))], LoadOptions())
    assert loaded.ok, loaded.problems
    assert calls == ["^Current .*banned"] * 2  # was five compiles (re and re2, twice, then re2)


def test_a_prevalidated_check_is_the_validated_check() -> None:
    """The loader's fast construction stores what validation would: equal, hashable, and
    copied with changes like any model."""
    from checker.gate.types import prevalidated

    validated = make_check(expect=Expectation(statuses=("START_FAILED",)))
    values = {name: getattr(validated, name) for name in type(validated).model_fields}
    fast = prevalidated(CheckSpec, set(values), values)
    assert fast == validated and hash(fast) == hash(validated)
    assert fast.model_dump() == validated.model_dump()
    assert fast.model_copy(update={"name": "other"}).name == "other"
    assert fast.model_fields_set == set(CheckSpec.model_fields)  # every field given
