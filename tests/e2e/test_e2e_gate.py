"""End to end: the real CLI against the emulator over loopback HTTP, every outcome and exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import (
    AUTH,
    EXAMPLES,
    P_BANNED,
    P_BUILD,
    P_TESTS,
    PROJECT,
    R_BANNED,
    R_BUILD,
    R_TESTS,
    R_UNKNOWN,
    REPO,
    Start,
    manifest_data,
    run_cli,
    world_data,
    write_manifest,
    write_yaml,
)


def test_all_checks_pass_exit_0(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {
            "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "banned": {
                "pipeline_id": P_BANNED,
                "pipeline_run_id": R_BANNED,
                "expect": {"status": ["START_FAILED"]},
            },
        },
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url], AUTH)
    assert run.exit_code == 0, run.output
    assert "PASSED: 2 passed, 0 failed, 0 missing, 0 errors (2 checks)" in run.stdout
    assert len(server.result_requests()) == 1


def test_wrong_status_fails_exit_1_with_expected_and_observed(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path, {"banned": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED}}
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url], AUTH)
    assert run.exit_code == 1
    line = next(line for line in run.stdout.splitlines() if line.startswith("FAIL"))
    assert "expected status START_SUCCESS, observed START_FAILED" in line
    assert '"Nightly security scan"' in line and '"Current pipeline is banned."' in line


def test_unknown_run_is_missing_exit_1(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {
            "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "ghost": {"pipeline_id": P_BUILD, "pipeline_run_id": R_UNKNOWN},
        },
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url], AUTH)
    assert run.exit_code == 1
    assert "MISS  ghost" in run.stdout
    assert "1 passed, 0 failed, 1 missing" in run.stdout


def test_garbage_answer_is_error_exit_3(tmp_path: Path, emulator: Start) -> None:
    server = emulator(world_data(faults=[{"status": 200, "body": "<html>gateway oops</html>"}]))
    manifest = write_manifest(
        tmp_path, {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}
    )
    report = tmp_path / "out" / "gate.json"
    run = run_cli(
        ["check", str(manifest), "--endpoint", server.url, "--report", f"json={report}"], AUTH
    )
    assert run.exit_code == 3, run.output
    assert "unusable answer: not JSON" in run.stdout
    data = json.loads(report.read_text())
    assert data["results"][0]["outcome"] == "error"
    assert data["exit_code"] == 3


def test_wrong_shape_answer_is_error_not_crash(tmp_path: Path, emulator: Start) -> None:
    server = emulator(
        world_data(faults=[{"status": 200, "body": {"result": [{"pipeline_id": 7}]}}])
    )
    manifest = write_manifest(
        tmp_path, {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url], AUTH)
    assert run.exit_code == 3
    assert "unusable answer: result.0.pipeline_id" in run.stdout


def test_failure_outranks_error_exit_1(tmp_path: Path, emulator: Start) -> None:
    other = "abcdefabcdefabcdefabcdefabcdef12"
    server = emulator(world_data(faults=[{"status": 400, "project_id": other, "times": 9}]))
    manifest = write_manifest(
        tmp_path,
        {
            "banned": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED},
            "elsewhere": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD, "project_id": other},
        },
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url], AUTH)
    assert run.exit_code == 1
    assert "ERR   elsewhere" in run.stdout


def test_invalid_manifest_reports_every_problem_located_exit_2(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    manifest = tmp_path / "broken.yaml"
    manifest.write_text(
        "version: 1\n"
        "provider:\n"
        "  region: cn-north-4\n"
        f"  project_id: {PROJECT}\n"
        "checks:\n"
        "  build:\n"
        "    pipeline_id: 12345\n"
        f"    pipeline_run_id: {R_BUILD}\n"
        "    expect:\n"
        "      stauts: START_SUCCESS\n"
        "  other:\n"
        "    pipeline_id: short\n"
        f"    pipeline_run_id: {R_BUILD}\n"
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url], AUTH)
    assert run.exit_code == 2
    assert run.exception is None
    assert "Traceback" not in run.output
    assert f"{manifest}:7:18: error: checks.build.pipeline_id must be a string" in run.stderr
    assert f"{manifest}:10:7: error: unknown key 'stauts'" in run.stderr
    assert f"{manifest}:12:18: error: checks.other.pipeline_id must be exactly 32" in run.stderr
    assert "3 problems found; nothing was queried" in run.stderr
    assert server.requests == []


def test_zero_checks_is_an_error(tmp_path: Path) -> None:
    manifest = write_yaml(tmp_path / "empty.yaml", manifest_data({}))
    run = run_cli(["check", str(manifest)], AUTH)
    assert run.exit_code == 2
    assert "checks must not be empty" in run.stderr


def test_missing_credentials_exit_2_names_what_to_set(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path, {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url])
    assert run.exit_code == 2
    assert "no credentials found" in run.stderr
    assert "CHECKER_AUTH_TOKEN" in run.stderr and "HUAWEICLOUD_SDK_AK" in run.stderr
    assert server.requests == []


def test_bad_token_is_auth_error_exit_3(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path, {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}
    )
    run = run_cli(
        ["check", str(manifest), "--endpoint", server.url], {"CHECKER_AUTH_TOKEN": "nope-nope-nope"}
    )
    assert run.exit_code == 3
    assert "authentication failed (HTTP 401, APIGW.0301" in run.stderr
    assert "IAM token from CHECKER_AUTH_TOKEN" in run.stderr
    assert "expired" in run.stderr
    assert len(server.requests) == 1


def test_checks_sharing_a_run_share_one_query_item(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {
            "a": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "b": {
                "pipeline_id": P_BUILD,
                "pipeline_run_id": R_BUILD,
                "expect": {"pipeline_name": "Release build"},
            },
            "c": {"pipeline_id": P_TESTS, "pipeline_run_id": R_TESTS},
        },
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url, "--batch-size", "1"], AUTH)
    assert run.exit_code == 0, run.output
    bodies = [json.loads(r.body)["query"] for r in server.result_requests()]
    assert sorted(len(b) for b in bodies) == [1, 1]


def test_all_reports_in_one_run(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {
            "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "banned": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED},
        },
    )
    out = tmp_path / "deep" / "reports"
    args = ["check", str(manifest), "--endpoint", server.url, "-q"]
    for fmt, name in (("junit", "g.xml"), ("markdown", "g.md"), ("json", "g.json")):
        args += ["--report", f"{fmt}={out / name}"]
    run = run_cli(args, AUTH)
    assert run.exit_code == 1
    assert run.stdout == ""
    assert "<testsuites" in (out / "g.xml").read_text()
    assert "| banned |" in (out / "g.md").read_text()
    assert json.loads((out / "g.json").read_text())["summary"]["failed"] == 1


def test_reports_are_written_when_the_api_is_down(tmp_path: Path) -> None:
    manifest = write_manifest(
        tmp_path, {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}
    )
    report = tmp_path / "gate.xml"
    run = run_cli(
        [
            "check",
            str(manifest),
            "--endpoint",
            "http://127.0.0.1:9",
            "--retries",
            "0",
            "--report",
            f"junit={report}",
        ],
        AUTH,
    )
    assert run.exit_code == 3
    assert "<error" in report.read_text()
    assert "could not connect to 127.0.0.1:9: connection refused" in report.read_text()
    assert "could not connect to 127.0.0.1:9: connection refused" in run.stdout  # no --debug


def test_unknown_report_format_is_usage_error(tmp_path: Path) -> None:
    manifest = write_manifest(
        tmp_path, {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}
    )
    run = run_cli(["check", str(manifest), "--report", "xunit=x.xml"], AUTH)
    assert run.exit_code == 2
    assert "unknown report format 'xunit'" in run.stderr


def test_plan_prints_layout_and_counts_without_network(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {
            "a": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "b": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "c": {"pipeline_id": P_TESTS, "pipeline_run_id": R_TESTS},
            "d": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED},
        },
    )
    run = run_cli(["plan", str(manifest), "--endpoint", server.url, "--batch-size", "2"], AUTH)
    assert run.exit_code == 0, run.output
    assert run.stdout.rstrip().endswith("Plan: 4 checks, 3 unique runs, 2 requests per poll.")
    assert f"project {PROJECT} at {server.url}" in run.stdout
    assert "+ startup request 1 of 2: 2 runs" in run.stdout
    assert "Credentials: IAM token from CHECKER_AUTH_TOKEN" in run.stdout
    assert server.requests == []


def test_example_against_emulator_fails_one_check() -> None:
    run = run_cli(
        ["check", str(EXAMPLES / "release-gate.yaml"), "--emulator", str(EXAMPLES / "world.yaml")]
    )
    assert run.exit_code == 1, run.output
    assert "FAIL  nightly-security-scan" in run.stdout
    assert "3 passed, 1 failed" in run.stdout


def test_python_dash_m_entry_point_runs_the_example() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            "examples/release-gate.yaml",
            "--emulator",
            "examples/world.yaml",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert "Current pipeline is banned." in completed.stdout


def test_a_large_plan_lists_requests_and_full_lists_every_run(tmp_path: Path) -> None:
    checks: dict[str, object] = {
        f"c{i}": {"pipeline_id": f"{i:032x}", "pipeline_run_id": f"{i + 1000:032x}"}
        for i in range(600)
    }
    manifest = write_manifest(tmp_path, checks)
    short = run_cli(["plan", str(manifest)], AUTH)
    assert short.exit_code == 0, short.output
    assert "+ pipeline" not in short.stdout
    assert "runs are not listed for a plan of 600 checks: --full lists them" in short.stdout
    assert short.stdout.rstrip().endswith("Plan: 600 checks, 600 unique runs, 6 requests per poll.")
    full = run_cli(["plan", str(manifest), "--full"], AUTH)
    assert full.stdout.count("+ pipeline") == 600


def test_help_shows_the_defaults_from_the_one_registry() -> None:
    """Help texts are formatted from checker.defaults, never restated by hand."""
    from checker import defaults
    from checker.gate.durations import format_duration

    text = " ".join(run_cli(["check", "--help"]).stdout.split())
    assert f"[default: {defaults.DEFAULT_CONCURRENCY};" in text  # click adds the range
    assert f"[default: {defaults.DEFAULT_RETRIES};" in text  # click adds the range
    assert f"[default: {defaults.DEFAULT_BATCH_SIZE};" in text  # click adds the range
    assert f"[default: {defaults.DEFAULT_MARKDOWN_MAX_BYTES};" in text  # click adds the range
    assert f"[default: {defaults.DEFAULT_REQUEST_TIMEOUT:g}s]" in text
    assert f"else {format_duration(defaults.DEFAULT_TIMEOUT)}]" in text
    assert f"else {format_duration(defaults.DEFAULT_POLL_INTERVAL)}]" in text
    assert "junit, markdown, json, html, text" in text


@pytest.mark.parametrize("command", ["check", "plan", "start"])
def test_credentials_are_looked_up_once_per_command(
    tmp_path: Path, emulator: Start, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """The CLI looks them up once, before it builds the options; the console's redactor, the
    plan and the requests all use that one lookup."""
    from checker.codearts import credentials

    calls: list[object] = []
    real = credentials._first_source

    def counting(environment: object) -> object:
        calls.append(environment)
        return real(environment)  # type: ignore[arg-type]

    monkeypatch.setattr(credentials, "_first_source", counting)
    server = emulator()
    checks = (
        {"build": {"pipeline_id": P_BUILD}}
        if command == "start"
        else {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}
    )
    manifest = write_manifest(tmp_path, checks)
    extra = ["--auto-approve"] if command == "start" else []
    run = run_cli([command, str(manifest), "--endpoint", server.url, *extra], AUTH)
    assert run.exit_code == 0, run.output
    assert len(calls) == 1


def test_validate_each_takes_independent_manifests_one_by_one(tmp_path: Path) -> None:
    from helpers import P_BUILD, R_BUILD, write_manifest

    check = {"release-build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}
    first = write_manifest(tmp_path, check, name="a-gate.yaml")
    second = write_manifest(tmp_path, check, name="b-gate.yaml")
    broken = tmp_path / "c-gate.yaml"
    broken.write_text("version: 1\nchecks: {}\n")
    together = run_cli(["validate", str(first), str(second)])
    assert together.exit_code == 2 and "is defined twice" in together.stderr
    each = run_cli(["validate", "--each", str(first), str(second)])
    assert each.exit_code == 0, each.output
    assert f"{first}: valid (1 check)" in each.stdout and f"{second}: valid" in each.stdout
    with_broken = run_cli(["validate", "--each", str(first), str(broken)])
    assert with_broken.exit_code == 2
    assert f"{broken}:" in with_broken.stderr and f"{first}: valid" in with_broken.stdout
    as_json = run_cli(["validate", "--each", "--format", "json", str(first), str(broken)])
    assert as_json.exit_code == 2
    problems = json.loads(as_json.stdout)
    assert problems and all(p["file"] == str(broken) for p in problems)
