"""End to end with Huawei Cloud credentials: AK/SK from the environment, with a security token,
from the credentials file; wrong keys; endpoints a manifest may and may not name; and a search
of every output and report for the secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from helpers import (
    AK,
    EXAMPLES,
    IAM_PROJECT,
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

AKSK = {
    "HUAWEICLOUD_SDK_AK": AK,
    "HUAWEICLOUD_SDK_SK": SK,
    "HUAWEICLOUD_SDK_PROJECT_ID": IAM_PROJECT,
}
SCOPED_AK = "SCOPEDAK000000000000"
SCOPED_SK = "SCOPEDSK-recognisable-secret-key-424242"


def _two_checks(tmp_path: Path, **provider: str) -> Path:
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
    run = run_cli(["check", str(_two_checks(tmp_path)), "--endpoint", server.url], AKSK)
    assert run.exit_code == 0, run.output
    assert "credentials: AK/SK from environment (AK TEST********)" in run.stdout
    request = server.result_requests()[0]
    assert request.headers["authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK}, ")
    # The IAM project of the region, never the CodeArts project of the path.
    assert request.headers["x-project-id"] == IAM_PROJECT != PROJECT
    assert f"/v5/{PROJECT}/" in request.path


def test_aksk_with_security_token(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    env = {
        "HUAWEICLOUD_SDK_AK": TEMP_AK,
        "HUAWEICLOUD_SDK_SK": TEMP_SK,
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECURITY_TOKEN,
        "HUAWEICLOUD_SDK_PROJECT_ID": IAM_PROJECT,
    }
    run = run_cli(["check", str(_two_checks(tmp_path)), "--endpoint", server.url], env)
    assert run.exit_code == 0, run.output
    assert "temporary AK/SK from environment" in run.stdout


def test_aksk_from_credentials_file(
    tmp_path: Path, emulator: Start, isolated_environment: Path
) -> None:
    server = emulator()
    credentials = isolated_environment / ".huaweicloud" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text(f"[basic]\nak = {AK}\nsk = {SK}\nproject_id = {IAM_PROJECT}\n")
    run = run_cli(["check", str(_two_checks(tmp_path)), "--endpoint", server.url])
    assert run.exit_code == 0, run.output
    assert server.result_requests()[0].headers["x-project-id"] == IAM_PROJECT
    assert f"AK/SK from credentials file {credentials}" in run.stdout


DEMO_AK, DEMO_SK = "DEMOAK0123456789ABCD", "DEMOSK0123456789abcdefghijklmnopqrstuvwx"


@pytest.fixture
def example(emulator: Start, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The bundled example against its world, served apart: ``--emulator`` would use the
    world's own credentials, and these tests choose theirs."""
    world = yaml.safe_load((EXAMPLES / "world.yaml").read_text())
    server = emulator(world)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", server.url)
    return ["check", str(EXAMPLES / "release-gate.yaml"), "--endpoint", server.url]


def test_emulator_never_gets_the_environment_credentials(emulator: Start) -> None:
    run = run_cli(
        ["check", str(EXAMPLES / "release-gate.yaml"), "--emulator", str(EXAMPLES / "world.yaml")],
        {"HUAWEICLOUD_SDK_AK": DEMO_AK, "HUAWEICLOUD_SDK_SK": DEMO_SK},
    )
    assert run.exit_code == 1, run.output
    assert "credentials: IAM token from the emulator world" in run.stdout


def test_example_with_aksk_from_environment(example: list[str]) -> None:
    run = run_cli(example, {"HUAWEICLOUD_SDK_AK": DEMO_AK, "HUAWEICLOUD_SDK_SK": DEMO_SK})
    assert run.exit_code == 1, run.output
    assert "AK/SK from environment (AK DEMO********)" in run.stdout
    assert "3 passed, 1 failed" in run.stdout


def test_example_with_a_security_token(example: list[str]) -> None:
    env = {
        "HUAWEICLOUD_SDK_AK": "DEMOTEMPAK0123456789",
        "HUAWEICLOUD_SDK_SK": "DEMOTEMPSK0123456789abcdefghijklmnopqrst",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": "demo-security-token-0123456789",
    }
    run = run_cli(example, env)
    assert run.exit_code == 1, run.output
    assert "temporary AK/SK from environment (AK DEMO********)" in run.stdout
    run = run_cli(example, {**env, "HUAWEICLOUD_SDK_SECURITY_TOKEN": "stolen-elsewhere"})
    assert run.exit_code == 3
    assert "invalid security token" in run.stderr


def test_example_with_the_credentials_file(isolated_environment: Path, example: list[str]) -> None:
    credentials = isolated_environment / ".huaweicloud" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text(f"[basic]\nak = {DEMO_AK}\nsk = {DEMO_SK}\n")
    run = run_cli(example)
    assert run.exit_code == 1, run.output
    assert f"AK/SK from credentials file {credentials} (AK DEMO********)" in run.stdout


def test_example_with_a_wrong_sk_exits_3(example: list[str]) -> None:
    run = run_cli(
        example,
        {"HUAWEICLOUD_SDK_AK": DEMO_AK, "HUAWEICLOUD_SDK_SK": "wrong-sk-value"},
    )
    assert run.exit_code == 3
    assert "authentication failed (HTTP 401, APIGW.0301" in run.stderr
    assert "ERR   release-build" in run.stdout


def test_unreadable_ca_bundle_is_a_usage_error(tmp_path: Path, example: list[str]) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate")
    run = run_cli([*example, "--ca-bundle", str(bundle)], AKSK)
    assert run.exit_code == 2
    assert f"cannot load CA bundle {bundle}" in run.stderr


def test_tls_is_verified_against_the_given_bundle(tmp_path: Path) -> None:
    import ssl

    import certifi

    from checker.codearts.context import tls_verification
    from checker.codearts.settings import ClientSettings
    from checker.environment import Environment

    default = tls_verification(ClientSettings(), Environment())
    assert default.verify_mode == ssl.CERT_REQUIRED and default.check_hostname
    context = tls_verification(ClientSettings(ca_bundle=Path(certifi.where())), Environment())
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_wrong_sk_exits_3_with_a_clear_message_and_one_request(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    env = {**AKSK, "HUAWEICLOUD_SDK_SK": "wrong-secret-key-000"}
    run = run_cli(
        ["check", str(_two_checks(tmp_path)), "--endpoint", server.url, "--batch-size", "1"], env
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
    run = run_cli(["check", str(_two_checks(tmp_path, endpoint=server.url))], AKSK)
    assert run.exit_code == 2
    assert "must use https" in run.stderr
    assert server.requests == []
    # The same endpoint from the command line is fine.
    run = run_cli(
        ["check", str(_two_checks(tmp_path, region="cn-north-4")), "--endpoint", server.url], AKSK
    )
    assert run.exit_code == 0, run.output


def test_manifest_endpoint_on_a_foreign_host_is_refused(tmp_path: Path) -> None:
    run = run_cli(["check", str(_two_checks(tmp_path, endpoint="https://evil.example"))], AKSK)
    assert run.exit_code == 2
    assert (
        "endpoint host 'evil.example' in a manifest is not a CodeArts Pipeline host" in run.stderr
    )


def test_checker_endpoint_variable_points_the_run(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    run = run_cli(["check", str(_two_checks(tmp_path))], {**AKSK, "CHECKER_ENDPOINT": server.url})
    assert run.exit_code == 0, run.output


def test_allowed_hosts_admit_a_manifest_endpoint(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    env = {**AKSK, "CHECKER_ALLOWED_HOSTS": "127.0.0.1"}
    run = run_cli(["check", str(_two_checks(tmp_path, endpoint=server.url))], env)
    assert run.exit_code == 0, run.output


def test_region_override_variable(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    env = {**AKSK, "HUAWEICLOUD_SDK_REGION_CODEARTSPIPELINE_CN_NORTH_4": server.url}
    run = run_cli(["check", str(_two_checks(tmp_path))], env)
    assert run.exit_code == 0, run.output


def test_the_sdk_project_variable_is_never_the_codearts_project(
    tmp_path: Path, emulator: Start
) -> None:
    """Breaking change: HUAWEICLOUD_SDK_PROJECT_ID means what it means in the SDK (the IAM
    project); a manifest that relied on it for the CodeArts project fails loudly, naming
    both IDs, and CHECKER_PROJECT_ID takes that place."""
    server = emulator()
    data = manifest_data({"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}})
    data["provider"] = {"region": "cn-north-4"}
    manifest = write_yaml(tmp_path / "m.yaml", data)
    old = run_cli(["check", str(manifest), "--endpoint", server.url], AKSK)
    assert old.exit_code == 2, old.output
    assert "HUAWEICLOUD_SDK_PROJECT_ID is not one" in old.stderr
    assert "CHECKER_PROJECT_ID" in old.stderr
    assert server.requests == []
    new = run_cli(
        ["check", str(manifest), "--endpoint", server.url],
        {**AKSK, "CHECKER_PROJECT_ID": PROJECT},
    )
    assert new.exit_code == 0, new.output
    request = server.result_requests()[0]
    assert f"/v5/{PROJECT}/" in request.path
    assert request.headers["x-project-id"] == IAM_PROJECT


def test_plan_names_the_credential_source_only(tmp_path: Path) -> None:
    run = run_cli(["plan", str(_two_checks(tmp_path))], AKSK)
    assert run.exit_code == 0
    assert "Credentials: AK/SK from environment (AK TEST********)" in run.stdout
    assert SK not in run.output and AK not in run.output


def test_secrets_are_not_accepted_as_options(tmp_path: Path) -> None:
    run = run_cli(["check", str(_two_checks(tmp_path)), "--sk", SK])
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
    good = str(_two_checks(tmp_path))
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
    run = run_cli(["check", str(_two_checks(tmp_path)), "--endpoint", server.url, "--debug"], AKSK)
    assert run.exit_code == 0
    assert "debug: checker.client: POST " in run.stderr
    assert "request id " in run.stderr


def test_a_request_checker_sent_is_the_one_the_sdk_signs_with_the_iam_project(
    tmp_path: Path, emulator: Start, sdk: Any
) -> None:
    """The oracle: what checker sent over loopback, re-signed by the official SDK's
    ``BasicCredentials(ak, sk, iam_project)`` for the same CodeArts path, carries the same
    X-Project-Id and the same signature."""
    server = emulator()
    run = run_cli(["check", str(_two_checks(tmp_path)), "--endpoint", server.url], AKSK)
    assert run.exit_code == 0, run.output
    sent = server.result_requests()[0]
    basic_credentials, sdk_request = sdk
    request = sdk_request(
        method="POST",
        schema="http",
        host=httpx.URL(server.url).netloc.decode(),
        resource_path=sent.path,
        query_params=[],
        header_params={
            "Content-Type": sent.headers["content-type"],
            "X-Sdk-Date": sent.headers["x-sdk-date"],
        },
        body=sent.body,
    )
    signed = basic_credentials(AK, SK, IAM_PROJECT).sign_request(request)
    assert signed.header_params["X-Project-Id"] == sent.headers["x-project-id"] == IAM_PROJECT
    assert signed.header_params["Authorization"] == sent.headers["authorization"]


def test_the_iam_project_is_looked_up_once_per_region_before_any_codearts_request(
    tmp_path: Path, emulator: Start
) -> None:
    """No IAM project given: IAM is asked (signed, without X-Project-Id), once, and every
    CodeArts request then carries its answer."""
    server = emulator()
    env = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": server.url,
    }
    gate = _two_checks(tmp_path, region="cn-north-4")
    run = run_cli(["check", str(gate), "--endpoint", server.url, "--batch-size", "1"], env)
    assert run.exit_code == 0, run.output
    paths = [r.path for r in server.requests]
    assert paths[0] == "/v3/projects?name=cn-north-4"
    assert sum(path.startswith("/v3/") for path in paths) == 1
    lookup = server.requests[0]
    assert "x-project-id" not in lookup.headers
    assert lookup.headers["authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK}, ")
    codearts = server.result_requests()
    assert len(codearts) == 2
    assert {r.headers["x-project-id"] for r in codearts} == {IAM_PROJECT}


def test_a_codearts_project_as_x_project_id_is_refused_by_the_emulator(
    tmp_path: Path, emulator: Start
) -> None:
    """The emulator is as strict as the gateway is likely to be: the old mistake fails."""
    server = emulator()
    env = {**AKSK, "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT}
    run = run_cli(["check", str(_two_checks(tmp_path)), "--endpoint", server.url], env)
    assert run.exit_code == 3
    assert "is not an IAM project of this region" in run.stderr
    assert len(server.requests) == 1  # an authentication failure is never retried


@pytest.mark.parametrize(
    ("projects", "expected"),
    [
        ({"cn-north-4": []}, "IAM has no project for region cn-north-4"),
        (
            {"cn-north-4": ["0" * 32, "1" * 32]},
            f"IAM has several projects for region cn-north-4: {'0' * 32}, {'1' * 32}",
        ),
    ],
)
def test_no_iam_project_or_several_is_a_clear_error_before_any_codearts_request(
    tmp_path: Path, emulator: Start, projects: dict[str, list[str]], expected: str
) -> None:
    server = emulator(world_data(iam_projects=projects))
    env = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": server.url,
    }
    reports = tmp_path / "gate.json"
    gate = _two_checks(tmp_path, region="cn-north-4")
    run = run_cli(
        ["check", str(gate), "--endpoint", server.url, "--report", f"json={reports}"], env
    )
    assert run.exit_code == 3, run.output
    assert expected in run.stderr
    assert "HUAWEICLOUD_SDK_PROJECT_ID" in run.stderr  # how to choose
    assert server.result_requests() == []
    assert '"outcome": "error"' in reports.read_text()  # reports are still written


def test_an_explicit_endpoint_without_a_region_says_how_to_give_the_iam_project(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    env = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK, "CHECKER_ALLOWED_HOSTS": "127.0.0.1"}
    run = run_cli(["check", str(_two_checks(tmp_path, endpoint=server.url))], env)
    assert run.exit_code == 3
    assert "the endpoint is explicit and the manifest names no region" in run.stderr
    assert "HUAWEICLOUD_SDK_PROJECT_ID" in run.stderr
    assert server.requests == []


def test_a_token_sends_no_x_project_id_and_looks_nothing_up(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    gate = _two_checks(tmp_path, region="cn-north-4")
    run = run_cli(["check", str(gate), "--endpoint", server.url], {"CHECKER_AUTH_TOKEN": TOKEN})
    assert run.exit_code == 0, run.output
    assert all("x-project-id" not in r.headers for r in server.requests)
    assert not any(r.path.startswith("/v3/") for r in server.requests)


def test_plan_says_where_the_iam_project_comes_from_and_sends_nothing(tmp_path: Path) -> None:
    keys = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}
    gate = _two_checks(tmp_path, region="cn-north-4")
    looked_up = run_cli(["plan", str(gate)], keys)
    assert "looked up from IAM for cn-north-4 (https://iam.cn-north-4.myhuaweicloud.com)" in (
        looked_up.stdout
    )
    assert f"CodeArts project {PROJECT} at" in looked_up.stdout
    given = run_cli(["plan", str(gate)], AKSK)
    assert f"IAM project {IAM_PROJECT} from HUAWEICLOUD_SDK_PROJECT_ID" in given.stdout


def test_a_warnings_only_gate_the_api_refuses_is_not_a_pass(
    tmp_path: Path, emulator: Start
) -> None:
    """Nothing evaluated is never a pass: refused credentials make every check an error,
    and the gate exits 3 even though no check blocks."""
    server = emulator()
    data = manifest_data({"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}})
    data["defaults"] = {"severity": "warning"}
    gate = write_yaml(tmp_path / "gate.yaml", data)
    reports = tmp_path / "gate.json"
    env = {**AKSK, "HUAWEICLOUD_SDK_SK": "WRONG-secret-key-0000000000000000000"}
    args = ["check", str(gate), "--endpoint", server.url, "--report", f"json={reports}"]
    run = run_cli(args, env)
    assert run.exit_code == 3, run.output
    assert "NOT EVALUATED" in run.stdout
    assert '"exit_code": 3' in reports.read_text()
    # The same gate with the right keys passes: the exit code follows the answers.
    assert run_cli(args, AKSK).exit_code == 0
