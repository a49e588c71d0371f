"""``checker check``: the command line of :func:`checker.app.check.check`. What the command
needs beyond click is imported when it runs: ``--help`` stays fast."""

from __future__ import annotations

import click

from checker.cli import runtime
from checker.cli.common import client_options, common_options
from checker.cli.console import Console
from checker.cli.options import ClientArguments, ReportArguments, check_options, report_options
from checker.cli.options import client_options as client_option_group
from checker.cli.params import ManifestArguments, load_options
from checker.errors import ExitCode


@click.command(name="check", short_help="Gate on the runs a manifest expects.")
@load_options
@report_options
@client_option_group("check")
@check_options
def check_command(
    *,
    arguments: ManifestArguments,
    client: ClientArguments,
    report: ReportArguments,
    wait: bool,
    poll_interval: float | None,
    fail_fast: bool,
    log_lines: int,
    log_runs: int,
    quiet: bool,
    no_annotations: bool,
) -> None:
    """Check that pipeline runs ended as the MANIFESTS expect; the exit code is the verdict.

    \b
    Exit codes: 0 all blocking checks passed; 1 a check failed or is missing; 2 usage or
    manifest problem (nothing queried); 3 a check could not be evaluated; 4 none failed, but
    a run had not ended (pending at the deadline).
    """
    base = runtime.environment()
    credentials = runtime.credentials(base)

    def action(console: Console) -> ExitCode:
        from checker.app.check import CheckOptions, check
        from checker.cli.emulated import emulated, with_emulator
        from checker.cli.progress import ProgressPrinter
        from checker.polling.explain import ExplainPolicy

        printer = ProgressPrinter(console, runtime.stderr_is_terminal())
        try:
            with emulated(client.emulator_world, arguments.endpoint) as emulator:
                environment = with_emulator(base, emulator)
                options = CheckOptions(
                    common=common_options(environment, arguments, emulator=emulator),
                    client=client_options(environment, client, credentials, emulator),
                    delivery=report.delivery(environment.step_summary),
                    quiet=quiet,
                    wait=wait,
                    fail_fast=fail_fast,
                    poll_interval=poll_interval,
                    progress=None if quiet else printer,
                    annotations=not no_annotations,
                    explain=ExplainPolicy(log_lines, log_runs),
                )
                return check(options, console)
        finally:
            printer.close()

    runtime.run(base, arguments.debug, action, credentials)
