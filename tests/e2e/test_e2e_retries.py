"""Retrying failed runs within a budget: only runs from --runs files, under the same deadline;
a pass after a retry is flaky (reported, never blocking, never a plain pass)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    AUTH,
    PROJECT,
    Emulated,
    Start,
    run_cli,
    waiting_gate,
    world_data,
    write_manifest,
)

P_MINE, R_MINE = "5" * 32, "6" * 32
P_WATCHED, R_WATCHED = "7" * 32, "8" * 32
FAILS = {"status": "FAILED", "stages": {"Test": "FAILED"}}


def _world(retry_timeline: list[dict[str, Any]] | None) -> dict[str, Any]:
    data = world_data()
    run: dict[str, Any] = {"run": {**FAILS}}
    if retry_timeline is not None:
        run["run"]["retry_timeline"] = retry_timeline
    pipelines = data["projects"][PROJECT]["pipelines"]
    pipelines[P_MINE] = {"name": "e2e", "runs": {R_MINE: run}}
    pipelines[P_WATCHED] = {"name": "watched", "runs": {R_WATCHED: {"run": {**FAILS}}}}
    return data


def _retries(server: Emulated) -> list[str]:
    return [r.path.split("/")[-2] for r in server.requests if r.path.endswith("/retry")]


def _gate(
    tmp_path: Path, retries: int, *extra: str, server: Emulated
) -> tuple[Any, dict[str, Any]]:
    runs = tmp_path / "runs.json"
    runs.write_text(json.dumps({"result": [{"pipeline_id": P_MINE, "pipeline_run_id": R_MINE}]}))
    manifest = write_manifest(
        tmp_path,
        {
            "mine": {"pipeline_id": P_MINE},
            "watched": {"pipeline_id": P_WATCHED, "pipeline_run_id": R_WATCHED},
        },
        defaults={"expect": {"run": {"status": "COMPLETED", "retries": retries}}},
    )
    report = tmp_path / "gate.json"
    run = run_cli(
        [
            *waiting_gate(manifest, server.url, runs),
            f"--report=json={report}",
            f"--report=junit={tmp_path / 'g.xml'}",
            *extra,
        ],
        AUTH,
    )
    results = {r["name"]: r for r in json.loads(report.read_text())["results"]}
    return run, results


def test_a_run_that_passes_on_retry_is_flaky_and_the_watched_run_is_never_retried(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator(_world([{"status": "RUNNING", "polls": 1}, {"status": "COMPLETED"}]))
    run, results = _gate(tmp_path, 2, server=server)
    assert _retries(server) == [R_MINE]
    assert results["mine"]["outcome"] == "flaky"
    assert results["mine"]["attempts"][0]["status"] == "FAILED"
    assert "after 1 retry" in results["mine"]["message"]
    assert results["watched"]["outcome"] == "fail"  # named in the manifest: only watched
    assert run.exit_code == 1  # the watched run failed; the flaky one does not block
    assert "FLKY  mine" in run.stdout and "1 flaky" in run.stdout
    junit = (tmp_path / "g.xml").read_text()
    assert '<flakyFailure type="flaky" message="attempt 1: FAILED' in junit


def test_a_run_that_fails_every_attempt_fails_listing_them(tmp_path: Path, emulator: Start) -> None:
    server = emulator(_world(None))  # every attempt fails the same way
    run, results = _gate(tmp_path, 2, server=server)
    assert _retries(server) == [R_MINE, R_MINE]
    assert results["mine"]["outcome"] == "fail"
    assert len(results["mine"]["attempts"]) == 2
    assert "after 2 retries" in results["mine"]["message"]
    assert run.exit_code == 1


@pytest.mark.parametrize("flag", ["0", "1"])
def test_the_command_line_overrides_the_budget(tmp_path: Path, emulator: Start, flag: str) -> None:
    server = emulator(_world(None))
    _gate(tmp_path, 3, "--retry-failed", flag, server=server)
    assert len(_retries(server)) == int(flag)


def test_a_retry_that_cannot_be_sent_is_a_fail_saying_so(tmp_path: Path, emulator: Start) -> None:
    data = _world([{"status": "COMPLETED"}])
    data["faults"] = [{"api": "retry", "status": 500}]
    server = emulator(data)
    _, results = _gate(tmp_path, 2, server=server)
    assert _retries(server) == [R_MINE]  # never sent twice: it may have reached the service
    assert results["mine"]["outcome"] == "fail"
    assert "a retry could not be sent" in results["mine"]["message"]
