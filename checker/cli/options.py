"""The options of ``check`` and ``start``, beyond those every manifest command takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from checker.cli.params import (
    PATH,
    DurationType,
    ReportTargetType,
    TemplateTargetType,
    batch_size_option,
    distinct_paths,
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
    default=1_000_000,
    show_default=True,
    help="Budget of the Markdown report (65000 for a PR comment); failures come first.",
)

concurrency_option = click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests in flight at once.",
)
request_timeout_option = click.option(
    "--request-timeout",
    type=DurationType(),
    default="60s",
    show_default=True,
    help="Limit for one request attempt, from connecting to the last byte.",
)
ca_bundle_option = click.option(
    "--ca-bundle", type=PATH, help="PEM bundle of a private CA [env: SSL_CERT_FILE]."
)


def _retries(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--retries", type=click.IntRange(0, 10), default=3, show_default=True, help=what
    )


def _emulator(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--emulator",
        "emulator_world",
        type=PATH,
        metavar="WORLD",
        help=f"Start the emulator on a free loopback port and {what}.",
    )


_CHECK_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--report",
        "reports",
        multiple=True,
        type=ReportTargetType(),
        callback=distinct_paths,
        help="Write a report (junit, markdown, json, text); repeatable.",
    ),
    template_option,
    markdown_budget_option,
    batch_size_option,
    concurrency_option,
    click.option(
        "--wait",
        is_flag=True,
        help="Poll until every check is decided (runs ended) or --timeout passes.",
    ),
    click.option(
        "--timeout",
        type=DurationType(),
        help="The one deadline for the whole command, waiting and retries included "
        "[default: the manifest's wait.timeout, else 30m].",
    ),
    click.option(
        "--poll-interval",
        type=DurationType(),
        help="First pause between polls; grows 1.5x per poll up to 60s "
        "[default: the manifest's wait.poll_interval, else 10s].",
    ),
    click.option(
        "--fail-fast",
        is_flag=True,
        help="Stop at the first blocking failure; undecided checks are reported skipped.",
    ),
    request_timeout_option,
    _retries("Retries after throttling, 5xx and network errors (never after 401/403)."),
    ca_bundle_option,
    _emulator("check against it"),
    click.option("--quiet", "-q", is_flag=True, help="No summary or progress output."),
    click.option(
        "--no-annotations",
        is_flag=True,
        help="In GitHub Actions, do not annotate the manifest lines of checks that did not pass.",
    ),
]


def check_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options only ``check`` takes."""
    for decorator in reversed(_CHECK_OPTIONS):
        function = decorator(function)
    return function


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
    batch_size_option,
    concurrency_option,
    click.option("--timeout", type=DurationType(), help="Deadline for the whole command [30m]."),
    request_timeout_option,
    _retries("Retries of what certainly never reached the service: a refused connection, 429."),
    ca_bundle_option,
    _emulator("start runs there"),
]


def start_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options only ``start`` takes."""
    for decorator in reversed(_START_OPTIONS):
        function = decorator(function)
    return function


def report_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options of ``render``."""
    report = click.option(
        "--report",
        "reports",
        multiple=True,
        type=ReportTargetType(),
        callback=distinct_paths,
        help="Write a report (junit, markdown, json, text); repeatable.",
    )
    for decorator in reversed([report, template_option, markdown_budget_option]):
        function = decorator(function)
    return function
