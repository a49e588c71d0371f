"""How requests are sent, as the command line sets it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ClientSettings:
    concurrency: int = 8
    timeout: float = 60.0
    """Seconds per request attempt, from connecting to the last byte (--request-timeout)."""
    max_attempts: int = 4
    ca_bundle: Path | None = None
    backoff_cap: float = 30.0
