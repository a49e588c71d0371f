"""What the manifest commands build from their arguments and the environment, once each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.cli.options import ClientArguments
from checker.cli.params import ManifestArguments
from checker.environment import Environment

if TYPE_CHECKING:
    from checker.app.common import ClientOptions, CommonOptions
    from checker.cli.emulated import EmulatorTarget
    from checker.codearts.credentials import CredentialChoice


def common_options(
    environment: Environment,
    arguments: ManifestArguments,
    allow_unset: bool = False,
    emulator: EmulatorTarget | None = None,
) -> CommonOptions:
    """The manifests and how to load them; ``--emulator`` decides the endpoint."""
    from checker.app.common import CommonOptions
    from checker.manifest.load import LoadOptions

    return CommonOptions(
        manifests=arguments.manifests,
        load=LoadOptions(
            var_assignments=arguments.variables,
            var_files=arguments.var_files,
            runs_files=arguments.runs_files,
            only=arguments.only,
            endpoint_override=emulator.url if emulator else arguments.endpoint,
            project_id=arguments.project_id,
            allowed_env=frozenset(arguments.allowed_env),
            allow_unset=allow_unset,
        ),
        environment=environment,
    )


def client_options(
    environment: Environment,
    client: ClientArguments,
    credentials: CredentialChoice,
    emulator: EmulatorTarget | None,
) -> ClientOptions:
    """How check and start send requests, with the command's credentials; ``--ca-bundle``
    wins over ``SSL_CERT_FILE``.

    With ``--emulator`` the world's credentials are used, never the environment's: the real
    ones have no business going to a local stand-in (or to a proxy on the way).
    """
    from checker.app.common import ClientOptions
    from checker.codearts.credentials import CredentialChoice
    from checker.codearts.settings import ClientSettings

    return ClientOptions(
        credentials=CredentialChoice(emulator.credentials) if emulator else credentials,
        settings=ClientSettings(
            concurrency=client.concurrency,
            timeout=client.request_timeout,
            max_attempts=client.retries + 1,
            ca_bundle=client.ca_bundle or environment.ca_bundle,
        ),
        batch_size=client.batch_size,
        timeout=client.timeout,
    )
