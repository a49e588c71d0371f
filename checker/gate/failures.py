"""Why a run failed, where people look: the first failing stage › job › step with CodeArts'
own message, and a bounded tail of that step's log. Pure: the answers come in, text goes out.
"""

from __future__ import annotations

from checker.gate.answers import JobObservation, RunObservation, StageObservation
from checker.gate.types import Frozen

FAILED_STATUSES = frozenset({"FAILED", "ASYNC_FAILED"})
LOG_MAX_BYTES = 64 * 1024
"""At most this much of a step's log is kept per run (its end: where the error is)."""


class LogTail(Frozen):
    """The last lines of the failing step's log: redacted API text, cut on line boundaries."""

    lines: tuple[str, ...]
    truncated: int = 0
    """How many earlier lines were left out."""
    source: str = ""
    """Which step's log it is: ``stage › job › step``."""


class FailurePlace(Frozen):
    """The first failing stage › job › step of a run, and what CodeArts said there."""

    stage: str
    job: str | None = None
    step: str | None = None
    message: str | None = None
    log: LogTail | None = None

    def path(self) -> str:
        parts = [f'stage "{self.stage}"']
        parts += [
            f'{kind} "{name}"' for kind, name in (("job", self.job), ("step", self.step)) if name
        ]
        return " › ".join(parts)

    def describe(self) -> str:
        """``stage "Deploy" › job "Deploy to CCE" › step "kubectl apply": "error: …"``"""
        said = f': "{_one_line(self.message)}"' if self.message else ""
        return self.path() + said


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _failed(status: str | None) -> bool:
    return status in FAILED_STATUSES


def locate(run: RunObservation) -> tuple[FailurePlace, str | None, str | None] | None:
    """The first failing stage › job › step, with the job and step IDs a log request needs."""
    stage = next((s for s in run.stages if _failed(s.status)), None)
    if stage is None:
        return None
    job = _first_failed_job(stage)
    if job is None:
        return FailurePlace(stage=stage.name), None, None
    step = next((s for s in job.steps if _failed(s.status)), None)
    message = (step.message if step else None) or job.message
    place = FailurePlace(
        stage=stage.name, job=job.name, step=step.name if step else None, message=message
    )
    return place, job.id, step.id if step else None


def _first_failed_job(stage: StageObservation) -> JobObservation | None:
    return next((job for job in stage.jobs if _failed(job.status)), None)


def log_tail(text: str, lines: int, source: str) -> LogTail:
    """The last ``lines`` lines of ``text`` (itself at most :data:`LOG_MAX_BYTES`), saying how
    many earlier lines were left out."""
    kept = text.splitlines()
    if text and len(text.encode("utf-8", "replace")) >= LOG_MAX_BYTES and kept:
        kept = kept[1:]  # the first line was cut in the middle by the byte bound
        dropped_partial = 1
    else:
        dropped_partial = 0
    tail = kept[-lines:] if lines > 0 else []
    return LogTail(
        lines=tuple(tail), truncated=len(kept) - len(tail) + dropped_partial, source=source
    )
