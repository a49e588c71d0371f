"""Stopping what the gate gave up on: only runs from --runs files (started for this gate),
never a run the manifest names; once each, within a grace; and every report says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from helpers import (
    AUTH,
    PROJECT,
    REPO,
    CliRun,
    Emulated,
    Start,
    run_cli,
    waiting_gate,
    world_data,
    write_manifest,
)

P_MINE, R_MINE = "1" * 32, "2" * 32
P_WATCHED, R_WATCHED = "3" * 32, "4" * 32
RUNNING = {"run": {"status": "RUNNING", "stages": {"Build": "RUNNING"}}}


def _world(**overrides: Any) -> dict[str, Any]:
    data = world_data(**overrides)
    pipelines = data["projects"][PROJECT]["pipelines"]
    pipelines[P_MINE] = {"name": "Started here", "runs": {R_MINE: RUNNING}}
    pipelines[P_WATCHED] = {"name": "Only watched", "runs": {R_WATCHED: RUNNING}}
    return data


def _gate(tmp_path: Path) -> tuple[Path, Path]:
    runs = tmp_path / "runs.json"
    runs.write_text(json.dumps({"result": [{"pipeline_id": P_MINE, "pipeline_run_id": R_MINE}]}))
    manifest = write_manifest(
        tmp_path,
        {
            "mine": {"pipeline_id": P_MINE},
            "watched": {"pipeline_id": P_WATCHED, "pipeline_run_id": R_WATCHED},
        },
        defaults={"expect": {"run": {"status": "COMPLETED"}}},
    )
    return manifest, runs


def _wait_past_the_deadline(server: Emulated, manifest: Path, runs: Path, *extra: str) -> CliRun:
    """``check --wait`` with a one-second deadline the running runs cannot meet."""
    return run_cli(
        [
            "check",
            str(manifest),
            "--endpoint",
            server.url,
            "--runs",
            str(runs),
            "--wait",
            "--timeout",
            "1",
            "--poll-interval",
            "0.2",
            *extra,
        ],
        AUTH,
    )


def _stops(server: Emulated) -> list[str]:
    return [r.path.split("/")[-2] for r in server.requests if r.path.endswith("/stop")]


def test_at_the_deadline_only_runs_from_runs_files_are_stopped(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator(_world())
    manifest, runs = _gate(tmp_path)
    report = tmp_path / "gate.json"
    run = _wait_past_the_deadline(
        server, manifest, runs, "--stop-unfinished", f"--report=json={report}"
    )
    assert run.exit_code == 4, run.output  # not finished: not broken
    assert _stops(server) == [R_MINE]  # once, and never the watched run
    results = {r["name"]: r for r in json.loads(report.read_text())["results"]}
    assert "stopped by checker at the deadline" in results["mine"]["message"]
    assert "stopped" not in results["watched"]["message"]
    assert "checker stopped 1 run at the deadline" in run.stderr


def test_without_the_flag_nothing_is_stopped(tmp_path: Path, emulator: Start) -> None:
    server = emulator(_world())
    manifest, runs = _gate(tmp_path)
    run = _wait_past_the_deadline(server, manifest, runs)
    assert run.exit_code == 4
    assert _stops(server) == []


def test_the_manifest_can_ask_for_it(tmp_path: Path, emulator: Start) -> None:
    server = emulator(_world())
    manifest, runs = _gate(tmp_path)
    text = manifest.read_text() + "wait:\n  stop_unfinished: true\n"
    manifest.write_text(text)
    run = _wait_past_the_deadline(server, manifest, runs)
    assert run.exit_code == 4, run.output
    assert _stops(server) == [R_MINE]


def test_sigterm_stops_first_then_writes_the_reports(tmp_path: Path, emulator: Start) -> None:
    server = emulator(_world())
    manifest, runs = _gate(tmp_path)
    report = tmp_path / "gate.xml"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "checker",
            *waiting_gate(manifest, server.url, runs, "0.2"),
            "--stop-unfinished",
            "--report",
            f"junit={report}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **AUTH},
        cwd=REPO,
    )
    deadline = time.monotonic() + 10
    while sum("/detail" in r.path or "/status" in r.path for r in server.requests) < 2:
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.02)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=20)
    assert child.returncode == 143, stderr
    assert _stops(server) == [R_MINE]
    assert "stopped by checker on SIGTERM" in report.read_text()


def test_a_stop_that_hangs_is_bounded_by_the_grace(tmp_path: Path, emulator: Start) -> None:
    hang = {"api": "stop", "status": 200, "body": {"success": True}, "delay_seconds": 30}
    server = emulator(_world(faults=[hang]))
    manifest, runs = _gate(tmp_path)
    started = time.monotonic()
    run = _wait_past_the_deadline(
        server, manifest, runs, "--stop-unfinished", "--stop-grace", "1", "--retries", "0"
    )
    assert time.monotonic() - started < 10
    assert run.exit_code == 4, run.output  # a failed stop never changes the verdict
    assert "checker could not stop it at the deadline" in run.stdout
