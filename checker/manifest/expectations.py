"""A written expectation → the resolved one: statuses with warnings for unknown ones, the
reason rule, how the run must end."""

from __future__ import annotations

from checker.diagnostics.problem import KeyPath, Problem, did_you_mean
from checker.gate.checks import (
    DEFAULT_RUN_STATUS,
    KNOWN_STATUSES,
    RUN_STATUSES,
    STARTUP_STATUSES,
    TERMINAL_RUN_STATUSES,
    Expectation,
    ReasonRule,
    RunExpectation,
    StageRule,
)
from checker.gate.durations import parse_duration
from checker.gate.patterns import checked_pattern
from checker.manifest import expect_models
from checker.manifest.resolve import Locator, Problems


def _as_statuses(written: str | list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if written is None:
        return default
    if isinstance(written, str):
        return (written,)
    return tuple(dict.fromkeys(written))


def _statuses(expect: expect_models.ExpectBlock) -> tuple[str, ...]:
    return _as_statuses(expect.status, Expectation().statuses)


def _unknown_status(status: str, path: KeyPath, locator: Locator) -> Problem:
    match = did_you_mean(status, KNOWN_STATUSES)
    return locator.problem(
        path,
        f"{status} is not a known status" + (f"; did you mean {match}?" if match else ""),
        level="warning",
        hint="the API's value range is undocumented, so it is accepted; known: "
        + ", ".join(STARTUP_STATUSES)
        + " (startup), "
        + ", ".join(RUN_STATUSES)
        + " (run)",
    )


def _status_warnings(
    written: str | list[str] | None, statuses: tuple[str, ...], path: KeyPath, locator: Locator
) -> Problems:
    problems = []
    for index, status in enumerate(statuses):
        if status not in KNOWN_STATUSES:
            where = path if isinstance(written, str) else (*path, index)
            problems.append(_unknown_status(status, where, locator))
    return problems


def _run_expectation(
    run: expect_models.RunBlock, path: KeyPath, terminal: tuple[str, ...], locator: Locator
) -> tuple[RunExpectation, Problems]:
    statuses = _as_statuses(run.status, (DEFAULT_RUN_STATUS,))
    problems = _status_warnings(run.status, statuses, (*path, "status"), locator)
    stages = []
    for name, written in (run.stages or {}).items():
        allowed = _as_statuses(written, ())
        problems += _status_warnings(written, allowed, (*path, "stages", name), locator)
        stages.append(StageRule(name=name, statuses=allowed))
    seconds = parse_duration(run.max_duration) if run.max_duration is not None else None
    queue = parse_duration(run.max_queue) if run.max_queue is not None else None
    rule = RunExpectation(
        statuses=statuses,
        stages=tuple(stages),
        max_duration=seconds,
        max_queue=queue,
        retries=run.retries or 0,
        terminal=terminal,
        on_waiting=run.on_waiting or "wait",
    )
    return rule, problems


def resolve_expectation(
    expect: expect_models.ExpectBlock,
    path: KeyPath,
    locator: Locator,
    terminal: tuple[str, ...] = TERMINAL_RUN_STATUSES,
) -> tuple[Expectation, Problems]:
    """The resolved expectation; an unknown status warns, a bad regex (reported by
    :func:`regex_problems`) leaves the reason rule out."""
    statuses = _statuses(expect)
    problems = _status_warnings(expect.status, statuses, (*path, "status"), locator)
    run = None
    if expect.run is not None:
        run, found = _run_expectation(expect.run, (*path, "run"), terminal, locator)
        problems += found
    rule = None
    if expect.reason is not None:
        kind, value = next((k, v) for k, v in expect.reason.model_dump().items() if v is not None)
        compiled = checked_pattern(value) if kind == "matches" else None
        if not isinstance(compiled, str):
            rule = ReasonRule.model_validate(
                {"kind": kind, "value": value}, context={"pattern": compiled}
            )
    resolved = Expectation(
        statuses=statuses, reason=rule, pipeline_name=expect.pipeline_name, run=run
    )
    return resolved, problems


# Written key → resolved field, for merging a check's expect over defaults.expect.
_EXPECT_FIELDS = {
    "status": "statuses",
    "reason": "reason",
    "pipeline_name": "pipeline_name",
    "run": "run",
}
_RUN_FIELDS = {
    "status": "statuses",
    "stages": "stages",
    "max_duration": "max_duration",
    "max_queue": "max_queue",
    "retries": "retries",
    "on_waiting": "on_waiting",
}


def merged_expectation(
    default: Expectation, written: expect_models.ExpectBlock, own: Expectation
) -> Expectation:
    """The check's resolved expectation ``own`` over ``default``, key by key (and within
    ``run`` too): a key the check wrote wins, ``null`` included, which stands for the
    built-in value (no default); every other key is the default's."""
    given = written.model_fields_set
    changes: dict[str, object] = {
        field: getattr(default, field) for key, field in _EXPECT_FIELDS.items() if key not in given
    }
    if written.run is not None and own.run is not None and default.run is not None:
        run_given = written.run.model_fields_set
        changes["run"] = own.run.model_copy(
            update={
                field: getattr(default.run, field)
                for key, field in _RUN_FIELDS.items()
                if key not in run_given
            }
        )
    return own.model_copy(update=changes) if changes else own
