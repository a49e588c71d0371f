"""Outputs a pull request can aim: report and runs paths are committed with the checkout, so
a link in it must not turn the gate into a way to overwrite a runner's files; and what was
started is never lost because an output could not be written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    AUTH,
    P_BANNED,
    P_BUILD,
    P_TESTS,
    R_BANNED,
    R_BUILD,
    Emulated,
    Start,
    run_cli,
    write_manifest,
)

BUILD = {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder (the CI checkout) with a home folder beside it, outside it."""
    repo = tmp_path / "repo"
    (repo / "reports").mkdir(parents=True)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".bashrc").write_text("original\n")
    monkeypatch.chdir(repo)
    return repo


def _check(server: Start, manifest: Path, *extra: str) -> tuple[int, str]:
    run = run_cli(["check", str(manifest), "--endpoint", server().url, *extra], AUTH)
    return run.exit_code, run.output


@pytest.mark.parametrize("kind", ["file", "dangling", "folder-link"])
def test_a_report_path_through_a_committed_link_out_of_the_checkout_is_refused(
    checkout: Path, emulator: Start, kind: str
) -> None:
    bashrc = checkout.parent / "home" / ".bashrc"
    if kind == "file":
        (checkout / "reports" / "gate.xml").symlink_to(bashrc)
        path = "reports/gate.xml"
    elif kind == "dangling":
        (checkout / "reports" / "gate.xml").symlink_to(checkout.parent / "home" / "new" / "x")
        path = "reports/gate.xml"
    else:
        (checkout / "out").symlink_to(checkout.parent / "home")
        path = "out/gate.xml"
    manifest = write_manifest(checkout, {"build": BUILD})
    server = emulator()
    run = run_cli(
        ["check", str(manifest), "--endpoint", server.url, "--report", f"junit={path}"], AUTH
    )
    assert run.exit_code == 2, run.output
    assert "which leads out of the working folder" in run.stderr
    assert "--follow-output-links" in run.stderr
    assert server.requests == []  # refused before anything was queried
    assert bashrc.read_text() == "original\n"
    assert not (checkout.parent / "home" / "new").exists()
    assert not (checkout.parent / "home" / "gate.xml").exists()


def test_the_command_line_may_say_to_follow_such_a_link(checkout: Path, emulator: Start) -> None:
    target = checkout.parent / "home" / "gate.xml"
    (checkout / "reports" / "gate.xml").symlink_to(target)
    manifest = write_manifest(checkout, {"build": BUILD})
    code, output = _check(
        emulator, manifest, "--report", "junit=reports/gate.xml", "--follow-output-links"
    )
    assert code == 0, output
    assert "<testsuites" in target.read_text()


def test_a_link_in_the_checkout_to_a_device_is_refused_a_named_device_is_written(
    checkout: Path, emulator: Start
) -> None:
    (checkout / "reports" / "gate.md").symlink_to("/dev/null")
    manifest = write_manifest(checkout, {"build": BUILD})
    code, output = _check(
        emulator, manifest, "--report", "markdown=reports/gate.md", "--follow-output-links"
    )
    assert code == 2
    assert "is a symbolic link to a device, FIFO or folder; name it directly" in output
    code, output = _check(emulator, manifest, "--report", "markdown=/dev/null")
    assert code == 0, output


@pytest.mark.parametrize("which", ["manifest", "var-file", "runs", "manifest-through-link"])
def test_a_report_that_would_overwrite_an_input_is_a_usage_error(
    checkout: Path, emulator: Start, which: str
) -> None:
    manifest = write_manifest(
        checkout,
        {"build": BUILD, "tests": {"pipeline_id": P_TESTS}},
        variables={"X": {"default": "x"}},
    )
    (checkout / "vars.yaml").write_text("X: y\n")
    runs = checkout / "runs.json"
    runs.write_text(json.dumps({"result": []}))
    original = {p: p.read_text() for p in (manifest, checkout / "vars.yaml", runs)}
    target = {
        "manifest": "gate.yaml",
        "var-file": "vars.yaml",
        "runs": "runs.json",
        "manifest-through-link": "reports/alias.yaml",
    }[which]
    (checkout / "reports" / "alias.yaml").symlink_to(manifest)
    code, output = _check(
        emulator,
        manifest,
        "--var-file",
        "vars.yaml",
        "--runs",
        "runs.json",
        "--only",
        "build",
        "--report",
        f"json={target}",
    )
    assert code == 2, output
    assert "is also an input of this command" in output
    assert {p: p.read_text() for p in original} == original


def test_render_refuses_to_overwrite_the_result_it_reads(checkout: Path) -> None:
    result = checkout / "result.json"
    result.write_text("{}")
    run = run_cli(["render", "result.json", "--report", "json=./result.json"])
    assert run.exit_code == 2
    assert "is also an input of this command (result.json)" in run.stderr
    assert result.read_text() == "{}"


def test_start_refuses_a_runs_file_through_a_link_before_starting(
    checkout: Path, emulator: Start
) -> None:
    (checkout / "runs.json").symlink_to(checkout.parent / "home" / ".bashrc")
    server = emulator()
    manifest = write_manifest(checkout, {"build": {"pipeline_id": P_BUILD}})
    run = run_cli(
        ["start", str(manifest), "--endpoint", server.url, "--out", "runs.json", "--auto-approve"],
        AUTH,
    )
    assert run.exit_code == 2, run.output
    assert "runs.json passes through the symbolic link" in run.stderr
    assert server.requests == []
    assert (checkout.parent / "home" / ".bashrc").read_text() == "original\n"


def _start_child(
    manifest: Path, url: str, *extra: str, stdout: Any = subprocess.PIPE
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "checker",
            "start",
            str(manifest),
            "--endpoint",
            url,
            "--auto-approve",
            *extra,
        ],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **AUTH},
    )


def _starts(server: Emulated) -> int:
    return sum(r.path.endswith("/batch-runs") for r in server.requests)


def test_start_refuses_an_out_it_could_not_write_before_starting(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    manifest = write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}})
    (tmp_path / "blocked").write_text("a file where a folder should be")
    run = run_cli(
        [
            "start",
            str(manifest),
            "--endpoint",
            server.url,
            "--auto-approve",
            "--out",
            str(tmp_path / "blocked" / "runs.json"),
        ],
        AUTH,
    )
    assert run.exit_code == 2
    assert "cannot write the runs file" in run.stderr and "nothing was started" in run.stderr
    assert _starts(server) == 0


@pytest.mark.parametrize("where", ["--out /dev/full", "stdout on /dev/full", "broken pipe"])
def test_started_runs_that_cannot_be_written_go_to_stderr_with_exit_3(
    tmp_path: Path, emulator: Start, where: str
) -> None:
    server = emulator()
    manifest = write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}})
    with Path("/dev/full").open("w") as full:
        if where == "--out /dev/full":
            child = _start_child(manifest, server.url, "--out", "/dev/full")
        elif where == "stdout on /dev/full":
            child = _start_child(manifest, server.url, stdout=full)
        else:
            child = _start_child(manifest, server.url)
            assert child.stdout is not None
            child.stdout.close()  # the reader went away before anything was written
        _, stderr = child.communicate(timeout=20)
    assert child.returncode == 3, stderr
    assert "1 pipeline started; could not write" in stderr
    runs = json.loads(stderr[stderr.index("{") : stderr.rindex("}") + 1])
    assert runs["result"][0]["pipeline_id"] == P_BUILD
    assert _starts(server) == 1
    assert "Traceback" not in stderr and "internal error" not in stderr


def test_start_with_stdout_closed_starts_nothing(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}})
    done = subprocess.run(
        [
            shutil.which("bash") or "/bin/bash",
            "-c",
            'exec "$0" -m checker start "$1" --endpoint "$2" --auto-approve >&-',
            sys.executable,
            str(manifest),
            server.url,
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **AUTH},
        timeout=20,
    )
    assert done.returncode == 2, done.stderr
    assert "stdout is closed" in done.stderr
    assert _starts(server) == 0


def _check_child(
    manifest: Path, url: str, report: Path, shell_redirect: str = "", **streams: Any
) -> subprocess.Popen[str]:
    args = [
        sys.executable,
        "-m",
        "checker",
        "check",
        str(manifest),
        "--endpoint",
        url,
        "--report",
        f"junit={report}",
    ]
    if shell_redirect:
        args = [
            shutil.which("bash") or "/bin/bash",
            "-c",
            f'exec "$@" {shell_redirect}',
            "_",
            *args,
        ]
    return subprocess.Popen(
        args,
        text=True,
        env={**os.environ, **AUTH, "GITHUB_ACTIONS": "true"},
        **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **streams},
    )


@pytest.mark.parametrize(
    "stream", ["stdout on /dev/full", "stdout broken pipe", "stderr closed", "both closed"]
)
def test_lost_output_streams_keep_the_reports_and_the_verdict(
    tmp_path: Path, emulator: Start, stream: str
) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path, {"build": BUILD, "scan": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED}}
    )
    report = tmp_path / "gate.xml"
    with Path("/dev/full").open("w") as full:
        if stream == "stdout on /dev/full":
            child = _check_child(manifest, server.url, report, stdout=full)
        elif stream == "stdout broken pipe":
            child = _check_child(manifest, server.url, report)
            assert child.stdout is not None
            child.stdout.close()
        elif stream == "stderr closed":
            child = _check_child(manifest, server.url, report, "2>&-", stderr=None)
        else:
            child = _check_child(manifest, server.url, report, ">&- 2>&-", stdout=None, stderr=None)
        _, stderr = child.communicate(timeout=20)
    assert child.returncode == 1, stderr  # the verdict: one check fails
    assert 'failures="1"' in report.read_text() or 'failures="1"' in report.read_text()
    assert "internal error" not in (stderr or "") and "Traceback" not in (stderr or "")
