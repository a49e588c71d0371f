"""checker start against the emulator over loopback: the whole gate from one committed file,
and never a pipeline started by accident or twice."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import (
    AUTH,
    EXAMPLES,
    P_BANNED,
    P_BUILD,
    P_TESTS,
    R_BUILD,
    TOKEN,
    Emulated,
    Start,
    manifest_data,
    run_cli,
    waiting_gate,
    world_data,
    write_manifest,
    write_yaml,
)

from checker.emulator.api import RecordedRequest

UNKNOWN_PIPELINE = "ab" * 16


def _starts(server: Emulated) -> list[RecordedRequest]:
    return [r for r in server.requests if r.path.endswith("/batch-runs")]


RUN_DEFAULTS = {"expect": {"run": {"status": "COMPLETED"}}}


def test_start_then_wait_passes_healthy_runs_and_names_the_banned_one(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {
            "build": {"pipeline_id": P_BUILD},
            "tests": {"pipeline_id": P_TESTS},
            "tests-again": {"pipeline_id": P_TESTS},
            "scan": {"pipeline_id": P_BANNED},
        },
        defaults=RUN_DEFAULTS,
    )
    runs = tmp_path / "runs.json"
    started = run_cli(
        ["start", str(manifest), "--endpoint", server.url, "--out", str(runs), "--auto-approve"],
        AUTH,
    )
    assert started.exit_code == 0, started.output
    assert "Start: 3 pipelines in 1 request." in started.stderr
    assert json.loads(_starts(server)[0].body) == {"pipeline_ids": [P_BUILD, P_TESTS, P_BANNED]}
    saved = json.loads(runs.read_text())["result"]
    assert [run["pipeline_id"] for run in saved] == [P_BUILD, P_TESTS, P_BANNED]
    check = run_cli(
        [
            *waiting_gate(manifest, server.url, runs),
        ],
        AUTH,
    )
    assert check.exit_code == 1, check.output
    lines = check.stdout.splitlines()
    assert any(line.startswith("PASS  build ") for line in lines)
    assert any(line.startswith("PASS  tests ") for line in lines)
    assert "Current pipeline is banned." in next(line for line in lines if "scan" in line)
    assert len(_starts(server)) == 1


def test_without_a_terminal_nothing_starts_without_auto_approve(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    manifest = write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}}, defaults=RUN_DEFAULTS)
    run = run_cli(["start", str(manifest), "--endpoint", server.url], AUTH)
    assert run.exit_code == 2
    assert "nobody can confirm here" in run.stderr and "--auto-approve" in run.stderr
    assert _starts(server) == [] and server.requests == []


def test_a_dropped_connection_after_sending_is_never_retried(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator(world_data(faults=[{"api": "start", "action": "close"}]))
    manifest = write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}}, defaults=RUN_DEFAULTS)
    out = tmp_path / "runs.json"
    run = run_cli(
        ["start", str(manifest), "--endpoint", server.url, "--out", str(out), "--auto-approve"],
        AUTH,
    )
    assert run.exit_code == 3
    assert "unknown — check the console" in run.stderr
    assert f"these pipelines may have started: {P_BUILD}" in run.stderr
    assert len(_starts(server)) == 1
    assert json.loads(out.read_text()) == {"result": []}


GATEWAY_THROTTLED = {
    "error_code": "APIGW.0308",
    "error_msg": "The throttling threshold has been reached",
}


def test_a_5xx_is_ambiguous_but_the_gateways_429_is_retried(
    tmp_path: Path, emulator: Start
) -> None:
    manifest = write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}}, defaults=RUN_DEFAULTS)
    throttled = emulator(
        world_data(
            faults=[
                {
                    "api": "start",
                    "status": 429,
                    "headers": {"Retry-After": "0"},
                    "body": GATEWAY_THROTTLED,
                }
            ]
        )
    )
    run = run_cli(["start", str(manifest), "--endpoint", throttled.url, "--auto-approve"], AUTH)
    assert run.exit_code == 0, run.output
    assert len(_starts(throttled)) == 2
    assert json.loads(run.stdout)["result"][0]["pipeline_id"] == P_BUILD
    broken = emulator(world_data(faults=[{"api": "start", "status": 502}]))
    run = run_cli(["start", str(manifest), "--endpoint", broken.url, "--auto-approve"], AUTH)
    assert run.exit_code == 3 and "unknown — check the console" in run.stderr
    assert len(_starts(broken)) == 1


def test_pipelines_missing_from_the_answer_are_named(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {"build": {"pipeline_id": P_BUILD}, "ghost": {"pipeline_id": UNKNOWN_PIPELINE}},
        defaults=RUN_DEFAULTS,
    )
    run = run_cli(["start", str(manifest), "--endpoint", server.url, "--auto-approve"], AUTH)
    assert run.exit_code == 3
    assert f"pipeline {UNKNOWN_PIPELINE} is not in the answer: not started" in run.stderr
    assert [r["pipeline_id"] for r in json.loads(run.stdout)["result"]] == [P_BUILD]


def test_checks_that_name_their_run_start_nothing(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {
            "existing": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "new": {"pipeline_id": P_TESTS},
        },
        defaults=RUN_DEFAULTS,
    )
    run = run_cli(["start", str(manifest), "--endpoint", server.url, "--auto-approve"], AUTH)
    assert run.exit_code == 0, run.output
    assert "Not started: these checks name an existing run" in run.stderr
    assert f"~ existing: pipeline {P_BUILD} run {R_BUILD}" in run.stderr
    assert json.loads(_starts(server)[0].body) == {"pipeline_ids": [P_TESTS]}


@pytest.mark.slow
def test_the_start_then_wait_example() -> None:
    """The README's two-step demo script, with the CLI on PATH as after `pip install`."""
    scripts = Path(sys.executable).parent
    bash = shutil.which("bash")
    if not (scripts / "checker").exists() or bash is None:
        pytest.skip("needs bash and the installed checker command beside this Python")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = f"{scripts}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        [bash, str(EXAMPLES / "start-then-wait.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PORT": str(port), "PATH": path},
    )
    assert done.returncode == 1, done.stderr
    assert "Start: 3 pipelines in 2 requests." in done.stderr
    assert "at tag v1.4.2, VERSION=1.4.2, stages Build, Sign" in done.stderr
    assert "FAILED: 2 passed, 1 failed" in done.stdout


def test_a_stop_while_starting_still_writes_what_started(tmp_path: Path, emulator: Start) -> None:
    from helpers import OTHER_PROJECT

    world = world_data()
    world["projects"][OTHER_PROJECT] = {"pipelines": {P_TESTS: {"name": "Slow to start"}}}
    world["faults"] = [
        {
            "api": "start",
            "project_id": OTHER_PROJECT,
            "status": 200,
            "body": {"result": []},
            "delay_seconds": 20,
        }
    ]
    server = emulator(world)
    checks = {
        "build": {"pipeline_id": P_BUILD},
        "other": {"pipeline_id": P_TESTS, "project_id": OTHER_PROJECT},
    }
    manifest = write_yaml(tmp_path / "gate.yaml", manifest_data(checks))
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
            "--out",
            str(out),
            "--auto-approve",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **AUTH},
    )
    deadline = time.monotonic() + 15
    while len(_starts(server)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    child.terminate()
    _, stderr = child.communicate(timeout=15)
    assert child.returncode == 143, stderr
    saved = json.loads(out.read_text())["result"]
    assert [run["pipeline_id"] for run in saved] == [P_BUILD]
    unknown = "unknown — check the console: stopped by SIGTERM; these pipelines may have started"
    assert f"{unknown}: {P_TESTS}" in stderr


def test_one_pipeline_under_two_spellings_of_its_endpoint_is_started_once(
    tmp_path: Path,
) -> None:
    region = manifest_data({"build": {"pipeline_id": P_BUILD}})
    spelt = manifest_data({"build-again": {"pipeline_id": P_BUILD}})
    spelt["provider"] = {
        "endpoint": "HTTPS://CloudPipeline-EXT.cn-north-4.myhuaweicloud.com:443/./",
        "project_id": region["provider"]["project_id"],
    }
    first = write_yaml(tmp_path / "a.yaml", region)
    second = write_yaml(tmp_path / "b.yaml", spelt)
    plan = run_cli(["start", str(first), str(second)], AUTH)  # no terminal: plan only
    assert "Start: 1 pipeline in 1 request." in plan.stderr, plan.output
    assert "nobody can confirm here" in plan.stderr
    # Another endpoint for the same pipeline would start it twice: refused before sending.
    spelt["provider"]["endpoint"] = "https://cloudpipeline-ext.cn-south-1.myhuaweicloud.com"
    write_yaml(second, spelt)
    run = run_cli(["start", str(first), str(second), "--auto-approve"], AUTH)
    assert run.exit_code == 2, run.output
    assert f"pipeline {P_BUILD} would be started 2 times" in run.stderr
    assert "nothing was started" in run.stderr


def test_a_start_answer_is_checked_against_the_request_before_it_is_written(
    tmp_path: Path, emulator: Start
) -> None:
    answer = {
        "result": [
            {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD, "token": TOKEN},
            {"pipeline_id": P_TESTS, "pipeline_run_id": "e" * 32},
            {"pipeline_id": P_BANNED, "pipeline_run_id": TOKEN},
            {"pipeline_id": P_BUILD, "pipeline_run_id": "f" * 32},
            "garbage",
        ]
    }
    server = emulator(world_data(faults=[{"api": "start", "status": 200, "body": answer}]))
    manifest = write_manifest(
        tmp_path, {"build": {"pipeline_id": P_BUILD}, "scan": {"pipeline_id": P_BANNED}}
    )
    out = tmp_path / "runs.json"
    run = run_cli(
        ["start", str(manifest), "--endpoint", server.url, "--out", str(out), "--auto-approve"],
        AUTH,
    )
    assert run.exit_code == 3, run.output
    assert json.loads(out.read_text()) == {
        "result": [{"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}]
    }
    assert f"pipeline {P_TESTS} was not asked to start" in run.stderr
    assert f"result[2].pipeline_run_id is not a run ID (pipeline {P_BANNED})" in run.stderr
    assert f"pipeline {P_BUILD} is in the answer twice" in run.stderr
    assert "result[4] is not an object" in run.stderr
    assert f"pipeline {P_BANNED} is not in the answer: not started" in run.stderr
    assert "started 1 of 2" in run.stderr
    assert TOKEN not in run.output + out.read_text()


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (429, None, "unknown — check the console"),
        (429, {"error_code": "DEVPIPE.00011170", "error_msg": "queued"}, "unknown — check the"),
        (400, {"error_code": "DEVPIPE.00011102", "error_msg": "bad"}, "unknown — check the"),
        (400, {"error_code": "APIGW.0101", "error_msg": "The API does not exist"}, "not started"),
    ],
)
def test_only_the_gateways_refusals_are_certainly_not_started(
    tmp_path: Path, emulator: Start, status: int, body: dict[str, str] | None, said: str
) -> None:
    manifest = write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}})
    fault: dict[str, object] = {"api": "start", "status": status, "headers": {"Retry-After": "0"}}
    if body is not None:
        fault["body"] = body
    server = emulator(world_data(faults=[fault]))
    run = run_cli(["start", str(manifest), "--endpoint", server.url, "--auto-approve"], AUTH)
    assert run.exit_code == 3, run.output
    assert said in run.stderr
    assert len(_starts(server)) == 1  # never sent again
