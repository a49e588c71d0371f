"""The command line: click parses options into option objects and calls :mod:`checker.app`.

Contract: the only package that imports click, reads ``os.environ`` or the home folder,
prints, or exits; it imports the emulator only when a command needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from checker import __version__
from checker.cli import runtime
from checker.cli.common import common_options
from checker.cli.console import Console
from checker.cli.params import PATH, ManifestArguments, batch_size_option, load_options
from checker.diagnostics.wording import counted
from checker.errors import CheckerError, ExitCode

if TYPE_CHECKING:
    from pydantic import BaseModel

SCHEMA_NAMES = ("manifest", "world", "report", "plan")


def schema_model(name: str) -> type[BaseModel]:
    """The model behind ``checker schema NAME``; imported only when asked for."""
    if name == "manifest":
        from checker.manifest.models import Manifest

        return Manifest
    if name == "world":
        from checker.emulator.world import World

        return World
    if name == "plan":
        from checker.reports.plan_document import PlanDocument

        return PlanDocument
    from checker.gate.results import RunReport

    return RunReport


def format_option(json_help: str) -> Callable[[Any], Any]:
    """``--format text|json``, as plan and validate take it."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=json_help,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(
    __version__, prog_name="checker", message="%(prog)s %(version)s (distribution codearts-checker)"
)
def main() -> None:
    """Declarative status gate for Huawei Cloud CodeArts Pipeline runs."""


def _register() -> None:
    from checker.cli.check import check_command
    from checker.cli.init import init_command
    from checker.cli.render import render_command
    from checker.cli.start import start_command

    main.add_command(check_command)
    main.add_command(start_command)
    main.add_command(render_command)
    main.add_command(init_command)


@main.command(name="plan", short_help="Show the requests check would send.")
@load_options
@batch_size_option
@click.option(
    "--full",
    is_flag=True,
    default=None,
    help="List every run under its request (the default up to 500 checks).",
)
@format_option("json prints the plan as a document (schemas/plan.schema.json) for bots.")
@click.option(
    "--start",
    "for_start",
    is_flag=True,
    help="Plan what `start` would start (checks need no run ID), as start shows it.",
)
def plan_command(
    *,
    arguments: ManifestArguments,
    batch_size: int,
    full: bool | None,
    output_format: Literal["text", "json"],
    for_start: bool,
) -> None:
    """Show the requests `check` would send, per project. Sends nothing (except ListPipelines
    for pipelines named by name)."""
    from checker.app.inspect import plan

    environment = runtime.environment()
    common = common_options(environment, arguments)
    credentials = runtime.credentials(environment)
    runtime.run(
        environment,
        arguments.debug,
        lambda console: plan(
            common, credentials, console, batch_size, full, output_format, for_start
        ),
        credentials,
    )


@main.command(name="validate", short_help="Validate manifests offline.")
@load_options
@format_option("json prints the problems for editors and bots.")
@click.option(
    "--allow-unset",
    is_flag=True,
    help="Accept variables without values and checks without run IDs: for pre-commit, "
    "before CI supplies them.",
)
@click.option(
    "--each",
    is_flag=True,
    help="Validate each manifest on its own (independent gates may share check names): "
    "what the pre-commit hook does.",
)
def validate_command(
    *,
    arguments: ManifestArguments,
    output_format: Literal["text", "json"],
    allow_unset: bool,
    each: bool,
) -> None:
    """Check MANIFESTS without a network: schema, variables, regexes, runs files."""
    from checker.app.inspect import validate, validate_each

    environment = runtime.environment()
    common = common_options(environment, arguments, allow_unset)
    chosen = validate_each if each else validate
    runtime.run(
        environment, arguments.debug, lambda console: chosen(common, console, output_format)
    )


@main.command(name="schema", short_help="Print a JSON Schema.")
@click.argument("which", type=click.Choice(SCHEMA_NAMES), default="manifest")
def schema_command(which: str) -> None:
    """Print the JSON Schema of a manifest, an emulator world, or the JSON report."""
    from checker.diagnostics.generation import schema_text

    click.echo(schema_text(schema_model(which)), nl=False)


@main.command(name="emulator", short_help="Serve a local CodeArts API stand-in.")
@click.argument("world_file", type=PATH, metavar="WORLD")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port (0 picks a free one).",
)
def emulator_command(*, world_file: Path, host: str, port: int) -> None:
    """Serve the CodeArts batch-runs API locally from a WORLD file, until interrupted."""
    from checker.emulator.loading import load_world
    from checker.emulator.server import EmulatorServer, exposure_warning

    def action(console: Console) -> ExitCode:
        world = load_world(world_file)
        if (warning := exposure_warning(host)) is not None:
            console.err(f"warning: {warning}")
        try:
            server = EmulatorServer(world, host, port)
        except OSError as error:
            raise CheckerError(
                f"cannot listen on {host}:{port}: {error.strerror}", "try another --port"
            ) from None
        projects = counted(len(world.projects), "project")
        runs = counted(world.run_count(), "run")
        console.err(
            f"emulating CodeArts Pipeline at {server.url} ({projects}, {runs}); Ctrl-C stops it"
        )
        console.err(f"point checker at it: CHECKER_ENDPOINT={server.url}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.err("stopped")
        finally:
            server.stop()  # the socket closed whatever stopped it (Ctrl-C, SIGTERM, an error)
        return ExitCode.PASSED

    runtime.run(runtime.environment(), False, action)


_register()
