"""One command's session, as a user in a long-lived process sees it: logging set up and taken
away again, errors that name the right consequence."""

from __future__ import annotations

import logging
from pathlib import Path

from helpers import (
    P_BUILD,
    R_BUILD,
    TOKEN,
    Start,
    manifest_data,
    run_cli,
    write_yaml,
)


def test_debug_logs_each_line_once_in_every_run_of_one_process(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    manifest = write_yaml(
        tmp_path / "gate.yaml",
        manifest_data({"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}),
    )
    args = ["check", str(manifest), "--endpoint", server.url, "--debug"]
    handlers_before = list(logging.getLogger("checker").handlers)
    first = run_cli(args, {"CHECKER_AUTH_TOKEN": TOKEN})
    second = run_cli(args, {"CHECKER_AUTH_TOKEN": TOKEN})
    debug_lines = [
        [line for line in run.stderr.splitlines() if line.startswith("debug:")]
        for run in (first, second)
    ]
    assert first.exit_code == second.exit_code == 0
    assert len(debug_lines[0]) == len(debug_lines[1]) >= 1
    assert logging.getLogger("checker").handlers == handlers_before


def test_a_broken_world_file_says_the_emulator_did_not_start(tmp_path: Path) -> None:
    world = tmp_path / "world.yaml"
    world.write_text("version: 2\n")
    run = run_cli(["emulator", str(world), "--port", "0"])
    assert run.exit_code == 2
    assert "world.yaml:1:10: error: version must be 1, not 2" in run.stderr
    assert "the emulator did not start" in run.stderr
    assert "nothing was queried" not in run.stderr
