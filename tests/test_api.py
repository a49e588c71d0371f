"""checker as a library: the same gate as the CLI, as values — no printing, no exiting, no
environment unless given one."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import P_BANNED, P_BUILD, R_BANNED, R_BUILD, TOKEN, Start, write_manifest

from checker import api
from checker.environment import Environment
from checker.errors import ExitCode, ManifestError

CHECKS = {
    "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
    "scan": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED},
}


def test_load_and_plan_need_no_network(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, CHECKS)
    loaded = api.load([manifest])
    assert loaded.ok and [c.name for c in loaded.checks] == ["build", "scan"]
    assert api.plan([manifest]).request_count == 1
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nchecks: {}\n")
    assert not api.load([broken]).ok
    with pytest.raises(ManifestError):
        api.plan([broken])


def test_check_returns_the_verdict_and_prints_nothing(
    tmp_path: Path, emulator: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    server = emulator()
    env = Environment.from_mapping({"CHECKER_AUTH_TOKEN": TOKEN})
    result = api.check([write_manifest(tmp_path, CHECKS)], endpoint=server.url, environment=env)
    assert result.exit_code == ExitCode.FAILED
    assert {c.name: c.outcome for c in result.checks} == {"build": "pass", "scan": "fail"}
    assert "<testsuites" in result.render("junit")
    assert TOKEN not in result.render("json")
    assert capsys.readouterr() == ("", "")
