"""The options of ``check``, ``start`` and ``render``, beyond those every manifest command
takes; each defined once, help texts formatted from :mod:`checker.defaults`."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from checker.cli.params import (
    PATH,
    DurationType,
    ReportTargetType,
    TemplateTargetType,
    batch_size_option,
    distinct_paths,
)
from checker.defaults import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MARKDOWN_MAX_BYTES,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
)
from checker.gate.durations import format_duration
from checker.reports.targets import FORMATS, ReportTarget, TemplateTarget

if TYPE_CHECKING:
    from checker.reports.delivery import Delivery

Decorator = Callable[[Callable[..., None]], Callable[..., None]]


def apply_all(decorators: list[Callable[[Any], Any]], function: Callable[..., None]) -> Any:
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


report_option = click.option(
    "--report",
    "reports",
    multiple=True,
    type=ReportTargetType(),
    callback=distinct_paths,
    help=f"Write a report ({', '.join(FORMATS)}); repeatable.",
)
template_option = click.option(
    "--template",
    "templates",
    multiple=True,
    type=TemplateTargetType(),
    help="Render your own Jinja template with the result (sandboxed); repeatable.",
)
markdown_budget_option = click.option(
    "--markdown-max-bytes",
    type=click.IntRange(2_000, 100_000_000),
    default=DEFAULT_MARKDOWN_MAX_BYTES,
    show_default=True,
    help="Budget of the Markdown report (65000 for a PR comment); failures come first.",
)
follow_links_option = click.option(
    "--follow-output-links",
    "follow_links",
    is_flag=True,
    help="Write reports and runs files through symbolic links that lead out of the working "
    "folder (refused by default: a pull request can commit such links).",
)


@dataclass(frozen=True)
class ReportArguments:
    """Where ``check`` and ``render`` were told to write a result."""

    reports: tuple[ReportTarget, ...]
    templates: tuple[TemplateTarget, ...]
    markdown_max_bytes: int
    follow_links: bool

    @property
    def any(self) -> bool:
        return bool(self.reports or self.templates)

    def delivery(self, step_summary: Path | None, checkout: Path | None = None) -> Delivery:
        from checker.reports.delivery import Delivery

        return Delivery(
            self.reports,
            self.templates,
            self.markdown_max_bytes,
            step_summary,
            self.follow_links,
            checkout,
        )


def grouped(
    arguments: type[Any], keyword: str, decorators: list[Callable[[Any], Any]]
) -> Decorator:
    """Options that belong together, handed to the command as one ``keyword: arguments``
    (a frozen dataclass whose fields are the options' names)."""
    names = tuple(field.name for field in dataclasses.fields(arguments))

    def decorate(function: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(function)
        def command(**options: Any) -> None:
            given = {name: options.pop(name) for name in names}
            function(**{keyword: arguments(**given)}, **options)

        decorated: Callable[..., None] = apply_all(decorators, command)
        return decorated

    return decorate


report_options = grouped(
    ReportArguments,
    "report",
    [report_option, template_option, markdown_budget_option, follow_links_option],
)
"""Where a result's reports go (``check``, ``render``): ``report: ReportArguments``."""


@dataclass(frozen=True)
class ClientArguments:
    """What ``check`` and ``start`` were given about talking to CodeArts."""

    batch_size: int
    concurrency: int
    timeout: float | None
    request_timeout: float
    retries: int
    ca_bundle: Path | None
    emulator_world: Path | None


_HELP: dict[str, dict[str, str]] = {
    "check": {
        "timeout": "The one deadline for the whole command, waiting and retries included "
        f"[default: the manifest's wait.timeout, else {format_duration(DEFAULT_TIMEOUT)}].",
        "retries": "Retries after throttling, 5xx and network errors (never after 401/403).",
        "emulator": "check against it",
    },
    "start": {
        "timeout": f"Deadline for the whole command [{format_duration(DEFAULT_TIMEOUT)}].",
        "retries": "Retries of what certainly never reached the service: a refused "
        "connection, the gateway's throttling (APIGW.0308).",
        "emulator": "start runs there",
    },
}


def client_options(command: Literal["check", "start"]) -> Decorator:
    """The options of the commands that talk to CodeArts, handed to the command as one
    ``client: ClientArguments``."""
    helps = _HELP[command]
    decorators: list[Callable[[Any], Any]] = [
        batch_size_option,
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            default=DEFAULT_CONCURRENCY,
            show_default=True,
            help="Requests in flight at once.",
        ),
        click.option("--timeout", type=DurationType(), help=helps["timeout"]),
        click.option(
            "--request-timeout",
            type=DurationType(),
            default=f"{DEFAULT_REQUEST_TIMEOUT:g}s",
            show_default=True,
            help="Limit for one request attempt, from connecting to the last byte.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 10),
            default=DEFAULT_RETRIES,
            show_default=True,
            help=helps["retries"],
        ),
        click.option(
            "--ca-bundle", type=PATH, help="PEM bundle of a private CA [env: SSL_CERT_FILE]."
        ),
        click.option(
            "--emulator",
            "emulator_world",
            type=PATH,
            metavar="WORLD",
            help=f"Start the emulator on a free loopback port and {helps['emulator']}.",
        ),
    ]

    return grouped(ClientArguments, "client", decorators)


_START_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--out",
        type=PATH,
        metavar="FILE",
        help="Write the started runs here (atomically), in the API's own shape, for "
        "check --runs; default: stdout.",
    ),
    click.option(
        "--auto-approve",
        is_flag=True,
        help="Start without asking (required when no terminal can answer).",
    ),
    follow_links_option,
]


def start_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options only ``start`` takes."""
    decorated: Callable[..., None] = apply_all(_START_OPTIONS, function)
    return decorated
