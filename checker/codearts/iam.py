"""The IAM project AK/SK requests carry as ``X-Project-Id``, found as the official SDK finds it.

Two project IDs, never one for the other: the ``{project_id}`` of every CodeArts path is the
**CodeArts project** (the manifest's); ``X-Project-Id`` is the **IAM project of the region**.
First found wins: the manifest's ``provider.iam_project_id``; ``HUAWEICLOUD_SDK_PROJECT_ID``;
``project_id`` under ``[basic]`` in the SDK's credentials file; else IAM is asked once per
region (``GET {iam}/v3/projects?name={region}``, AK/SK-signed without ``X-Project-Id``).
An IAM token is already scoped to a project: nothing is sent or looked up with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.codearts.credentials import AccessKeyCredentials, Credentials
from checker.codearts.endpoints import EndpointRefused, normalise
from checker.environment import IAM_ENDPOINT_VARIABLE, PROJECT_ID_VARIABLE, Environment
from checker.gate.checks import CheckSpec

if TYPE_CHECKING:
    pass

# huaweicloudsdkcore 3.1.219's IAM region table (IamHelper); elsewhere the global endpoint.
_IAM_REGIONS = (
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-12",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-south-1",
    "cn-south-2",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "af-south-1",
    "sa-brazil-1",
    "la-south-2",
    "la-north-2",
    "na-mexico-1",
    "eu-west-0",
    "my-kualalumpur-1",
    "ru-moscow-1",
    "me-east-1",
    "ae-ad-1",
    "tr-west-1",
)
IAM_ENDPOINTS: Mapping[str, str] = {
    **{region: f"https://iam.{region}.myhuaweicloud.com" for region in _IAM_REGIONS},
    # Documented by Huawei's pages, not in the SDK's table (see the reference notes).
    "cn-northeast-1": "https://iam.cn-northeast-1.myhuaweicloud.com",
    "eu-west-101": "https://iam.eu-west-101.myhuaweicloud.eu",
}
GLOBAL_IAM_ENDPOINT = "https://iam.myhuaweicloud.com"
PROJECTS_PATH = "/v3/projects"
MAX_ANSWER_BYTES = 1024 * 1024
HOW_TO_CHOOSE = (
    f"set {PROJECT_ID_VARIABLE} to the IAM project of the region (My Credentials → API "
    "Credentials in the console), or provider.iam_project_id in the manifest"
)


class IamProjectUnknown(Exception):
    """The IAM project could not be found; the message says why, the hint what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def iam_endpoint(region: str, environment: Environment) -> str:
    """Where IAM answers for ``region``: the SDK's override variable, its table, else global."""
    if environment.iam_endpoint:
        return normalise(environment.iam_endpoint)
    return IAM_ENDPOINTS.get(region, GLOBAL_IAM_ENDPOINT)


@dataclass(frozen=True)
class IamTarget:
    """One endpoint the checks use, with what the manifest says about its IAM project."""

    endpoint: str
    region: str | None
    given: str | None
    """``provider.iam_project_id``, when the manifest gives it."""


def targets_of(checks: Sequence[CheckSpec]) -> tuple[IamTarget, ...]:
    """One target per endpoint, in manifest order; the first region and project given win."""
    found: dict[str, IamTarget] = {}
    for check in checks:
        known = found.get(check.endpoint)
        if known is None:
            found[check.endpoint] = IamTarget(check.endpoint, check.region, check.iam_project_id)
        elif (known.region is None and check.region) or (
            known.given is None and check.iam_project_id
        ):
            found[check.endpoint] = IamTarget(
                check.endpoint, known.region or check.region, known.given or check.iam_project_id
            )
    return tuple(found.values())


@dataclass(frozen=True)
class IamSource:
    """Where one endpoint's IAM project comes from: a value known without asking, or the
    region IAM will be asked about."""

    project: str | None
    origin: str
    region: str | None = None

    def describe(self) -> str:
        return f"IAM project {self.project} from {self.origin}" if self.project else self.origin


def iam_source(
    target: IamTarget, environment: Environment, credentials: AccessKeyCredentials
) -> IamSource:
    """What ``plan`` shows and what the lookup starts from; sends nothing."""
    if target.given:
        return IamSource(target.given, "provider.iam_project_id")
    if environment.project_id:
        return IamSource(environment.project_id, PROJECT_ID_VARIABLE)
    if credentials.file_project_id:
        return IamSource(credentials.file_project_id, "the credentials file's [basic] project_id")
    if target.region is None:
        return IamSource(
            None,
            "unknown: the endpoint is explicit and no region is given, so IAM cannot be asked",
        )
    where = iam_endpoint(target.region, environment)
    return IamSource(None, f"looked up from IAM for {target.region} ({where})", target.region)


def describe_iam(
    checks: Sequence[CheckSpec], credentials: Credentials | None, environment: Environment
) -> list[str]:
    """One line per endpoint for ``plan``: where X-Project-Id will come from."""
    if credentials is None:
        return []
    if not isinstance(credentials, AccessKeyCredentials):
        return ["X-Project-Id: none (an IAM token is scoped to its project)"]
    lines = []
    for target in targets_of(checks):
        try:
            source = iam_source(target, environment, credentials).describe()
        except EndpointRefused as refused:
            source = f"unusable {IAM_ENDPOINT_VARIABLE}: {refused}"
        lines.append(f"X-Project-Id for {target.endpoint}: {source}")
    return lines
