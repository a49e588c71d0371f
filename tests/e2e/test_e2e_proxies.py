"""Proxy variables, as CI runners set them: loopback is never proxied (an emulator or tunnel
must not send a token in clear to a proxy), other hosts are, and a proxy URL checker cannot
use is a usage error naming the variable, never its value."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import AUTH, EXAMPLES, P_BUILD, R_BUILD, TOKEN, Start, run_cli, write_manifest

from checker.codearts.proxies import LOOPBACK_PATTERNS, proxy_routes
from checker.environment import Environment

BUILD = {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}


class RecordingProxy:
    """A proxy on loopback that records each request head and answers 502."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.heads: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.heads.append(data.decode("latin-1"))
                connection.sendall(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    recording = RecordingProxy()
    yield recording
    recording.sock.close()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_the_emulator_and_loopback_endpoints_are_never_proxied(
    tmp_path: Path, emulator: Start, proxy: RecordingProxy, variable: str
) -> None:
    example = ["check", str(EXAMPLES / "release-gate.yaml")]
    env = {variable: proxy.url, "CHECKER_AUTH_TOKEN": "real-token-from-the-ci-secret-store"}
    run = run_cli([*example, "--emulator", str(EXAMPLES / "world.yaml")], env)
    assert run.exit_code == 1, run.output  # the example's verdict: it reached the emulator
    server = emulator()
    manifest = write_manifest(tmp_path, {"build": BUILD})
    for endpoint in (server.url, server.url.replace("127.0.0.1", "localhost")):
        run = run_cli(
            ["check", str(manifest), "--endpoint", endpoint], {**AUTH, variable: proxy.url}
        )
        assert run.exit_code == 0, run.output
    assert proxy.heads == []


def test_other_hosts_go_through_the_proxy_with_a_cleartext_warning(
    tmp_path: Path, proxy: RecordingProxy
) -> None:
    manifest = write_manifest(tmp_path, {"build": BUILD})
    run = run_cli(
        [
            "check",
            str(manifest),
            "--endpoint",
            "http://codearts.example.test:8080",
            "--retries",
            "0",
        ],
        {**AUTH, "HTTP_PROXY": proxy.url},
    )
    assert run.exit_code == 3, run.output
    assert "is plain http and not this machine" in run.stderr
    assert len(proxy.heads) == 1
    assert proxy.heads[0].startswith("POST http://codearts.example.test:8080/v5/")
    assert TOKEN not in run.output


def test_no_proxy_and_loopback_are_routed_direct() -> None:
    routes = proxy_routes(
        Environment.from_mapping(
            {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "internal.example,10.0.0.1,::2"}
        )
    )
    assert routes["https://"] == "http://proxy:3128"
    assert routes["all://*internal.example"] is None
    assert routes["all://10.0.0.1"] is None and routes["all://[::2]"] is None
    assert all(routes[pattern] is None for pattern in LOOPBACK_PATTERNS)
    assert (
        proxy_routes(Environment.from_mapping({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"})) == {}
    )
    # Lower case wins, as curl reads them.
    both = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"}
    assert proxy_routes(Environment.from_mapping(both))["https://"] == "http://lower:1"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ALL_PROXY", "socks5://user:pw-secret@127.0.0.1:1080", "names a SOCKS proxy"),
        ("HTTPS_PROXY", "http://user:pw-secret@127.0.0.1:99999", "is not a valid proxy URL"),
        ("HTTP_PROXY", "ftp://user:pw-secret@proxy", "is not a proxy URL checker can use"),
    ],
)
def test_a_proxy_checker_cannot_use_is_a_usage_error_naming_the_variable(
    tmp_path: Path, emulator: Start, variable: str, value: str, message: str
) -> None:
    server = emulator()
    run = run_cli(
        ["check", str(write_manifest(tmp_path, {"build": BUILD})), "--endpoint", server.url],
        {**AUTH, variable: value},
    )
    assert run.exit_code == 2, run.output
    assert f"{variable} {message}" in run.stderr
    assert "pw-secret" not in run.output
    assert server.requests == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALL_PROXY": "socks5://127.0.0.1:1080", **AUTH}, "ALL_PROXY names a SOCKS proxy"),
        ({"HTTPS_PROXY": "http://proxy:notaport", **AUTH}, "HTTPS_PROXY is not a valid proxy"),
        (
            {"HUAWEICLOUD_SDK_AK": "ÄK0123456789ABCDEFGH", "HUAWEICLOUD_SDK_SK": "s" * 40},
            "the AK from AK/SK from environment holds a space, a line break or a non-ASCII",
        ),
        ({"CHECKER_AUTH_TOKEN": TOKEN + "\n"}, "the token from IAM token from CHECKER_AUTH"),
    ],
)
def test_an_unusable_environment_is_a_usage_error_and_the_reports_say_why(
    tmp_path: Path, emulator: Start, env: dict[str, str], message: str
) -> None:
    server = emulator()
    report = tmp_path / "gate.xml"
    run = run_cli(
        [
            "check",
            str(write_manifest(tmp_path, {"build": BUILD})),
            "--endpoint",
            server.url,
            "--report",
            f"junit={report}",
        ],
        env,
    )
    assert run.exit_code == 2, run.output
    assert message in run.stderr
    assert "Traceback" not in run.output and "internal error" not in run.output
    assert f"not evaluated: {message}" in report.read_text()
    assert server.requests == []
    assert "0123456789ABCDEFGH" not in run.output + report.read_text()
