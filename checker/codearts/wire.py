"""What CodeArts sends, read defensively: the answer is untrusted input.

An answer becomes observations or a :class:`~checker.gate.answers.QueryFailure`, never an
exception. Every string taken from it is redacted first (the gateway may echo a token), then
cut to :data:`MAX_API_TEXT` characters, and cleared of lone surrogates that no report file
could hold.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checker.gate.answers import FailureKind, Observation, QueryFailure

MAX_API_TEXT = 1_000
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
SYSTEM_BUSY = "DEVPIPE.00011127"
THROTTLED = "APIGW.0308"
"""The gateway's own 429: the request was not passed on to the service."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_SECONDS = re.compile(r"[0-9]{1,6}")

Redact = Callable[[str], str]


def cut_marker(kept: int, length: int) -> str:
    """What a cut says: how much of how much was left out."""
    return f"… [cut: {length - kept:,} of {length:,} characters]"


def api_text(value: object, redact: Redact) -> str:
    """A string from the API, safe to keep: redacted, then cut, then valid Unicode."""
    text = _SURROGATE.sub("\ufffd", redact(str(value)))
    if len(text) > MAX_API_TEXT:
        text = f"{text[:MAX_API_TEXT]}{cut_marker(MAX_API_TEXT, len(text))}"
    return text


def _optional(value: object, redact: Redact) -> str | None:
    return None if value is None else api_text(value, redact)


class _WireEntry(BaseModel):
    """One ``result`` entry as CodeArts sends it. The API may add fields; only the documented
    ones are read, and they must have their type."""

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    pipeline_id: str
    pipeline_run_id: str
    pipeline_name: str | None = None
    status: str | None = None
    reason: str | None = None


class _WireAnswer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    result: list[_WireEntry] = Field(default_factory=list)


def parse_json(content: bytes) -> Any:
    """The JSON value, or None when the body is not JSON (or nests absurdly deep)."""
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds, when it is plain ASCII digits (``²`` is a digit to Python)."""
    value = headers.get("Retry-After", "").strip()
    return float(value) if _SECONDS.fullmatch(value) else None


@dataclass(frozen=True)
class Reading:
    """One HTTP answer as received: status, the headers that matter, the (capped) body."""

    status: int
    request_id: str | None
    content: bytes
    retry_after: float | None = None


def snippet(content: bytes, redact: Redact, size: int = 120) -> str:
    """The start of a body for a message: redacted before it is cut, so a cut never leaves
    half a secret."""
    text = redact(content.decode("utf-8", errors="replace"))
    shown = " ".join(text[:size].split())
    return _SURROGATE.sub("\ufffd", shown) + ("…" if len(text) > size else "")


def describe_error(code: str | None, message: str | None) -> str:
    if code or message:
        return f"{code or '?'}: {message or ''}".strip()
    return "(no error details)"


Parse = Callable[[Any, Redact], Any]
"""Turns a 200 body into observations; raises ValueError for a body of the wrong shape."""


def error_fields(fields: Mapping[str, Any], redact: Redact) -> tuple[str | None, str | None]:
    """The error code and message of either shape CodeArts answers with:
    ``{"error_code", "error_msg"}`` or ``{"error": {"code", "message"}}``."""
    code = _optional(fields.get("error_code"), redact)
    message = _optional(fields.get("error_msg"), redact)
    nested = fields.get("error")
    if code is None and isinstance(nested, Mapping):
        code = _optional(nested.get("code") or nested.get("error_code"), redact)
        message = _optional(nested.get("message") or nested.get("error_msg"), redact)
    return code, message


def judge(
    reading: Reading,
    attempt: int,
    redact: Redact,
    parse: Parse | None = None,
    accepts: frozenset[str] = frozenset(),
) -> tuple[FailureKind | None, Any]:
    """Decide what an answer is: ``(None, observations)`` or ``(kind, QueryFailure)``.

    ``parse`` reads a 200 body (default: the startup API's ``{"result": [...]}``), and a body
    of any status whose error code is in ``accepts`` (a queued run is an answer)."""
    body = parse_json(reading.content)
    fields = body if isinstance(body, dict) else {}
    code, message = error_fields(fields, redact)
    request_id = _optional(reading.request_id or fields.get("request_id"), redact)
    status = reading.status

    def failure(kind: FailureKind, text: str) -> tuple[FailureKind, QueryFailure]:
        return kind, QueryFailure(
            kind=kind,
            message=text,
            http_status=status,
            error_code=code,
            error_msg=message,
            request_id=request_id,
            attempts=attempt,
        )

    if status in (401, 403):
        return failure("auth", f"HTTP {status} {describe_error(code, message)}")
    if code in accepts:
        with contextlib.suppress(ValueError):  # else it is the error it says it is
            return None, (parse or parse_startup)(body, redact)
    if status != 200:
        return failure("http", f"HTTP {status} {describe_error(code, message)}")
    if body is None:
        return failure("answer", f"unusable answer: not JSON: {snippet(reading.content, redact)!r}")
    if code and "result" not in fields:
        # Either error shape, in any status: an HTTP 200 carrying one is not an answer.
        return failure("http", f"service error {describe_error(code, message)}")
    try:
        return None, (parse or parse_startup)(body, redact)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return failure("answer", f"unusable answer: {where}: {first['msg']}")
    except ValueError as error:
        found = snippet(reading.content, redact)
        return failure("answer", f"unusable answer: {error}, got {found!r}")


def parse_startup(body: Any, redact: Redact) -> tuple[Observation, ...]:
    if not isinstance(body, dict) or "result" not in body:
        raise ValueError("expected an object with 'result'")
    answer = _WireAnswer.model_validate(body)
    return tuple(_observation(entry, redact) for entry in answer.result)


def _observation(entry: _WireEntry, redact: Redact) -> Observation:
    return Observation(
        pipeline_id=entry.pipeline_id,
        pipeline_run_id=entry.pipeline_run_id,
        pipeline_name=_optional(entry.pipeline_name, redact),
        status=_optional(entry.status, redact),
        reason=_optional(entry.reason, redact),
    )
