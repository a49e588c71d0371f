"""What each command does, as plain functions: options in, exit code out.

Output goes through a :class:`Console`, which the CLI provides; it redacts every known secret
before anything reaches a terminal, a log or a report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from checker.client import ClientSettings, Transport
from checker.credentials import (
    AccessKeyCredentials,
    Credentials,
    TokenCredentials,
    describe_source,
    find_credentials,
    require_credentials,
)
from checker.diagnostics import Problem, format_json, format_text, has_errors, sorted_problems
from checker.emulator import EmulatorServer
from checker.errors import CheckerError, CredentialsError, ExitCode, ManifestError, UsageError
from checker.manifest import LoadOptions, LoadResult, load_checks
from checker.planner import DEFAULT_BATCH_SIZE, plan_checks
from checker.report import RENDERERS, ReportTarget, render_plan, write_atomic
from checker.runner import run_checks
from checker.secret import Redactor, Secret
from checker.world import World, load_world

log = logging.getLogger("checker")


@dataclass
class Console:
    """Where a command's output goes. Every line is redacted first."""

    write_out: Callable[[str], None]
    write_err: Callable[[str], None]
    redactor: Redactor = field(default_factory=Redactor)

    def out(self, text: str) -> None:
        self.write_out(self.redactor(text))

    def err(self, text: str) -> None:
        self.write_err(self.redactor(text))

    def problems(self, problems: Sequence[Problem], output_format: str = "text") -> None:
        ordered = sorted_problems(problems)
        if output_format == "json":
            self.out(format_json(ordered))
        elif ordered:
            self.err(format_text(ordered))


@dataclass(frozen=True)
class CommonOptions:
    manifests: tuple[Path, ...]
    load: LoadOptions
    home: Path


@dataclass(frozen=True)
class CheckOptions:
    common: CommonOptions
    reports: tuple[ReportTarget, ...] = ()
    batch_size: int = DEFAULT_BATCH_SIZE
    client: ClientSettings = field(default_factory=ClientSettings)
    emulator_world: Path | None = None
    quiet: bool = False


def environment_redactor(environ: Mapping[str, str], home: Path) -> Redactor:
    """Redacts the credentials this environment holds, even before they are used."""
    try:
        found = find_credentials(environ, home)
    except CredentialsError:
        found = None
    redactor = found.redactor() if found else Redactor()
    # Also the raw variables, in case a source further down the precedence holds others.
    extra = {
        environ[name]: "********"
        for name in ("CHECKER_AUTH_TOKEN", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN")
        if environ.get(name)
    }
    return redactor.merged(Redactor(extra))


def _load(common: CommonOptions, console: Console) -> LoadResult:
    if not common.manifests:
        raise UsageError("no manifest given", "usage: checker check MANIFEST...")
    result = load_checks(common.manifests, common.load)
    if not result.ok:
        raise ManifestError(result.problems)
    console.problems(result.problems)
    if not result.checks:
        raise UsageError(
            "the manifests define no checks: a gate must never pass having checked nothing"
        )
    return result


def validate(common: CommonOptions, console: Console, output_format: str = "text") -> ExitCode:
    """Everything that can be checked without a network: exit 0 when valid, 2 when not."""
    result = load_checks(common.manifests, common.load)
    problems = list(result.problems)
    if result.ok and not result.checks:
        problems.append(Problem("<command line>", 1, 1, "error", "no checks to run"))
    console.problems(problems, output_format)
    if has_errors(problems):
        return ExitCode.USAGE
    if output_format == "text":
        files = ", ".join(str(m) for m in common.manifests)
        count = len(result.checks)
        console.out(f"{files}: valid ({count} check{'' if count == 1 else 's'})")
    return ExitCode.PASSED


def plan(
    common: CommonOptions, console: Console, batch_size: int, environ: Mapping[str, str]
) -> ExitCode:
    """Print the requests a check would send; send nothing."""
    result = _load(common, console)
    checks_plan = plan_checks(result.checks, batch_size)
    console.out(render_plan(checks_plan, describe_source(environ, common.home)).strip("\n"))
    return ExitCode.PASSED


def _emulator_credentials(world: World) -> Credentials:
    credentials = world.credentials
    if credentials.tokens:
        return TokenCredentials(
            Secret(credentials.tokens[0].token), "IAM token from the emulator world"
        )
    if credentials.access_keys:
        key = credentials.access_keys[0]
        return AccessKeyCredentials(
            Secret(key.ak),
            Secret(key.sk),
            Secret(key.security_token) if key.security_token else None,
            "AK/SK from the emulator world",
        )
    raise CredentialsError(
        "the emulator world accepts no credentials", "add a token under credentials.tokens"
    )


@contextmanager
def _endpoint_for_run(options: CheckOptions) -> Iterator[tuple[CheckOptions, World | None]]:
    """With ``--emulator``, start it on a free loopback port and point the run at it."""
    if options.emulator_world is None:
        yield options, None
        return
    if options.common.load.endpoint_override:
        raise UsageError("--emulator and --endpoint both choose the endpoint; give one")
    world = load_world(options.emulator_world)
    server = EmulatorServer(world).start()
    try:
        load = replace(options.common.load, endpoint_override=server.url)
        yield replace(options, common=replace(options.common, load=load)), world
    finally:
        server.stop()


def check(options: CheckOptions, console: Console, environ: Mapping[str, str]) -> ExitCode:
    """The gate: load, query, evaluate, report. Exit code per :class:`ExitCode`."""
    with _endpoint_for_run(options) as (effective, world):
        result = _load(effective.common, console)
        found = find_credentials(environ, effective.common.home)
        if found is None and world is not None:
            found = _emulator_credentials(world)
        credentials = found or require_credentials(environ, effective.common.home)
        console.redactor = console.redactor.merged(credentials.redactor())
        transport = Transport(credentials=credentials, settings=options.client, environ=environ)
        report = run_checks(result.checks, transport, options.batch_size)
    failures: list[str] = []
    for target in options.reports:
        try:
            write_atomic(target.path, console.redactor(RENDERERS[target.format](report)))
        except CheckerError as error:
            failures.append(error.message)
    if not options.quiet:
        console.out(RENDERERS["text"](report).rstrip("\n"))
    for note in report.notes:
        console.err(f"error: {note.message}" + (f"\n    hint: {note.hint}" if note.hint else ""))
    if failures:
        for message in failures:
            console.err(f"error: {message}")
        return ExitCode.USAGE
    return ExitCode(report.exit_code)
