"""What a manifest says a run must show: startup status, reason, name, and how the run ends;
and how to wait for it. Frozen pydantic models, the source of the JSON Schema."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from checker.defaults import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_GROWTH,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_TIMEOUT,
    MAX_DURATION,
)
from checker.gate.durations import format_duration, parse_duration
from checker.gate.types import Frozen

StatusName = Annotated[str, StringConstraints(min_length=1)]

DURATION_PATTERN = r"^(?:[0-9]+|[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s)$"


def bad_duration(value: str) -> str:
    return f"must be a duration such as 90, 90s, 15m or 1h30m, not '{value}'"


class ReasonCondition(Frozen):
    """Exactly one way of matching the observed ``reason`` text."""

    model_config = ConfigDict(
        title="Reason condition",
        json_schema_extra={"minProperties": 1, "maxProperties": 1},
    )

    equals: str | None = Field(
        default=None, title="Equals", description="The reason must be exactly this text."
    )
    contains: str | None = Field(
        default=None, title="Contains", description="The reason must contain this text."
    )
    matches: str | None = Field(
        default=None,
        title="Matches",
        description="The reason must contain a match of this regular expression (RE2 syntax: "
        "no lookaround or backreferences; matched in linear time).",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ReasonCondition:
        given = [
            name for name in ("equals", "contains", "matches") if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError("reason takes exactly one of: equals, contains, matches")
        return self


def bounded_duration(value: int | str | None) -> int | str | None:
    """A duration no longer than :data:`MAX_DURATION` (the schema bounds integers itself)."""
    seconds = parse_duration(value) if value is not None else None
    if seconds is not None and seconds > MAX_DURATION:
        raise ValueError(f"must be at most {format_duration(MAX_DURATION)} (a week)")
    return value


Duration = Annotated[
    Annotated[int, Field(ge=0, le=int(MAX_DURATION), strict=True)]
    | Annotated[str, StringConstraints(pattern=DURATION_PATTERN)],
    Field(description="Seconds, or a duration such as 90s, 15m or 1h30m; at most a week."),
]
Statuses = StatusName | Annotated[list[StatusName], Field(min_length=1)]


class RunBlock(Frozen):
    """How the run itself must end, from the run-level APIs (status, stages, duration)."""

    model_config = ConfigDict(title="Run expectation")
    # Each key merges over defaults.expect.run; null drops the default (see merging.py).
    null_drops_default: ClassVar[bool] = True

    status: Statuses | None = Field(
        default=None,
        title="Expected run status",
        description="One run status or a list; the run must end in one of them. Known: "
        "COMPLETED, FAILED, CANCELED, IGNORED, RUNNING, PAUSED, SUSPEND. Default: COMPLETED.",
    )
    stages: dict[str, Statuses] | None = Field(
        default=None,
        title="Expected stages",
        description="Stage name → status (or list): each named stage must end so. Stage "
        "statuses add SKIPPED, UNSELECTED, QUEUED, INIT, …",
    )
    max_duration: Duration | None = Field(
        default=None,
        title="Maximum duration",
        description="Longest allowed time from start to end (90s, 15m, 1h30m); a run still "
        "going past it fails at once.",
    )

    max_queue: Duration | None = Field(
        default=None,
        title="Maximum time queued",
        description="Longest a run may wait in the pipeline's queue for a concurrency slot "
        "(status QUEUED) before it fails; max_duration counts only once it runs.",
    )
    retries: int | None = Field(
        default=None,
        ge=0,
        le=10,
        title="Retries",
        description="Retry a run that ends FAILED up to this many times (RetryPipelineRun, "
        "failed jobs only), under the same deadline; only runs from --runs files. A check "
        "that passes after a retry is flaky: reported, not blocking.",
    )
    on_waiting: Literal["wait", "fail", "warn"] | None = Field(
        default=None,
        title="When the run waits for a person",
        description="A run PAUSED or SUSPENDED (a manual review, a delay step): wait (default: "
        "keep polling until the deadline), fail (at once), or warn (a non-blocking failure).",
    )

    _bounded = field_validator("max_duration", "max_queue")(bounded_duration)


class Wait(Frozen):
    """How checker check --wait waits for runs to end; the command line wins."""

    model_config = ConfigDict(title="Waiting")

    timeout: Duration | None = Field(
        default=None,
        title="Timeout",
        description="The one deadline for the whole check, waiting and retries included "
        f"(default {format_duration(DEFAULT_TIMEOUT)}).",
    )
    poll_interval: Duration | None = Field(
        default=None,
        title="Poll interval",
        description=f"First wait between polls (default {format_duration(DEFAULT_POLL_INTERVAL)}"
        f"); grows {DEFAULT_POLL_GROWTH:g} times per poll up to {DEFAULT_MAX_POLL_INTERVAL:g}s.",
    )
    terminal_statuses: Annotated[list[StatusName], Field(min_length=1)] | None = Field(
        default=None,
        title="Terminal run statuses",
        description="Run statuses that end a run, replacing the default COMPLETED, FAILED, "
        "CANCELED, IGNORED, QUEUED_TIME_OUT.",
    )

    stop_unfinished: bool | None = Field(
        default=None,
        title="Stop unfinished runs",
        description="When the gate gives up (deadline, Ctrl-C/SIGTERM, --fail-fast), stop the "
        "runs it started (from --runs files) that are still going; never a run the manifest "
        "names.",
    )

    _bounded = field_validator("timeout", "poll_interval")(bounded_duration)


class ExpectBlock(Frozen):
    """What a run's answers must show for the check to pass. All given conditions must hold."""

    model_config = ConfigDict(title="Expectation")
    null_drops_default: ClassVar[bool] = True

    status: StatusName | Annotated[list[StatusName], Field(min_length=1)] | None = Field(
        default=None,
        title="Expected status",
        description="One status or a list; the check passes when the observed status is any "
        "of them. Known startup values: START_SUCCESS, START_FAILED. Default: START_SUCCESS.",
    )
    reason: ReasonCondition | None = Field(
        default=None,
        title="Expected reason",
        description="A condition on the reason text the API gives for the status.",
    )
    pipeline_name: str | None = Field(
        default=None,
        title="Expected pipeline name",
        description="The name the API must report for the pipeline: catches a run ID pasted "
        "under the wrong pipeline.",
    )
    run: RunBlock | None = Field(
        default=None,
        title="Run expectation",
        description="How the run must end (status, stages, max_duration); checked with the "
        "run-level APIs. Without it, only the startup is checked.",
    )
