"""The one snapshot of the process environment, and the only place its variable names live.

The CLI builds an :class:`Environment` once per command from ``os.environ`` and the home
folder; everything else receives it, so no other module reads the environment, and tests pass
exactly the environment they mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TOKEN_VARIABLE = "CHECKER_AUTH_TOKEN"
AK_VARIABLE = "HUAWEICLOUD_SDK_AK"
SK_VARIABLE = "HUAWEICLOUD_SDK_SK"
SECURITY_TOKEN_VARIABLE = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
CREDENTIALS_FILE_VARIABLE = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
PROJECT_ID_VARIABLE = "HUAWEICLOUD_SDK_PROJECT_ID"
"""The IAM project of the region (X-Project-Id), as in the official SDK: not a CodeArts project."""
IAM_ENDPOINT_VARIABLE = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
REGIONS_FILE_VARIABLE = "HUAWEICLOUD_SDK_REGIONS_FILE"
CODEARTS_PROJECT_VARIABLE = "CHECKER_PROJECT_ID"
"""The CodeArts project for checks whose manifest names none (the {project_id} of paths)."""
ENDPOINT_VARIABLE = "CHECKER_ENDPOINT"
ALLOWED_HOSTS_VARIABLE = "CHECKER_ALLOWED_HOSTS"
CA_BUNDLE_VARIABLE = "SSL_CERT_FILE"
VARIABLE_PREFIX = "CHECKER_VAR_"
REGION_OVERRIDE_PREFIX = "HUAWEICLOUD_SDK_REGION_CODEARTSPIPELINE_"
STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"
ACTIONS_VARIABLE = "GITHUB_ACTIONS"

OUTPUT_VARIABLE = "GITHUB_OUTPUT"
WORKSPACE_VARIABLE = "GITHUB_WORKSPACE"
PROJECT_DIR_VARIABLE = "CI_PROJECT_DIR"
CI_VARIABLE = "CI"
PROXY_VARIABLES = frozenset(
    name
    for base in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
    for name in (base, base.lower())
)
"""Where requests go through a proxy, read as curl and httpx read them (lower case wins)."""
CA_DIR_VARIABLE = "SSL_CERT_DIR"
TLS_VARIABLES = frozenset({CA_DIR_VARIABLE, "SSLKEYLOGFILE"})
"""Read beside SSL_CERT_FILE (SSLKEYLOGFILE by OpenSSL itself)."""

CREDENTIAL_VARIABLES = frozenset(
    {TOKEN_VARIABLE, AK_VARIABLE, SK_VARIABLE, SECURITY_TOKEN_VARIABLE}
)
"""Variables that hold secrets: never readable from a manifest, always redacted."""

VARIABLE_PREFIXES = (VARIABLE_PREFIX, REGION_OVERRIDE_PREFIX)
READ_VARIABLES = (
    frozenset(
        {
            TOKEN_VARIABLE,
            AK_VARIABLE,
            SK_VARIABLE,
            SECURITY_TOKEN_VARIABLE,
            CREDENTIALS_FILE_VARIABLE,
            PROJECT_ID_VARIABLE,
            IAM_ENDPOINT_VARIABLE,
            REGIONS_FILE_VARIABLE,
            CODEARTS_PROJECT_VARIABLE,
            ENDPOINT_VARIABLE,
            ALLOWED_HOSTS_VARIABLE,
            CA_BUNDLE_VARIABLE,
            STEP_SUMMARY_VARIABLE,
            ACTIONS_VARIABLE,
            OUTPUT_VARIABLE,
            WORKSPACE_VARIABLE,
            PROJECT_DIR_VARIABLE,
            CI_VARIABLE,
        }
    )
    | PROXY_VARIABLES
    | TLS_VARIABLES
)
"""Every variable that changes what checker does (besides ``${env.NAME}`` reads, which a
manifest names itself), with :data:`VARIABLE_PREFIXES`: what a test must not inherit."""


def _text(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name) or None


@dataclass(frozen=True)
class Environment:
    """What checker takes from its environment, typed. Empty variables count as unset."""

    home: Path | None = None
    auth_token: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    security_token: str | None = None
    credentials_file: Path | None = None
    project_id: str | None = None
    """HUAWEICLOUD_SDK_PROJECT_ID: the IAM project for X-Project-Id, never a CodeArts project."""
    iam_endpoint: str | None = None
    regions_file: Path | None = None
    """The SDK's regions file (else ``~/.huaweicloud/regions.yaml``)."""
    codearts_project_id: str | None = None
    endpoint: str | None = None
    allowed_hosts: frozenset[str] = frozenset()
    ca_bundle: Path | None = None
    ca_dir: Path | None = None
    proxies: Mapping[str, str] = field(default_factory=dict)
    """The proxy variables that are set, by their own name (``HTTPS_PROXY``, ``no_proxy``)."""
    region_endpoints: Mapping[str, str] = field(default_factory=dict)
    """Endpoint overrides by region id (upper case, ``_`` for ``-``)."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """Manifest variable values from ``CHECKER_VAR_<NAME>``, by name."""
    readable: Mapping[str, str] = field(default_factory=dict)
    """What ``${env.NAME}`` may read: everything except the credential variables."""
    step_summary: Path | None = None
    """GitHub's step summary file: a report written there is appended (steps share it)."""
    github_actions: bool = False
    """Running in GitHub Actions: checks that did not pass become annotations."""
    github_workspace: Path | None = None
    """The checkout GitHub annotates: annotation paths are made relative to it."""
    github_output: Path | None = None
    """GitHub's step-output file: the verdict and counts are appended for the next step."""
    gitlab_project_dir: Path | None = None
    """GitLab's checkout: the Code Quality report's paths are relative to it."""

    @property
    def checkout(self) -> Path | None:
        """The repository checkout of the CI job, if it says: report paths are relative to it."""
        return self.gitlab_project_dir or self.github_workspace

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str], home: Path | None = None) -> Environment:
        file = _text(environ, CREDENTIALS_FILE_VARIABLE)
        bundle = _text(environ, CA_BUNDLE_VARIABLE)
        hosts = environ.get(ALLOWED_HOSTS_VARIABLE, "")
        summary = _text(environ, STEP_SUMMARY_VARIABLE)
        return cls(
            home=home,
            auth_token=_text(environ, TOKEN_VARIABLE),
            access_key=_text(environ, AK_VARIABLE),
            secret_key=_text(environ, SK_VARIABLE),
            security_token=_text(environ, SECURITY_TOKEN_VARIABLE),
            credentials_file=Path(file) if file else None,
            project_id=_text(environ, PROJECT_ID_VARIABLE),
            iam_endpoint=_text(environ, IAM_ENDPOINT_VARIABLE),
            regions_file=Path(regions)
            if (regions := _text(environ, REGIONS_FILE_VARIABLE))
            else None,
            codearts_project_id=_text(environ, CODEARTS_PROJECT_VARIABLE),
            endpoint=_text(environ, ENDPOINT_VARIABLE),
            allowed_hosts=frozenset(h.strip().lower() for h in hosts.split(",") if h.strip()),
            ca_bundle=Path(bundle) if bundle else None,
            ca_dir=Path(ca_dir) if (ca_dir := _text(environ, CA_DIR_VARIABLE)) else None,
            proxies={name: environ[name] for name in sorted(PROXY_VARIABLES) if environ.get(name)},
            region_endpoints={
                name.removeprefix(REGION_OVERRIDE_PREFIX): value
                for name, value in environ.items()
                if name.startswith(REGION_OVERRIDE_PREFIX) and value
            },
            variables={
                name.removeprefix(VARIABLE_PREFIX): value
                for name, value in sorted(environ.items())
                if name.startswith(VARIABLE_PREFIX) and len(name) > len(VARIABLE_PREFIX)
            },
            readable={
                name: value for name, value in environ.items() if name not in CREDENTIAL_VARIABLES
            },
            step_summary=Path(summary) if summary else None,
            github_actions=environ.get(ACTIONS_VARIABLE) == "true",
            github_output=Path(output) if (output := _text(environ, OUTPUT_VARIABLE)) else None,
            github_workspace=Path(ws) if (ws := _text(environ, WORKSPACE_VARIABLE)) else None,
            gitlab_project_dir=Path(d) if (d := _text(environ, PROJECT_DIR_VARIABLE)) else None,
        )

    def region_endpoint(self, region: str) -> str | None:
        """The override for ``region``, if the environment sets one."""
        return self.region_endpoints.get(region.upper().replace("-", "_"))
