"""One emulated run: its startup status, and a run-level life that moves along a timeline,
one step per so many queries or seconds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from checker.emulator.world import WorldRunState, WorldStep

TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELED", "IGNORED"})
CONSOLE = "https://devcloud.cn-north-4.huaweicloud.com/cicd/project/{project}/pipeline/detail/{pipeline}/{run}"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass
class EmulatedRun:
    """Mutable on purpose: the service changes it as it is queried (under the service lock)."""

    project_id: str
    pipeline_id: str
    run_id: str
    status: str
    reason: str | None
    state: WorldRunState | None
    created: datetime
    number: int
    hidden: int = 0
    step: int = 0
    polls_in_step: int = 0
    step_since: datetime | None = None
    ended_at: datetime | None = None
    stopped_at: datetime | None = None
    attempts: int = 1
    """When StopPipelineRun stopped it: from then on it is CANCELED."""
    stage_names: list[str] = field(default_factory=list)
    """The stages the run showed last: what its step IDs stand for."""

    def visible(self) -> bool:
        """Whether APIs know the run yet; each query while hidden counts down."""
        if self.hidden > 0:
            self.hidden -= 1
            return False
        return True

    @property
    def has_run_level(self) -> bool:
        return self.status == "START_SUCCESS"

    def _steps(self) -> list[WorldStep]:
        return self.state.steps() if self.state else [WorldStep(status="COMPLETED")]

    def _current(self, now: datetime) -> WorldStep:
        steps = self._steps()
        since = self.step_since or self.created
        while self.step < len(steps) - 1:
            step = steps[self.step]
            held_polls = step.polls is not None and self.polls_in_step >= step.polls
            held_time = step.seconds is not None and (now - since).total_seconds() >= step.seconds
            if not (held_polls or held_time):
                break
            self.step += 1
            self.polls_in_step = 0
            self.step_since = since = now
        return steps[self.step]

    @property
    def started(self) -> datetime:
        back = self.state.started_seconds_ago if self.state else 0
        return datetime.fromtimestamp(self.created.timestamp() - back, tz=self.created.tzinfo)

    def _stage(self, index: int, name: str, status: str) -> dict[str, Any]:
        """A stage as the SDK's ``StageRun`` has it: IDs, an identifier, and one job with
        one step (``JobRun``, ``StepRun``), each with the stage's status and a ``message``
        when it failed."""
        failed = status == "FAILED"
        failure = self.state.failure if self.state and failed else None
        step = {
            "id": self.ident(index, "step"),
            "name": failure.step if failure else f"{name} step",
            "task": "official_shell_plugin",
            "status": status,
            "message": (failure.message if failure else f"step of stage {name} failed (exit 1)")
            if failed
            else None,
        }
        job = {
            "id": self.ident(index, "job"),
            "identifier": f"JOB_{index}",
            "name": failure.job if failure else f"{name} job",
            "status": status,
            "message": "a step failed" if failed else None,
            "steps": [step],
        }
        return {
            "id": self.ident(index, "stage"),
            "identifier": f"stage-{index}",
            "name": name,
            "sequence": index,
            "status": status,
            "jobs": [job],
        }

    def retry(self, now: datetime) -> None:
        """RetryPipelineRun: a new attempt of the same run, as its ``retry_timeline`` says."""
        state = self.state or WorldRunState()
        timeline = state.retry_timeline or state.steps()
        self.state = state.model_copy(update={"timeline": timeline, "status": None})
        self.step = self.polls_in_step = 0
        self.step_since = now
        self.ended_at = self.stopped_at = None
        self.attempts += 1

    def ident(self, index: int, kind: str) -> str:
        """The ID of a stage, job or step of this run: stable, 32 hex digits."""
        return hashlib.md5(f"{self.run_id}/{index}/{kind}".encode()).hexdigest()  # noqa: S324

    def observe(self, now: datetime) -> dict[str, Any]:
        """The run as the run-level APIs show it now; counts as one query of the run."""
        step = self._current(now)
        if self.stopped_at is not None:
            running = step.stages or (self.state.stages if self.state else {})
            step = WorldStep(
                status="CANCELED",
                stages={
                    name: status if status in TERMINAL else "CANCELED"
                    for name, status in running.items()
                },
            )
            self.ended_at = self.ended_at or self.stopped_at
        self.polls_in_step += 1
        if step.status in TERMINAL and self.ended_at is None:
            self.ended_at = now
        stages = step.stages or (self.state.stages if self.state else {})
        self.stage_names = list(stages)
        start = _ms(self.started)
        end = 0
        if step.status in TERMINAL:
            duration = self.state.duration_seconds if self.state else None
            end = (
                start + int(duration * 1000) if duration is not None else _ms(self.ended_at or now)
            )
        url = (self.state.detail_url if self.state else None) or CONSOLE.format(
            project=self.project_id, pipeline=self.pipeline_id, run=self.run_id
        )
        return {
            "pipeline_id": self.pipeline_id,
            "pipeline_run_id": self.run_id,
            "status": step.status,
            "run_number": self.number,
            "start_time": start,
            "end_time": end,
            "stages": [
                self._stage(index, name, status)
                for index, (name, status) in enumerate(stages.items())
            ],
            "detail_url": url,
        }


def step_log(run: EmulatedRun, job_id: str, step_id: str) -> str | None:
    """The log of one of the run's steps (None: no such step)."""
    for index in range(len(run.stage_names)):
        if (run.ident(index, "job"), run.ident(index, "step")) == (job_id, step_id):
            failure = run.state.failure if run.state else None
            name = run.stage_names[index]
            return (failure.log if failure and failure.log else None) or (
                f"+ run stage {name}\nstep of stage {name} failed (exit 1)\n"
            )
    return None
