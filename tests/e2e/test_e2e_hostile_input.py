"""The manifest and its files are untrusted: a pull request writes them. Each abuse ends in a
located error or a bounded refusal — never a hang, a traceback or a leaked value."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import (
    AUTH,
    P_BUILD,
    R_BUILD,
    REPO,
    Start,
    manifest_data,
    run_cli,
    world_data,
    write_manifest,
    write_yaml,
)

BUILD = {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}


def _bounded(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """The CLI in a child process, killed if it outlives 20 s: a hang fails the test."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "checker", *args],
        capture_output=True,
        text=True,
        timeout=20,
        env={**os.environ, **(env or {})},
    )
    assert time.monotonic() - started < 20
    return done.returncode, done.stdout + done.stderr


def test_a_var_file_error_names_types_never_values(tmp_path: Path) -> None:
    manifest = write_yaml(
        tmp_path / "gate.yaml",
        manifest_data({"build": BUILD}, variables={"NAME": {"default": "x"}}),
    )
    (tmp_path / "vars.yaml").write_text("NAME:\n  token: kube-secret-value\n  list: [secret2]\n")
    run = run_cli(["validate", str(manifest), "--var-file", str(tmp_path / "vars.yaml")])
    assert run.exit_code == 2
    assert "variable 'NAME' must be a string, not a mapping" in run.stderr
    assert "kube-secret-value" not in run.output and "secret2" not in run.output


def test_a_symlink_out_of_the_working_folder_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "home" / ".kube" / "config"
    outside.parent.mkdir(parents=True)
    outside.write_text("NAME: kube-secret-value\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "vars.yaml").symlink_to(outside)
    manifest = write_yaml(
        repo / "gate.yaml", manifest_data({"build": BUILD}, variables={"NAME": {}})
    )
    monkeypatch.chdir(repo)
    run = run_cli(["validate", str(manifest), "--var-file", "vars.yaml"])
    assert run.exit_code == 2
    assert "symbolic link to a file outside the working folder" in run.stderr
    assert "kube-secret-value" not in run.output
    # A link that stays inside the folder is fine.
    (repo / "inside.yaml").write_text("NAME: fine\n")
    (repo / "link.yaml").symlink_to(repo / "inside.yaml")
    assert run_cli(["validate", str(manifest), "--var-file", "link.yaml"]).exit_code == 0


@pytest.mark.parametrize("option", ["--var-file", "--runs", "--ca-bundle"])
def test_devices_and_fifos_are_refused_at_once(tmp_path: Path, option: str) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    manifest = write_manifest(tmp_path, {"build": BUILD})
    for special in ("/dev/zero", str(fifo)):
        command = "check" if option == "--ca-bundle" else "validate"
        code, output = _bounded([command, str(manifest), option, special], AUTH)
        assert code == 2, output
        assert "not a regular file" in output


def test_an_oversized_manifest_is_refused_before_parsing(tmp_path: Path) -> None:
    manifest = tmp_path / "gate.yaml"
    with manifest.open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)  # sparse: no disk, no time
    run = run_cli(["validate", str(manifest)])
    assert run.exit_code == 2
    assert "larger than the limit of 33,554,432 bytes" in run.stderr


def test_alias_and_merge_bombs_are_refused_quickly(tmp_path: Path) -> None:
    laughs = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    laughs += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (tmp_path / "laughs.yaml").write_text("\n".join(laughs) + "\n")
    merges = ["m0: &m0 {k0: 0, k1: 1, k2: 2, k3: 3}"]
    for level in range(1, 25):
        merges.append(f"m{level}: &m{level} {{<<: [*m{level - 1}, *m{level - 1}], z{level}: 0}}")
    (tmp_path / "merges.yaml").write_text("\n".join(merges) + "\n")
    for name in ("laughs", "merges"):
        started = time.monotonic()
        run = run_cli(["validate", str(tmp_path / f"{name}.yaml")])
        assert time.monotonic() - started < 5
        assert run.exit_code == 2 and "(a YAML bomb?)" in run.stderr, run.stderr


def test_substitution_is_bounded(tmp_path: Path) -> None:
    checks = {f"c{i}": {**BUILD, "description": "${var.BIG}" * 20} for i in range(60)}
    manifest = write_yaml(
        tmp_path / "gate.yaml", manifest_data(checks, variables={"BIG": {"default": "x" * 9000}})
    )
    run = run_cli(["validate", str(manifest)])
    assert run.exit_code == 2
    assert "would be longer than 10,000 characters after substitution" in run.stderr


@pytest.mark.parametrize(
    "value",
    ["2024-02-30", "1" * 5000, "!!bool maybe", "!!int abc", "!!timestamp x", "!!float 1_2:3:x"],
)
def test_yaml_values_python_cannot_build_are_located(tmp_path: Path, value: str) -> None:
    manifest = tmp_path / "gate.yaml"
    manifest.write_text(f"version: 1\nchecks:\n  build:\n    description: {value}\n")
    (tmp_path / "vars.yaml").write_text(f"NAME: {value}\n")
    run = run_cli(["validate", str(manifest)])
    assert run.exit_code == 2, run.output
    assert run.exception is None and "internal error" not in run.output
    assert f"{manifest}:4:18: error: " in run.stderr
    other = write_manifest(tmp_path.parent, {"build": BUILD})
    run = run_cli(["validate", str(other), "--var-file", str(tmp_path / "vars.yaml")])
    assert run.exit_code == 2 and "vars.yaml:1:7: error: " in run.stderr, run.output


def test_env_references_need_an_allow_list(tmp_path: Path) -> None:
    checks = {"build": {**BUILD, "description": "${env.GITHUB_TOKEN}"}}
    manifest = write_yaml(tmp_path / "gate.yaml", manifest_data(checks))
    env = {"GITHUB_TOKEN": "ghp_secretvalue"}
    refused = run_cli(["validate", str(manifest)], env)
    assert refused.exit_code == 2
    assert "${env.GITHUB_TOKEN} is not allowed" in refused.stderr
    assert "ghp_secretvalue" not in refused.output
    allowed = run_cli(["validate", str(manifest), "--allow-env", "GITHUB_TOKEN"], env)
    assert allowed.exit_code == 0, allowed.output
    own = {"build": {**BUILD, "description": "${env.CHECKER_VAR_X}"}}
    manifest = write_yaml(tmp_path / "own.yaml", manifest_data(own))
    assert run_cli(["validate", str(manifest)], {"CHECKER_VAR_X": "ok"}).exit_code == 0


def test_a_catastrophic_pattern_runs_in_linear_time(tmp_path: Path, emulator: Start) -> None:
    reason = "a" * 5_000
    world = world_data()
    world["projects"]["db8d07265e24426598b3eb03a7818972"]["pipelines"][P_BUILD]["runs"][R_BUILD] = {
        "status": "START_FAILED",
        "reason": reason,
    }
    server = emulator(world)
    checks = {
        "build": {**BUILD, "expect": {"status": "START_FAILED", "reason": {"matches": "^(.|.)*X$"}}}
    }
    manifest = write_yaml(tmp_path / "gate.yaml", manifest_data(checks))
    started = time.monotonic()
    run = run_cli(["check", str(manifest), "--endpoint", server.url], AUTH)
    assert time.monotonic() - started < 5
    assert run.exit_code == 1 and "expected reason matches" in run.stdout


def test_lookaround_is_refused_with_the_reason(tmp_path: Path) -> None:
    checks = {"build": {**BUILD, "expect": {"reason": {"matches": "(?=banned)"}}}}
    run = run_cli(["validate", str(write_yaml(tmp_path / "gate.yaml", manifest_data(checks)))])
    assert run.exit_code == 2
    assert "without lookaround or backreferences" in run.stderr


@pytest.mark.parametrize(
    "endpoint", ["https://h\tx.example", "https://ｈost.example", "http://a b"]
)
def test_command_line_endpoints_httpx_cannot_use_are_usage_errors(
    tmp_path: Path, endpoint: str
) -> None:
    run = run_cli(
        ["check", str(write_manifest(tmp_path, {"build": BUILD})), "--endpoint", endpoint], AUTH
    )
    assert run.exit_code == 2 and run.exception is None
    assert "printable ASCII" in run.stderr


def test_no_home_folder_is_not_a_failed_gate(
    tmp_path: Path, emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    def homeless() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", homeless)
    server = emulator()
    run = run_cli(
        ["check", str(write_manifest(tmp_path, {"build": BUILD})), "--endpoint", server.url], AUTH
    )
    assert run.exit_code == 0, run.output
    missing = run_cli(
        ["check", str(write_manifest(tmp_path, {"build": BUILD})), "--endpoint", server.url]
    )
    assert missing.exit_code == 2 and "no credentials found" in missing.stderr


def test_too_short_credentials_are_refused(tmp_path: Path) -> None:
    run = run_cli(
        ["check", str(write_manifest(tmp_path, {"build": BUILD}))], {"CHECKER_AUTH_TOKEN": "ab"}
    )
    assert run.exit_code == 2
    assert "too short to be real" in run.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-nan"])
def test_non_finite_timeouts_are_usage_errors(tmp_path: Path, value: str) -> None:
    run = run_cli(
        ["check", str(write_manifest(tmp_path, {"build": BUILD})), "--timeout", value], AUTH
    )
    assert run.exit_code == 2 and run.exception is None


def test_the_emulator_answers_a_bad_content_length_with_400(emulator: Start) -> None:
    server = emulator()
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"POST /v5/x/api/pipelines/batch-runs/result HTTP/1.1\r\n")
        connection.sendall(b"Host: x\r\nContent-Length: abc\r\n\r\n")
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_the_same_report_path_twice_is_a_usage_error(tmp_path: Path) -> None:
    path = str(tmp_path / "r.xml")
    args = [
        "check",
        str(write_manifest(tmp_path, {"build": BUILD})),
        "--report",
        f"junit={path}",
        "--report",
        f"json={path}",
    ]
    run = run_cli(args, AUTH)
    assert run.exit_code == 2
    assert "given for both junit and json" in run.stderr


def test_reports_to_special_files_and_links(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    target = tmp_path / "real.md"
    target.write_text("old")
    target.chmod(0o640)
    (tmp_path / "link.md").symlink_to(target)
    code, output = _bounded(
        [
            "check",
            str(write_manifest(tmp_path, {"build": BUILD})),
            "--endpoint",
            server.url,
            "--quiet",
            "--report",
            "markdown=/dev/stdout",
            "--report",
            "junit=/dev/null",
            "--report",
            f"markdown={tmp_path / 'link.md'}",
        ],
        AUTH,
    )
    assert code == 0, output
    assert "checker PASSED" in output  # the Markdown verdict, printed on stdout
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    assert (tmp_path / "link.md").is_symlink()
    assert "checker PASSED" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_reports_follow_the_umask(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    previous = os.umask(0o022)
    try:
        run = run_cli(
            [
                "check",
                str(write_manifest(tmp_path, {"build": BUILD})),
                "--endpoint",
                server.url,
                "--report",
                f"json={tmp_path / 'r.json'}",
            ],
            AUTH,
        )
    finally:
        os.umask(previous)
    assert run.exit_code == 0
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o644


def test_sigterm_writes_the_reports_and_exits_143(tmp_path: Path, emulator: Start) -> None:
    world = world_data(faults=[{"status": 200, "body": {"result": []}, "delay_seconds": 10}])
    server = emulator(world)
    report = tmp_path / "gate.xml"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            str(write_manifest(tmp_path, {"build": BUILD})),
            "--endpoint",
            server.url,
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
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    child.terminate()
    stdout, stderr = child.communicate(timeout=10)
    assert child.returncode == 143, stderr
    assert "stopped by SIGTERM" in stderr
    assert "NOT EVALUATED" in stdout
    assert "not evaluated: stopped by SIGTERM" in report.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("description", 'description: "\\ud800"'),
        ("pipeline_name", 'pipeline_name: "a\\udfffb"'),
        ("key", '"\\ud800x": 1'),
    ],
)
def test_a_lone_surrogate_is_a_located_error(tmp_path: Path, where: str, text: str) -> None:
    manifest = tmp_path / "gate.yaml"
    manifest.write_text(
        "version: 1\nprovider: {region: cn-north-4, project_id: "
        f"{'d' * 32}}}\nchecks:\n  build:\n    pipeline_id: {P_BUILD}\n"
        f"    pipeline_run_id: {R_BUILD}\n    {text}\n"
    )
    for command in ("validate", "check"):
        run = run_cli([command, str(manifest)], AUTH)
        assert run.exit_code == 2, run.output
        assert f"{manifest}:7:" in run.stderr
        assert "not valid Unicode: a lone surrogate" in run.stderr
        assert run.exception is None


def test_json_surrogate_pairs_are_one_character(tmp_path: Path, emulator: Start) -> None:
    data = manifest_data({"build": {**BUILD, "description": "ship it 🚀"}})
    manifest = tmp_path / "gate.json"
    manifest.write_text(json.dumps(data))  # ensure_ascii: the rocket as \ud83d\ude80
    assert "\\ud83d\\ude80" in manifest.read_text()
    report = tmp_path / "r.json"
    server = emulator()
    run = run_cli(
        ["check", str(manifest), "--endpoint", server.url, f"--report=json={report}"], AUTH
    )
    assert run.exit_code == 0, run.output
    assert json.loads(report.read_text())["results"][0]["description"] == "ship it 🚀"


def test_var_values_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    manifest = write_yaml(
        tmp_path / "gate.yaml", manifest_data({"build": BUILD}, variables={"NAME": {}})
    )
    (tmp_path / "vars.yaml").write_text('NAME: "\\udc80"\n')
    run = run_cli(["validate", str(manifest), "--var-file", str(tmp_path / "vars.yaml")])
    assert run.exit_code == 2 and "lone surrogate" in run.stderr
    done = subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"checker",
            b"validate",
            str(manifest).encode(),
            b"--var",
            b"NAME=\xff\xfe",
        ],
        capture_output=True,
        timeout=20,
    )
    assert done.returncode == 2
    assert b"--var NAME: not valid UTF-8 text" in done.stderr


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("wait", {"timeout": "99999999999999h"}, "wait.timeout: must be at most 168h00m (a week)"),
        ("wait", {"poll_interval": "169h"}, "wait.poll_interval: must be at most 168h00m"),
        ("run", {"max_duration": 10**15}, "max_duration must be at most 604800"),
    ],
)
def test_durations_beyond_a_week_are_located_errors(
    tmp_path: Path, where: str, value: dict[str, object], message: str
) -> None:
    if where == "wait":
        data = manifest_data({"build": BUILD}, wait=value)
    else:
        data = manifest_data({"build": {**BUILD, "expect": {"run": value}}})
    manifest = write_yaml(tmp_path / "gate.yaml", data)
    run = run_cli(["validate", str(manifest)])
    assert run.exit_code == 2 and run.exception is None
    assert f"{manifest}:" in run.stderr and message in run.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e308", "'1e308' is longer than the maximum, 168h00m (a week)"),
        ("0", "'0' is no time at all: give a duration above 0"),
        ("0s", "'0s' is no time at all"),
    ],
)
def test_command_line_durations_say_why_they_are_refused(
    tmp_path: Path, value: str, message: str
) -> None:
    manifest = write_manifest(tmp_path, {"build": BUILD})
    run = run_cli(["check", str(manifest), "--timeout", value], AUTH)
    assert run.exit_code == 2
    assert message in run.stderr
