"""``checker check``: the command line of :func:`checker.app.check.check`. What the command
needs beyond click is imported when it runs: ``--help`` stays fast."""

from __future__ import annotations

import click

from checker.cli import runtime
from checker.cli.common import client_options, common_options
from checker.cli.console import Console
from checker.cli.gate_options import GateArguments, check_options
from checker.cli.options import ClientArguments, ReportArguments, report_options
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
    gate: GateArguments,
) -> None:
    """Check that pipeline runs ended as the MANIFESTS expect; the exit code is the verdict.

    \b
    Exit codes: 0 all blocking checks passed; 1 a check failed or is missing; 2 usage or
    manifest problem (nothing queried); 3 a check could not be evaluated (or none could); 4
    none failed, but a run had not ended (pending at the deadline); 130 Ctrl-C, 143 SIGTERM
    (reports still written).
    """
    base = runtime.environment()
    credentials = runtime.credentials(base)

    def action(console: Console) -> ExitCode:
        from checker.app.check import CheckOptions, check
        from checker.cli.emulated import emulated, with_emulator
        from checker.cli.progress import ProgressPrinter
        from checker.polling.explain import ExplainPolicy
        from checker.polling.stopping import StopPolicy

        printer = ProgressPrinter(console, runtime.stderr_is_terminal())
        try:
            with emulated(client.emulator_world, arguments.endpoint) as emulator:
                environment = with_emulator(base, emulator)
                options = CheckOptions(
                    common=common_options(environment, arguments, emulator=emulator),
                    client=client_options(environment, client, credentials, emulator),
                    delivery=report.delivery(environment.step_summary, environment.checkout),
                    quiet=gate.quiet,
                    wait=gate.wait,
                    fail_fast=gate.fail_fast,
                    poll_interval=gate.poll_interval,
                    max_poll_interval=gate.max_poll_interval,
                    progress=None if gate.quiet else printer,
                    annotations=not gate.no_annotations,
                    explain=ExplainPolicy(gate.log_lines, gate.log_runs),
                    stop=StopPolicy(gate.stop_unfinished, gate.stop_grace),
                    retry_failed=gate.retry_failed,
                )
                return check(options, console)
        finally:
            printer.close()

    runtime.run(base, arguments.debug, action, credentials)
