"""The emulator's world file: projects, pipelines, runs, accepted credentials, scripted faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field

from checker.codearts.credentials import AccessKeyCredentials, Credentials, TokenCredentials
from checker.codearts.secret import Secret
from checker.diagnostics.documents import load_model
from checker.errors import CredentialsError, WorldError
from checker.gate.types import ID_MESSAGES, ID_PATTERN, Frozen, Id


class WorldRun(Frozen):
    status: str = Field(title="Status", description="What batch-runs/result reports.")
    reason: str | None = Field(default=None, title="Reason", description="Why it failed.")


class WorldPipeline(Frozen):
    name: str = Field(title="Pipeline name")
    banned: bool = Field(
        default=False,
        title="Banned",
        description="Runs started through the emulator's batch start API fail to start.",
    )
    runs: dict[str, WorldRun] = Field(
        default_factory=dict,
        title="Runs",
        description="By run ID (32 letters or digits).",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN}},
    )


class WorldProject(Frozen):
    pipelines: dict[str, WorldPipeline] = Field(
        default_factory=dict,
        title="Pipelines",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN}},
    )


class WorldToken(Frozen):
    token: str = Field(min_length=1, title="IAM token accepted as X-Auth-Token")
    projects: list[Id] | None = Field(
        default=None, title="Projects", description="Only these projects (default: all)."
    )


class WorldAccessKey(Frozen):
    ak: str = Field(min_length=1, title="Access key ID")
    sk: str = Field(min_length=1, title="Secret access key")
    security_token: str | None = Field(
        default=None,
        title="Security token",
        description="Makes the pair temporary: requests must carry it as X-Security-Token.",
    )
    projects: list[Id] | None = Field(default=None, title="Projects")


class WorldCredentials(Frozen):
    tokens: list[WorldToken] = Field(default_factory=list, title="Accepted IAM tokens")
    access_keys: list[WorldAccessKey] = Field(default_factory=list, title="Accepted AK/SK pairs")


class Fault(Frozen):
    """A scripted answer for the next matching requests, instead of the normal one."""

    times: int = Field(default=1, ge=1, title="How many requests it answers")
    project_id: Id | None = Field(default=None, title="Only requests for this project")
    status: int = Field(default=500, ge=100, le=599, title="HTTP status")
    body: dict[str, Any] | list[Any] | str | None = Field(
        default=None, title="Body", description="JSON value, or raw text sent as is."
    )
    headers: dict[str, str] = Field(default_factory=dict, title="Extra response headers")
    delay_seconds: float = Field(default=0.0, ge=0, le=60, title="Wait before answering")
    action: Literal["answer", "close"] = Field(
        default="answer", title="answer, or close the connection without a response"
    )


class World(Frozen):
    """A local CodeArts Pipeline for ``checker emulator`` and the tests."""

    model_config = ConfigDict(title="checker emulator world")

    version: Literal[1] = Field(title="World file version")
    credentials: WorldCredentials = Field(default_factory=WorldCredentials, title="Credentials")
    projects: dict[str, WorldProject] = Field(
        default_factory=dict,
        title="Projects",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN}},
    )
    faults: list[Fault] = Field(default_factory=list, title="Scripted faults, in order")

    def run_count(self) -> int:
        return sum(
            len(pipeline.runs)
            for project in self.projects.values()
            for pipeline in project.pipelines.values()
        )


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
