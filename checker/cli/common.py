"""What every manifest command builds from its arguments and the environment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from checker.cli.params import ManifestArguments
from checker.environment import Environment

if TYPE_CHECKING:
    from checker.app import CommonOptions
    from checker.codearts.settings import ClientSettings


def common_options(
    environment: Environment, arguments: ManifestArguments, allow_unset: bool = False
) -> CommonOptions:
    from checker.app import CommonOptions
    from checker.manifest.load import LoadOptions

    return CommonOptions(
        manifests=arguments.manifests,
        load=LoadOptions(
            var_assignments=arguments.variables,
            var_files=arguments.var_files,
            runs_files=arguments.runs_files,
            only=arguments.only,
            endpoint_override=arguments.endpoint,
            project_id=arguments.project_id,
            environment=environment,
            allowed_env=frozenset(arguments.allowed_env),
            allow_unset=allow_unset,
        ),
    )


def client_settings(
    environment: Environment,
    *,
    concurrency: int,
    request_timeout: float,
    retries: int,
    ca_bundle: Path | None,
) -> ClientSettings:
    """How the commands that talk to CodeArts send requests; ``--ca-bundle`` wins over
    ``SSL_CERT_FILE``."""
    from checker.codearts.settings import ClientSettings

    return ClientSettings(
        concurrency=concurrency,
        timeout=request_timeout,
        max_attempts=retries + 1,
        ca_bundle=ca_bundle or environment.ca_bundle,
    )
