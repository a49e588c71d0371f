"""A world file read into a :class:`~checker.emulator.world.World`, and the credentials a
``--emulator`` run uses when the environment holds none."""

from __future__ import annotations

from pathlib import Path

from checker.codearts.credentials import AccessKeyCredentials, Credentials, TokenCredentials
from checker.codearts.secret import Secret
from checker.diagnostics.documents import load_model
from checker.emulator.world import World
from checker.errors import CredentialsError, WorldError
from checker.gate.types import ID_MESSAGES


def load_world(path: Path) -> World:
    """Read a world file; its problems are reported like a manifest's."""
    world, _, problems = load_model(path, World, "world file", ID_MESSAGES)
    if world is None or any(p.is_error for p in problems):
        raise WorldError(tuple(problems))
    return world


def world_credentials(world: World) -> Credentials:
    """The first credential the world accepts, for ``check --emulator`` without any set."""
    credentials = world.credentials
    if credentials.tokens:
        return TokenCredentials(
            Secret(credentials.tokens[0].token), "IAM token from the emulator world"
        )
    if credentials.access_keys:
        key = credentials.access_keys[0]
        return AccessKeyCredentials(
            Secret(key.ak),
            Secret(key.sk),
            Secret(key.security_token) if key.security_token else None,
            "AK/SK from the emulator world",
        )
    raise CredentialsError(
        "the emulator world accepts no credentials", "add a token under credentials.tokens"
    )
