"""checker start with parameters (RunPipeline) against the emulator: a tag, variables and
chosen stages per pipeline; what the pipeline does not have refused before anything starts;
a start that resumes; queued runs understood."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    AUTH,
    P_BANNED,
    P_BUILD,
    P_TESTS,
    PROJECT,
    REPO,
    Emulated,
    Start,
    run_cli,
    waiting_gate,
    world_data,
    write_manifest,
)

from checker.emulator.pipelines import stage_id

RELEASE = {
    "pipeline_id": P_BUILD,
    "start": {
        "tag": "v${var.VERSION}",
        "variables": {"VERSION": "${var.VERSION}", "API_KEY": "${var.KEY}"},
        "stages": ["Build", "Sign"],
        "description": "Release ${var.VERSION}",
    },
}
VARIABLES = {
    "VERSION": {"default": "1.4.2"},
    "KEY": {"default": "k3y-very-secret-1", "secret": True},
}
RUN_DEFAULTS = {"expect": {"run": {"status": "COMPLETED"}}}


def _world(**overrides: Any) -> dict[str, Any]:
    data = world_data(**overrides)
    build = data["projects"][PROJECT]["pipelines"][P_BUILD]
    build["variables"] = [
        {"name": "VERSION"},
        {"name": "API_KEY"},
        {"name": "REGION", "runtime": False},
    ]
    build["stages"] = ["Build", "Sign", "Publish"]
    return data


def _runs(server: Emulated) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.requests if r.path.endswith("/run")]


def _start(manifest: Path, server: Emulated, *extra: str) -> Any:
    return run_cli(
        ["start", str(manifest), "--endpoint", server.url, "--auto-approve", *extra], AUTH
    )


def _gate(manifest: Path, server: Emulated, runs: Path) -> Any:
    """``check --runs`` on what start wrote, waiting (polls 10 ms apart)."""
    return run_cli(waiting_gate(manifest, server.url, runs), AUTH)


def test_a_release_starts_at_its_tag_with_variables_and_chosen_stages(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator(_world())
    manifest = write_manifest(tmp_path, {"release": RELEASE}, variables=VARIABLES)
    run = _start(manifest, server, "--out", str(tmp_path / "runs.json"))
    assert run.exit_code == 0, run.output
    assert "+ run pipeline " + P_BUILD in run.stderr
    assert "at tag v1.4.2, VERSION=1.4.2, API_KEY=********, stages Build, Sign" in run.stderr
    assert "k3y-very-secret-1" not in run.output
    (body,) = _runs(server)
    (source,) = body["sources"]
    assert source["params"]["git_url"] == "https://codehub.example/demo/app.git"
    assert source["params"]["build_params"] == {
        "build_type": "tag",
        "tag": "v1.4.2",
        "event_type": "Manual",
    }
    assert body["variables"] == [
        {"name": "VERSION", "value": "1.4.2"},
        {"name": "API_KEY", "value": "k3y-very-secret-1"},
    ]
    assert body["choose_stages"] == [stage_id(P_BUILD, "Build"), stage_id(P_BUILD, "Sign")]
    assert body["description"] == "Release 1.4.2"
    runs = json.loads((tmp_path / "runs.json").read_text())["result"]
    assert [r["pipeline_id"] for r in runs] == [P_BUILD]


@pytest.mark.parametrize(
    ("start", "said"),
    [
        (
            {"stages": ["Build", "Deploy"]},
            'no stage named "Deploy" (its stages: "Build", "Sign", "Publish")',
        ),
        ({"variables": {"REGION": "eu"}}, "does not let be set at start the variable 'REGION'"),
        (
            {"variables": {"NOPE": "x"}},
            "has no variable 'NOPE' (settable at start: API_KEY, VERSION)",
        ),
        ({"tag": "v1", "repository": "other"}, "has no source 'other'"),
    ],
)
def test_what_the_pipeline_does_not_have_stops_everything_before_starting(
    tmp_path: Path, emulator: Start, start: dict[str, Any], said: str
) -> None:
    server = emulator(_world())
    manifest = write_manifest(
        tmp_path,
        {"release": {"pipeline_id": P_BUILD, "start": start}, "tests": {"pipeline_id": P_TESTS}},
    )
    run = _start(manifest, server)
    assert run.exit_code == 2, run.output
    assert said in run.stderr and "nothing was started" in run.stderr
    assert not any(r.path.endswith(("/run", "/batch-runs")) for r in server.requests)


def test_two_sources_need_a_repository(tmp_path: Path, emulator: Start) -> None:
    data = _world()
    data["projects"][PROJECT]["pipelines"][P_BUILD]["sources"] = [
        {"alias": "frontend", "git_url": "https://codehub.example/f.git"},
        {"alias": "backend", "git_url": "https://codehub.example/b.git"},
    ]
    server = emulator(data)
    manifest = write_manifest(
        tmp_path, {"release": {"pipeline_id": P_BUILD, "start": {"branch": "main"}}}
    )
    run = _start(manifest, server)
    assert run.exit_code == 2
    assert "2 sources (frontend, backend): say which with start.repository" in run.stderr
    chosen = {"pipeline_id": P_BUILD, "start": {"branch": "main", "repository": "backend"}}
    run = _start(write_manifest(tmp_path, {"release": chosen}), server)
    assert run.exit_code == 0, run.output
    (body,) = _runs(server)
    assert body["sources"][0]["params"]["alias"] == "backend"
    assert body["sources"][0]["params"]["build_params"]["target_branch"] == "main"


def test_one_pipeline_started_two_ways_is_a_located_error(tmp_path: Path) -> None:
    manifest = write_manifest(
        tmp_path,
        {
            "release": {"pipeline_id": P_BUILD, "start": {"tag": "v1"}},
            "release-again": {"pipeline_id": P_BUILD, "start": {"tag": "v2"}},
        },
    )
    run = run_cli(["start", str(manifest), "--auto-approve"], AUTH)
    assert run.exit_code == 2
    assert f"{manifest}:" in run.stderr
    assert "starts pipeline " + P_BUILD + " differently from check 'release'" in run.stderr


def test_a_second_start_resumes_and_starts_nothing_twice(tmp_path: Path, emulator: Start) -> None:
    server = emulator(_world())
    manifest = write_manifest(
        tmp_path, {"release": RELEASE, "tests": {"pipeline_id": P_TESTS}}, variables=VARIABLES
    )
    out = tmp_path / "runs.json"
    assert _start(manifest, server, "--out", str(out)).exit_code == 0
    first = json.loads(out.read_text())
    again = _start(manifest, server, "--out", str(out))
    assert again.exit_code == 0, again.output
    assert f"Already started: 2 (from {out})" in again.stderr
    assert "nothing to start" in again.stderr
    assert json.loads(out.read_text()) == first
    assert len(_runs(server)) == 1
    assert sum(r.path.endswith("/batch-runs") for r in server.requests) == 1


def test_a_start_stopped_half_way_and_run_again_starts_only_the_rest(
    tmp_path: Path, emulator: Start
) -> None:
    slow_run = {
        "api": "run",
        "status": 200,
        "body": {"pipeline_run_id": "e" * 32},
        "delay_seconds": 10,
    }
    server = emulator(_world(faults=[slow_run]))
    manifest = write_manifest(
        tmp_path, {"tests": {"pipeline_id": P_TESTS}, "release": RELEASE}, variables=VARIABLES
    )
    out = tmp_path / "runs.json"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "checker",
            "start",
            str(manifest),
            "--endpoint",
            server.url,
            "--auto-approve",
            "--concurrency",
            "1",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **AUTH},
        cwd=REPO,
    )
    deadline = time.monotonic() + 15
    while not any(r.path.endswith("/run") for r in server.requests) and time.monotonic() < deadline:
        if child.poll() is not None:
            break
        time.sleep(0.02)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=15)
    assert child.returncode == 143, stderr
    assert [r["pipeline_id"] for r in json.loads(out.read_text())["result"]] == [P_TESTS]
    server.requests.clear()
    again = _start(manifest, server, "--out", str(out))
    assert again.exit_code == 0, again.output
    assert not any(r.path.endswith("/batch-runs") for r in server.requests)
    assert len(_runs(server)) == 1
    pipelines = {r["pipeline_id"] for r in json.loads(out.read_text())["result"]}
    assert pipelines == {P_TESTS, P_BUILD}


def test_a_queued_run_is_started_and_the_gate_waits_for_it(tmp_path: Path, emulator: Start) -> None:
    server = emulator(_world(queue_after=0))
    manifest = write_manifest(
        tmp_path, {"release": RELEASE}, variables=VARIABLES, defaults=RUN_DEFAULTS
    )
    out = tmp_path / "runs.json"
    run = _start(manifest, server, "--out", str(out))
    assert run.exit_code == 0, run.output
    assert "started 1 of 1 pipeline (1 queued at a concurrency limit)" in run.stderr
    check = _gate(manifest, server, out)
    assert check.exit_code == 0, check.output
    assert "queued" in check.stderr  # the progress said so while it waited


def test_a_run_that_timed_out_in_the_queue_fails_naming_the_queue(
    tmp_path: Path, emulator: Start
) -> None:
    data = _world()
    data["projects"][PROJECT]["pipelines"][P_TESTS]["started_runs"] = {"status": "QUEUED_TIME_OUT"}
    server = emulator(data)
    manifest = write_manifest(tmp_path, {"tests": {"pipeline_id": P_TESTS}}, defaults=RUN_DEFAULTS)
    out = tmp_path / "runs.json"
    assert _start(manifest, server, "--out", str(out)).exit_code == 0
    check = _gate(manifest, server, out)
    assert check.exit_code == 1, check.output
    assert "observed QUEUED_TIME_OUT (it waited too long in the pipeline's queue" in check.stdout


def _lists(server: Emulated) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.requests if r.path.endswith("/pipelines/list")]


def test_pipelines_named_by_name_are_found_once_per_project(
    tmp_path: Path, emulator: Start
) -> None:
    data = _world()
    pipelines = data["projects"][PROJECT]["pipelines"]
    for number in range(150):  # two pages of ListPipelines
        pipelines[f"{number:032x}"] = {"name": f"Filler {number}"}
    server = emulator(data)
    manifest = write_manifest(
        tmp_path,
        {
            "release": {"pipeline": "Release build", "start": {"tag": "v1"}},
            "tests": {"pipeline": "Integration tests"},
            "tests-again": {"pipeline": "Integration tests"},
        },
        defaults=RUN_DEFAULTS,
    )
    out = tmp_path / "runs.json"
    run = _start(manifest, server, "--out", str(out))
    assert run.exit_code == 0, run.output
    assert [body["offset"] for body in _lists(server)] == [0, 100]
    assert f"+ run pipeline {P_BUILD}  (checks: release)" in run.stderr
    assert f"+ pipeline {P_TESTS}  (checks: tests, tests-again)" in run.stderr
    started = {r["pipeline_id"] for r in json.loads(out.read_text())["result"]}
    assert started == {P_BUILD, P_TESTS}
    check = _gate(manifest, server, out)
    assert check.exit_code == 0, check.output


def test_a_name_that_matches_no_pipeline_or_several_is_a_located_error(
    tmp_path: Path, emulator: Start
) -> None:
    data = _world()
    data["projects"][PROJECT]["pipelines"]["ab" * 16] = {"name": "Integration tests"}
    server = emulator(data)
    manifest = write_manifest(
        tmp_path,
        {"typo": {"pipeline": "Release biuld"}, "twice": {"pipeline": "Integration tests"}},
    )
    run = _start(manifest, server)
    assert run.exit_code == 2, run.output
    assert f"{manifest}:" in run.stderr
    assert "no pipeline is named 'Release biuld' in project" in run.stderr
    assert "close: 'Release build'" in run.stderr
    assert f"2 pipelines are named 'Integration tests' ({P_TESTS}, {'ab' * 16})" in run.stderr
    assert not any(r.path.endswith(("/run", "/batch-runs")) for r in server.requests)
    offline = run_cli(["validate", str(manifest)])
    assert offline.exit_code == 0, offline.output  # validate checks the syntax and sends nothing


def test_a_check_names_its_pipeline_exactly_once(tmp_path: Path) -> None:
    both = write_manifest(tmp_path, {"both": {"pipeline": "Release build", "pipeline_id": P_BUILD}})
    run = run_cli(["validate", str(both)])
    assert run.exit_code == 2
    assert "checks.both: a check names its pipeline with exactly one of pipeline_id" in run.stderr
    none = write_manifest(tmp_path, {"none": {"description": "which pipeline?"}})
    run = run_cli(["validate", str(none)])
    assert run.exit_code == 2
    assert "missing required key in checks.none: one of 'pipeline_id', 'pipeline'" in run.stderr


def test_a_pipeline_listed_as_banned_is_named_before_anything_starts(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator(_world())
    manifest = write_manifest(
        tmp_path,
        {"scan": {"pipeline": "Nightly security scan"}, "tests": {"pipeline": "Integration tests"}},
    )
    run = _start(manifest, server)
    assert run.exit_code == 0, run.output
    warning = f"warning: pipeline {P_BANNED} (check scan) is banned (ListPipelines)"
    assert warning in run.stderr
    assert run.stderr.index(warning) < run.stderr.index("Start: 2 pipelines")
