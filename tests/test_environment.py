"""The environment snapshot: typed fields, empty means unset, secrets kept from manifests."""

from __future__ import annotations

from pathlib import Path

from checker.environment import Environment


def test_snapshot_reads_every_variable_once() -> None:
    environment = Environment.from_mapping(
        {
            "CHECKER_AUTH_TOKEN": "tok",
            "HUAWEICLOUD_SDK_AK": "",
            "HUAWEICLOUD_SDK_PROJECT_ID": "p" * 32,
            "CHECKER_ALLOWED_HOSTS": " GW.corp.example , ,127.0.0.1",
            "SSL_CERT_FILE": "/etc/ca.pem",
            "HUAWEICLOUD_SDK_REGION_CODEARTSPIPELINE_CN_NORTH_4": "https://gw.internal",
            "CHECKER_VAR_NAME": "value",
            "CHECKER_VAR_": "ignored",
            "HOME": "/root",
        },
        Path("/root"),
    )
    assert environment.auth_token == "tok"
    assert environment.access_key is None  # empty counts as unset
    assert environment.project_id == "p" * 32
    assert environment.allowed_hosts == frozenset({"gw.corp.example", "127.0.0.1"})
    assert environment.ca_bundle == Path("/etc/ca.pem")
    assert environment.region_endpoint("cn-north-4") == "https://gw.internal"
    assert environment.region_endpoint("cn-north-1") is None
    assert environment.variables == {"NAME": "value"}
    assert environment.home == Path("/root")


def test_manifests_cannot_read_credential_variables() -> None:
    environment = Environment.from_mapping(
        {"HUAWEICLOUD_SDK_SK": "secret", "CHECKER_AUTH_TOKEN": "tok", "BUILD_ID": "7"}
    )
    assert environment.readable == {"BUILD_ID": "7"}


def test_every_variable_the_tool_names_is_isolated_in_tests() -> None:
    """The isolation fixture derives its list from :mod:`checker.environment`: a variable
    added there is isolated without touching the tests, and none may be left out of it."""
    import os

    import checker.environment as environment_module

    named = {
        value
        for name, value in vars(environment_module).items()
        if name.endswith("_VARIABLE") and isinstance(value, str)
    }
    assert named <= environment_module.READ_VARIABLES
    assert {"GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_WORKSPACE", "CI"} <= (
        environment_module.READ_VARIABLES
    )
    assert {"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "NO_PROXY"} <= (
        environment_module.READ_VARIABLES
    )
    leaked = [name for name in os.environ if name in environment_module.READ_VARIABLES]
    leaked += [n for n in os.environ if n.startswith(environment_module.VARIABLE_PREFIXES)]
    assert leaked == []
