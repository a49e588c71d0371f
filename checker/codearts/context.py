"""How requests are sent: settings, the injected clock, sleep and transport, the deadline,
and TLS verification."""

from __future__ import annotations

import asyncio
import random
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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


_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN (?:TRUSTED )?CERTIFICATE-----\r?\n.*?-----END (?:TRUSTED )?CERTIFICATE-----",
    re.DOTALL,
)


_BUNDLE_HINT = f"pass a PEM file of CA certificates with --ca-bundle or {CA_BUNDLE_VARIABLE}"


def tls_verification(settings: ClientSettings, environment: Environment) -> ssl.SSLContext:
    """TLS is always verified, against the CAs httpx trusts (certifi's), ``SSL_CERT_DIR``'s
    if set, plus a private CA from ``--ca-bundle`` or ``SSL_CERT_FILE``: a bundle adds to
    what is trusted, it does not replace it."""
    context = httpx.create_ssl_context(trust_env=False)
    if environment.ca_dir is not None:
        context.load_verify_locations(capath=str(environment.ca_dir))
    bundle = settings.ca_bundle
    if bundle is not None:
        try:
            context.load_verify_locations(cadata=_bundle_certificates(bundle))
        except ssl.SSLError as error:
            raise UsageError(
                f"cannot load CA bundle {bundle}: {error.reason or error.__class__.__name__}",
                _BUNDLE_HINT,
            ) from None
    return context


def _bundle_certificates(bundle: Path) -> str:
    """The certificates of a PEM bundle as OpenSSL reads it: text around them (comments in
    any language, a byte-order mark) is skipped."""
    try:
        content = read_input(bundle, MAX_CA_BUNDLE_BYTES, follow_links=True)
    except InputRefused as refused:
        raise UsageError(f"cannot load CA bundle {bundle}: {refused}") from None
    blocks = _PEM_CERTIFICATE.findall(content)
    if not blocks:
        raise UsageError(
            f"cannot load CA bundle {bundle}: it holds no PEM certificate", _BUNDLE_HINT
        )
    return b"\n".join(blocks).decode("ascii", errors="replace")
