"""``checker render``: a saved JSON result into any format, offline."""

from __future__ import annotations

from pathlib import Path

import click

from checker.cli import runtime
from checker.cli.console import Console
from checker.cli.options import ReportArguments, report_options
from checker.cli.params import PATH
from checker.errors import ExitCode


@click.command(name="render", short_help="Render a saved JSON result into other formats.")
@click.argument("result", type=PATH)
@report_options
def render_command(
    *,
    result: Path,
    report: ReportArguments,
) -> None:
    """Render RESULT (what `check --report json=PATH` wrote) into other formats, offline:
    the output is what `check` wrote for the same result."""
    from checker.app.render import render

    environment = runtime.environment()
    delivery = report.delivery(environment.step_summary, environment.checkout)

    def action(console: Console) -> ExitCode:
        if not report.any:
            console.err("nothing to render: give --report FORMAT=PATH or --template T=PATH")
            return ExitCode.USAGE
        return render(result, delivery, console)

    runtime.run(environment, False, action)
