"""The emulator as a gateway would behave, over real loopback HTTP: tokens, SDK-signed AK/SK
requests (and tampered ones), clock skew, temporary credentials, lockout, errors, faults."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import (
    AK,
    IAM_PROJECT,
    P_BANNED,
    P_BUILD,
    PROJECT,
    R_BUILD,
    R_UNKNOWN,
    REPO,
    SECURITY_TOKEN,
    SK,
    TEMP_AK,
    TEMP_SK,
    TOKEN,
    Start,
    world_data,
)

from checker.codearts.secret import Secret
from checker.codearts.signing import AkSkAuth
from checker.emulator.loading import load_world
from checker.errors import WorldError

PATH = f"/v5/{PROJECT}/api/pipelines/batch-runs/result"
BODY = json.dumps(
    {
        "query": [
            {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            {"pipeline_id": P_BUILD, "pipeline_run_id": R_UNKNOWN},
        ]
    }
).encode()
SIGNATURE_FAILED = "Incorrect IAM authentication information: verify aksk signature fail"


def _post(
    url: str,
    body: bytes = BODY,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
    path: str = PATH,
) -> httpx.Response:
    return httpx.post(
        url + path,
        content=body,
        auth=auth,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _signed(
    ak: str = AK, sk: str = SK, *, offset: timedelta = timedelta(0), token: str | None = None
) -> AkSkAuth:
    return AkSkAuth(
        Secret(ak),
        Secret(sk),
        project_id=IAM_PROJECT,
        security_token=Secret(token) if token else None,
        clock=lambda: datetime.now(UTC) + offset,
    )


def test_token_is_accepted_and_unknown_runs_are_left_out(emulator: Start) -> None:
    server = emulator()
    response = _post(server.url, headers={"X-Auth-Token": TOKEN})
    assert response.status_code == 200
    assert response.json() == {
        "result": [
            {
                "pipeline_id": P_BUILD,
                "pipeline_name": "Release build",
                "pipeline_run_id": R_BUILD,
                "status": "START_SUCCESS",
                "reason": None,
            }
        ]
    }


def test_bad_token_is_401_with_request_id(emulator: Start) -> None:
    response = _post(emulator().url, headers={"X-Auth-Token": "wrong"})
    assert response.status_code == 401
    body = response.json()
    assert body["error_code"] == "APIGW.0301"
    assert body["request_id"] == response.headers["X-Request-Id"]


def test_missing_auth_is_401(emulator: Start) -> None:
    assert _post(emulator().url).status_code == 401


def test_checker_signed_request_is_accepted(emulator: Start) -> None:
    assert _post(emulator().url, auth=_signed()).status_code == 200


def test_wrong_sk_is_rejected_with_the_gateway_message(emulator: Start) -> None:
    response = _post(emulator().url, auth=_signed(sk="not-the-secret"))
    assert response.status_code == 401
    assert response.json()["error_code"] == "APIGW.0301"
    assert response.json()["error_msg"] == SIGNATURE_FAILED
    assert response.headers["X-Request-Id"]


@pytest.mark.parametrize(("minutes", "status"), [(14, 200), (-14, 200), (16, 401), (-16, 401)])
def test_clock_skew_window_is_fifteen_minutes(emulator: Start, minutes: int, status: int) -> None:
    response = _post(emulator().url, auth=_signed(offset=timedelta(minutes=minutes)))
    assert response.status_code == status


def test_temporary_credentials_need_their_security_token(emulator: Start) -> None:
    server = emulator()
    assert _post(server.url, auth=_signed(TEMP_AK, TEMP_SK)).status_code == 401
    assert _post(server.url, auth=_signed(TEMP_AK, TEMP_SK, token="other")).status_code == 401
    ok = _post(server.url, auth=_signed(TEMP_AK, TEMP_SK, token=SECURITY_TOKEN))
    assert ok.status_code == 200


def test_five_failures_lock_the_key(emulator: Start) -> None:
    server = emulator()
    for _ in range(5):
        assert _post(server.url, auth=_signed(sk="wrong")).status_code == 401
    locked = _post(server.url, auth=_signed())
    assert locked.status_code == 401
    assert "forbidden" in locked.json()["error_msg"]


def _sdk_signed(sdk: Any, url: str, body: bytes) -> tuple[str, dict[str, str]]:
    basic_credentials, sdk_request = sdk
    host = httpx.URL(url).netloc.decode()
    request = sdk_request(
        method="POST",
        schema="http",
        host=host,
        resource_path=PATH,
        query_params=[],
        header_params={"Content-Type": "application/json"},
        body=body,
    )
    signed = basic_credentials(AK, SK, IAM_PROJECT).sign_request(request)
    return signed.url, dict(signed.header_params)


def test_request_signed_by_the_official_sdk_is_accepted(emulator: Start, sdk: Any) -> None:
    server = emulator()
    url, headers = _sdk_signed(sdk, server.url, BODY)
    response = httpx.post(url, content=BODY, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["result"][0]["pipeline_run_id"] == R_BUILD


def test_sdk_signed_request_with_one_tampered_byte_is_rejected(emulator: Start, sdk: Any) -> None:
    server = emulator()
    url, headers = _sdk_signed(sdk, server.url, BODY)
    tampered = bytearray(BODY)
    tampered[BODY.index(b"e41f")] = ord("f")
    response = httpx.post(url, content=bytes(tampered), headers=headers)
    assert response.status_code == 401
    assert response.json()["error_msg"] == SIGNATURE_FAILED


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", PATH, b"", 404, "APIGW.0101"),
        ("POST", "/v5/x/api/nothing", b"{}", 404, "APIGW.0101"),
        ("POST", PATH, b"{not json", 400, "DEVPIPE.00010400"),
        ("POST", PATH, b'{"query": 3}', 400, "DEVPIPE.00010400"),
        (
            "POST",
            PATH,
            b'{"query": [{"pipeline_id": "short", "pipeline_run_id": "x"}]}',
            400,
            "DEVPIPE.00010400",
        ),
        (
            "POST",
            "/v5/short/api/pipelines/batch-runs/result",
            b'{"query": []}',
            400,
            "DEVPIPE.00010400",
        ),
    ],
)
def test_error_answers(
    emulator: Start, method: str, path: str, body: bytes, status: int, code: str
) -> None:
    server = emulator()
    response = httpx.request(
        method, server.url + path, content=body, headers={"X-Auth-Token": TOKEN}
    )
    assert response.status_code == status
    assert response.json()["error_code"] == code
    assert response.json()["request_id"] == response.headers["X-Request-Id"]


def test_token_scoped_to_other_projects_is_forbidden(emulator: Start) -> None:
    data = world_data()
    data["credentials"]["tokens"] = [{"token": TOKEN, "projects": ["f" * 32]}]
    response = _post(emulator(data).url, headers={"X-Auth-Token": TOKEN})
    assert response.status_code == 403
    assert response.json()["error_code"] == "APIGW.0302"


def test_batch_start_creates_runs_that_can_be_queried(emulator: Start) -> None:
    server = emulator()
    started = _post(
        server.url,
        json.dumps({"pipeline_ids": [P_BUILD, P_BANNED]}).encode(),
        headers={"X-Auth-Token": TOKEN},
        path=f"/v5/{PROJECT}/api/pipelines/batch-runs",
    ).json()["result"]
    assert [r["pipeline_id"] for r in started] == [P_BUILD, P_BANNED]
    query = {"query": started}
    answer = _post(server.url, json.dumps(query).encode(), headers={"X-Auth-Token": TOKEN}).json()
    assert [(r["status"], r["reason"]) for r in answer["result"]] == [
        ("START_SUCCESS", None),
        ("START_FAILED", "Current pipeline is banned."),
    ]


def test_scripted_faults_are_consumed_in_order(emulator: Start) -> None:
    server = emulator(
        world_data(
            faults=[
                {
                    "status": 429,
                    "body": {"error_code": "APIGW.0308", "error_msg": "slow down"},
                    "times": 2,
                },
                {"status": 200, "body": "garbage"},
            ]
        )
    )
    statuses = [
        (r.status_code, r.text[:7])
        for r in (_post(server.url, headers={"X-Auth-Token": TOKEN}) for _ in range(4))
    ]
    assert [s for s, _ in statuses] == [429, 429, 200, 200]
    assert statuses[2][1] == "garbage"


def test_world_file_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / "world.yaml"
    path.write_text("version: 1\nprojects:\n  short:\n    pipelines: {}\nfalts: []\n")
    with pytest.raises(WorldError) as raised:
        load_world(path)
    messages = [f"{p.line}:{p.column}: {p.message}" for p in raised.value.problems]
    assert any(m.startswith("3:3: invalid name 'short'") for m in messages), messages
    assert any(m.startswith("5:1: unknown key 'falts'") for m in messages), messages


def test_emulator_command_serves_until_stopped() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", "emulator", "examples/world.yaml", "--port", "0"],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert first.startswith("emulating CodeArts Pipeline at http://127.0.0.1:")
        url = first.split(" at ")[1].split(" ")[0]
        response = _post(
            url,
            json.dumps({"query": []}).encode(),
            headers={"X-Auth-Token": "emulator-demo-token"},
            path="/v5/db8d07265e24426598b3eb03a7818972/api/pipelines/batch-runs/result",
        )
        assert response.json() == {"result": []}
    finally:
        process.terminate()
        try:
            # Generous: a loaded CI machine once took longer than 10 s to stop it.
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        if process.stderr is not None:
            process.stderr.close()


def test_detail_answers_hold_jobs_and_steps_and_the_server_clock(emulator: Start) -> None:
    """As the SDK's StageRun / JobRun / StepRun: IDs, identifiers, statuses and messages."""
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    data = world_data()
    pipeline = data["projects"][PROJECT]["pipelines"][P_BUILD]
    pipeline["runs"][R_BUILD]["run"] = {"status": "FAILED", "stages": {"Build": "FAILED"}}
    server = emulator(data, clock=lambda: moment)
    path = f"/v5/{PROJECT}/api/pipelines/{P_BUILD}/pipeline-runs/detail"
    answer = httpx.get(
        server.url + path,
        params={"pipeline_run_id": R_BUILD},
        headers={"X-Auth-Token": TOKEN},
    ).json()
    assert answer["current_system_time"] == int(moment.timestamp() * 1000)
    (stage,) = answer["stages"]
    assert {"id", "identifier", "name", "status", "jobs"} <= set(stage)
    (job,) = stage["jobs"]
    assert job["status"] == "FAILED" and job["message"]
    (step,) = job["steps"]
    assert {"id", "name", "status", "message"} <= set(step)
    assert step["message"].startswith("step of stage Build failed")


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_the_emulator_serves_ipv6(emulator: Start) -> None:
    server = emulator(host="::1")
    assert server.url.startswith("http://[::1]:")
    response = _post(server.url, headers={"X-Auth-Token": TOKEN})
    assert response.status_code == 200


def test_a_deeply_nested_body_is_a_400(emulator: Start) -> None:
    server = emulator()
    response = _post(server.url, b"[" * 200_000, headers={"X-Auth-Token": TOKEN})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error_msg"]


def test_idle_connections_are_closed_and_connections_are_bounded(emulator: Start) -> None:
    server = emulator(max_connections=2, idle_timeout=0.3)
    host, port = server.url.removeprefix("http://").split(":")
    before = threading.active_count()
    idle = [socket.create_connection((host, int(port))) for _ in range(5)]
    try:
        deadline = time.monotonic() + 0.2
        peak = 0
        while time.monotonic() < deadline:
            peak = max(peak, threading.active_count() - before)
        assert peak <= 2  # two handler threads, however many connections wait
        # The idle ones are closed, so the waiting ones are served in turn.
        response = httpx.post(
            server.url + PATH, content=BODY, headers={"X-Auth-Token": TOKEN}, timeout=10
        )
        assert response.status_code == 200
        idle[0].settimeout(5)
        assert idle[0].recv(1) == b""  # closed by the server
    finally:
        for connection in idle:
            connection.close()


def test_the_emulator_warns_when_it_listens_beyond_loopback() -> None:
    # TEST-NET-1 is no address of this machine: the warning comes, then listening fails,
    # and nothing is ever exposed by the test.
    done = subprocess.run(
        [sys.executable, "-m", "checker", "emulator", "examples/world.yaml", "--host", "192.0.2.1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.stderr.startswith("warning: --host 192.0.2.1 is reachable from the network")
    assert "demo credentials" in done.stderr
    assert done.returncode == 2 and "cannot listen on 192.0.2.1" in done.stderr
