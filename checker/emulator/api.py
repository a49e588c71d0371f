"""The emulated API: each request routed as CodeArts and IAM route it, through the gateway's
authentication and the world's scripted faults, to the service."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

from checker.codearts.timing import Clock, utc_now
from checker.emulator.gateway import Answer, Gateway, SignedRequest, error_answer
from checker.emulator.service import BAD_REQUEST_CODE, Service
from checker.emulator.world import World
from checker.gate.types import is_id

IAM_PROJECTS_ROUTE = re.compile(r"/v3/projects/?")
ROUTES = {
    ("POST", "result"): re.compile(r"/v5/([^/]+)/api/pipelines/batch-runs/result/?"),
    ("POST", "start"): re.compile(r"/v5/([^/]+)/api/pipelines/batch-runs/?"),
    ("POST", "status"): re.compile(r"/v5/([^/]+)/api/pipelines/status/?"),
    ("GET", "detail"): re.compile(r"/v5/([^/]+)/api/pipelines/([^/]+)/pipeline-runs/detail/?"),
    ("POST", "list"): re.compile(r"/v5/([^/]+)/api/pipelines/list/?"),
    ("PUT", "retry"): re.compile(
        r"/v5/([^/]+)/api/pipelines/([^/]+)/pipeline-runs/([^/]+)/retry/?"
    ),
    ("POST", "stop"): re.compile(r"/v5/([^/]+)/api/pipelines/([^/]+)/pipeline-runs/([^/]+)/stop/?"),
    ("POST", "log"): re.compile(
        r"/v5/([^/]+)/api/pipelines/([^/]+)/pipeline-runs/([^/]+)/jobs/([^/]+)/steps/([^/]+)/logs/?"
    ),
    ("POST", "run"): re.compile(r"/v5/([^/]+)/api/pipelines/([^/]+)/run/?"),
    ("GET", "pipeline"): re.compile(r"/v5/([^/]+)/api/pipelines/([^/]+)/?"),
}
MAX_BODY = 12 * 1024 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    """What the emulator received, and the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


RequestLog = Callable[[RecordedRequest], None]


def _not_found() -> Answer:
    return error_answer(
        404, "APIGW.0101", "The API does not exist or has not been published in the environment"
    )


class Emulator:
    """Routes a request through the gateway, then a scripted fault or the service."""

    def __init__(
        self, world: World, clock: Clock = utc_now, on_request: RequestLog | None = None
    ) -> None:
        self.world = world
        self.gateway = Gateway(world.credentials, clock)
        self.service = Service(world, clock)
        self._on_request = on_request

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        answer = self._route(method, target, headers, body)
        if self._on_request is not None:
            self._on_request(RecordedRequest(method, target, headers, body, answer.status))
        return answer

    def _too_many(self, payload: Any) -> bool:
        limit = self.world.max_batch
        return limit is not None and _items(payload) > limit

    def _route(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        path, _, query = target.partition("?")
        api, match = next(
            (
                (name, m)
                for (verb, name), route in ROUTES.items()
                if verb == method and (m := route.fullmatch(path))
            ),
            (None, None),
        )
        signed = SignedRequest(method, path, query, headers, body)
        if method == "GET" and IAM_PROJECTS_ROUTE.fullmatch(path):
            return self.gateway.authenticate(signed, None) or self._iam_projects(query)
        if api is None or match is None:
            return _not_found()
        project_id = match.group(1)
        denied = self.gateway.authenticate(signed, project_id, self.world.all_iam_projects())
        if denied is not None:
            return denied
        fault = self.service.next_fault(project_id, api)
        if fault is not None:
            return fault
        if len(body) > MAX_BODY:
            return error_answer(413, "APIGW.0201", "Request entity too large")
        if not is_id(project_id):
            return error_answer(400, BAD_REQUEST_CODE, "project_id must be 32 letters or digits")
        ids = [unquote(group) for group in match.groups()[1:]]
        bodiless = self._without_body(api, project_id, ids, query)
        if bodiless is not None:
            return bodiless
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[…
            return error_answer(400, BAD_REQUEST_CODE, "request body is not valid JSON")
        if self._too_many(payload):
            return error_answer(413, "APIGW.0201", "Request entity too large")
        return self._with_body(api, project_id, match, payload)

    def _without_body(self, api: str, project_id: str, ids: list[str], query: str) -> Answer | None:
        """The APIs that take no body (GETs, StopPipelineRun), or None for the others."""
        if api == "detail":
            run_id = parse_qs(query).get("pipeline_run_id", [None])[0]
            return self.service.detail(project_id, ids[0], run_id)
        if api == "pipeline":
            return self.service.pipeline(project_id, ids[0])
        if api == "stop":
            return self.service.stop(project_id, ids[0], ids[1])
        if api == "retry":
            return self.service.retry(project_id, ids[0], ids[1])
        return None

    def _with_body(self, api: str, project_id: str, match: re.Match[str], payload: Any) -> Answer:
        if api == "run":
            return self.service.run(project_id, unquote(match.group(2)), payload)
        if api == "log":
            ids = tuple(unquote(match.group(n)) for n in range(2, 6))
            return self.service.log(project_id, ids, payload)  # type: ignore[arg-type]
        handler = {
            "result": self.service.results,
            "start": self.service.start,
            "status": self.service.statuses,
            "list": self.service.pipelines,
        }[api]
        return handler(project_id, payload)

    def _iam_projects(self, query: str) -> Answer:
        """IAM's project list, filtered by region name as ``?name=`` asks."""
        wanted = parse_qs(query).get("name", [None])[0]
        projects = [
            {"id": project, "name": region, "enabled": True}
            for region, ids in self.world.iam_projects.items()
            for project in ids
            if wanted is None or region == wanted
        ]
        return Answer(200, {"projects": projects, "links": {"self": "/v3/projects"}})


def _items(payload: Any) -> int:
    if isinstance(payload, list):
        return len(payload)
    if isinstance(payload, dict):
        listed = payload.get("query", payload.get("pipeline_ids"))
        return len(listed) if isinstance(listed, list) else 0
    return 0
