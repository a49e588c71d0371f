"""How requests are sent, as the command line sets it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.defaults import DEFAULT_CONCURRENCY, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRIES


@dataclass(frozen=True)
class ClientSettings:
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = DEFAULT_REQUEST_TIMEOUT
    """Seconds per request attempt, from connecting to the last byte (--request-timeout)."""
    max_attempts: int = DEFAULT_RETRIES + 1
    ca_bundle: Path | None = None
    backoff_cap: float = 30.0
