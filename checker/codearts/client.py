"""Batch queries to ``POST /v5/{project_id}/api/pipelines/batch-runs/result``.

Batches go out concurrently (bounded), with retries for throttling and transient faults.
Every batch ends as a :class:`BatchAnswer`: observations, or a failure saying why; a bad
answer never raises. Authentication failures are never retried (five failed AK/SK attempts
lock the key for five minutes), and after one no further batch is sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checker.codearts.credentials import Credentials
from checker.codearts.signing import Clock, utc_now
from checker.environment import CA_BUNDLE_VARIABLE
from checker.errors import UsageError
from checker.gate.answers import BatchAnswer, FailureKind, Observation, QueryFailure
from checker.gate.planner import Batch

log = logging.getLogger("checker.client")

API_PATH = "/v5/{project_id}/api/pipelines/batch-runs/result"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
SYSTEM_BUSY = "DEVPIPE.00011127"
USER_AGENT = "checker (CodeArts Pipeline status gate)"

Sleep = Callable[[float], Awaitable[None]]


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


@dataclass(frozen=True)
class ClientSettings:
    concurrency: int = 8
    timeout: float = 60.0
    max_attempts: int = 4
    ca_bundle: Path | None = None
    backoff_cap: float = 30.0


@dataclass(frozen=True)
class ClientContext:
    """Everything a query needs besides its batches; tests swap sleep, clock and transport."""

    credentials: Credentials
    settings: ClientSettings = field(default_factory=ClientSettings)
    sleep: Sleep = asyncio.sleep
    clock: Clock = utc_now
    jitter: Callable[[], float] = random.random
    http_transport: httpx.AsyncBaseTransport | None = None


def tls_verification(settings: ClientSettings) -> ssl.SSLContext | bool:
    """TLS is always verified; a private CA comes from ``--ca-bundle`` or ``SSL_CERT_FILE``."""
    bundle = settings.ca_bundle
    if bundle is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(bundle))
    except (OSError, ssl.SSLError) as error:
        raise UsageError(
            f"cannot load CA bundle {bundle}: {error.__class__.__name__}",
            f"pass a PEM file of CA certificates with --ca-bundle or {CA_BUNDLE_VARIABLE}",
        ) from None


def _error_fields(body: Any) -> tuple[str | None, str | None]:
    if isinstance(body, dict):
        code, message = body.get("error_code"), body.get("error_msg")
        return (
            str(code) if code is not None else None,
            str(message) if message is not None else None,
        )
    return None, None


def _parse_json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def _snippet(content: bytes) -> str:
    text = content[:120].decode("utf-8", errors="replace")
    return " ".join(text.split()) + ("…" if len(content) > 120 else "")


class _BatchQuery:
    def __init__(
        self, client: httpx.AsyncClient, context: ClientContext, abort: asyncio.Event
    ) -> None:
        self.client = client
        self.context = context
        self.abort = abort

    async def run(self, batch: Batch) -> BatchAnswer:
        settings = self.context.settings
        failure: QueryFailure | None = None
        for attempt in range(1, settings.max_attempts + 1):
            if self.abort.is_set():
                return BatchAnswer(batch=batch, failure=_not_sent(attempt - 1))
            outcome, delay = await self._attempt(batch, attempt)
            if isinstance(outcome, BatchAnswer):
                return outcome
            failure = outcome
            if delay is None or attempt == settings.max_attempts:
                break
            log.debug(
                "batch %s/%d: %s; retrying in %.1fs",
                batch.project_id,
                batch.number,
                failure.message,
                delay,
            )
            await self.context.sleep(delay)
        assert failure is not None
        if failure.kind == "auth":
            self.abort.set()
        return BatchAnswer(batch=batch, failure=failure)

    def _backoff(self, attempt: int) -> float:
        base = min(self.context.settings.backoff_cap, 2.0 ** (attempt - 1))
        return base * (0.5 + self.context.jitter() / 2)

    async def _attempt(
        self, batch: Batch, attempt: int
    ) -> tuple[BatchAnswer | QueryFailure, float | None]:
        url = batch.endpoint + API_PATH.format(project_id=batch.project_id)
        auth = self.context.credentials.auth(batch.project_id, self.context.clock)
        try:
            response = await self.client.post(
                url,
                content=json.dumps(batch.query_body(), separators=(",", ":")).encode(),
                headers={"Content-Type": "application/json;charset=UTF-8"},
                auth=auth,
            )
        except httpx.TimeoutException as error:
            return _network(f"timed out ({error.__class__.__name__})", attempt), self._backoff(
                attempt
            )
        except httpx.TransportError as error:
            return _network(f"network error: {error.__class__.__name__}", attempt), self._backoff(
                attempt
            )
        log.debug(
            "POST %s -> %d (request id %s)",
            url,
            response.status_code,
            response.headers.get("X-Request-Id"),
        )
        return self._judge(batch, response, attempt)

    def _judge(
        self, batch: Batch, response: httpx.Response, attempt: int
    ) -> tuple[BatchAnswer | QueryFailure, float | None]:
        body = _parse_json(response)
        code, message = _error_fields(body)
        request_id = response.headers.get("X-Request-Id") or (
            str(body["request_id"]) if isinstance(body, dict) and body.get("request_id") else None
        )
        status = response.status_code

        def failure(kind: FailureKind, text: str) -> QueryFailure:
            return QueryFailure(
                kind=kind,
                message=text,
                http_status=status,
                error_code=code,
                error_msg=message,
                request_id=request_id,
                attempts=attempt,
            )

        if status in (401, 403):
            return failure("auth", f"HTTP {status} {_describe_error(code, message)}"), None
        if status in RETRYABLE_STATUS:
            return failure(
                "http", f"HTTP {status} {_describe_error(code, message)}"
            ), self._retry_delay(response, attempt)
        if status != 200:
            return failure("http", f"HTTP {status} {_describe_error(code, message)}"), None
        if body is None:
            return failure(
                "answer", f"unusable answer: not JSON: {_snippet(response.content)!r}"
            ), None
        if isinstance(body, dict) and code and "result" not in body:
            delay = self._backoff(attempt) + 1.0 if code == SYSTEM_BUSY else None
            return failure("http", f"service error {_describe_error(code, message)}"), delay
        if not isinstance(body, dict) or "result" not in body:
            return failure(
                "answer",
                "unusable answer: expected an object with 'result', "
                f"got {_snippet(response.content)!r}",
            ), None
        try:
            answer = _WireAnswer.model_validate(body)
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            return failure("answer", f"unusable answer: {where}: {first['msg']}"), None
        observations = tuple(Observation(**entry.model_dump()) for entry in answer.result)
        return BatchAnswer(batch=batch, observations=observations), None

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.strip().isdigit():
            return min(float(retry_after), self.context.settings.backoff_cap)
        if response.status_code == 429:
            # The gateway's advice for APIGW.0308 is to wait 2 to 5 seconds.
            return 2.0 + 3.0 * self.context.jitter()
        return self._backoff(attempt)


def _describe_error(code: str | None, message: str | None) -> str:
    if code or message:
        return f"{code or '?'}: {message or ''}".strip()
    return "(no error details)"


def _network(message: str, attempt: int) -> QueryFailure:
    return QueryFailure(kind="network", message=message, attempts=attempt)


def _not_sent(attempts: int) -> QueryFailure:
    return QueryFailure(
        kind="not_sent",
        message="not sent: authentication failed on an earlier request",
        attempts=attempts,
    )


async def query_batches(batches: Sequence[Batch], context: ClientContext) -> list[BatchAnswer]:
    """Send every batch; answers come back in the order of ``batches``.

    The first batch goes alone: if the credentials are wrong, one failed request is spent,
    not one per batch.
    """
    if not batches:
        return []
    settings = context.settings
    limits = httpx.Limits(max_connections=settings.concurrency)
    abort = asyncio.Event()
    async with httpx.AsyncClient(
        timeout=settings.timeout,
        verify=tls_verification(settings),
        limits=limits,
        transport=context.http_transport,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    ) as client:
        query = _BatchQuery(client, context, abort)
        first = await query.run(batches[0])
        semaphore = asyncio.Semaphore(settings.concurrency)

        async def bounded(batch: Batch) -> BatchAnswer:
            async with semaphore:
                return await query.run(batch)

        rest = await asyncio.gather(*(bounded(batch) for batch in batches[1:]))
    return [first, *rest]
