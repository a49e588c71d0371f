"""``--emulator``: the emulator started for one command, imported only then."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from checker.codearts.credentials import Credentials
from checker.environment import Environment
from checker.errors import UsageError


@dataclass(frozen=True)
class EmulatorTarget:
    """Where the emulator answers, and the credentials its world accepts."""

    url: str
    credentials: Credentials


def with_emulator(environment: Environment, emulator: EmulatorTarget | None) -> Environment:
    """With ``--emulator``, IAM is asked there too (it serves the project lookup)."""
    if emulator is None:
        return environment
    return replace(environment, iam_endpoint=emulator.url)


@contextmanager
def emulated(world_file: Path | None, endpoint: str | None) -> Iterator[EmulatorTarget | None]:
    """With ``--emulator``, start it on a free loopback port for the command's duration."""
    if world_file is None:
        yield None
        return
    if endpoint:
        raise UsageError("--emulator and --endpoint both choose the endpoint; give one")
    from checker.emulator.loading import load_world, world_credentials
    from checker.emulator.server import EmulatorServer

    world = load_world(world_file)
    server = EmulatorServer(world).start()
    try:
        yield EmulatorTarget(server.url, world_credentials(world))
    finally:
        server.stop()
