"""Notes about a run as a whole, worded from what happened: pure, so every layer that reports
an authentication failure or a learned batch limit says it the same way."""

from __future__ import annotations

from checker.diagnostics.problem import printable
from checker.gate.answers import QueryFailure
from checker.gate.results import Note


def auth_note(failure: QueryFailure, source: str, hint: str) -> Note:
    """An authentication failure, with what the gateway said; ``hint`` comes from the
    credentials, which know their own likely causes."""
    details = [f"HTTP {failure.http_status}"]
    if failure.error_code:
        details.append(printable(failure.error_code))
    if failure.error_msg:
        details.append(printable(failure.error_msg))
    if failure.request_id:
        details.append(f"request id {printable(failure.request_id)}")
    return Note(message=f"authentication failed ({', '.join(details)}) using {source}", hint=hint)


def batch_limit_note(limit: int) -> Note:
    """The service refused large requests and checker adapted: said once, with the fix."""
    return Note(
        message=(
            f"the service refused large requests (HTTP 413): batches of at most {limit} were sent"
        ),
        hint=f"pass --batch-size {limit} to send that size from the start",
        level="info",
    )
