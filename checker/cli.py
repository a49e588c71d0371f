"""The command line: click parses options into option objects and calls :mod:`checker.app`.

This is the only module that imports click, prints, or exits.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel

from checker import __version__
from checker.app import (
    CheckOptions,
    CommonOptions,
    Console,
    check,
    environment_redactor,
    plan,
    validate,
)
from checker.client import ClientSettings
from checker.emulator import EmulatorServer
from checker.errors import CheckerError, ExitCode, ManifestError
from checker.manifest import LoadOptions
from checker.models import Manifest
from checker.planner import DEFAULT_BATCH_SIZE
from checker.report import RENDERERS, parse_target
from checker.results import RunReport
from checker.schema import schema_text
from checker.world import World, load_world

F = TypeVar("F", bound=Callable[..., Any])

SCHEMAS: dict[str, type[BaseModel]] = {"manifest": Manifest, "world": World, "report": RunReport}
PATH = click.Path(path_type=Path, dir_okay=False)


def _console() -> Console:
    return Console(
        write_out=lambda text: click.echo(text),
        write_err=lambda text: click.echo(text, err=True),
        redactor=environment_redactor(os.environ, Path.home()),
    )


class _ConsoleLogHandler(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        self.console.err(self.format(record))


def _run(debug: bool, action: Callable[[Console], ExitCode]) -> None:
    """Run a command body; map expected errors to one line plus hint, never a traceback."""
    console = _console()
    if debug:
        handler = _ConsoleLogHandler(console)
        handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
        logger = logging.getLogger("checker")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        code: int = action(console)
    except ManifestError as error:
        console.problems(error.problems)
        count = sum(problem.is_error for problem in error.problems)
        console.err(f"error: {count} problem{'s' if count != 1 else ''} found; nothing was queried")
        code = ExitCode.USAGE
    except CheckerError as error:
        console.err(f"error: {error.message}")
        if error.hint:
            console.err(f"    hint: {error.hint}")
        code = error.exit_code
    except KeyboardInterrupt:
        console.err("interrupted")
        code = 130  # the shell's convention for SIGINT
    except Exception as error:  # the last line of defence: no traceback unless asked for
        if debug:
            console.err("".join(traceback.format_exception(error)))
        console.err(
            f"internal error: {error.__class__.__name__} (run with --debug for details; "
            "please report it)"
        )
        code = ExitCode.UNEVALUATED
    sys.exit(int(code))


def _load_options(function: F) -> F:
    decorators = [
        click.argument("manifests", nargs=-1, required=True, type=PATH),
        click.option(
            "--var",
            "variables",
            multiple=True,
            metavar="NAME=VALUE",
            help="Set a declared variable (highest precedence; repeatable).",
        ),
        click.option(
            "--var-file",
            "var_files",
            multiple=True,
            type=PATH,
            metavar="FILE",
            help="YAML or JSON file of variable values (repeatable; later wins).",
        ),
        click.option(
            "--runs",
            "runs_files",
            multiple=True,
            type=PATH,
            metavar="FILE",
            help="Saved answer of the batch start API: run IDs for checks without "
            "pipeline_run_id (repeatable).",
        ),
        click.option(
            "--only",
            multiple=True,
            metavar="GLOB",
            help="Evaluate only checks whose names match (repeatable).",
        ),
        click.option(
            "--endpoint",
            metavar="URL",
            help="Endpoint for the whole run, overriding the manifest [env: "
            "CHECKER_ENDPOINT]. Any URL is allowed here.",
        ),
        click.option(
            "--project-id",
            metavar="ID",
            help="Project for checks whose manifest names none [env: HUAWEICLOUD_SDK_PROJECT_ID].",
        ),
        click.option("--debug", is_flag=True, help="Log requests and show tracebacks."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


_BATCH_SIZE = click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Most runs in one request.",
)


def _common(kwargs: dict[str, Any]) -> CommonOptions:
    return CommonOptions(
        manifests=tuple(kwargs["manifests"]),
        load=LoadOptions(
            var_assignments=tuple(kwargs["variables"]),
            var_files=tuple(kwargs["var_files"]),
            runs_files=tuple(kwargs["runs_files"]),
            only=tuple(kwargs["only"]),
            endpoint_override=kwargs["endpoint"],
            project_id=kwargs["project_id"],
            environ=dict(os.environ),
        ),
        home=Path.home(),
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="checker")
def main() -> None:
    """Declarative status gate for Huawei Cloud CodeArts Pipeline runs."""


@main.command(name="check", short_help="Gate on the runs a manifest expects.")
@_load_options
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=PATH",
    help=f"Write a report ({', '.join(RENDERERS)}); repeatable.",
)
@_BATCH_SIZE
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=60.0,
    show_default=True,
    help="Seconds per request attempt.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="Retries after throttling, 5xx and network errors (never after 401/403).",
)
@click.option("--ca-bundle", type=PATH, help="PEM bundle of a private CA [env: SSL_CERT_FILE].")
@click.option(
    "--emulator",
    "emulator_world",
    type=PATH,
    metavar="WORLD",
    help="Start the emulator on a free loopback port and check against it.",
)
@click.option("--quiet", "-q", is_flag=True, help="No summary on stdout.")
def check_command(**kwargs: Any) -> None:
    """Check that pipeline runs ended as the MANIFESTS expect; the exit code is the verdict.

    \b
    Exit codes: 0 all blocking checks passed; 1 a check failed or its run is missing;
    2 usage or manifest problem (nothing queried); 3 a check could not be evaluated.
    """

    def action(console: Console) -> ExitCode:
        options = CheckOptions(
            common=_common(kwargs),
            reports=tuple(parse_target(text) for text in kwargs["reports"]),
            batch_size=kwargs["batch_size"],
            client=ClientSettings(
                concurrency=kwargs["concurrency"],
                timeout=kwargs["timeout"],
                max_attempts=kwargs["retries"] + 1,
                ca_bundle=kwargs["ca_bundle"],
            ),
            emulator_world=kwargs["emulator_world"],
            quiet=kwargs["quiet"],
        )
        return check(options, console, dict(os.environ))

    _run(kwargs["debug"], action)


@main.command(name="plan", short_help="Show the requests check would send.")
@_load_options
@_BATCH_SIZE
def plan_command(**kwargs: Any) -> None:
    """Show the requests `check` would send, per project. Sends nothing."""
    _run(
        kwargs["debug"],
        lambda console: plan(_common(kwargs), console, kwargs["batch_size"], dict(os.environ)),
    )


@main.command(name="validate", short_help="Validate manifests offline.")
@_load_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints the problems for editors and bots.",
)
@click.option(
    "--allow-unset",
    is_flag=True,
    help="Accept variables without values and checks without run IDs: for pre-commit, "
    "before CI supplies them.",
)
def validate_command(**kwargs: Any) -> None:
    """Check MANIFESTS without a network: schema, variables, regexes, runs files."""
    common = _common(kwargs)
    common = replace(common, load=replace(common.load, allow_unset=kwargs["allow_unset"]))
    _run(kwargs["debug"], lambda console: validate(common, console, kwargs["output_format"]))


@main.command(name="schema", short_help="Print a JSON Schema.")
@click.argument("which", type=click.Choice(list(SCHEMAS)), default="manifest")
def schema_command(which: str) -> None:
    """Print the JSON Schema of a manifest, an emulator world, or the JSON report."""
    click.echo(schema_text(SCHEMAS[which]), nl=False)


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
def emulator_command(world_file: Path, host: str, port: int) -> None:
    """Serve the CodeArts batch-runs API locally from a WORLD file, until interrupted."""

    def action(console: Console) -> ExitCode:
        world = load_world(world_file)
        try:
            server = EmulatorServer(world, host, port)
        except OSError as error:
            raise CheckerError(
                f"cannot listen on {host}:{port}: {error.strerror}", "try another --port"
            ) from None
        console.err(
            f"emulating CodeArts Pipeline at {server.url} ({len(world.projects)} projects, "
            f"{world.run_count()} runs); Ctrl-C stops it"
        )
        console.err(f"point checker at it: CHECKER_ENDPOINT={server.url}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.err("stopped")
        return ExitCode.PASSED

    _run(False, action)
