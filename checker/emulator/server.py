"""The emulator on a real socket: routing, the request log callback, the HTTP handler."""

from __future__ import annotations

import json
import re
import ssl
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
        if api == "detail":
            run_id = parse_qs(query).get("pipeline_run_id", [None])[0]
            return self.service.detail(project_id, unquote(match.group(2)), run_id)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return error_answer(400, BAD_REQUEST_CODE, "request body is not valid JSON")
        if self._too_many(payload):
            return error_answer(413, "APIGW.0201", "Request entity too large")
        handler = {
            "result": self.service.results,
            "start": self.service.start,
            "status": self.service.statuses,
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        super().__init__(address, _Handler)
        self.emulator = emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (as a gate past its deadline does) is not an error."""
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "checker-emulator"

    def _serve(self) -> None:
        assert isinstance(self.server, _Server)
        declared = self.headers.get("Content-Length") or "0"
        refusal = None
        if not (declared.isascii() and declared.isdigit()):
            refusal = error_answer(400, "APIGW.0201", "Bad Request: invalid Content-Length")
        elif int(declared) > MAX_BODY:
            refusal = error_answer(413, "APIGW.0201", "Request entity too large")
        if refusal is not None:  # the body is never read: drop the connection after
            self.close_connection = True
            self._send(refusal)
            return
        length = int(declared)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.emulator.handle(self.command, self.path, headers, body)
        delay = answer.delay + self.server.emulator.world.latency_seconds
        if delay:
            time.sleep(delay)
        if answer.close:
            self.close_connection = True
            self.connection.close()
            return
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        request_id = uuid.uuid4().hex
        if answer.raw:
            payload = str(answer.body).encode()
        else:
            content = answer.body
            if isinstance(content, dict) and "error_code" in content:
                content = {**content, "request_id": request_id}
            payload = json.dumps(content, ensure_ascii=False).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Request-Id", request_id)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_POST = _serve
    do_GET = _serve
    do_PUT = _serve
    do_DELETE = _serve

    def log_message(self, format: str, *_args: Any) -> None:
        """Quiet by default: tests and the CLI summary own the output."""


class EmulatorServer:
    """The emulator on a real socket, served from a background thread or the caller's."""

    def __init__(
        self,
        world: World,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock = utc_now,
        on_request: RequestLog | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """``tls``: serve https with this server context (tests of certificate handling)."""
        self.emulator = Emulator(world, clock, on_request)
        self._server = _Server((host, port), self.emulator)
        self._scheme = "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"{self._scheme}://{shown}:{port}"

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="checker-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
