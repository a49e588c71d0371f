"""The options several commands share, each decided once by the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from checker.codearts.endpoints import cleartext_risk
from checker.codearts.secret import MASK, Redactor
from checker.codearts.settings import ClientSettings
from checker.defaults import DEFAULT_BATCH_SIZE, DEFAULT_TIMEOUT
from checker.environment import Environment
from checker.errors import ManifestError
from checker.manifest.load import LoadOptions, LoadResult, load_checks
from checker.output import Output

if TYPE_CHECKING:
    from checker.codearts.context import ClientContext
    from checker.codearts.credentials import CredentialChoice
    from checker.codearts.timing import Clock, Sleep


@dataclass(frozen=True)
class CommonOptions:
    """What every command that reads manifests takes."""

    manifests: tuple[Path, ...]
    load: LoadOptions
    environment: Environment

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file the command reads: no output may be one of them."""
        return (*self.manifests, *self.load.var_files, *self.load.runs_files)


@dataclass(frozen=True)
class ClientOptions:
    """What the commands that talk to CodeArts (check, start) take: with which credentials,
    how, in batches of what size, within which deadline."""

    credentials: CredentialChoice
    settings: ClientSettings = field(default_factory=ClientSettings)
    batch_size: int = DEFAULT_BATCH_SIZE
    timeout: float | None = None
    """The one deadline for the whole command, in seconds (None: the manifests', else 30m)."""


def consequence(common: CommonOptions) -> str:
    """What a manifest problem prevented: for ``start``, starting anything."""
    return "nothing was started" if common.load.for_start else "nothing was queried"


def load(common: CommonOptions, console: Output) -> LoadResult:
    """The resolved checks; the manifests' problems raise (exit 2), their warnings are said."""
    result = load_checks(common.manifests, common.load, common.environment)
    if not result.ok:
        raise ManifestError(result.problems, consequence(common))
    console.problems(result.problems)
    if result.secrets:
        console.protect(Redactor(dict.fromkeys(result.secrets, MASK)))
    for endpoint in sorted({check.endpoint for check in result.checks}):
        if (risk := cleartext_risk(endpoint)) is not None:
            console.err(f"warning: {risk}")
    return result


def client_context(
    client: ClientOptions,
    common: CommonOptions,
    console: Output,
    timeout: float | None,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
) -> ClientContext:
    """The context requests are sent in; the credentials' secrets are redacted from here on."""
    import asyncio

    from checker.codearts.context import ClientContext
    from checker.codearts.timing import utc_now

    credentials = client.credentials.require()
    console.protect(credentials.redactor())
    now = clock or utc_now
    return ClientContext(
        credentials=credentials,
        settings=client.settings,
        clock=now,
        sleep=sleep or asyncio.sleep,
        deadline=now() + timedelta(seconds=timeout or DEFAULT_TIMEOUT),
        environment=common.environment,
    )
