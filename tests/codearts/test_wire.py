"""Answers are untrusted: any body, any status, any header, for every API, ends as
observations or a failure — never an exception — and no secret survives in either."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.codearts.runs_wire import parse_detail, parse_latest, parse_started
from checker.codearts.secret import Redactor
from checker.codearts.wire import MAX_API_TEXT, Parse, Reading, judge, parse_startup
from checker.gate.answers import QueryFailure

SECRET = "SECRET-token-value-0123456789"
REDACT = Redactor({SECRET: "********"})
PARSERS: list[Parse] = [parse_startup, parse_latest, parse_detail, parse_started]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.just(SECRET),
    st.just("x" * (MAX_API_TEXT + 50)),
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
_keys = st.sampled_from(
    [
        "result",
        "error_code",
        "error_msg",
        "pipeline_id",
        "pipeline_run_id",
        "id",
        "status",
        "reason",
        "pipeline_name",
        "start_time",
        "end_time",
        "stages",
        "stage_status_list",
        "detail_url",
        "run_number",
        "name",
    ]
)
_shaped = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=6),
    max_leaves=30,
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    if hasattr(value, "model_dump"):
        return _strings(value.model_dump())
    return []


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(_json, _shaped),
    status=st.sampled_from([200, 200, 200, 400, 401, 403, 404, 413, 429, 500, 503]),
    parse=st.sampled_from(PARSERS),
    raw=st.booleans(),
)
def test_any_answer_is_observations_or_a_failure(
    body: Any, status: int, parse: Parse, raw: bool
) -> None:
    content = json.dumps(body).encode() if not raw else json.dumps(body).encode()[:-1]
    kind, outcome = judge(Reading(status, None, content), 1, REDACT, parse)
    if kind is None:
        assert status == 200
    else:
        assert isinstance(outcome, QueryFailure) and outcome.kind == kind
    for text in _strings(outcome):
        assert SECRET not in text
        assert len(text) <= MAX_API_TEXT + 40 or text == outcome.message


@settings(max_examples=100, deadline=None)
@given(content=st.binary(max_size=300), parse=st.sampled_from(PARSERS))
def test_any_bytes_are_a_failure_or_parse(content: bytes, parse: Parse) -> None:
    kind, outcome = judge(Reading(200, None, content), 1, REDACT, parse)
    assert kind is None or isinstance(outcome, QueryFailure)


def test_both_error_shapes_are_service_errors_in_any_status() -> None:
    """``{"error_code", "error_msg"}`` and ``{"error": {"code", "message"}}``, also inside
    HTTP 200, are service errors shown with their code, never "unusable answer"."""
    shapes = [
        {"error_code": "DEVPIPE.00011401", "error_msg": "pipeline not found"},
        {"error": {"code": "DEVPIPE.00011401", "message": "pipeline not found"}},
    ]
    for body in shapes:
        for status in (200, 400):
            reading = Reading(status, "req-1", json.dumps(body).encode(), None)
            kind, failure = judge(reading, 1, Redactor(), parse_latest)
            assert kind == "http", (body, status)
            assert isinstance(failure, QueryFailure)
            assert failure.error_code == "DEVPIPE.00011401"
            assert failure.error_msg == "pipeline not found"
            assert "unusable" not in failure.message


def test_run_answers_are_read_as_the_sdk_models_allow() -> None:
    """No field is required: null lists, null items and nameless stages are read; a running
    run's age comes from the server's clock when the answer gives it."""
    latest = [
        {"pipeline_id": "p" * 32, "pipeline_run_id": "r" * 32, "stage_status_list": None},
        {
            "pipeline_id": "q" * 32,
            "pipeline_run_id": "s" * 32,
            "status": "RUNNING",
            "stage_status_list": [None, {"identifier": "build-1", "status": "COMPLETED"}],
        },
    ]
    runs = parse_latest(latest, Redactor()).runs
    assert runs[0].stages == ()
    assert [(s.name, s.status) for s in runs[1].stages] == [("build-1", "COMPLETED")]
    hour = 3_600_000
    detail = {
        "id": "r" * 32,
        "pipeline_id": "p" * 32,
        "status": "RUNNING",
        "start_time": 10 * hour,
        "stages": None,
        "current_system_time": 10 * hour + 60_000,
    }
    run = parse_detail(detail, Redactor())
    # The local clock is hours ahead: the age is still the server's one minute.
    assert run.seconds(now_ms=15 * hour) == 60.0
    assert "server_time" not in run.model_dump()  # measured with, never reported


def test_one_malformed_item_spoils_only_its_own_pipeline() -> None:
    latest = [
        {"pipeline_id": "p" * 32, "pipeline_run_id": "r" * 32, "status": "COMPLETED"},
        {"pipeline_id": "q" * 32, "pipeline_run_id": "s" * 32, "run_number": "not a number"},
        {"pipeline_run_id": "t" * 32, "status": ["no", "pipeline"]},
    ]
    read = parse_latest(latest, Redactor())
    assert [run.pipeline_id for run in read.runs] == ["p" * 32]
    assert [pipeline for pipeline, _ in read.spoiled] == ["q" * 32]
    assert read.spoiled[0][1].startswith("run_number: ")
