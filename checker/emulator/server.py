"""The emulator on a real socket: a bounded threading HTTP server around the emulated API."""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from checker.codearts.endpoints import is_loopback
from checker.codearts.timing import Clock, utc_now
from checker.emulator.api import MAX_BODY, Emulator, RequestLog
from checker.emulator.gateway import Answer, error_answer
from checker.emulator.world import World

MAX_CONNECTIONS = 64
IDLE_TIMEOUT = 30.0


def exposure_warning(host: str) -> str | None:
    """What serving on ``host`` exposes, when it is not this machine alone."""
    if is_loopback(host.strip("[]")):
        return None
    return (
        f"--host {host} is reachable from the network: anyone who can reach it is accepted "
        "with the world's demo credentials, and sees its projects and runs"
    )


class _Server(ThreadingHTTPServer):
    """One thread per connection, at most ``max_connections`` at once: more wait to be
    accepted; a connection idle for ``idle_timeout`` seconds is closed."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        emulator: Emulator,
        max_connections: int = MAX_CONNECTIONS,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.emulator = emulator
        self.idle_timeout = idle_timeout
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (as a gate past its deadline does) is not an error."""
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "checker-emulator"

    def setup(self) -> None:
        super().setup()
        assert isinstance(self.server, _Server)
        self.connection.settimeout(self.server.idle_timeout)

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
        max_connections: int = MAX_CONNECTIONS,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        """``tls``: serve https with this server context (tests of certificate handling)."""
        self.emulator = Emulator(world, clock, on_request)
        self._server = _Server((host, port), self.emulator, max_connections, idle_timeout)
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
