"""Option types and the options several commands share."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from checker.defaults import DEFAULT_BATCH_SIZE, MAX_DURATION
from checker.gate.durations import format_duration, parse_duration
from checker.reports.targets import FORMATS, ReportTarget, TemplateTarget

PATH = click.Path(path_type=Path, dir_okay=False)

# click is generic in its type stubs from 8.2 on, not at run time in 8.1.
if TYPE_CHECKING:
    _ReportTargetBase = click.ParamType[ReportTarget, Any]
    _DurationBase = click.ParamType[float, Any]
    _TemplateTargetBase = click.ParamType[TemplateTarget, Any]
else:
    _ReportTargetBase = _DurationBase = _TemplateTargetBase = click.ParamType


class TemplateTargetType(_TemplateTargetBase):
    """``TEMPLATE=PATH``, as ``--template`` takes it."""

    name = "TEMPLATE=PATH"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> TemplateTarget:
        if isinstance(value, TemplateTarget):
            return value
        template, sep, path = str(value).partition("=")
        if not sep or not template or not path:
            self.fail(f"expects TEMPLATE=PATH, got '{value}'", param, ctx)
        return TemplateTarget(Path(template), Path(path))


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
        formats = ", ".join(FORMATS)
        if not sep or not path:
            self.fail(
                f"expects FORMAT=PATH, got '{text}' (formats: {formats}; "
                "e.g. --report junit=reports/gate.xml)",
                param,
                ctx,
            )
        if name not in FORMATS:
            self.fail(f"unknown report format '{name}' (formats: {formats})", param, ctx)
        return ReportTarget(name, Path(path))


@dataclass(frozen=True)
class ManifestArguments:
    """What every command that reads manifests was given."""

    manifests: tuple[Path, ...]
    variables: tuple[str, ...]
    var_files: tuple[Path, ...]
    runs_files: tuple[Path, ...]
    allowed_env: tuple[str, ...]
    only: tuple[str, ...]
    endpoint: str | None
    project_id: str | None
    debug: bool


_MANIFEST_FIELDS = tuple(field.name for field in dataclasses.fields(ManifestArguments))


_MANIFEST_OPTIONS = [
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
        help="Runs file (what start wrote, or the batch start API's saved answer): run IDs "
        "for checks without pipeline_run_id; for start, the pipelines already started, which "
        "are not started again (repeatable).",
    ),
    click.option(
        "--allow-env",
        "allowed_env",
        multiple=True,
        metavar="NAME",
        help="Let ${env.NAME} read this environment variable (repeatable); "
        "CHECKER_VAR_* are always readable.",
    ),
    click.option(
        "--only",
        multiple=True,
        metavar="GLOB",
        help="Only the checks whose names match (repeatable): the ones checked, planned or "
        "started.",
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
        help="CodeArts project for checks whose manifest names none [env: CHECKER_PROJECT_ID]. "
        "Not the IAM project (HUAWEICLOUD_SDK_PROJECT_ID).",
    ),
    click.option("--debug", is_flag=True, help="Log requests and show tracebacks."),
]


def load_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options of every command that reads manifests, handed to the command as one
    ``arguments: ManifestArguments``."""

    @functools.wraps(function)
    def command(**options: Any) -> None:
        given = {name: options.pop(name) for name in _MANIFEST_FIELDS}
        function(arguments=ManifestArguments(**given), **options)

    for decorator in reversed(_MANIFEST_OPTIONS):
        command = decorator(command)
    return command


batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Most runs in one request.",
)


def distinct_paths(
    ctx: click.Context, param: click.Parameter, value: tuple[ReportTarget, ...]
) -> tuple[ReportTarget, ...]:
    """Two formats to one path would silently keep only the last."""
    seen: dict[Path, str] = {}
    for target in value:
        key = Path(target.path).absolute()
        if key in seen:
            raise click.BadParameter(
                f"{target.path} is given for both {seen[key]} and {target.format}", ctx, param
            )
        seen[key] = target.format
    return value


class DurationType(_DurationBase):
    """Seconds (``90``, ``0.5``) or a duration (``90s``, ``15m``, ``1h30m``)."""

    name = "DURATION"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        seconds = parse_duration(text)
        if seconds is None:
            try:
                seconds = float(text)
            except ValueError:
                seconds = None
        if seconds is None or not math.isfinite(seconds):
            self.fail(f"'{text}' is not a duration such as 90, 0.5, 90s, 15m or 1h30m", param, ctx)
        if seconds <= 0:
            self.fail(f"'{text}' is no time at all: give a duration above 0", param, ctx)
        if seconds > MAX_DURATION:
            self.fail(
                f"'{text}' is longer than the maximum, {format_duration(MAX_DURATION)} (a week)",
                param,
                ctx,
            )
        return seconds
