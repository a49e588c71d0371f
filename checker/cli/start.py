"""``checker start``: the command line of :func:`checker.app.start.start`."""

from __future__ import annotations

from pathlib import Path

import click

from checker.cli import runtime
from checker.cli.common import client_options, common_options
from checker.cli.console import Console
from checker.cli.options import ClientArguments, start_options
from checker.cli.options import client_options as client_option_group
from checker.cli.params import ManifestArguments, load_options
from checker.errors import ExitCode, UsageError


@click.command(name="start", short_help="Start the manifest's pipelines.")
@load_options
@start_options
@client_option_group("start")
def start_command(
    *,
    arguments: ManifestArguments,
    client: ClientArguments,
    out: Path | None,
    auto_approve: bool,
    follow_links: bool,
) -> None:
    """Start the pipelines of the checks in MANIFESTS that name no run, through the batch
    start API, and write their run IDs for `check --runs`.

    \b
    Shows what it will start and asks on a terminal; elsewhere it starts nothing without
    --auto-approve. A request that may have reached the service is never sent twice.
    Exit codes: 0 all started; 1 declined; 2 usage or manifest problem (nothing started);
    3 a batch failed or its outcome is unknown, or a pipeline is missing from the answer;
    130 Ctrl-C, 143 SIGTERM (the runs started so far are written).
    """
    base = runtime.environment()
    credentials = runtime.credentials(base)
    confirm = runtime.confirmer()

    def action(console: Console) -> ExitCode:
        from checker.app.start import StartOptions, start
        from checker.cli.emulated import emulated, with_emulator

        if out is None and runtime.stdout_closed():
            raise UsageError("stdout is closed: the started runs would be lost", "give --out FILE")
        with emulated(client.emulator_world, arguments.endpoint) as emulator:
            environment = with_emulator(base, emulator)
            options = StartOptions(
                common=common_options(environment, arguments, emulator=emulator),
                client=client_options(environment, client, credentials, emulator),
                out=out,
                auto_approve=auto_approve,
                follow_links=follow_links,
            )
            return start(options, console, confirm)

    runtime.run(base, arguments.debug, action, credentials)
