"""One request, sent as the rules allow: bounded in time and size, retried only when that is
safe, never after an authentication failure."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpx

from checker.codearts.context import ClientContext
from checker.codearts.wire import (
    RETRYABLE_STATUS,
    SYSTEM_BUSY,
    THROTTLED,
    Reading,
    Redact,
    judge,
    retry_after,
)
from checker.gate.answers import QueryFailure

log = logging.getLogger("checker.client")

BASE_BODY_BYTES = 1024 * 1024
BODY_BYTES_PER_ITEM = 4096
"""An answer may be 1 MiB plus 4 KiB per queried run or pipeline (about 40 MB for 10,000);
anything larger is not an answer but an attack or a fault, and is not read further."""


T = TypeVar("T")
Answer = TypeVar("Answer", covariant=True)


@dataclass(frozen=True)
class Call(Generic[Answer]):
    """One request to send, and how to read its answer (a ``T``)."""

    method: str
    url: str
    iam_project: str | None
    """Sent as X-Project-Id with AK/SK signing: the IAM project, never the CodeArts one."""
    body: bytes | None
    items: int
    parse: Callable[[Any, Redact], Answer]
    """Reads a 200 body; raises ValueError for a body of the wrong shape."""
    label: str
    idempotent: bool = True
    """False for a request that changes something (starting runs): it is retried only when
    it certainly never reached the service — a refused connection, or 429 from the gateway."""
    accepts: frozenset[str] = frozenset()
    """Error codes whose body is an answer for ``parse`` (RunPipeline's queued runs)."""


class _TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def _tls_problem(error: BaseException) -> str | None:
    """What OpenSSL said about the server's certificate (unknown CA, wrong host, expired), if
    that is why the connection failed."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return str(seen.verify_message or seen.reason or "certificate verify failed")
        if isinstance(seen, ssl.SSLError):
            return str(seen.reason or seen.__class__.__name__)
        seen = seen.__cause__ or seen.__context__
    return None


def _where(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def _connect_problem(error: BaseException) -> str:
    """Why a connection was not made, in words (``connection refused``, ``name not
    resolved``), not an exception class name."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "name not resolved"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, ConnectionResetError):
            return "connection reset"
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror.lower()
        seen = seen.__cause__ or seen.__context__
    text = str(error).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename" in text:
        return "name not resolved"
    return error.__class__.__name__


def _network(message: str, attempt: int) -> QueryFailure:
    return QueryFailure(kind="network", message=message, attempts=attempt)


def _unusable(why: str, attempt: int) -> QueryFailure:
    return QueryFailure(kind="answer", message=f"unusable answer: {why}", attempts=attempt)


def _not_sent(why: str, attempts: int) -> QueryFailure:
    return QueryFailure(kind="not_sent", message=f"not sent: {why}", attempts=attempts, unsent=True)


class Caller:
    """Sends calls through one HTTP client; after an authentication failure, sends nothing."""

    def __init__(self, client: httpx.AsyncClient, context: ClientContext) -> None:
        self.client = client
        self.context = context
        self.abort = asyncio.Event()
        self.redactor = context.credentials.redactor()
        self.verified = False
        """Whether any request has been answered by the service: until then, one at a time."""

    async def call(self, call: Call[T]) -> tuple[T | None, QueryFailure | None]:
        """The parsed answer, or None and why there is none; retried as the rules allow."""
        failure: QueryFailure | None = None
        for attempt in range(1, self.context.settings.max_attempts + 1):
            if self.abort.is_set():
                return None, _not_sent("authentication failed on an earlier request", attempt - 1)
            if self.context.remaining() <= 0:
                return None, failure or _not_sent("the --timeout deadline has passed", attempt - 1)
            outcome, delay = await self._attempt(call, attempt)
            if not isinstance(outcome, QueryFailure):
                self.verified = True
                return outcome, None
            failure = outcome
            if failure.kind != "auth" and failure.http_status is not None:
                self.verified = True
            if delay is None or attempt == self.context.settings.max_attempts:
                break
            if delay >= self.context.remaining():
                break  # no retry fits before the deadline
            log.debug("%s: %s; retrying in %.1fs", call.label, failure.message, delay)
            await self.context.sleep(delay)
        assert failure is not None
        if failure.kind == "auth":
            self.abort.set()
        return None, failure

    def _backoff(self, attempt: int) -> float:
        base = min(self.context.settings.backoff_cap, 2.0 ** (attempt - 1))
        return base * (0.5 + self.context.jitter() / 2)

    async def _attempt(self, call: Call[T], attempt: int) -> tuple[Any, float | None]:
        limit = max(0.001, min(self.context.settings.timeout, self.context.remaining()))
        try:
            # The limit bounds the whole attempt, not each read: a server trickling one byte
            # at a time must not hold the gate.
            async with asyncio.timeout(limit):
                reading = await self._send(call)
        except TimeoutError:
            failure = _network(f"timed out after {limit:g}s", attempt)
            return failure, self._backoff(attempt) if call.idempotent else None
        except httpx.ConnectTimeout:
            failure = _network(f"could not connect to {_where(call.url)}: timed out", attempt)
            return failure.model_copy(update={"unsent": True}), self._backoff(attempt)
        except httpx.TimeoutException as error:
            failure = _network(f"timed out ({error.__class__.__name__})", attempt)
            return failure, self._backoff(attempt) if call.idempotent else None
        except httpx.DecodingError:
            return _unusable("its Content-Encoding could not be decoded", attempt), None
        except _TooLarge as too_large:
            return _unusable(f"larger than {too_large.limit:,} bytes", attempt), None
        except httpx.ConnectError as error:
            # The connection was never made: nothing reached the service.
            tls = _tls_problem(error)
            if tls is not None:  # a certificate does not fix itself: no retry
                host = urlsplit(call.url).hostname
                failure = _network(
                    f"could not connect: TLS verification of {host} failed: {tls}", attempt
                )
                return failure.model_copy(update={"unsent": True}), None
            why = _connect_problem(error)
            failure = _network(f"could not connect to {_where(call.url)}: {why}", attempt)
            return failure.model_copy(update={"unsent": True}), self._backoff(attempt)
        except httpx.HTTPError as error:
            message = f"network error: {error.__class__.__name__}"
            return _network(message, attempt), self._backoff(attempt) if call.idempotent else None
        return self._judge(call, reading, attempt)

    async def _send(self, call: Call[T]) -> Reading:
        auth = self.context.credentials.auth(call.iam_project, self.context.clock)
        limit = BASE_BODY_BYTES + BODY_BYTES_PER_ITEM * call.items
        headers = {"Content-Type": "application/json;charset=UTF-8"}
        async with self.client.stream(
            call.method, call.url, content=call.body, headers=headers, auth=auth
        ) as response:
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > limit:
                    raise _TooLarge(limit)
            request_id = response.headers.get("X-Request-Id")
            log.debug(
                "%s %s -> %d (request id %s)",
                call.method,
                call.url,
                response.status_code,
                request_id,
            )
            return Reading(
                response.status_code, request_id, bytes(content), retry_after(response.headers)
            )

    def _judge(self, call: Call[T], reading: Reading, attempt: int) -> tuple[Any, float | None]:
        kind, outcome = judge(reading, attempt, self.redactor, call.parse, call.accepts)
        if kind is None:
            return outcome, None
        # The gateway answers for itself with APIGW.* codes: such a request never reached the
        # service. Anything else may have been acted on, so a start is never sent again.
        refused_at_gateway = kind == "auth" or str(outcome.error_code or "").startswith("APIGW.")
        delay = None
        if call.idempotent:
            if reading.status in RETRYABLE_STATUS:
                delay = self._retry_delay(reading, attempt)
            elif kind == "http" and outcome.error_code == SYSTEM_BUSY:
                delay = self._backoff(attempt) + 1.0
            if 400 <= reading.status < 500:
                outcome = outcome.model_copy(update={"unsent": True})
        elif refused_at_gateway and 400 <= reading.status < 500:
            if outcome.error_code == THROTTLED:
                delay = self._retry_delay(reading, attempt)
            outcome = outcome.model_copy(update={"unsent": True})
        return outcome, delay

    def _retry_delay(self, reading: Reading, attempt: int) -> float:
        if reading.retry_after is not None:
            return min(reading.retry_after, self.context.settings.backoff_cap)
        if reading.status == 429:
            # The gateway's advice for APIGW.0308 is to wait 2 to 5 seconds.
            return 2.0 + 3.0 * self.context.jitter()
        return self._backoff(attempt)
