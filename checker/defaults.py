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
DEFAULT_MAX_POLL_INTERVAL = 60.0
"""The longest pause between polls, in seconds: the verdict comes within this of a run's end."""
DEFAULT_POLL_GROWTH = 1.5
"""Each pause is this much longer than the last, up to the cap."""
DEFAULT_CONCURRENCY = 8
"""Requests in flight at once."""
DEFAULT_REQUEST_TIMEOUT = 60.0
"""Seconds for one request attempt, from connecting to the last byte."""
DEFAULT_RETRIES = 3
"""Retries of a request after throttling, 5xx and network errors."""

MAX_DURATION = 7 * 24 * 3600.0
"""The longest duration anything takes (a deadline, a poll interval, a run's max_duration):
a week. Beyond it, date arithmetic overflows long before anyone would wait."""

TEMPLATE_SECONDS = 20.0
"""Wall-clock limit of one user template's rendering (it runs in a child process)."""
TEMPLATE_CPU_SECONDS = 15
TEMPLATE_MAX_MEMORY_BYTES = 1024 * 1024 * 1024
"""Address space of the child that renders a user template: Python and Jinja need ~100 MB."""
TEMPLATE_MAX_OUTPUT_BYTES = 16 * 1024 * 1024

DEFAULT_LOG_LINES = 40
"""Lines of a failed step's log shown with its check (``--log-lines``; 0: none)."""
DEFAULT_LOG_RUNS = 20
"""Failed runs whose failure is located and log read, at most (``--log-runs``): a mass
failure must not turn into thousands of requests."""
MAX_LOG_PAGES = 64
"""Pages of one step's log read at most (ShowPipelineLog): a bound on one failed run's cost."""
DEFAULT_STOP_GRACE = 30.0
"""Seconds ``--stop-unfinished`` may take after the deadline (CI's SIGTERM leaves little)."""
