"""Shared fixtures: an emulator on loopback, the CLI runner, isolated environments."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import settings

from checker.cli import main
from checker.emulator import EmulatorServer
from checker.world import World

# CI runs the same examples every time (deterministic); HYPOTHESIS_PROFILE=explore searches
# new ones when run by hand.
settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=2_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"

PROJECT = "db8d07265e24426598b3eb03a7818972"
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

# Variables that could leak a developer's real configuration into a test.
_ISOLATED = (
    "CHECKER_AUTH_TOKEN",
    "CHECKER_ENDPOINT",
    "CHECKER_ALLOWED_HOSTS",
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_PROJECT_ID",
    "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
    "SSL_CERT_FILE",
)


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


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test sees the developer's credentials, endpoint or home folder."""
    home = tmp_path_factory.mktemp("home")
    for name in _ISOLATED:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("CHECKER_VAR_", "HUAWEICLOUD_SDK_REGION_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    return home


@dataclass
class Emulated:
    server: EmulatorServer

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[Any]:
        return self.server.state.requests

    def result_requests(self) -> list[Any]:
        return [r for r in self.requests if r.path.endswith("/batch-runs/result")]


@pytest.fixture
def emulator() -> Iterator[Callable[..., Emulated]]:
    """Start emulators from world dicts; all are stopped after the test."""
    servers: list[EmulatorServer] = []

    def start(data: Mapping[str, Any] | None = None, **kwargs: Any) -> Emulated:
        world = World.model_validate(data if data is not None else world_data())
        server = EmulatorServer(world, **kwargs).start()
        servers.append(server)
        return Emulated(server)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def sdk() -> Iterator[tuple[Any, Any]]:
    """The official SDK's ``BasicCredentials`` and ``SdkRequest``: the signing oracle.

    Importing the SDK writes ``~/.huaweicloud/application_id``, so HOME is a temporary folder
    while it loads.
    """
    previous = os.environ.get("HOME")
    with tempfile.TemporaryDirectory() as home:
        os.environ["HOME"] = home
        try:
            from huaweicloudsdkcore.auth.credentials import BasicCredentials
            from huaweicloudsdkcore.sdk_request import SdkRequest

            yield BasicCredentials, SdkRequest
        finally:
            if previous is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = previous


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


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


def run_cli(args: list[str], env: Mapping[str, str] | None = None) -> CliRun:
    """Invoke the real click command in-process, with the given extra environment."""
    runner = CliRunner()
    result: Result = runner.invoke(main, args, env=dict(env or {}), catch_exceptions=True)
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return CliRun(result.exit_code, result.stdout, result.stderr, exception)
