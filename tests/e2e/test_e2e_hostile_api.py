"""The API is untrusted: a loopback server that misbehaves on purpose, and the real CLI.

Every case must end with every report written and the summary printed, in bounded time, with
no secret in any output."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import P_BUILD, R_BUILD, CliRun, manifest_data, run_cli, write_yaml

Serve = Callable[[Callable[..., None]], str]
# Every character the report formats escape, between two parts no escaping can change.
TOKEN = 'SECRETHEAD_a*b[c]d&e<f>g"h\\i`j|kSECRETTAIL'
PARTS = ("SECRETHEAD", "SECRETTAIL")
FORMATS = ("junit", "markdown", "json", "text")


def _answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> Callable[..., None]:
    def behaviour(connection: object, request: bytes) -> None:
        head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close"]
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)  # type: ignore[attr-defined]

    return behaviour


def _check_against(tmp_path: Path, url: str, *extra: str) -> tuple[CliRun, dict[str, str]]:
    manifest = write_yaml(
        tmp_path / "gate.yaml",
        manifest_data({"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}),
    )
    reports = [f"--report={name}={tmp_path / f'report.{name}'}" for name in FORMATS]
    args = ["check", str(manifest), "--endpoint", url, "--retries", "0", *reports, *extra]
    run = run_cli(args, {"CHECKER_AUTH_TOKEN": TOKEN})
    written = {name: (tmp_path / f"report.{name}").read_text() for name in FORMATS}
    return run, written


def _no_secret(run: CliRun, written: dict[str, str]) -> None:
    for text in (run.stdout, run.stderr, *written.values()):
        for part in PARTS:
            assert part not in text


def test_a_token_quoted_by_the_gateway_is_in_no_report(
    tmp_path: Path, hostile_server: Serve
) -> None:
    body = json.dumps({"error_code": "APIGW.0301", "error_msg": f"bad token {TOKEN}"}).encode()
    run, written = _check_against(tmp_path, hostile_server(_answer(401, body)), "--debug")
    assert run.exit_code == 3
    assert "authentication failed" in run.stderr
    _no_secret(run, written)


def test_a_long_non_json_body_is_redacted_before_it_is_cut(
    tmp_path: Path, hostile_server: Serve
) -> None:
    body = ("x" * 100 + TOKEN + "y" * 500).encode()
    run, written = _check_against(tmp_path, hostile_server(_answer(200, body)))
    assert run.exit_code == 3
    assert "not JSON" in written["json"]
    _no_secret(run, written)


def test_a_trickling_server_is_bounded_by_the_timeout(
    tmp_path: Path, hostile_server: Serve
) -> None:
    def trickle(connection: object, request: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")  # type: ignore[attr-defined]
        for _ in range(100):
            connection.sendall(b" ")  # type: ignore[attr-defined]
            time.sleep(0.1)

    started = time.monotonic()
    run, written = _check_against(tmp_path, hostile_server(trickle), "--request-timeout", "0.5")
    assert time.monotonic() - started < 5
    assert run.exit_code == 3
    assert "timed out after 0.5s" in written["text"]


def test_an_endless_body_stops_at_the_cap(tmp_path: Path, hostile_server: Serve) -> None:
    def endless(connection: object, request: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")  # type: ignore[attr-defined]
        chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
        for _ in range(1000):  # 64 MB at most, far past the cap
            connection.sendall(chunk)  # type: ignore[attr-defined]

    run, written = _check_against(tmp_path, hostile_server(endless))
    assert run.exit_code == 3
    assert "unusable answer: larger than" in written["text"]


def test_a_gzip_bomb_stops_at_the_cap(tmp_path: Path, hostile_server: Serve) -> None:
    bomb = gzip.compress(b"[" * 64 * 1024 * 1024)
    answer = _answer(200, bomb, {"Content-Encoding": "gzip"})
    run, written = _check_against(tmp_path, hostile_server(answer))
    assert run.exit_code == 3
    assert "unusable answer: larger than" in written["text"]


def test_a_megabyte_error_message_is_cut_at_parse_time(
    tmp_path: Path, hostile_server: Serve
) -> None:
    body = json.dumps({"error_code": "DEVPIPE.1", "error_msg": "m" * 1_000_000}).encode()
    run, written = _check_against(tmp_path, hostile_server(_answer(500, body)))
    assert run.exit_code == 3
    assert "[cut: 999,000 of 1,000,000 characters]" in written["json"]
    assert all(len(text) < 50_000 for text in written.values())


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Content-Encoding": "gzip"}, b"not gzip at all", "Content-Encoding could not be decoded"),
        ({}, b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
    ids=["bad-content-encoding", "deep-json"],
)
def test_unreadable_answers_are_that_batch_s_error(
    tmp_path: Path, hostile_server: Serve, headers: dict[str, str], body: bytes, expected: str
) -> None:
    run, written = _check_against(tmp_path, hostile_server(_answer(200, body, headers)))
    assert run.exit_code == 3
    assert expected in written["text"]
    assert "NOT EVALUATED" in run.stdout


def test_a_lone_surrogate_still_gives_every_report(tmp_path: Path, hostile_server: Serve) -> None:
    entry = {
        "pipeline_id": P_BUILD,
        "pipeline_run_id": R_BUILD,
        "pipeline_name": "Build",
        "status": "START_FAILED",
        "reason": "\udfff broken",
    }
    body = json.dumps({"result": [entry]}).encode()  # json escapes it as \udfff
    run, written = _check_against(tmp_path, hostile_server(_answer(200, body)))
    assert run.exit_code == 1
    assert "FAILED: 0 passed, 1 failed" in run.stdout
    assert "\ufffd broken" in written["json"]


def test_a_non_ascii_retry_after_is_ignored(tmp_path: Path, hostile_server: Serve) -> None:
    calls: list[int] = []

    def busy_then_fine(connection: object, request: bytes) -> None:
        calls.append(1)
        if len(calls) == 1:
            _answer(503, b"{}", {"Retry-After": "\u00b2"})(connection, request)
        else:
            entry = {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD, "status": "START_SUCCESS"}
            _answer(200, json.dumps({"result": [entry]}).encode())(connection, request)

    manifest = write_yaml(
        tmp_path / "gate.yaml",
        manifest_data({"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}),
    )
    # One retry, after the usual backoff (about a second).
    run = run_cli(
        ["check", str(manifest), "--endpoint", hostile_server(busy_then_fine), "--retries", "1"],
        {"CHECKER_AUTH_TOKEN": TOKEN},
    )
    assert run.exit_code == 0, run.output
    assert len(calls) == 2


def test_api_text_cannot_spoof_the_terminal_or_inject_ci_commands(
    tmp_path: Path, hostile_server: Serve
) -> None:
    message = "denied\n::error::injected\x1b[2J\x07 safe\u202eTXT.EXE"
    body = json.dumps({"error_code": "APIGW.0301", "error_msg": message}).encode()
    run, written = _check_against(tmp_path, hostile_server(_answer(401, body)), "--debug")
    lines = (run.stdout + run.stderr).splitlines()
    assert not any(line.startswith("::") for line in lines)
    assert "\x1b" not in run.output and "\x07" not in run.output and "\u202e" not in run.output
    assert "\\u202e" in run.stderr
    assert "\u202e" not in written["markdown"]
