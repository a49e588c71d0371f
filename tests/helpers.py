"""Shared test helpers: IDs, worlds, manifests, a resolved check, the CLI runner."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from checker.cli import main
from checker.codearts.client import open_session
from checker.codearts.context import ClientContext
from checker.diagnostics.problem import Location
from checker.emulator.api import RecordedRequest
from checker.emulator.server import EmulatorServer
from checker.emulator.world import DEFAULT_IAM_PROJECT
from checker.gate.answers import BatchAnswer, Observation, QueryFailure
from checker.gate.checks import CheckSpec, Expectation
from checker.gate.evaluator import decide
from checker.gate.knowledge import RunState
from checker.gate.planner import Batch
from checker.gate.results import CheckResult
from checker.gate.types import Severity

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"

PROJECT = "db8d07265e24426598b3eb03a7818972"
"""The CodeArts project of the test worlds: the {project_id} of every path."""
IAM_PROJECT = DEFAULT_IAM_PROJECT
"""The IAM project of cn-north-4 in the test worlds: X-Project-Id, never a CodeArts project."""
OTHER_PROJECT = "0123456789abcdef0123456789abcdef"
TOKEN = "test-token-7f3a9c2e51d04b8a"
AK = "TESTAK1234567890ABCD"
SK = "TESTSKabcdefghijklmnopqrstuvwxyz0123456789"
TEMP_AK = "TEMPAK1234567890WXYZ"
TEMP_SK = "TEMPSKzyxwvutsrqponmlkjihgfedcba9876543210"
SECURITY_TOKEN = "SECTOKEN-very-secret-session-token-000111"

# Hex run and pipeline IDs that read as what they are in assertions.
P_BUILD = "6ba9a2dbc7024c22a9a6614516dc22db"
R_BUILD = "e41fe3981361476eb6dad17ad98c683c"
P_BANNED = "d7013d2402ff4cc88489ee5af324e049"
R_BANNED = "3d8143d197dd4fa5b23f20ee39179af3"
P_TESTS = "0f3c6a1e5b2d4c7a9e8f1b2c3d4e5f60"
R_TESTS = "9a8b7c6d5e4f40312a1b2c3d4e5f6a7b"
R_UNKNOWN = "ffffffffffffffffffffffffffffffff"


def world_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "credentials": {
            "tokens": [{"token": TOKEN}],
            "access_keys": [
                {"ak": AK, "sk": SK},
                {"ak": TEMP_AK, "sk": TEMP_SK, "security_token": SECURITY_TOKEN},
            ],
        },
        "projects": {
            PROJECT: {
                "pipelines": {
                    P_BUILD: {
                        "name": "Release build",
                        "runs": {R_BUILD: {"status": "START_SUCCESS"}},
                    },
                    P_BANNED: {
                        "name": "Nightly security scan",
                        "banned": True,
                        "runs": {
                            R_BANNED: {
                                "status": "START_FAILED",
                                "reason": "Current pipeline is banned.",
                            }
                        },
                    },
                    P_TESTS: {
                        "name": "Integration tests",
                        "runs": {R_TESTS: {"status": "START_SUCCESS"}},
                    },
                }
            }
        },
    }
    data.update(overrides)
    return data


@dataclass
class Emulated:
    """A started emulator and every request it received."""

    server: EmulatorServer
    requests: list[RecordedRequest]

    @property
    def url(self) -> str:
        return self.server.url

    def result_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/batch-runs/result")]


# The ``emulator`` fixture's type: it starts one, with a world's overrides.
Start = Callable[..., Emulated]
# The environment of a CLI run that authenticates with the emulator's IAM token.
AUTH = {"CHECKER_AUTH_TOKEN": TOKEN}


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_manifest(
    folder: Path, checks: dict[str, Any], name: str = "gate.yaml", **extra: Any
) -> Path:
    """A manifest of ``checks`` (cn-north-4, the test project) written to ``folder/name``."""
    return write_yaml(folder / name, manifest_data(checks, **extra))


def manifest_data(checks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "provider": {"region": "cn-north-4", "project_id": PROJECT},
        "checks": checks,
    }
    data.update(extra)
    return data


@dataclass
class CliRun:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def waiting_gate(manifest: Path, url: str, runs: Path, interval: str = "0.01") -> list[str]:
    """``check`` of a manifest against ``url`` with the runs start wrote, waiting for them
    (polls ``interval`` seconds apart): what CI's second step runs."""
    return [
        "check",
        str(manifest),
        "--endpoint",
        url,
        "--runs",
        str(runs),
        "--wait",
        "--poll-interval",
        interval,
    ]


def run_cli(args: list[str], env: Mapping[str, str] | None = None) -> CliRun:
    """Invoke the real click command in-process, with the given extra environment."""
    runner = CliRunner()
    result: Result = runner.invoke(main, args, env=dict(env or {}), catch_exceptions=True)
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return CliRun(result.exit_code, result.stdout, result.stderr, exception)


def make_check(
    name: str = "build",
    *,
    expect: Expectation | None = None,
    severity: Severity = "error",
    project_id: str = "c" * 32,
    pipeline_id: str = "a" * 32,
    pipeline_run_id: str = "b" * 32,
    endpoint: str = "https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com",
    manifest: str = "gate.yaml",
) -> CheckSpec:
    """A resolved check with plausible defaults; tests name only what they vary."""
    return CheckSpec(
        name=name,
        manifest=manifest,
        origin=Location(manifest, 4, 3),
        endpoint=endpoint,
        project_id=project_id,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
        expect=expect or Expectation(),
        severity=severity,
    )


def evaluate(
    check: CheckSpec,
    observations: Sequence[Observation] = (),
    failure: QueryFailure | None = None,
) -> CheckResult:
    """Decide one check from one startup answer, as a snapshot (no waiting)."""
    key = (check.pipeline_id, check.pipeline_run_id)
    entries = tuple(o for o in observations if (o.pipeline_id, o.pipeline_run_id) == key)
    state = RunState(startup=() if failure else entries, startup_failure=failure)
    decided = decide(check, state, 0, "snapshot")
    assert decided is not None
    return decided


async def query_batches(batches: Sequence[Batch], context: ClientContext) -> list[BatchAnswer]:
    """Send startup batches through one session, as the gate does."""
    async with open_session(context) as session:
        return await session.startup(batches)


@dataclass
class FakeClock:
    """Time that moves only when the gate sleeps (or a test says so)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    slept: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    async def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)
