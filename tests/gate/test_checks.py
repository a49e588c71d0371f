"""Resolved checks: a reason pattern is compiled once, when the manifest loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import P_BUILD, R_BUILD, evaluate, manifest_data, write_yaml

from checker.gate.answers import Observation
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
