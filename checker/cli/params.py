"""Option types and the options several commands share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from checker.gate.planner import DEFAULT_BATCH_SIZE
from checker.reports.formats import RENDERERS
from checker.reports.write import ReportTarget

F = TypeVar("F", bound=Callable[..., Any])

PATH = click.Path(path_type=Path, dir_okay=False)

# click is generic in its type stubs from 8.2 on, not at run time in 8.1.
if TYPE_CHECKING:
    _ReportTargetBase = click.ParamType[ReportTarget, Any]
else:
    _ReportTargetBase = click.ParamType


class ReportTargetType(_ReportTargetBase):
    """``FORMAT=PATH``, as ``--report`` takes it."""

    name = "FORMAT=PATH"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> ReportTarget:
        if isinstance(value, ReportTarget):
            return value
        text = str(value)
        name, sep, path = text.partition("=")
        formats = ", ".join(RENDERERS)
        if not sep or not path:
            self.fail(
                f"expects FORMAT=PATH, got '{text}' (formats: {formats}; "
                "e.g. --report junit=reports/gate.xml)",
                param,
                ctx,
            )
        if name not in RENDERERS:
            self.fail(f"unknown report format '{name}' (formats: {formats})", param, ctx)
        return ReportTarget(name, Path(path))


def load_options(function: F) -> F:
    """The options of every command that reads manifests."""
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


batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Most runs in one request.",
)
