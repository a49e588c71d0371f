"""Stopping, as CI and people stop things: a signal once stops the command with what is
known written; a second one within milliseconds (``timeout(1)`` sends two) is held until the
reports and the runs file are written. The start prompt answers Ctrl-C and Ctrl-D."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import AUTH, P_BUILD, R_BUILD, REPO, Emulated, Start, world_data, write_manifest

BUILD = {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}
SLOW = {"status": 200, "body": {"result": []}, "delay_seconds": 10}


def _spawn(args: list[str], **streams: object) -> subprocess.Popen[str]:
    defaults: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "checker", *args],
        text=True,
        env={**os.environ, **AUTH},
        cwd=REPO,
        **{**defaults, **streams},
    )


def _when_asked(server: Emulated, child: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 10
    while not server.requests and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    assert server.requests, "the request never arrived"


@pytest.mark.parametrize(
    "signals",
    [
        (signal.SIGTERM, signal.SIGTERM),
        (signal.SIGINT, signal.SIGINT),
        (signal.SIGINT, signal.SIGTERM),
    ],
    ids=["TERM TERM", "INT INT", "INT TERM"],
)
def test_a_second_signal_does_not_lose_the_reports(
    tmp_path: Path, emulator: Start, signals: tuple[signal.Signals, signal.Signals]
) -> None:
    server = emulator(world_data(faults=[SLOW]))
    reports = [tmp_path / "gate.xml", tmp_path / "gate.json", tmp_path / "gate.md"]
    child = _spawn(
        [
            "check",
            str(write_manifest(tmp_path, {"build": BUILD})),
            "--endpoint",
            server.url,
            *(
                f"--report={kind}={path}"
                for kind, path in zip(("junit", "json", "markdown"), reports, strict=True)
            ),
        ]
    )
    _when_asked(server, child)
    for number in signals:
        child.send_signal(number)  # back to back: no pause between them
    _, stderr = child.communicate(timeout=15)
    assert child.returncode == 128 + signals[0], stderr
    for report in reports:
        assert "stopped by" in report.read_text(), report
    assert "Traceback" not in stderr


def test_a_second_signal_while_starting_still_writes_the_runs_file(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator(world_data(faults=[{**SLOW, "api": "start"}]))
    runs = tmp_path / "runs.json"
    child = _spawn(
        [
            "start",
            str(write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}})),
            "--endpoint",
            server.url,
            "--auto-approve",
            "--out",
            str(runs),
        ]
    )
    _when_asked(server, child)
    child.send_signal(signal.SIGTERM)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=15)
    assert child.returncode == 143, stderr
    assert json.loads(runs.read_text()) == {"result": []}
    assert "unknown — check the console" in stderr


@pytest.mark.slow  # a pseudo-terminal and real signals: timing-sensitive under load
@pytest.mark.parametrize(("key", "code"), [("ctrl-d", 1), ("ctrl-c", 130)])
def test_the_start_prompt_answers_ctrl_c_and_ctrl_d(
    tmp_path: Path, emulator: Start, key: str, code: int
) -> None:
    server = emulator()
    controller, terminal = pty.openpty()
    child = _spawn(
        [
            "start",
            str(write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}})),
            "--endpoint",
            server.url,
        ],
        stdin=terminal,
        stderr=terminal,
        stdout=subprocess.DEVNULL,
    )
    os.close(terminal)
    seen = b""
    while b"[y/N]" not in seen:
        seen += os.read(controller, 4096)
    if key == "ctrl-d":
        os.write(controller, b"\x04")
    else:
        child.send_signal(signal.SIGINT)
    child.wait(timeout=15)
    rest = b""
    try:
        while chunk := os.read(controller, 4096):
            rest += chunk
    except OSError:
        pass
    os.close(controller)
    assert child.returncode == code, (seen + rest).decode(errors="replace")
    assert b"internal error" not in rest
    assert not [r for r in server.requests if r.path.endswith("/batch-runs")]
