"""Fixtures: isolated environments, emulators on loopback, the SDK signing oracle."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers import Emulated, world_data
from hypothesis import settings

from checker.emulator.api import RecordedRequest
from checker.emulator.server import EmulatorServer
from checker.emulator.world import World
from checker.environment import READ_VARIABLES, VARIABLE_PREFIXES

# CI runs the same examples every time (deterministic); HYPOTHESIS_PROFILE=explore searches
# new ones when run by hand.
settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=2_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test sees the developer's credentials, endpoint, proxy, CI platform or home folder:
    the list comes from :mod:`checker.environment`, never a copy."""
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name in READ_VARIABLES or name.startswith(VARIABLE_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def emulator() -> Iterator[Callable[..., Emulated]]:
    """Start emulators from world dicts; all are stopped after the test."""
    servers: list[EmulatorServer] = []

    def start(data: Mapping[str, Any] | None = None, **kwargs: Any) -> Emulated:
        world = World.model_validate(data if data is not None else world_data())
        requests: list[RecordedRequest] = []
        server = EmulatorServer(world, on_request=requests.append, **kwargs).start()
        servers.append(server)
        return Emulated(server, requests)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def sdk() -> Iterator[tuple[Any, Any]]:
    """The official SDK's ``BasicCredentials`` and ``SdkRequest``: the signing oracle.

    Importing the SDK writes ``~/.huaweicloud/application_id``, so HOME is a temporary folder
    while it loads.
    """
    previous = os.environ.get("HOME")
    with tempfile.TemporaryDirectory() as home:
        os.environ["HOME"] = home
        try:
            from huaweicloudsdkcore.auth.credentials import BasicCredentials
            from huaweicloudsdkcore.sdk_request import SdkRequest

            yield BasicCredentials, SdkRequest
        finally:
            if previous is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = previous


Behaviour = Callable[[socket.socket, bytes], None]


@pytest.fixture
def hostile_server() -> Iterator[Callable[[Behaviour], str]]:
    """A loopback HTTP server that misbehaves on purpose: each connection's request is read
    (headers and body), then ``behaviour(connection, request)`` answers however it likes.
    Connections are closed and the server stopped after the test."""
    listeners: list[socket.socket] = []
    stop = threading.Event()

    def start(behaviour: Behaviour) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.1)
        listeners.append(listener)

        def serve() -> None:
            while not stop.is_set():
                try:
                    connection, _ = listener.accept()
                except (TimeoutError, OSError):
                    continue
                with connection:
                    connection.settimeout(10)
                    # An OSError: the client gave up first, as it should.
                    with contextlib.suppress(OSError):
                        behaviour(connection, _read_request(connection))

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    stop.set()
    for listener in listeners:
        listener.close()


def _read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
