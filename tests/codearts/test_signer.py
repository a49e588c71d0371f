"""AK/SK signing: byte-identical to the official SDK's signer, on the reference vectors and on
hypothesis-generated requests. The SDK (huaweicloudsdkcore) is the oracle, test-only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.codearts.secret import Secret
from checker.codearts.signing import AkSkAuth, TokenAuth, canonical_request, split_url

AK = "TESTAK1234567890ABCD"
SK = "TESTSKabcdefghijklmnopqrstuvwxyz0123456789"
VECTOR_PROJECT = "0123456789abcdef0123456789abcdef"
"""The project of the reference notes' signing vectors (an IAM project: X-Project-Id)."""
HOST = "cloudpipeline-ext.cn-north-4.myhuaweicloud.com"
DATE = "20240115T080910Z"
CLOCK_TIME = datetime(2024, 1, 15, 8, 9, 10, tzinfo=UTC)


def _ours(
    method: str,
    url: str,
    body: bytes,
    *,
    project: str | None = VECTOR_PROJECT,
    security_token: str | None = None,
    params: list[tuple[str, str | int | float | bool | None]] | None = None,
) -> httpx.Request:
    request = httpx.Request(
        method, url, params=params, content=body, headers={"Content-Type": "application/json"}
    )
    auth = AkSkAuth(
        Secret(AK),
        Secret(SK),
        project_id=project,
        security_token=Secret(security_token) if security_token else None,
        clock=lambda: CLOCK_TIME,
    )
    flow = auth.auth_flow(request)
    signed = next(flow)
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(200))
    return signed


def _sdk_authorization(
    sdk: Any,
    method: str,
    resource_path: str,
    query: list[tuple[str, str]],
    body: bytes,
    *,
    project: str | None = VECTOR_PROJECT,
    security_token: str | None = None,
    host: str = HOST,
) -> str:
    basic_credentials, sdk_request = sdk
    credentials = basic_credentials(AK, SK, project)
    if security_token:
        credentials = credentials.with_security_token(security_token)
    request = sdk_request(
        method=method,
        schema="https",
        host=host,
        resource_path=resource_path,
        query_params=list(query),
        header_params={"Content-Type": "application/json", "X-Sdk-Date": DATE},
        body=body,
    )
    signed = credentials.sign_request(request)
    return str(signed.header_params["Authorization"])


VECTOR_1 = (
    "SDK-HMAC-SHA256 Access=TESTAK1234567890ABCD, "
    "SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
    "Signature=c7eed2a4603c9e7c59ed891bb68b7bff8ecb134e4522371d8002d5dd513ca809"
)


def test_vector_1_batch_result() -> None:
    request = _ours(
        "POST",
        f"https://{HOST}/v5/{VECTOR_PROJECT}/api/pipelines/batch-runs/result",
        b'{"query":[{"pipeline_id":"p1","pipeline_run_id":"r1"}]}',
    )
    assert request.headers["Authorization"] == VECTOR_1
    assert request.headers["X-Sdk-Date"] == DATE
    assert request.headers["X-Project-Id"] == VECTOR_PROJECT


def test_vector_1_canonical_request() -> None:
    request = _ours(
        "POST",
        f"https://{HOST}/v5/{VECTOR_PROJECT}/api/pipelines/batch-runs/result",
        b'{"query":[{"pipeline_id":"p1","pipeline_run_id":"r1"}]}',
    )
    path, query = split_url(request.url)
    headers = {k.lower(): v for k, v in request.headers.items()}
    signed = ["content-type", "host", "x-project-id", "x-sdk-date"]
    assert canonical_request("POST", path, query, headers, signed, request.content) == (
        "POST\n"
        f"/v5/{VECTOR_PROJECT}/api/pipelines/batch-runs/result/\n"
        "\n"
        "content-type:application/json\n"
        f"host:{HOST}\n"
        f"x-project-id:{VECTOR_PROJECT}\n"
        "x-sdk-date:20240115T080910Z\n"
        "\n"
        "content-type;host;x-project-id;x-sdk-date\n"
        "462ccf7ea805c69397ee2ba2d001ca62e9197e080daa6413aebc2299a162eca3"
    )


def test_vector_2_security_token() -> None:
    request = _ours(
        "POST",
        f"https://{HOST}/v5/{VECTOR_PROJECT}/api/pipelines/batch-runs",
        b'{"pipeline_ids":["p1","p2"]}',
        security_token="TESTSECURITYTOKEN",
    )
    assert request.headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=TESTAK1234567890ABCD, "
        "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, "
        "Signature=5d6c56df8bbf570fa248ed28c1da4e0739aa316bcb3f2c76f0e47bd47a0ad453"
    )
    assert request.headers["X-Security-Token"] == "TESTSECURITYTOKEN"


def test_vector_3_get_with_query_no_project() -> None:
    request = _ours(
        "GET",
        f"https://{HOST}/v5/{VECTOR_PROJECT}/api/pipelines/pipe123/pipeline-runs/detail",
        b"",
        project=None,
        params=[("pipeline_run_id", "run 1/x")],
    )
    assert request.headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=TESTAK1234567890ABCD, "
        "SignedHeaders=content-type;host;x-sdk-date, "
        "Signature=db0af12cae55bf6accd3a312a63d5949513ab35899e193f1ba6daffaf0d63fb0"
    )


def test_vectors_agree_with_the_sdk(sdk: Any) -> None:
    assert (
        _sdk_authorization(
            sdk,
            "POST",
            f"/v5/{VECTOR_PROJECT}/api/pipelines/batch-runs/result",
            [],
            b'{"query":[{"pipeline_id":"p1","pipeline_run_id":"r1"}]}',
        )
        == VECTOR_1
    )


def test_token_auth_sets_header_only() -> None:
    request = httpx.Request("POST", f"https://{HOST}/x")
    signed = next(TokenAuth(Secret("tok-123456")).auth_flow(request))
    assert signed.headers["X-Auth-Token"] == "tok-123456"
    assert "Authorization" not in signed.headers


def test_auth_reprs_hide_secrets() -> None:
    auth = AkSkAuth(Secret(AK), Secret(SK), security_token=Secret("SEC-TOKEN-XYZ"))
    assert SK not in repr(auth) and AK not in repr(auth) and "SEC-TOKEN" not in repr(auth)
    assert SK not in repr(Secret(SK)) and SK not in str(Secret(SK))


_segment_chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/?#")
_segment = st.text(_segment_chars, min_size=1, max_size=8) | st.sampled_from(
    ["a b", "~tilde", "100%", "%41", "é", "中文", "a+b", "x;y", "..", "."]
)
_query_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=6
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    segments = draw(st.lists(_segment, min_size=1, max_size=4))
    trailing = draw(st.booleans())
    query_keys = draw(
        st.lists(st.sampled_from(["b", "a", "pipeline_run_id", "z", "a"]), max_size=4)
    )
    query = [(key, draw(_query_text)) for key in query_keys]
    body = draw(
        st.sampled_from([b"", b"{}"])
        | st.binary(max_size=40)
        | st.text(max_size=30).map(lambda t: t.encode("utf-8"))
    )
    return {
        "method": draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"])),
        "segments": segments,
        "trailing": trailing,
        "query": query,
        "body": body,
        "security_token": draw(st.sampled_from([None, "STS-TOKEN-abc123", "x" * 40])),
        "project": draw(st.sampled_from([VECTOR_PROJECT, None])),
    }


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=requests())
def test_signatures_match_the_sdk(sdk: Any, spec: dict[str, Any]) -> None:
    # The path as it goes on the wire; the SDK signs the same wire path.
    path = "/v5/" + "/".join(spec["segments"]) + ("/" if spec["trailing"] else "")
    url = httpx.URL(f"https://{HOST}").copy_with(path=path)
    ours = _ours(
        spec["method"],
        str(url),
        spec["body"],
        project=spec["project"],
        security_token=spec["security_token"],
        params=spec["query"] or None,
    )
    wire_path, _ = split_url(ours.url)
    theirs = _sdk_authorization(
        sdk,
        spec["method"],
        wire_path,
        spec["query"],
        spec["body"],
        project=spec["project"],
        security_token=spec["security_token"],
    )
    assert ours.headers["Authorization"] == theirs
