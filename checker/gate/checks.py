"""A fully resolved check: what the planner and evaluator work on.

The manifest models say what a user wrote; a :class:`CheckSpec` says exactly which run on
which endpoint is checked against which :class:`Expectation`, with every default and variable
applied.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from pydantic import PrivateAttr

from checker.diagnostics.problem import Location
from checker.gate.durations import format_duration
from checker.gate.patterns import Pattern, compile_pattern
from checker.gate.run_parameters import RunParameters
from checker.gate.types import Frozen, RunKey, Severity, nfc, same_text

DEFAULT_STATUS = "START_SUCCESS"
DEFAULT_RUN_STATUS = "COMPLETED"
TERMINAL_STARTUP_STATUSES = ("START_SUCCESS", "START_FAILED")
TERMINAL_RUN_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "IGNORED", "QUEUED_TIME_OUT")
"""No terminal set is documented; these end a run unless a manifest says otherwise."""
TERMINAL_STAGE_STATUSES = (
    "COMPLETED",
    "FAILED",
    "CANCELED",
    "IGNORED",
    "SKIPPED",
    "UNSELECTED",
    "ASYNC_FAILED",
)

# Statuses CodeArts Pipeline is known to report (reference notes, section 2). The API's
# value range is undocumented, so an unknown expected value is a warning, never an error.
STARTUP_STATUSES = ("START_SUCCESS", "START_FAILED")
RUN_STATUSES = ("COMPLETED", "RUNNING", "FAILED", "CANCELED", "PAUSED", "SUSPEND", "IGNORED")
STAGE_ONLY_STATUSES = (
    "INIT",
    "QUEUED",
    "SKIPPED",
    "ASYNC_RUNNING",
    "ASYNC_FAILED",
    "UNSELECTED",
    "REDISPATCH",
)
KNOWN_STATUSES = STARTUP_STATUSES + RUN_STATUSES + STAGE_ONLY_STATUSES


class ReasonRule(Frozen):
    """A condition on the observed ``reason`` text."""

    # A ``matches`` pattern is compiled once, when the rule is built as the manifest loads;
    # every evaluation uses that compiled pattern.

    kind: Literal["equals", "contains", "matches"]
    value: str
    _pattern: Pattern | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        if self.kind == "matches":
            # A caller that compiled the pattern already (to check it) hands it over.
            given = context.get("pattern") if isinstance(context, dict) else None
            self._pattern = given if given is not None else compile_pattern(self.value)

    def holds(self, reason: str | None) -> bool:
        text = reason or ""
        if self._pattern is not None:
            return self._pattern.search(text) is not None
        if self.kind == "equals":
            return same_text(text, self.value)
        return self.value in text or nfc(self.value) in nfc(text)

    def describe(self) -> str:
        if self.kind == "matches":
            return f"reason matches /{self.value}/"
        return f'reason {self.kind} "{self.value}"'


class StageRule(Frozen):
    """A stage of the run, by name, and the statuses it may end in."""

    name: str
    statuses: tuple[str, ...]


class RunExpectation(Frozen):
    """How the run itself must end, read from the run-level APIs."""

    statuses: tuple[str, ...] = (DEFAULT_RUN_STATUS,)
    stages: tuple[StageRule, ...] = ()
    max_duration: float | None = None
    """Seconds from start to end; a run still going past it fails at once."""
    max_queue: float | None = None
    """Seconds a run may stay QUEUED (waiting for a concurrency slot) before it fails."""
    terminal: tuple[str, ...] = TERMINAL_RUN_STATUSES
    """Run statuses that end a run (the manifest's ``wait.terminal_statuses``)."""
    retries: int = 0
    """How many times a run that ends FAILED is retried (only runs from --runs files)."""
    on_waiting: Literal["wait", "fail", "warn"] = "wait"
    """What a run waiting for a person (PAUSED, SUSPEND) means for the gate."""

    def describe(self) -> str:
        parts = [f"run {' | '.join(self.statuses)}"]
        parts += [f'stage "{rule.name}" {" | ".join(rule.statuses)}' for rule in self.stages]
        if self.max_duration is not None:
            parts.append(f"max_duration {format_duration(self.max_duration)}")
        if self.max_queue is not None:
            parts.append(f"max_queue {format_duration(self.max_queue)}")
        if self.on_waiting != "wait":
            parts.append(f"on_waiting {self.on_waiting}")
        return ", ".join(parts)


class Expectation(Frozen):
    """Everything a run's answers must show. ``statuses`` (startup) is never empty."""

    statuses: tuple[str, ...] = (DEFAULT_STATUS,)
    reason: ReasonRule | None = None
    pipeline_name: str | None = None
    run: RunExpectation | None = None

    def describe_status(self) -> str:
        return " | ".join(self.statuses)

    def describe(self) -> str:
        parts = [f"status {self.describe_status()}"]
        if self.reason:
            parts.append(self.reason.describe())
        if self.pipeline_name is not None:
            parts.append(f'pipeline_name "{self.pipeline_name}"')
        if self.run is not None:
            parts.append(self.run.describe())
        return ", ".join(parts)


class CheckSpec(Frozen):
    """One check, resolved: a run on an endpoint and what it must show."""

    name: str
    description: str | None = None
    manifest: str
    origin: Location
    endpoint: str
    project_id: str
    """The CodeArts project: the ``{project_id}`` of every path."""
    pipeline_id: str
    """Empty while a pipeline named by name has not been looked up (``pipeline_name``)."""
    pipeline_run_id: str
    expect: Expectation = Expectation()
    severity: Severity = "error"
    region: str | None = None
    """The manifest's region, when it names one: where IAM is asked for the IAM project."""
    iam_project_id: str | None = None
    """The IAM project of the region (X-Project-Id), when the manifest gives it."""
    pipeline_name: str | None = None
    """The name the manifest gave instead of an ID (``pipeline:``)."""
    run_from_runs_file: bool = False
    """The run came from a ``--runs`` file (started for this gate): only such a run may be
    stopped or retried by checker, never one the manifest names."""
    start: RunParameters | None = None
    """How ``checker start`` starts the pipeline (RunPipeline); None: the batch start."""

    @property
    def checks_run(self) -> bool:
        """Whether the run's outcome is checked, not only its start."""
        return self.expect.run is not None

    @cached_property
    def run_key(self) -> RunKey:
        """Asked for many times per poll: built once."""
        return RunKey(self.endpoint, self.project_id, self.pipeline_id, self.pipeline_run_id)
