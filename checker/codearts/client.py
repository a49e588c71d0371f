"""Requests to CodeArts Pipeline: startup batches, latest-status batches and run details.

Requests go out concurrently (bounded), with retries for throttling and transient faults,
all within one deadline. Every request ends as an answer value — observations, or a failure
saying why; a bad answer never raises. Authentication failures are never retried (five
failed AK/SK attempts lock the key for five minutes): after one, nothing more is sent, and
the very first request goes alone so that wrong credentials cost one request, not one per
batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from checker.codearts.calls import Call, Caller
from checker.codearts.context import ClientContext, tls_verification
from checker.codearts.iam import IamProjectUnknown, IamTarget
from checker.codearts.iam_lookup import settle
from checker.codearts.proxies import proxy_routes
from checker.codearts.runs_wire import parse_detail, parse_latest
from checker.codearts.wire import Redact, parse_startup
from checker.environment import Environment
from checker.gate.answers import (
    AnswerHook,
    BatchAnswer,
    DetailAnswer,
    LatestAnswer,
    LatestItems,
    Observation,
    QueryFailure,
)
from checker.gate.planner import Batch, DetailQuery, LatestBatch

log = logging.getLogger("checker.client")

STARTUP_PATH = "/v5/{project_id}/api/pipelines/batch-runs/result"
LATEST_PATH = "/v5/{project_id}/api/pipelines/status"
DETAIL_PATH = "/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail"
USER_AGENT = "checker (CodeArts Pipeline status gate)"


B = TypeVar("B", Batch, LatestBatch)
A = TypeVar("A")
T = TypeVar("T")


def _smaller_limit(failure: QueryFailure | None, items: int, limit: int | None) -> int | None:
    """The batch size a 413 for ``items`` teaches (None: not refused as too large, or a batch
    of one, which cannot be halved)."""
    if failure is None or failure.http_status != 413 or items < 2:
        return None
    return min(limit or items, items // 2)


class Session:
    """One HTTP client for a whole command: every poll reuses its connections."""

    def __init__(self, client: httpx.AsyncClient, context: ClientContext) -> None:
        self.caller = Caller(client, context)
        self.semaphore = asyncio.Semaphore(context.settings.concurrency)
        self.iam_projects: dict[str, str] = {}
        """The IAM project (X-Project-Id) per endpoint, settled before the first request."""
        self.batch_limit: int | None = None
        """Learned from a 413: the service takes fewer items a request than were sent;
        every later batch is planned (and, if need be, cut) to this size."""

    @property
    def abort(self) -> asyncio.Event:
        return self.caller.abort

    async def call(self, call: Call[T]) -> tuple[T | None, QueryFailure | None]:
        return await self.caller.call(call)

    async def startup(
        self, batches: Sequence[Batch], on_answer: AnswerHook | None = None
    ) -> list[BatchAnswer]:
        def call(batch: Batch) -> Call[tuple[Observation, ...]]:
            path = STARTUP_PATH.format(project_id=batch.project_id)
            label = f"startup {batch.project_id}/{batch.number}"
            body = batch.query_body()
            return self.post(batch.endpoint, path, body, batch.size, parse_startup, label)

        def answer(
            batch: Batch, found: tuple[Observation, ...] | None, failure: QueryFailure | None
        ) -> BatchAnswer:
            made = BatchAnswer(batch=batch, observations=found or (), failure=failure)
            if on_answer is not None:
                on_answer(made)  # at once: the run-level requests it unblocks can go
            return made

        return await self._each_batch(batches, call, answer)

    async def latest(self, batches: Sequence[LatestBatch]) -> list[LatestAnswer]:
        def call(batch: LatestBatch) -> Call[LatestItems]:
            path = LATEST_PATH.format(project_id=batch.project_id)
            label = f"status {batch.project_id}/{batch.number}"
            body = list(batch.pipeline_ids)
            return self.post(batch.endpoint, path, body, batch.size, parse_latest, label)

        def answer(
            batch: LatestBatch,
            found: LatestItems | None,
            failure: QueryFailure | None,
        ) -> LatestAnswer:
            if found is None:
                return LatestAnswer(batch=batch, failure=failure)
            return LatestAnswer(batch=batch, runs=found.runs, spoiled=found.spoiled)

        return await self._each_batch(batches, call, answer)

    async def _each_batch(
        self,
        batches: Sequence[B],
        call: Callable[[B], Call[T]],
        answer: Callable[[B, T | None, QueryFailure | None], A],
    ) -> list[A]:
        """One request per batch; a batch the service refuses as too large (413) is halved
        until it is taken, and the size that worked is kept for every later batch."""

        async def send(batch: B) -> list[A]:
            if self.batch_limit is not None and batch.size > self.batch_limit:
                return await halves(batch)
            found, failure = await self.call(call(batch))
            if (smaller := _smaller_limit(failure, batch.size, self.batch_limit)) is not None:
                self.batch_limit = smaller  # kept for every later batch
                return await halves(batch)
            return [answer(batch, found, failure)]

        async def halves(batch: B) -> list[A]:
            pair: tuple[B, B] = batch.halves()
            return [*await send(pair[0]), *await send(pair[1])]

        async def one(index: int, batch: B) -> list[A]:
            return await send(batch)

        return [item for answers in await self.each(batches, one) for item in answers]

    def post(
        self,
        endpoint: str,
        path: str,
        payload: Any,
        items: int,
        parse: Callable[[Any, Redact], T],
        label: str,
    ) -> Call[T]:
        body = json.dumps(payload, separators=(",", ":")).encode()
        iam_project = self.iam_projects.get(endpoint)
        return Call("POST", endpoint + path, iam_project, body, items, parse, label)

    async def settle_iam_projects(
        self, targets: Sequence[IamTarget], environment: Environment
    ) -> list[tuple[IamTarget, IamProjectUnknown]]:
        """Find each endpoint's IAM project before anything is sent to CodeArts; the
        endpoints whose project could not be found, and why."""
        async with self.semaphore:
            found, unknown = await settle(
                self.caller.client, self.caller.context.credentials, targets, environment
            )
        self.iam_projects.update(found)
        return unknown

    async def details(self, queries: Sequence[DetailQuery]) -> list[DetailAnswer]:
        async def one(index: int, query: DetailQuery) -> DetailAnswer:
            path = DETAIL_PATH.format(
                project_id=query.project_id, pipeline_id=quote(query.pipeline_id, safe="")
            )
            url = f"{query.endpoint}{path}?pipeline_run_id={quote(query.pipeline_run_id, safe='')}"
            call = Call(
                "GET",
                url,
                self.iam_projects.get(query.endpoint),
                None,
                1,
                parse_detail,
                f"detail {query.pipeline_run_id}",
            )
            run, failure = await self.call(call)
            return DetailAnswer(query=query, run=run, failure=failure)

        return await self.each(queries, one)

    async def each(self, items: Sequence[T], one: Callable[[int, T], Awaitable[Any]]) -> list[Any]:
        """Every item, concurrently (bounded); until a request has been answered at all, the
        first goes alone."""
        if not items:
            return []
        answers: list[Any] = []
        start = 0
        if not self.caller.verified:
            answers.append(await self._bounded(one, 0, items[0]))
            start = 1
        rest = await asyncio.gather(
            *(self._bounded(one, index, item) for index, item in enumerate(items) if index >= start)
        )
        return [*answers, *rest]

    async def _bounded(self, one: Callable[[int, T], Awaitable[Any]], index: int, item: T) -> Any:
        async with self.semaphore:
            return await one(index, item)


@asynccontextmanager
async def open_session(context: ClientContext) -> AsyncIterator[Session]:
    settings = context.settings
    verify = tls_verification(settings, context.environment)
    limits = httpx.Limits(max_connections=settings.concurrency)
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    if context.http_transport is None:
        for pattern, proxy in proxy_routes(context.environment).items():
            mounts[pattern] = (
                None
                if proxy is None
                else httpx.AsyncHTTPTransport(verify=verify, limits=limits, proxy=proxy)
            )
    async with httpx.AsyncClient(
        timeout=settings.timeout,
        verify=verify,
        limits=limits,
        transport=context.http_transport,
        mounts=mounts,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        trust_env=False,  # proxies, CA files and .netrc are read by checker, not behind it
    ) as client:
        yield Session(client, context)
