"""TLS against a local https emulator: a private CA is added with --ca-bundle (never instead of
the usual store), bundles load as OpenSSL loads them, and a certificate problem says which
problem and which host, at once, without --debug and without retries."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from helpers import AUTH, P_BUILD, R_BUILD, Emulated, run_cli, world_data, write_manifest

from checker.codearts.context import tls_verification
from checker.codearts.settings import ClientSettings
from checker.emulator.api import RecordedRequest
from checker.emulator.server import EmulatorServer
from checker.emulator.world import World
from checker.environment import Environment

BUILD = {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}
HttpsEmulator = Callable[..., Emulated]


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_emulator(ca: trustme.CA) -> Iterator[HttpsEmulator]:
    servers: list[EmulatorServer] = []

    def start(*identities: str, not_after: datetime | None = None) -> Emulated:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        not_before = not_after - timedelta(days=30) if not_after else None
        leaf = ca.issue_cert(
            *(identities or ("127.0.0.1",)), not_before=not_before, not_after=not_after
        )
        leaf.configure_cert(context)
        requests: list[RecordedRequest] = []
        server = EmulatorServer(
            World.model_validate(world_data()), on_request=requests.append, tls=context
        ).start()
        servers.append(server)
        return Emulated(server, requests)

    yield start
    for server in servers:
        server.stop()


def _check(tmp_path: Path, url: str, *extra: str) -> tuple[int, str, str]:
    manifest = write_manifest(tmp_path, {"build": BUILD})
    run = run_cli(["check", str(manifest), "--endpoint", url, *extra], AUTH)
    return run.exit_code, run.stdout, run.stderr


def test_a_private_ca_is_added_with_ca_bundle(
    tmp_path: Path, ca: trustme.CA, https_emulator: HttpsEmulator
) -> None:
    server = https_emulator()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    code, stdout, stderr = _check(tmp_path, server.url, "--ca-bundle", str(bundle))
    assert code == 0, stdout + stderr
    # Added to the CAs trusted by default, not instead of them.
    default = tls_verification(ClientSettings(), Environment())
    added = tls_verification(ClientSettings(ca_bundle=bundle), Environment())
    assert added.cert_store_stats()["x509_ca"] == default.cert_store_stats()["x509_ca"] + 1


def test_a_bundle_with_a_bom_and_comments_in_any_language_loads(
    tmp_path: Path, ca: trustme.CA, https_emulator: HttpsEmulator
) -> None:
    server = https_emulator()
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(
        "\ufeff# Zertifikat der Prüfstelle — 私有证书\n".encode()
        + ca.cert_pem.bytes()
        + "# fin ✓\n".encode()
    )
    code, stdout, stderr = _check(tmp_path, server.url, "--ca-bundle", str(bundle))
    assert code == 0, stdout + stderr


def test_an_empty_bundle_is_an_error(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("# nothing here yet\n")
    code, _, stderr = _check(tmp_path, "https://127.0.0.1:9", "--ca-bundle", str(bundle))
    assert code == 2
    assert f"cannot load CA bundle {bundle}: it holds no PEM certificate" in stderr


@pytest.mark.parametrize(
    ("identities", "issue", "bundled", "said"),
    [
        ((), {}, False, "unable to get local issuer certificate"),
        (("checker-test.example",), {}, True, "mismatch, certificate is not valid for"),
        ((), {"not_after": datetime.now(UTC) - timedelta(days=1)}, True, "certificate has expired"),
    ],
    ids=["unknown CA", "hostname mismatch", "expired"],
)
def test_a_certificate_problem_is_named_with_its_host_at_once(
    tmp_path: Path,
    ca: trustme.CA,
    https_emulator: HttpsEmulator,
    identities: tuple[str, ...],
    issue: dict[str, datetime],
    bundled: bool,
    said: str,
) -> None:
    server = https_emulator(*identities, **issue)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    extra = ["--ca-bundle", str(bundle)] if bundled else []
    code, stdout, _ = _check(tmp_path, server.url, *extra)
    assert code == 3
    assert "TLS verification of 127.0.0.1 failed:" in stdout
    assert said in stdout
    assert "after 1 attempt" in stdout or "attempts" not in stdout  # not retried


def test_a_ca_bundle_link_named_on_the_command_line_is_trusted(
    tmp_path: Path, ca: trustme.CA, https_emulator: HttpsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = https_emulator()
    outside = tmp_path / "etc" / "ca.pem"
    outside.parent.mkdir()
    ca.cert_pem.write_to_path(str(outside))
    checkout = tmp_path / "repo"
    checkout.mkdir()
    (checkout / "ca.pem").symlink_to(outside)
    monkeypatch.chdir(checkout)
    code, stdout, stderr = _check(checkout, server.url, "--ca-bundle", "ca.pem")
    assert code == 0, stdout + stderr
