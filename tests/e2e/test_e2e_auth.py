"""End to end with Huawei Cloud credentials: AK/SK from the environment, with a security token,
from the credentials file; wrong keys; endpoints a manifest may and may not name; and a search
of every output and report for the secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    AK,
    EXAMPLES,
    P_BANNED,
    P_BUILD,
    PROJECT,
    R_BANNED,
    R_BUILD,
    SECURITY_TOKEN,
    SK,
    TEMP_AK,
    TEMP_SK,
    TOKEN,
    CliRun,
    Start,
    manifest_data,
    run_cli,
    world_data,
    write_yaml,
)

AKSK = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}
SCOPED_AK = "SCOPEDAK000000000000"
SCOPED_SK = "SCOPEDSK-recognisable-secret-key-424242"


def _gate(tmp_path: Path, **provider: str) -> Path:
    data = manifest_data(
        {
            "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "banned": {
                "pipeline_id": P_BANNED,
                "pipeline_run_id": R_BANNED,
                "expect": {"status": "START_FAILED"},
            },
        }
    )
    if provider:
        data["provider"] = {"project_id": PROJECT, **provider}
    return write_yaml(tmp_path / "gate.yaml", data)


def test_aksk_from_environment(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    run = run_cli(["check", str(_gate(tmp_path)), "--endpoint", server.url], AKSK)
    assert run.exit_code == 0, run.output
    assert "credentials: AK/SK from environment (AK TEST********)" in run.stdout
    request = server.result_requests()[0]
    assert request.headers["authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK}, ")
    assert request.headers["x-project-id"] == PROJECT


def test_aksk_with_security_token(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    env = {
        "HUAWEICLOUD_SDK_AK": TEMP_AK,
        "HUAWEICLOUD_SDK_SK": TEMP_SK,
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECURITY_TOKEN,
    }
    run = run_cli(["check", str(_gate(tmp_path)), "--endpoint", server.url], env)
    assert run.exit_code == 0, run.output
    assert "temporary AK/SK from environment" in run.stdout


def test_aksk_from_credentials_file(
    tmp_path: Path, emulator: Start, isolated_environment: Path
) -> None:
    server = emulator()
    credentials = isolated_environment / ".huaweicloud" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text(f"[basic]\nak = {AK}\nsk = {SK}\n")
    run = run_cli(["check", str(_gate(tmp_path)), "--endpoint", server.url])
    assert run.exit_code == 0, run.output
    assert f"AK/SK from credentials file {credentials}" in run.stdout


EXAMPLE = ["check", str(EXAMPLES / "release-gate.yaml"), "--emulator", str(EXAMPLES / "world.yaml")]
DEMO_AK, DEMO_SK = "DEMOAK0123456789ABCD", "DEMOSK0123456789abcdefghijklmnopqrstuvwx"


def test_example_with_aksk_from_environment() -> None:
    run = run_cli(EXAMPLE, {"HUAWEICLOUD_SDK_AK": DEMO_AK, "HUAWEICLOUD_SDK_SK": DEMO_SK})
    assert run.exit_code == 1, run.output
    assert "AK/SK from environment (AK DEMO********)" in run.stdout
    assert "3 passed, 1 failed" in run.stdout


def test_example_with_a_security_token() -> None:
    env = {
        "HUAWEICLOUD_SDK_AK": "DEMOTEMPAK0123456789",
        "HUAWEICLOUD_SDK_SK": "DEMOTEMPSK0123456789abcdefghijklmnopqrst",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": "demo-security-token-0123456789",
    }
    run = run_cli(EXAMPLE, env)
    assert run.exit_code == 1, run.output
    assert "temporary AK/SK from environment (AK DEMO********)" in run.stdout
    run = run_cli(EXAMPLE, {**env, "HUAWEICLOUD_SDK_SECURITY_TOKEN": "stolen-elsewhere"})
    assert run.exit_code == 3
    assert "invalid security token" in run.stderr


def test_example_with_the_credentials_file(isolated_environment: Path) -> None:
    credentials = isolated_environment / ".huaweicloud" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text(f"[basic]\nak = {DEMO_AK}\nsk = {DEMO_SK}\n")
    run = run_cli(EXAMPLE)
    assert run.exit_code == 1, run.output
    assert f"AK/SK from credentials file {credentials} (AK DEMO********)" in run.stdout


def test_example_with_a_wrong_sk_exits_3() -> None:
    run = run_cli(EXAMPLE, {"HUAWEICLOUD_SDK_AK": DEMO_AK, "HUAWEICLOUD_SDK_SK": "wrong-sk-value"})
    assert run.exit_code == 3
    assert "authentication failed (HTTP 401, APIGW.0301" in run.stderr
    assert "ERR   release-build" in run.stdout


def test_unreadable_ca_bundle_is_a_usage_error(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate")
    run = run_cli([*EXAMPLE, "--ca-bundle", str(bundle)], AKSK)
    assert run.exit_code == 2
    assert f"cannot load CA bundle {bundle}" in run.stderr


def test_tls_is_verified_against_the_given_bundle(tmp_path: Path) -> None:
    import ssl

    import certifi

    from checker.codearts.context import tls_verification
    from checker.codearts.settings import ClientSettings

    context = tls_verification(ClientSettings(ca_bundle=Path(certifi.where())))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert tls_verification(ClientSettings()) is True


def test_wrong_sk_exits_3_with_a_clear_message_and_one_request(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    env = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": "wrong-secret-key-000"}
    run = run_cli(
        ["check", str(_gate(tmp_path)), "--endpoint", server.url, "--batch-size", "1"], env
    )
    assert run.exit_code == 3
    assert "error: authentication failed (HTTP 401, APIGW.0301, " in run.stderr
    assert "verify aksk signature fail" in run.stderr
    assert "request id " in run.stderr
    assert "using AK/SK from environment (AK TEST********)" in run.stderr
    assert "clock" in run.stderr
    assert len(server.requests) == 1  # the second batch was never sent


def test_manifest_endpoint_on_loopback_is_refused_before_any_request(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    run = run_cli(["check", str(_gate(tmp_path, endpoint=server.url))], AKSK)
    assert run.exit_code == 2
    assert "must use https" in run.stderr
    assert server.requests == []
    # The same endpoint from the command line is fine.
    run = run_cli(
        ["check", str(_gate(tmp_path, region="cn-north-4")), "--endpoint", server.url], AKSK
    )
    assert run.exit_code == 0, run.output


def test_manifest_endpoint_on_a_foreign_host_is_refused(tmp_path: Path) -> None:
    run = run_cli(["check", str(_gate(tmp_path, endpoint="https://evil.example"))], AKSK)
    assert run.exit_code == 2
    assert (
        "endpoint host 'evil.example' in a manifest is not a CodeArts Pipeline host" in run.stderr
    )


def test_checker_endpoint_variable_points_the_run(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    run = run_cli(["check", str(_gate(tmp_path))], {**AKSK, "CHECKER_ENDPOINT": server.url})
    assert run.exit_code == 0, run.output


def test_allowed_hosts_admit_a_manifest_endpoint(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    env = {**AKSK, "CHECKER_ALLOWED_HOSTS": "127.0.0.1"}
    run = run_cli(["check", str(_gate(tmp_path, endpoint=server.url))], env)
    assert run.exit_code == 0, run.output


def test_region_override_variable(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    env = {**AKSK, "HUAWEICLOUD_SDK_REGION_CODEARTSPIPELINE_CN_NORTH_4": server.url}
    run = run_cli(["check", str(_gate(tmp_path))], env)
    assert run.exit_code == 0, run.output


def test_project_from_sdk_variable(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    data = manifest_data({"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}})
    data["provider"] = {"region": "cn-north-4"}
    manifest = write_yaml(tmp_path / "m.yaml", data)
    run = run_cli(
        ["check", str(manifest), "--endpoint", server.url],
        {**AKSK, "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT},
    )
    assert run.exit_code == 0, run.output


def test_plan_names_the_credential_source_only(tmp_path: Path) -> None:
    run = run_cli(["plan", str(_gate(tmp_path))], AKSK)
    assert run.exit_code == 0
    assert "Credentials: AK/SK from environment (AK TEST********)" in run.stdout
    assert SK not in run.output and AK not in run.output


def test_secrets_are_not_accepted_as_options(tmp_path: Path) -> None:
    run = run_cli(["check", str(_gate(tmp_path)), "--sk", SK])
    assert run.exit_code == 2
    assert "No such option" in run.stderr


# The secret-leak test: every path, with recognisable secrets, searched everywhere.


def _leak_world() -> dict[str, object]:
    data = world_data()
    data["credentials"]["access_keys"].append(
        {"ak": SCOPED_AK, "sk": SCOPED_SK, "projects": ["f" * 32]}
    )
    return data


def _scenarios(tmp_path: Path, url: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    good = str(_gate(tmp_path))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nchecks:\n  x:\n    pipeline_id: ${env.HUAWEICLOUD_SDK_SK}\n"
        f"    pipeline_run_id: {TEMP_SK}\n    expect:\n      pipeline_name: {SECURITY_TOKEN}\n"
    )
    leaky = write_yaml(
        tmp_path / "leaky.yaml",
        manifest_data(
            {
                "build": {
                    "pipeline_id": P_BUILD,
                    "pipeline_run_id": R_BUILD,
                    "expect": {"pipeline_name": SK, "reason": {"equals": TOKEN}},
                }
            }
        ),
    )
    temp = {
        "HUAWEICLOUD_SDK_AK": TEMP_AK,
        "HUAWEICLOUD_SDK_SK": TEMP_SK,
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECURITY_TOKEN,
    }
    scoped = {"HUAWEICLOUD_SDK_AK": SCOPED_AK, "HUAWEICLOUD_SDK_SK": SCOPED_SK}
    wrong = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK + "x"}
    token = {"CHECKER_AUTH_TOKEN": TOKEN}
    endpoint = ["--endpoint", url]
    down = ["--endpoint", "http://127.0.0.1:9", "--retries", "0"]
    return {
        "success-aksk": ([good, *endpoint], AKSK),
        "success-temporary": ([good, *endpoint], temp),
        "success-token": ([good, *endpoint], token),
        "401-aksk": ([good, *endpoint], wrong),
        "401-temporary-without-token": ([good, *endpoint], {**temp, "HUAWEICLOUD_SDK_SK": SK}),
        "403-aksk": ([good, *endpoint], scoped),
        "network-failure": ([good, *down], temp),
        "invalid-manifest": ([str(bad), *endpoint], temp),
        "manifest-echoes-secrets": ([str(leaky), *endpoint], {**AKSK, "CHECKER_AUTH_TOKEN": TOKEN}),
        "half-pair": ([good, *endpoint], {"HUAWEICLOUD_SDK_SK": SK}),
    }


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_secrets_never_leak(tmp_path: Path, emulator: Start, debug: bool) -> None:
    server = emulator(_leak_world())
    seen_codes = set()
    for name, (args, env) in _scenarios(tmp_path, server.url).items():
        # Every credential value this run was given; an AK may show only masked.
        secrets = [value for value in env.values() if len(value) >= 6]
        reports = tmp_path / name
        report_args = [
            arg
            for fmt, file in (("junit", "r.xml"), ("markdown", "r.md"), ("json", "r.json"))
            for arg in ("--report", f"{fmt}={reports / file}")
        ]
        run: CliRun = run_cli(["check", *args, *report_args, *(["--debug"] if debug else [])], env)
        seen_codes.add(run.exit_code)
        texts = [run.stdout, run.stderr, repr(run.exception)]
        texts += [p.read_text() for p in reports.glob("*")] if reports.exists() else []
        for text in texts:
            for secret in secrets:
                assert secret not in text, f"{name}: secret {secret[:6]}… leaked"
    assert seen_codes == {0, 1, 2, 3}


def test_debug_logs_requests_without_headers(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    run = run_cli(["check", str(_gate(tmp_path)), "--endpoint", server.url, "--debug"], AKSK)
    assert run.exit_code == 0
    assert "debug: checker.client: POST " in run.stderr
    assert "request id " in run.stderr
