"""Credential sources and their precedence; regions, overrides and the manifest endpoint rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.codearts.credentials import (
    AccessKeyCredentials,
    TokenCredentials,
    choose_credentials,
    find_credentials,
)
from checker.codearts.endpoints import (
    REGION_ENDPOINTS,
    EndpointRefused,
    check_manifest_endpoint,
    normalise,
    region_endpoint,
)
from checker.environment import Environment
from checker.errors import CredentialsError

AK, SK = "AKAKAKAKAKAKAKAKAKAK", "SKSKSKSKSKSKSKSKSKSKSKSKSK"


def _env(environ: dict[str, str], home: Path | None = None) -> Environment:
    return Environment.from_mapping(environ, home)


def _file(home: Path, text: str) -> Path:
    path = home / ".huaweicloud" / "credentials"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_token_wins_over_everything(tmp_path: Path) -> None:
    _file(tmp_path, f"[basic]\nak = {AK}\nsk = {SK}\n")
    environ = {
        "CHECKER_AUTH_TOKEN": "token-0123456789",
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
    }
    found = find_credentials(_env(environ, tmp_path))
    assert isinstance(found, TokenCredentials)
    assert found.describe() == "IAM token from CHECKER_AUTH_TOKEN"


def test_environment_pair_wins_over_file(tmp_path: Path) -> None:
    _file(tmp_path, "[basic]\nak = FILEAK000000\nsk = FILESK000000\n")
    found = find_credentials(_env({"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}, tmp_path))
    assert isinstance(found, AccessKeyCredentials)
    assert found.access_key.reveal() == AK
    assert found.describe() == "AK/SK from environment (AK AKAK********)"


def test_security_token_makes_temporary_credentials(tmp_path: Path) -> None:
    environ = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": "sts-token-0123456789",
    }
    found = find_credentials(_env(environ, tmp_path))
    assert isinstance(found, AccessKeyCredentials)
    assert (
        found.security_token is not None and found.security_token.reveal() == "sts-token-0123456789"
    )
    assert found.source == "temporary AK/SK from environment"


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({"HUAWEICLOUD_SDK_AK": AK}, "HUAWEICLOUD_SDK_SK"),
        ({"HUAWEICLOUD_SDK_SK": SK}, "HUAWEICLOUD_SDK_AK"),
    ],
)
def test_half_a_pair_names_the_missing_variable(
    tmp_path: Path, environ: dict[str, str], missing: str
) -> None:
    with pytest.raises(CredentialsError) as raised:
        find_credentials(_env(environ, tmp_path))
    assert raised.value.message.endswith(f"but {missing} is not")
    assert SK not in raised.value.message and AK not in raised.value.message


def test_default_credentials_file(tmp_path: Path) -> None:
    path = _file(tmp_path, f"[basic]\nak = {AK}\nsk = {SK}\nsecurity_token = STS-0123456789\n")
    found = find_credentials(_env({}, tmp_path))
    assert isinstance(found, AccessKeyCredentials)
    assert found.source == f"temporary AK/SK from credentials file {path}"


def test_credentials_file_from_variable(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.ini"
    path.write_text(f"[basic]\nak = {AK}\nsk = {SK}\n")
    found = find_credentials(_env({"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path)}, tmp_path))
    assert isinstance(found, AccessKeyCredentials)


def test_credentials_file_variable_pointing_nowhere_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="not a file"):
        find_credentials(_env({"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(tmp_path / "no")}, tmp_path))


def test_credentials_file_with_half_a_pair(tmp_path: Path) -> None:
    _file(tmp_path, f"[basic]\nak = {AK}\n")
    with pytest.raises(CredentialsError, match="without 'sk'"):
        find_credentials(_env({}, tmp_path))


def test_broken_credentials_file_does_not_quote_its_lines(tmp_path: Path) -> None:
    _file(tmp_path, f"this line holds {SK}\n[basic\n")
    with pytest.raises(CredentialsError) as raised:
        find_credentials(_env({}, tmp_path))
    assert SK not in raised.value.message


def test_no_credentials(tmp_path: Path) -> None:
    assert find_credentials(_env({}, tmp_path)) is None
    with pytest.raises(CredentialsError, match="no credentials found"):
        choose_credentials(_env({}, tmp_path)).require()
    assert choose_credentials(_env({}, tmp_path)).describe().startswith("none found")


def test_region_table_has_the_sdk_regions() -> None:
    assert len(REGION_ENDPOINTS) == 15 + 2  # the SDK's, and two documented beside it
    assert (
        REGION_ENDPOINTS["cn-north-4"] == "https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com"
    )
    assert REGION_ENDPOINTS["tr-west-1"] == "https://pipeline-external.tr-west-1.myhuaweicloud.com"
    assert REGION_ENDPOINTS["me-east-1"] == "https://pipeline.me-east-1.myhuaweicloud.com"


def test_region_override_variable() -> None:
    environ = {"HUAWEICLOUD_SDK_REGION_CODEARTSPIPELINE_CN_NORTH_4": "https://gw.internal:8443/"}
    assert region_endpoint("cn-north-4", _env(environ)) == "https://gw.internal:8443"


def test_unknown_region_lists_known_ones() -> None:
    with pytest.raises(EndpointRefused) as raised:
        region_endpoint("eu-nowhere-7", _env({}))
    assert "cn-north-4" in str(raised.value)
    assert raised.value.hint is not None and "provider.endpoint" in raised.value.hint


@pytest.mark.parametrize(
    "url",
    [
        "https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com",
        "https://pipeline-external.eu-west-101.myhuaweicloud.eu/",
        "https://devcloud.ap-southeast-1.huaweicloud.com",
    ],
)
def test_manifest_may_name_huawei_hosts(url: str) -> None:
    assert check_manifest_endpoint(url, frozenset()) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://cloudpipeline-ext.cn-north-4.myhuaweicloud.com",
        "https://evil.example",
        "https://myhuaweicloud.com.evil.example",
        "https://evilmyhuaweicloud.com",
        "http://127.0.0.1:8080",
        "https://127.0.0.1",
        "ftp://myhuaweicloud.com",
        "https://user:pw@x.myhuaweicloud.com",
    ],
)
def test_manifest_may_not_name_other_hosts(url: str) -> None:
    with pytest.raises(EndpointRefused):
        check_manifest_endpoint(url, frozenset())


def test_allow_list_admits_hosts_but_https_still_required() -> None:
    policy = _env({"CHECKER_ALLOWED_HOSTS": "gw.corp.example, 127.0.0.1"}).allowed_hosts
    assert check_manifest_endpoint("https://gw.corp.example", policy) == "https://gw.corp.example"
    assert check_manifest_endpoint("http://127.0.0.1:9", policy) == "http://127.0.0.1:9"
    with pytest.raises(EndpointRefused, match="https"):
        check_manifest_endpoint("http://gw.corp.example", policy)


def test_normalise_rejects_non_urls() -> None:
    for bad in ("cn-north-4", "https://", "https://h/x?y=1", "https://h:99999"):
        with pytest.raises(EndpointRefused):
            normalise(bad)


def test_no_home_folder_skips_the_credentials_file() -> None:
    assert find_credentials(_env({}, None)) is None
    assert choose_credentials(_env({}, None)).describe().startswith("none found")


@pytest.mark.parametrize(
    "environ",
    [
        {"CHECKER_AUTH_TOKEN": "abc"},
        {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": "sk"},
        {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK, "HUAWEICLOUD_SDK_SECURITY_TOKEN": "x"},
    ],
)
def test_credentials_too_short_to_redact_safely_are_refused(environ: dict[str, str]) -> None:
    with pytest.raises(CredentialsError, match="too short to be real") as raised:
        find_credentials(_env(environ))
    assert all(value not in raised.value.message for value in ("abc", "sk'", " x"))


def test_every_secret_is_redacted_however_short() -> None:
    from checker.codearts.secret import Redactor

    assert Redactor({"ab": "**"})("xaby") == "x**y"


def test_documented_endpoints_beyond_the_sdk_table() -> None:
    from checker.codearts.endpoints import region_endpoint
    from checker.codearts.iam import iam_endpoint

    environment = Environment()
    assert region_endpoint("cn-northeast-1", environment) == (
        "https://cloudpipeline-ext.cn-northeast-1.myhuaweicloud.com"
    )
    assert region_endpoint("eu-west-101", environment) == (
        "https://pipeline-external.eu-west-101.myhuaweicloud.eu"
    )
    assert iam_endpoint("eu-west-101", environment) == "https://iam.eu-west-101.myhuaweicloud.eu"
    assert iam_endpoint("cn-north-4", environment) == "https://iam.cn-north-4.myhuaweicloud.com"
    assert iam_endpoint("xx-nowhere-9", environment) == "https://iam.myhuaweicloud.com"
    moved = Environment(iam_endpoint="https://iam.internal.example/")
    assert iam_endpoint("cn-north-4", moved) == "https://iam.internal.example"


def test_a_region_override_may_list_several_endpoints_and_the_first_is_used() -> None:
    from checker.codearts.endpoints import region_endpoint

    environment = Environment.from_mapping(
        {
            "HUAWEICLOUD_SDK_REGION_CODEARTSPIPELINE_CN_NORTH_4": (
                " https://a.example:8443/ , https://b.example"
            )
        }
    )
    assert region_endpoint("cn-north-4", environment) == "https://a.example:8443"


def test_a_misspelt_region_gets_a_did_you_mean() -> None:
    from checker.codearts.endpoints import EndpointRefused, region_endpoint

    with pytest.raises(EndpointRefused, match="did you mean 'cn-north-4'"):
        region_endpoint("cn-nrth-4", Environment())


def test_the_sdk_regions_file_is_read_like_the_sdk_reads_it(tmp_path: Path) -> None:
    from checker.codearts.endpoints import EndpointRefused, region_endpoint

    home = tmp_path / "home"
    (home / ".huaweicloud").mkdir(parents=True)
    (home / ".huaweicloud" / "regions.yaml").write_text(
        "CODEARTSPIPELINE:\n"
        "  - id: xx-custom-1\n"
        "    endpoint: https://pipeline.custom.example\n"
        "  - id: cn-north-4\n"
        "    endpoints: [https://first.example, https://second.example]\n"
    )
    environment = Environment(home=home)
    assert region_endpoint("xx-custom-1", environment) == "https://pipeline.custom.example"
    assert region_endpoint("cn-north-4", environment) == "https://first.example"
    # The per-region variable wins over the file, as in the SDK.
    variable = Environment.from_mapping(
        {"HUAWEICLOUD_SDK_REGION_CODEARTSPIPELINE_CN_NORTH_4": "https://variable.example"}, home
    )
    assert region_endpoint("cn-north-4", variable) == "https://variable.example"
    # HUAWEICLOUD_SDK_REGIONS_FILE moves it; a broken file is an error naming it.
    broken = tmp_path / "regions.yaml"
    broken.write_text("CODEARTSPIPELINE: [unclosed\n")
    moved = Environment.from_mapping({"HUAWEICLOUD_SDK_REGIONS_FILE": str(broken)}, home)
    with pytest.raises(EndpointRefused, match="cannot read regions file"):
        region_endpoint("cn-north-4", moved)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        (
            "HTTPS://CloudPipeline-EXT.cn-north-4.myhuaweicloud.com:443/",
            REGION_ENDPOINTS["cn-north-4"],
        ),
        (
            "https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com/./",
            REGION_ENDPOINTS["cn-north-4"],
        ),
        ("http://127.0.0.1:80/a/../", "http://127.0.0.1"),
        ("http://127.0.0.1:8080/api/./v5/..", "http://127.0.0.1:8080/api"),
        ("https://[::1]:443", "https://[::1]"),
        ("https://h:8443//x//", "https://h:8443/x"),
    ],
)
def test_every_spelling_of_an_endpoint_is_one_endpoint(spelling: str, canonical: str) -> None:
    assert normalise(spelling) == canonical
