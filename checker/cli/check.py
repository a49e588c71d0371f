"""``checker check``: the command line of :func:`checker.app.check`. What the command needs
beyond click is imported when it runs: ``--help`` stays fast."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from checker.cli import session
from checker.cli.common import client_settings, common_options
from checker.cli.console import Console
from checker.cli.options import check_options
from checker.cli.params import ManifestArguments, load_options
from checker.errors import ExitCode
from checker.reports.targets import ReportTarget, TemplateTarget

if TYPE_CHECKING:
    from checker.app import CheckOptions


@click.command(name="check", short_help="Gate on the runs a manifest expects.")
@load_options
@check_options
def check_command(
    *,
    arguments: ManifestArguments,
    reports: tuple[ReportTarget, ...],
    templates: tuple[TemplateTarget, ...],
    markdown_max_bytes: int,
    batch_size: int,
    concurrency: int,
    timeout: float | None,
    request_timeout: float,
    retries: int,
    wait: bool,
    poll_interval: float | None,
    fail_fast: bool,
    ca_bundle: Path | None,
    emulator_world: Path | None,
    quiet: bool,
    no_annotations: bool,
) -> None:
    """Check that pipeline runs ended as the MANIFESTS expect; the exit code is the verdict.

    \b
    Exit codes: 0 all blocking checks passed; 1 a check failed, is missing or still
    pending; 2 usage or manifest problem (nothing queried); 3 a check could not be evaluated.
    """
    from checker.app import CheckOptions

    environment = session.environment()
    options = CheckOptions(
        common=common_options(environment, arguments),
        reports=reports,
        batch_size=batch_size,
        client=client_settings(
            environment,
            concurrency=concurrency,
            request_timeout=request_timeout,
            retries=retries,
            ca_bundle=ca_bundle,
        ),
        quiet=quiet,
        wait=wait,
        fail_fast=fail_fast,
        timeout=timeout,
        poll_interval=poll_interval,
        markdown_max_bytes=markdown_max_bytes,
        annotations=not no_annotations,
        templates=templates,
    )

    session.run(environment, arguments.debug, _checking(options, emulator_world, quiet))


def _checking(
    options: CheckOptions, emulator_world: Path | None, quiet: bool
) -> Callable[[Console], ExitCode]:
    from checker.app import check
    from checker.cli.emulated import emulated
    from checker.cli.progress import ProgressPrinter

    def action(console: Console) -> ExitCode:
        printer = ProgressPrinter(console, session.stderr_is_terminal())
        live = replace(options, progress=None if quiet else printer)
        try:
            with emulated(emulator_world, live) as effective:
                return check(effective, console)
        finally:
            printer.close()

    return action
