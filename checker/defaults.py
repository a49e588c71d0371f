"""The defaults the command line shows, in one light module: ``--help`` must not pay for the
packages that use them."""

from __future__ import annotations

DEFAULT_BATCH_SIZE = 100
"""Most runs (startup) or pipelines (run status, start) in one request."""
DEFAULT_TIMEOUT = 30 * 60.0
"""The one deadline of a command, in seconds."""
DEFAULT_POLL_INTERVAL = 10.0
"""The first pause between polls while waiting, in seconds."""
DEFAULT_MARKDOWN_MAX_BYTES = 1_000_000
"""The Markdown report's budget: under GitHub's 1 MiB step summary."""
