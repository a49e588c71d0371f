"""How requests are sent: settings, the injected clock, sleep and transport, the deadline,
and TLS verification."""

from __future__ import annotations

import asyncio
import random
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from checker.codearts.credentials import Credentials
from checker.codearts.settings import ClientSettings
from checker.codearts.timing import Clock, Sleep, utc_now
from checker.diagnostics.documents import InputRefused, read_input
from checker.environment import CA_BUNDLE_VARIABLE, Environment
from checker.errors import UsageError

MAX_CA_BUNDLE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ClientContext:
    """Everything a query needs besides its requests; tests swap sleep, clock and transport."""

    credentials: Credentials
    settings: ClientSettings = field(default_factory=ClientSettings)
    sleep: Sleep = asyncio.sleep
    clock: Clock = utc_now
    jitter: Callable[[], float] = random.random
    http_transport: httpx.AsyncBaseTransport | None = None
    deadline: datetime | None = None
    """Nothing is sent, and no retry waits, past this moment (the command's --timeout)."""
    environment: Environment = field(default_factory=Environment)
    """Where the IAM project and IAM endpoint may come from (the SDK's variables)."""

    def remaining(self) -> float:
        if self.deadline is None:
            return float("inf")
        return (self.deadline - self.clock()).total_seconds()


def tls_verification(settings: ClientSettings) -> ssl.SSLContext | bool:
    """TLS is always verified; a private CA comes from ``--ca-bundle`` or ``SSL_CERT_FILE``."""
    bundle = settings.ca_bundle
    if bundle is None:
        return True
    try:
        pem = read_input(bundle, MAX_CA_BUNDLE_BYTES).decode("ascii")
        return ssl.create_default_context(cadata=pem)
    except InputRefused as refused:
        raise UsageError(f"cannot load CA bundle {bundle}: {refused}") from None
    except (UnicodeDecodeError, ssl.SSLError) as error:
        raise UsageError(
            f"cannot load CA bundle {bundle}: {error.__class__.__name__}",
            f"pass a PEM file of CA certificates with --ca-bundle or {CA_BUNDLE_VARIABLE}",
        ) from None
