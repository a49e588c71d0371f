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

import httpx

from checker.codearts.credentials import Credentials
from checker.codearts.signing import Clock, utc_now
from checker.codearts.wire import (
    RETRYABLE_STATUS,
    SYSTEM_BUSY,
    Reading,
    judge,
    retry_after,
)
from checker.diagnostics.documents import InputRefused, read_input
from checker.environment import CA_BUNDLE_VARIABLE
from checker.errors import UsageError
from checker.gate.answers import BatchAnswer, QueryFailure
from checker.gate.planner import Batch

log = logging.getLogger("checker.client")

API_PATH = "/v5/{project_id}/api/pipelines/batch-runs/result"
USER_AGENT = "checker (CodeArts Pipeline status gate)"
MAX_CA_BUNDLE_BYTES = 4 * 1024 * 1024
BASE_BODY_BYTES = 1024 * 1024
BODY_BYTES_PER_RUN = 2048
"""An answer may be 1 MiB plus 2 KiB per queried run (about 20 MB for 10,000 runs); anything
larger is not an answer but an attack or a fault, and is not read further."""

Sleep = Callable[[float], Awaitable[None]]


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
        pem = read_input(bundle, MAX_CA_BUNDLE_BYTES).decode("ascii")
        return ssl.create_default_context(cadata=pem)
    except InputRefused as refused:
        raise UsageError(f"cannot load CA bundle {bundle}: {refused}") from None
    except (UnicodeDecodeError, ssl.SSLError) as error:
        raise UsageError(
            f"cannot load CA bundle {bundle}: {error.__class__.__name__}",
            f"pass a PEM file of CA certificates with --ca-bundle or {CA_BUNDLE_VARIABLE}",
        ) from None


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
        try:
            # The limit bounds the whole attempt, not each read: a server trickling one byte
            # at a time must not hold the gate.
            async with asyncio.timeout(self.context.settings.timeout):
                reading = await self._send(batch)
        except TimeoutError:
            failure = _network(f"timed out after {self.context.settings.timeout:g}s", attempt)
            return failure, self._backoff(attempt)
        except httpx.TimeoutException as error:
            failure = _network(f"timed out ({error.__class__.__name__})", attempt)
            return failure, self._backoff(attempt)
        except httpx.DecodingError:
            return _unusable("its Content-Encoding could not be decoded", attempt), None
        except _TooLarge as too_large:
            return _unusable(f"larger than {too_large.limit:,} bytes", attempt), None
        except httpx.HTTPError as error:
            message = f"network error: {error.__class__.__name__}"
            return _network(message, attempt), self._backoff(attempt)
        return self._judge(batch, reading, attempt)

    async def _send(self, batch: Batch) -> Reading:
        url = batch.endpoint + API_PATH.format(project_id=batch.project_id)
        auth = self.context.credentials.auth(batch.project_id, self.context.clock)
        limit = BASE_BODY_BYTES + BODY_BYTES_PER_RUN * len(batch.runs)
        async with self.client.stream(
            "POST",
            url,
            content=json.dumps(batch.query_body(), separators=(",", ":")).encode(),
            headers={"Content-Type": "application/json;charset=UTF-8"},
            auth=auth,
        ) as response:
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > limit:
                    raise _TooLarge(limit)
            request_id = response.headers.get("X-Request-Id")
            log.debug("POST %s -> %d (request id %s)", url, response.status_code, request_id)
            return Reading(
                response.status_code, request_id, bytes(content), retry_after(response.headers)
            )

    def _judge(
        self, batch: Batch, reading: Reading, attempt: int
    ) -> tuple[BatchAnswer | QueryFailure, float | None]:
        kind, outcome = judge(reading, attempt, self.context.credentials.redactor())
        if kind is None:
            return BatchAnswer(batch=batch, observations=outcome), None
        delay = None
        if reading.status in RETRYABLE_STATUS:
            delay = self._retry_delay(reading, attempt)
        elif kind == "http" and outcome.error_code == SYSTEM_BUSY:
            delay = self._backoff(attempt) + 1.0
        return outcome, delay

    def _retry_delay(self, reading: Reading, attempt: int) -> float:
        if reading.retry_after is not None:
            return min(reading.retry_after, self.context.settings.backoff_cap)
        if reading.status == 429:
            # The gateway's advice for APIGW.0308 is to wait 2 to 5 seconds.
            return 2.0 + 3.0 * self.context.jitter()
        return self._backoff(attempt)


class _TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def _unusable(why: str, attempt: int) -> QueryFailure:
    return QueryFailure(kind="answer", message=f"unusable answer: {why}", attempts=attempt)


def _network(message: str, attempt: int) -> QueryFailure:
    return QueryFailure(kind="network", message=message, attempts=attempt)


def _not_sent(attempts: int) -> QueryFailure:
    return QueryFailure(
        kind="not_sent",
        message="not sent: authentication failed on an earlier request",
        attempts=attempts,
    )


async def query_batches(
    batches: Sequence[Batch],
    context: ClientContext,
    on_answer: Callable[[int, BatchAnswer], None] | None = None,
) -> list[BatchAnswer]:
    """Send every batch; answers come back in the order of ``batches``, and each is also
    handed to ``on_answer`` (with its index) as soon as it is final.

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
        semaphore = asyncio.Semaphore(settings.concurrency)

        async def bounded(index: int, batch: Batch) -> BatchAnswer:
            async with semaphore:
                answer = await query.run(batch)
            if on_answer is not None:
                on_answer(index, answer)
            return answer

        first = await bounded(0, batches[0])
        rest = await asyncio.gather(*(bounded(i, b) for i, b in enumerate(batches) if i))
    return [first, *rest]
