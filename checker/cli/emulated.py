"""``--emulator``: the emulator started for one command, imported only then."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from checker.app import CheckOptions, StartOptions
from checker.codearts.credentials import Credentials
from checker.errors import UsageError

Options = TypeVar("Options", "CheckOptions", "StartOptions")


@contextmanager
def emulated(world_file: Path | None, options: Options) -> Iterator[Options]:
    """With ``--emulator``, start it on a free loopback port and point the run at it."""
    if world_file is None:
        yield options
        return
    if options.common.load.endpoint_override:
        raise UsageError("--emulator and --endpoint both choose the endpoint; give one")
    from checker.emulator.loading import load_world, world_credentials
    from checker.emulator.server import EmulatorServer

    world = load_world(world_file)
    server = EmulatorServer(world).start()
    try:
        load = replace(options.common.load, endpoint_override=server.url)
        credentials: Credentials = world_credentials(world)
        yield replace(
            options,
            common=replace(options.common, load=load),
            fallback_credentials=credentials,
        )
    finally:
        server.stop()
