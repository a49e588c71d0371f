"""``checker start``: the command line of :func:`checker.app.start`."""

from __future__ import annotations

from pathlib import Path

import click

from checker.cli import session
from checker.cli.common import client_settings, common_options
from checker.cli.console import Console
from checker.cli.options import start_options
from checker.cli.params import ManifestArguments, load_options
from checker.defaults import DEFAULT_TIMEOUT
from checker.errors import ExitCode


@click.command(name="start", short_help="Start the manifest's pipelines.")
@load_options
@start_options
def start_command(
    *,
    arguments: ManifestArguments,
    out: Path | None,
    auto_approve: bool,
    batch_size: int,
    concurrency: int,
    timeout: float | None,
    request_timeout: float,
    retries: int,
    ca_bundle: Path | None,
    emulator_world: Path | None,
) -> None:
    """Start the pipelines of the checks in MANIFESTS that name no run, through the batch
    start API, and write their run IDs for `check --runs`.

    \b
    Shows what it will start and asks on a terminal; elsewhere it starts nothing without
    --auto-approve. A request that may have reached the service is never sent twice.
    Exit codes: 0 all started; 1 declined; 2 usage or manifest problem (nothing started);
    3 a batch failed or its outcome is unknown, or a pipeline is missing from the answer.
    """
    from checker.app import StartOptions, start
    from checker.cli.emulated import emulated

    environment = session.environment()
    options = StartOptions(
        common=common_options(environment, arguments),
        batch_size=batch_size,
        client=client_settings(
            environment,
            concurrency=concurrency,
            request_timeout=request_timeout,
            retries=retries,
            ca_bundle=ca_bundle,
        ),
        out=out,
        auto_approve=auto_approve,
        timeout=timeout or DEFAULT_TIMEOUT,
    )
    confirm = session.confirmer()

    def action(console: Console) -> ExitCode:
        with emulated(emulator_world, options) as effective:
            return start(effective, console, confirm)

    session.run(environment, arguments.debug, action)
