"""The client against scripted transports: retries with a fake clock, auth failures that stop
the run, and every kind of bad answer turned into a batch failure, never an exception."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from helpers import PROJECT, FakeClock, query_batches

from checker.codearts.context import ClientContext
from checker.codearts.credentials import TokenCredentials
from checker.codearts.secret import Secret
from checker.codearts.settings import ClientSettings
from checker.gate.answers import BatchAnswer
from checker.gate.planner import Batch, PlannedRun

ENDPOINT = "https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com"


def _batch(number: int = 1, runs: int = 1) -> Batch:
    return Batch(
        endpoint=ENDPOINT,
        project_id=PROJECT,
        number=number,
        runs=tuple(
            PlannedRun(pipeline_id=f"{i:032d}", pipeline_run_id=f"{i:032d}", check_names=(f"c{i}",))
            for i in range(runs)
        ),
    )


def _ok(request: httpx.Request) -> httpx.Response:
    query = json.loads(request.content)["query"]
    return httpx.Response(
        200,
        json={
            "result": [
                {
                    **item,
                    "pipeline_name": "P",
                    "status": "START_SUCCESS",
                    "reason": None,
                    "extra_field": 1,
                }
                for item in query
            ]
        },
    )


def _run(
    handler: Callable[[httpx.Request], Any],
    batches: list[Batch] | None = None,
    **settings: Any,
) -> tuple[list[BatchAnswer], FakeClock]:
    clock = FakeClock()
    transport = ClientContext(
        credentials=TokenCredentials(Secret("token-abcdef"), "test token"),
        settings=ClientSettings(**settings),
        sleep=clock.sleep,
        clock=clock,
        jitter=lambda: 0.5,
        http_transport=httpx.MockTransport(handler),
    )
    answers = asyncio.run(query_batches(batches or [_batch()], transport))
    return answers, clock


def _scripted(
    *responses: httpx.Response | Exception,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0) if queue else _ok(request)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def test_success_parses_observations_and_sends_the_documented_request() -> None:
    handler, seen = _scripted()
    answers, sleep = _run(handler, [_batch(runs=3)])
    assert answers[0].failure is None
    assert [o.pipeline_id for o in answers[0].observations] == [f"{i:032d}" for i in range(3)]
    request = seen[0]
    assert request.method == "POST"
    assert request.url.path == f"/v5/{PROJECT}/api/pipelines/batch-runs/result"
    assert request.headers["X-Auth-Token"] == "token-abcdef"
    assert request.headers["Content-Type"].startswith("application/json")
    assert sleep.slept == []


def test_throttling_is_retried_after_two_to_five_seconds() -> None:
    handler, seen = _scripted(
        httpx.Response(429, json={"error_code": "APIGW.0308", "error_msg": "throttled"}),
        httpx.Response(429, json={"error_code": "APIGW.0308", "error_msg": "throttled"}),
    )
    answers, sleep = _run(handler)
    assert answers[0].failure is None
    assert len(seen) == 3
    assert sleep.slept == [3.5, 3.5]  # 2 + 3 * jitter(0.5)


def test_retry_after_header_is_honoured() -> None:
    handler, _ = _scripted(httpx.Response(503, headers={"Retry-After": "7"}))
    answers, sleep = _run(handler)
    assert answers[0].failure is None
    assert sleep.slept == [7.0]


def test_server_errors_give_up_after_max_attempts() -> None:
    handler, seen = _scripted(*[httpx.Response(502, json={"error_code": "APIGW.0201"})] * 10)
    answers, sleep = _run(handler, max_attempts=3)
    failure = answers[0].failure
    assert failure is not None and failure.kind == "http"
    assert failure.attempts == 3 and failure.http_status == 502
    assert len(seen) == 3
    assert sleep.slept == [0.75, 1.5]  # exponential backoff with jitter 0.5


def test_timeouts_and_connection_errors_are_retried() -> None:
    handler, seen = _scripted(httpx.ReadTimeout("slow"), httpx.ConnectError("refused"))
    answers, _ = _run(handler)
    assert answers[0].failure is None and len(seen) == 3


def test_timeout_on_every_attempt_is_a_network_failure() -> None:
    handler, _ = _scripted(*[httpx.ReadTimeout("slow")] * 5)
    answers, _ = _run(handler, max_attempts=2)
    failure = answers[0].failure
    assert failure is not None and failure.kind == "network"
    assert failure.message == "timed out (ReadTimeout)"


def test_system_busy_in_a_200_is_retried() -> None:
    handler, seen = _scripted(
        httpx.Response(200, json={"error_code": "DEVPIPE.00011127", "error_msg": "busy"})
    )
    answers, _ = _run(handler)
    assert answers[0].failure is None and len(seen) == 2


def test_other_service_error_in_a_200_is_an_error_not_an_empty_result() -> None:
    handler, seen = _scripted(
        httpx.Response(200, json={"error_code": "DEVPIPE.00011104", "error_msg": "no such project"})
    )
    answers, _ = _run(handler)
    failure = answers[0].failure
    assert failure is not None
    assert failure.message == "service error DEVPIPE.00011104: no such project"
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        (httpx.Response(200, content=b"<html>"), "not JSON"),
        (httpx.Response(200, json=[1, 2]), "expected an object with 'result'"),
        (httpx.Response(200, json={"result": "nope"}), "result: Input should be a valid list"),
        (httpx.Response(200, json={"result": [{"pipeline_id": "x"}]}), "pipeline_run_id"),
        (
            httpx.Response(
                200, json={"result": [{"pipeline_id": "x", "pipeline_run_id": "y", "status": 5}]}
            ),
            "result.0.status",
        ),
        (httpx.Response(200, content=b"\xff\xfe"), "not JSON"),
    ],
)
def test_unusable_answers_become_batch_failures(response: httpx.Response, fragment: str) -> None:
    handler, _ = _scripted(response)
    answers, _ = _run(handler)
    failure = answers[0].failure
    assert failure is not None and failure.kind == "answer"
    assert fragment in failure.message


def test_partial_answer_is_not_a_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"result": []})

    answers, _ = _run(handler, [_batch(runs=2)])
    assert answers[0].failure is None and answers[0].observations == ()


def test_auth_failure_is_not_retried_and_stops_further_batches() -> None:
    handler, seen = _scripted(
        httpx.Response(
            401,
            json={"error_code": "APIGW.0301", "error_msg": "bad", "request_id": "rid-1"},
        )
    )
    batches = [_batch(number=n) for n in range(1, 6)]
    answers, sleep = _run(handler, batches)
    assert len(seen) == 1
    assert sleep.slept == []
    first = answers[0].failure
    assert first is not None and first.kind == "auth" and first.request_id == "rid-1"
    assert all(a.failure is not None and a.failure.kind == "not_sent" for a in answers[1:])


def test_forbidden_is_an_auth_failure() -> None:
    handler, _ = _scripted(httpx.Response(403, json={"error_code": "APIGW.0302"}))
    answers, _ = _run(handler)
    assert answers[0].failure is not None and answers[0].failure.kind == "auth"


def test_redirects_are_not_followed() -> None:
    handler, seen = _scripted(
        httpx.Response(302, headers={"Location": "https://evil.example/steal"})
    )
    answers, _ = _run(handler)
    assert len(seen) == 1
    assert answers[0].failure is not None and answers[0].failure.http_status == 302


def test_concurrency_is_bounded() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        in_flight -= 1
        return _ok(request)

    answers, _ = _run(handler, [_batch(number=n) for n in range(1, 20)], concurrency=3)
    assert all(a.failure is None for a in answers)
    assert [a.batch.number for a in answers] == list(range(1, 20))
    assert 1 < peak <= 3
