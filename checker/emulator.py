"""A local stand-in for the CodeArts Pipeline API, served over real HTTP.

It answers ``POST /v5/{project_id}/api/pipelines/batch-runs/result`` (and the batch start API)
from a world file, and behaves like the API gateway in front of the service: IAM tokens and
AK/SK signatures are verified (with the 15-minute clock-skew window, temporary credentials and
the five-failure lockout), errors carry ``error_code``/``error_msg``/``request_id`` and an
``X-Request-Id`` header. Faults can be scripted in the world to exercise clients.

The error codes the gateway documents (``APIGW.*``) are used as documented. Huawei does not
document the service's code for a malformed body; the emulator uses ``DEVPIPE.00010400``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from checker.auth import (
    ALGORITHM,
    DATE_FORMAT,
    Clock,
    canonical_request,
    signature,
    string_to_sign,
    utc_now,
)
from checker.world import Fault, World, WorldAccessKey

RESULT_PATH = re.compile(r"^/v5/([^/]+)/api/pipelines/batch-runs/result/?$")
START_PATH = re.compile(r"^/v5/([^/]+)/api/pipelines/batch-runs/?$")
ID = re.compile(r"^[A-Za-z0-9]{32}$")
MAX_BODY = 12 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=15)
LOCKOUT_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
BAD_REQUEST_CODE = "DEVPIPE.00010400"
_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM} Access=([^,\s]+), SignedHeaders=([^,\s]+), Signature=([0-9a-f]+)$"
)
SIGNATURE_FAILED = "Incorrect IAM authentication information: verify aksk signature fail"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bool = False
    close: bool = False
    delay: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    """What the emulator received; tests read these to count and inspect requests."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


def _error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"error_code": code, "error_msg": message})


@dataclass
class _Lockout:
    failures: int = 0
    locked_until: datetime | None = None


class EmulatorState:
    """The world plus what changes while serving: faults left, lockouts, started runs, log."""

    def __init__(self, world: World, clock: Clock = utc_now) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._faults = [[fault, fault.times] for fault in world.faults]
        self._lockouts: dict[str, _Lockout] = {}
        self._runs: dict[tuple[str, str, str], tuple[str, str | None]] = {}
        self._names: dict[tuple[str, str], str] = {}
        self._banned: set[tuple[str, str]] = set()
        self._started = 0
        self.world = world
        self.requests: list[RecordedRequest] = []
        for project_id, project in world.projects.items():
            for pipeline_id, pipeline in project.pipelines.items():
                self._names[(project_id, pipeline_id)] = pipeline.name
                if pipeline.banned:
                    self._banned.add((project_id, pipeline_id))
                for run_id, run in pipeline.runs.items():
                    self._runs[(project_id, pipeline_id, run_id)] = (run.status, run.reason)

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        answer = self._handle(method, target, headers, body)
        with self._lock:
            self.requests.append(RecordedRequest(method, target, headers, body, answer.status))
        return answer

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        path, _, query = target.partition("?")
        result_match = RESULT_PATH.match(path)
        start_match = START_PATH.match(path)
        match = result_match or start_match
        if method != "POST" or match is None:
            return _error(
                404,
                "APIGW.0101",
                "The API does not exist or has not been published in the environment",
            )
        project_id = match.group(1)
        denied = self._authenticate(method, path, query, headers, body, project_id)
        if denied is not None:
            return denied
        fault = self._next_fault(project_id)
        if fault is not None:
            return Answer(
                fault.status,
                fault.body if fault.body is not None else {},
                dict(fault.headers),
                raw=isinstance(fault.body, str),
                close=fault.action == "close",
                delay=fault.delay_seconds,
            )
        if len(body) > MAX_BODY:
            return _error(413, "APIGW.0201", "Request entity too large")
        if not ID.match(project_id):
            return _error(400, BAD_REQUEST_CODE, "project_id must be 32 letters or digits")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _error(400, BAD_REQUEST_CODE, "request body is not valid JSON")
        if result_match:
            return self._results(project_id, payload)
        return self._start(project_id, payload)

    def _results(self, project_id: str, payload: Any) -> Answer:
        items = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            return _error(400, BAD_REQUEST_CODE, "query is required and must be an array")
        result = []
        for item in items:
            if not isinstance(item, dict):
                return _error(400, BAD_REQUEST_CODE, "each query item must be an object")
            pipeline_id, run_id = item.get("pipeline_id"), item.get("pipeline_run_id")
            if not all(isinstance(v, str) and ID.match(v) for v in (pipeline_id, run_id)):
                return _error(
                    400,
                    BAD_REQUEST_CODE,
                    "pipeline_id and pipeline_run_id must be 32 letters or digits",
                )
            assert isinstance(pipeline_id, str) and isinstance(run_id, str)
            with self._lock:
                known = self._runs.get((project_id, pipeline_id, run_id))
            if known is None:
                continue
            status, reason = known
            result.append(
                {
                    "pipeline_id": pipeline_id,
                    "pipeline_name": self._names[(project_id, pipeline_id)],
                    "pipeline_run_id": run_id,
                    "status": status,
                    "reason": reason,
                }
            )
        return Answer(200, {"result": result})

    def _start(self, project_id: str, payload: Any) -> Answer:
        ids = payload.get("pipeline_ids") if isinstance(payload, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) and ID.match(i) for i in ids):
            return _error(400, BAD_REQUEST_CODE, "pipeline_ids must be an array of pipeline IDs")
        result = []
        with self._lock:
            for pipeline_id in ids:
                if (project_id, pipeline_id) not in self._names:
                    continue
                self._started += 1
                seed = f"{project_id}:{pipeline_id}:{self._started}".encode()
                run_id = hashlib.sha256(seed).hexdigest()[:32]
                banned = (project_id, pipeline_id) in self._banned
                self._runs[(project_id, pipeline_id, run_id)] = (
                    ("START_FAILED", "Current pipeline is banned.")
                    if banned
                    else ("START_SUCCESS", None)
                )
                result.append({"pipeline_id": pipeline_id, "pipeline_run_id": run_id})
        return Answer(200, {"result": result})

    def _next_fault(self, project_id: str) -> Fault | None:
        with self._lock:
            for entry in self._faults:
                fault, left = entry
                assert isinstance(fault, Fault) and isinstance(left, int)
                if left > 0 and fault.project_id in (None, project_id):
                    entry[1] = left - 1
                    return fault
        return None

    def _authenticate(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        project_id: str,
    ) -> Answer | None:
        credentials = self.world.credentials
        token = headers.get("x-auth-token")
        if token is not None:
            for accepted in credentials.tokens:
                if hmac.compare_digest(accepted.token.encode(), token.encode()):
                    return self._authorize(accepted.projects, project_id)
            return _error(
                401,
                "APIGW.0301",
                "Incorrect IAM authentication information: decrypt token fail",
            )
        authorization = headers.get("authorization")
        if authorization is None:
            return _error(
                401,
                "APIGW.0301",
                "Incorrect IAM authentication information: Authorization not found in header",
            )
        match = _AUTHORIZATION.match(authorization.strip())
        if match is None:
            return _error(401, "APIGW.0301", SIGNATURE_FAILED)
        access_key, signed_list, given_signature = match.groups()
        key = next((k for k in credentials.access_keys if k.ak == access_key), None)
        if key is None:
            return _error(401, "APIGW.0301", SIGNATURE_FAILED)
        now = self.clock()
        with self._lock:
            lockout = self._lockouts.setdefault(access_key, _Lockout())
            if lockout.locked_until is not None and now < lockout.locked_until:
                return _error(
                    401,
                    "APIGW.0301",
                    "Incorrect IAM authentication information: "
                    "AK access failed to reach the limit,forbidden.",
                )
        problem = self._verify(
            key, method, path, query, headers, body, signed_list, given_signature, now
        )
        with self._lock:
            if problem is not None:
                lockout.failures += 1
                if lockout.failures >= LOCKOUT_FAILURES:
                    lockout.locked_until, lockout.failures = now + LOCKOUT, 0
                return _error(401, "APIGW.0301", problem)
            lockout.failures = 0
        return self._authorize(key.projects, project_id)

    @staticmethod
    def _verify(
        key: WorldAccessKey,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        signed_list: str,
        given: str,
        now: datetime,
    ) -> str | None:
        signed = signed_list.split(";")
        if signed != sorted(signed) or not {"host", "x-sdk-date"} <= set(signed):
            return SIGNATURE_FAILED
        date_text = headers.get("x-sdk-date", "")
        try:
            sent_at = datetime.strptime(date_text, DATE_FORMAT).replace(tzinfo=now.tzinfo)
        except ValueError:
            return SIGNATURE_FAILED
        if abs(now - sent_at) > CLOCK_SKEW:
            return (
                "Incorrect IAM authentication information: "
                "the X-Sdk-Date is more than 15 minutes from the server time"
            )
        token = headers.get("x-security-token")
        if key.security_token is not None:
            if (
                token is None
                or "x-security-token" not in signed
                or not hmac.compare_digest(token.encode(), key.security_token.encode())
            ):
                return "Incorrect IAM authentication information: invalid security token"
        elif token is not None:
            return "Incorrect IAM authentication information: invalid security token"
        canonical = canonical_request(method, path, query, headers, signed, body)
        expected = signature(key.sk, string_to_sign(canonical, date_text))
        if not hmac.compare_digest(expected, given):
            return SIGNATURE_FAILED
        return None

    @staticmethod
    def _authorize(projects: list[str] | None, project_id: str) -> Answer | None:
        if projects is not None and project_id not in projects:
            return _error(403, "APIGW.0302", "The IAM user is not authorized to access the API.")
        return None


def _handler(state: EmulatorState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "checker-emulator"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            answer = state.handle(self.command, self.path, headers, body)
            if answer.delay:
                time.sleep(answer.delay)
            if answer.close:
                self.close_connection = True
                self.connection.close()
                return
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

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet by default: tests and the CLI summary own the output."""

    return Handler


class EmulatorServer:
    """The emulator on a real socket, served from a background thread."""

    def __init__(
        self, world: World, host: str = "127.0.0.1", port: int = 0, clock: Clock = utc_now
    ) -> None:
        self.state = EmulatorState(world, clock)
        self._server = ThreadingHTTPServer((host, port), _handler(self.state))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}"

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
