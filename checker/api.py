"""checker from Python: load manifests, plan the requests, run the gate.

It never prints, never exits, and reads no environment variable unless given an
:class:`~checker.environment.Environment` (``Environment.from_mapping(os.environ)`` for the
CLI's behaviour). Errors are exceptions from :mod:`checker.errors`, messages as the CLI prints
them; a gate's verdict is a value, not an exit.

>>> from checker import api
>>> problems = api.load(["gates/release.yaml"]).problems   # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.codearts.credentials import choose_credentials
from checker.codearts.secret import Redactor
from checker.environment import Environment
from checker.errors import ExitCode, ManifestError
from checker.gate.planner import Plan, plan_checks
from checker.gate.results import CheckResult, RunReport, with_text_replaced
from checker.manifest.load import LoadOptions, LoadResult, load_checks

__all__ = ["GateResult", "check", "load", "plan"]

PathLike = str | os.PathLike[str]


def _options(
    variables: Sequence[str], runs: Sequence[PathLike], only: Sequence[str], endpoint: str | None
) -> LoadOptions:
    return LoadOptions(
        var_assignments=tuple(variables),
        runs_files=tuple(Path(p) for p in runs),
        only=tuple(only),
        endpoint_override=endpoint,
    )


def load(
    manifests: Sequence[PathLike],
    *,
    variables: Sequence[str] = (),
    runs: Sequence[PathLike] = (),
    only: Sequence[str] = (),
    endpoint: str | None = None,
    environment: Environment | None = None,
) -> LoadResult:
    """The resolved checks, or the located problems (``result.ok`` says which)."""
    return load_checks(
        [Path(m) for m in manifests], _options(variables, runs, only, endpoint), environment
    )


def plan(manifests: Sequence[PathLike], *, batch_size: int = 100, **inputs: object) -> Plan:
    """The requests ``check`` would send per poll; raises ManifestError for a bad manifest."""
    loaded = load(manifests, **inputs)  # type: ignore[arg-type]
    if not loaded.ok:
        raise ManifestError(loaded.problems)
    return plan_checks(loaded.checks, batch_size)


@dataclass(frozen=True)
class GateResult:
    """What a gate found: the exit code CI would see, every check, and any report format."""

    report: RunReport

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode(self.report.exit_code)

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return self.report.results

    def render(self, report_format: str) -> str:
        """The report in one of :data:`checker.reports.targets.FORMATS`."""
        from checker.reports.formats import RENDERERS
        from checker.reports.settings import DEFAULT_SETTINGS

        return RENDERERS[report_format](self.report, DEFAULT_SETTINGS)


def check(
    manifests: Sequence[PathLike],
    *,
    wait: bool = False,
    timeout: float | None = None,
    environment: Environment | None = None,
    **inputs: object,
) -> GateResult:
    """Run the gate: query (and wait), evaluate. Credentials come from ``environment`` (as
    the CLI reads them); raises ManifestError or CheckerError when nothing could be asked."""
    from checker.app.common import ClientOptions, CommonOptions, client_context
    from checker.polling.loop import WaitPolicy, run_checks

    env = environment or Environment()
    loaded = load(manifests, environment=env, **inputs)  # type: ignore[arg-type]
    if not loaded.ok:
        raise ManifestError(loaded.problems)
    common = CommonOptions(tuple(Path(m) for m in manifests), LoadOptions(), env)
    client = ClientOptions(choose_credentials(env))
    silent = _Silent()
    context = client_context(client, common, silent, timeout or loaded.wait.timeout)
    report = run_checks(loaded.checks, context, client.batch_size, WaitPolicy(enabled=wait))
    # As the CLI does before any report: the credentials are never in a result.
    return GateResult(with_text_replaced(report, silent.redact, silent.mentions_secret))


class _Silent:
    """An output that says nothing (a library does not print), but redacts like the CLI."""

    def __init__(self) -> None:
        self.redactor = Redactor()

    def out(self, text: str) -> None:
        del text

    def err(self, text: str) -> None:
        del text

    def problems(self, problems: object, output_format: str = "text") -> None:
        del problems, output_format

    def protect(self, redactor: Redactor) -> None:
        self.redactor = self.redactor.merged(redactor)

    def redact(self, text: str) -> str:
        return self.redactor(text)

    def mentions_secret(self, text: str) -> bool:
        return self.redactor.mentions(text)

    def stdout_lost(self) -> bool:
        return False
