"""``checker init``: the command line of :func:`checker.app.init.init`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from checker.cli import runtime
from checker.cli.console import Console
from checker.cli.options import grouped
from checker.cli.params import PATH, DurationType
from checker.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from checker.codearts.credentials import CredentialChoice
    from checker.environment import Environment


def _project_id(_: click.Context, __: click.Parameter, value: str) -> str:
    from checker.gate.types import ID_PATTERN, bad_id_message  # pydantic: not for --help

    if not re.fullmatch(ID_PATTERN, value):
        raise click.BadParameter(bad_id_message(value))
    return value


@dataclass(frozen=True)
class InitArguments:
    project_id: str
    region: str | None
    endpoint: str | None
    name_glob: str | None
    out: Path | None
    schema: str
    emulator_world: Path | None
    ca_bundle: Path | None
    timeout: float | None
    debug: bool


_OPTIONS = [
    click.option(
        "--project-id",
        required=True,
        metavar="ID",
        callback=_project_id,
        help="The CodeArts project whose pipelines become checks (not the IAM project).",
    ),
    click.option("--region", metavar="REGION", help="Its region (cn-north-4): the endpoint."),
    click.option("--endpoint", metavar="URL", help="Instead of --region [env: CHECKER_ENDPOINT]."),
    click.option("--name", "name_glob", metavar="GLOB", help="Only names that match (any case)."),
    click.option("--out", type=PATH, help="Write here (refused if it exists); default stdout."),
    click.option(
        "--schema",
        default="manifest.schema.json",
        show_default=True,
        help="What the $schema line points at (`checker schema manifest` writes the file).",
    ),
    click.option("--emulator", "emulator_world", type=PATH, metavar="WORLD", help="List there."),
    click.option("--ca-bundle", type=PATH, help="PEM bundle of a private CA [env: SSL_CERT_FILE]."),
    click.option("--timeout", type=DurationType(), help="Deadline for the listing [default: 30m]."),
    click.option("--debug", is_flag=True, help="Log requests and show tracebacks."),
]


@click.command(name="init", short_help="Write a starter manifest from a project's pipelines.")
@grouped(InitArguments, "arguments", _OPTIONS)
def init_command(*, arguments: InitArguments) -> None:
    """Write a starter manifest for a CodeArts project: its pipelines (ListPipelines) as
    checks named by name, their IDs in comments, for `start` and `check --runs`.

    \b
    Exit codes: 0 written; 2 usage problem (or the file exists); 3 the pipelines could not
    be listed.
    """
    base = runtime.environment()
    credentials = runtime.credentials(base)
    runtime.run(
        base,
        arguments.debug,
        lambda console: _init(arguments, base, credentials, console),
        credentials,
    )


def _init(
    arguments: InitArguments, base: Environment, credentials: CredentialChoice, console: Console
) -> ExitCode:
    from checker.app.common import ClientOptions
    from checker.app.init import InitOptions, init
    from checker.cli.emulated import emulated, with_emulator
    from checker.codearts.credentials import CredentialChoice
    from checker.codearts.endpoints import normalise, region_endpoint
    from checker.codearts.settings import ClientSettings

    with emulated(arguments.emulator_world, arguments.endpoint) as emulator:
        environment = with_emulator(base, emulator)
        url = emulator.url if emulator else arguments.endpoint or environment.endpoint
        region = arguments.region
        if url is None and region is None:
            raise UsageError("init needs --region or --endpoint", "e.g. --region cn-north-4")
        choice = CredentialChoice(emulator.credentials) if emulator else credentials
        settings = ClientSettings(ca_bundle=arguments.ca_bundle or environment.ca_bundle)
        options = InitOptions(
            project_id=arguments.project_id,
            endpoint=normalise(url) if url else region_endpoint(str(region), environment),
            region=region,
            client=ClientOptions(choice, settings, timeout=arguments.timeout),
            environment=environment,
            name_glob=arguments.name_glob,
            out=arguments.out,
            schema=arguments.schema,
        )
        return init(options, console)
