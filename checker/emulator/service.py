"""The CodeArts Pipeline service behind the gateway: runs, the four APIs, scripted faults.

Huawei does not document the service's codes for a malformed body or an unknown run; the
emulator uses ``DEVPIPE.00010400`` and ``DEVPIPE.00010404``.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from checker.codearts.timing import Clock
from checker.emulator.gateway import Answer, error_answer
from checker.emulator.pipelines import (
    QUEUED_CODE,
    listed,
    log_page,
    pipeline_detail,
    queued_state,
    run_problem,
)
from checker.emulator.runs import EmulatedRun, step_log
from checker.emulator.world import Fault, World, WorldPipeline, WorldRunState
from checker.gate.types import is_id

BAD_REQUEST_CODE = "DEVPIPE.00010400"
NOT_FOUND_CODE = "DEVPIPE.00010404"
BANNED_REASON = "Current pipeline is banned."
PIPELINE_NOT_FOUND = "DEVPIPE.00011401"

Key = tuple[str, str]


def _bad_request(message: str) -> Answer:
    return error_answer(400, BAD_REQUEST_CODE, message)


class _Runs:
    """The world plus what changes while serving: faults left, runs and where they are."""

    def __init__(self, world: World, clock: Clock) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._faults = [[fault, fault.times] for fault in world.faults]
        self._runs: dict[tuple[str, str, str], EmulatedRun] = {}
        self._latest: dict[Key, str] = {}
        self._names: dict[Key, str] = {}
        self._banned: set[Key] = set()
        self._started_state: dict[Key, WorldRunState] = {}
        self._pipelines: dict[Key, WorldPipeline] = {}
        self._queue_after = world.queue_after
        self._started = 0
        now = clock()
        for project_id, project in world.projects.items():
            for pipeline_id, pipeline in project.pipelines.items():
                key = (project_id, pipeline_id)
                self._names[key] = pipeline.name
                self._pipelines[key] = pipeline
                self._started_state[key] = pipeline.started_runs
                if pipeline.banned:
                    self._banned.add(key)
                for number, (run_id, run) in enumerate(pipeline.runs.items(), start=1):
                    state = run.run
                    self._runs[(*key, run_id)] = EmulatedRun(
                        project_id,
                        pipeline_id,
                        run_id,
                        run.status,
                        run.reason,
                        state,
                        now,
                        state.number if state and state.number else number,
                        run.hidden_polls,
                    )
                    self._latest[key] = run_id
                if pipeline.latest:
                    self._latest[key] = pipeline.latest

    def next_fault(self, project_id: str, api: str) -> Answer | None:
        """The scripted answer for this request, if one is left for its project and API."""
        with self._lock:
            for entry in self._faults:
                fault, left = entry
                assert isinstance(fault, Fault) and isinstance(left, int)
                if left > 0 and fault.project_id in (None, project_id) and fault.api in (None, api):
                    entry[1] = left - 1
                    return _fault_answer(fault)
        return None

    def results(self, project_id: str, payload: Any) -> Answer:
        """``POST …/batch-runs/result``: the startup status of each known run."""
        items = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            return _bad_request("query is required and must be an array")
        if not all(isinstance(item, dict) for item in items):
            return _bad_request("each query item must be an object")
        result = []
        for item in items:
            pipeline_id, run_id = item.get("pipeline_id"), item.get("pipeline_run_id")
            if not (is_id(pipeline_id) and is_id(run_id)):
                return _bad_request("pipeline_id and pipeline_run_id must be 32 letters or digits")
            with self._lock:
                run = self._runs.get((project_id, str(pipeline_id), str(run_id)))
                if run is None or not run.visible():
                    continue
                result.append(
                    {
                        "pipeline_id": pipeline_id,
                        "pipeline_name": self._names[(project_id, str(pipeline_id))],
                        "pipeline_run_id": run_id,
                        "status": run.status,
                        "reason": run.reason,
                    }
                )
        return Answer(200, {"result": result})

    def statuses(self, project_id: str, payload: Any) -> Answer:
        """``POST …/pipelines/status``: the latest run of each pipeline that has one."""
        if not isinstance(payload, list) or not all(is_id(item) for item in payload):
            return _bad_request("the body must be an array of pipeline IDs")
        now = self._clock()
        answer = []
        with self._lock:
            for pipeline_id in dict.fromkeys(payload):
                run = self._latest_run(project_id, pipeline_id)
                if run is None or not run.has_run_level or not run.visible():
                    continue
                seen = run.observe(now)
                answer.append({**seen, "stage_status_list": _light(seen.pop("stages"))})
        return Answer(200, answer)

    def detail(self, project_id: str, pipeline_id: str, run_id: str | None) -> Answer:
        """``GET …/pipeline-runs/detail``: one run (the latest without ``pipeline_run_id``)."""
        with self._lock:
            run = (
                self._runs.get((project_id, pipeline_id, run_id))
                if run_id
                else self._latest_run(project_id, pipeline_id)
            )
            if run is None or not run.has_run_level or not run.visible():
                return error_answer(404, NOT_FOUND_CODE, "The pipeline run does not exist.")
            now = self._clock()
            seen = run.observe(now)
        identity = {
            "id": seen.pop("pipeline_run_id"),
            "name": self._names[(project_id, pipeline_id)],
        }
        # The server's own clock, as CodeArts sends it (milliseconds since the epoch).
        server_time = int(now.timestamp() * 1000)
        return Answer(200, {**identity, **seen, "current_system_time": server_time})

    def _latest_run(self, project_id: str, pipeline_id: str) -> EmulatedRun | None:
        run_id = self._latest.get((project_id, pipeline_id))
        return self._runs.get((project_id, pipeline_id, run_id)) if run_id else None

    def start(self, project_id: str, payload: Any) -> Answer:
        """``POST …/batch-runs``: a new run per known pipeline; banned ones fail to start."""
        ids = payload.get("pipeline_ids") if isinstance(payload, dict) else None
        if not isinstance(ids, list) or not all(is_id(i) for i in ids):
            return _bad_request("pipeline_ids must be an array of pipeline IDs")
        result = []
        with self._lock:
            for pipeline_id in ids:
                key = (project_id, pipeline_id)
                if key in self._names:
                    run_id = self._new_run(key, self._started_state[key])
                    result.append({"pipeline_id": pipeline_id, "pipeline_run_id": run_id})
        return Answer(200, {"result": result})

    def _new_run(self, key: Key, state: WorldRunState) -> str:
        """A run started now (the caller holds the lock); a banned pipeline's fails to start."""
        self._started += 1
        run_id = hashlib.sha256(f"{key[0]}:{key[1]}:{self._started}".encode()).hexdigest()[:32]
        banned = key in self._banned
        numbers = [r.number for r in self._runs.values() if (r.project_id, r.pipeline_id) == key]
        self._runs[(*key, run_id)] = EmulatedRun(
            *key,
            run_id,
            "START_FAILED" if banned else "START_SUCCESS",
            BANNED_REASON if banned else None,
            state,
            self._clock(),
            max(numbers, default=0) + 1,
        )
        if not banned:
            self._latest[key] = run_id
        return run_id


class Service(_Runs):
    """The four run APIs, and the pipeline APIs ``checker start`` uses beside them."""

    def pipeline(self, project_id: str, pipeline_id: str) -> Answer:
        """ShowPipelineDetail."""
        found = self._pipelines.get((project_id, pipeline_id))
        if found is None:
            return error_answer(404, PIPELINE_NOT_FOUND, "The pipeline does not exist.")
        return Answer(200, pipeline_detail(pipeline_id, found))

    def run(self, project_id: str, pipeline_id: str, payload: Any) -> Answer:
        """RunPipeline: one run, with what the body chose; queued past ``queue_after``."""
        key = (project_id, pipeline_id)
        found = self._pipelines.get(key)
        if found is None:
            return error_answer(404, PIPELINE_NOT_FOUND, "The pipeline does not exist.")
        if (problem := run_problem(pipeline_id, found, payload)) is not None:
            return _bad_request(problem)
        if key in self._banned:
            return error_answer(400, BAD_REQUEST_CODE, BANNED_REASON)
        with self._lock:
            queued = self._queue_after is not None and self._started >= self._queue_after
            state = self._started_state[key]
            run_id = self._new_run(key, queued_state(state) if queued else state)
        if queued:
            error = {
                "code": QUEUED_CODE,
                "message": "The pipeline is queued.",
                "pipeline_run_id": run_id,
                "queue_id": run_id[::-1],
            }
            return Answer(200, {"error": error})
        return Answer(200, {"pipeline_run_id": run_id})

    def log(self, project_id: str, ids: tuple[str, str, str, str], payload: Any) -> Answer:
        """ShowPipelineLog: one page of a step's log; ``ids``: pipeline, run, job, step."""
        pipeline_id, run_id, job_id, step_id = ids
        with self._lock:
            run = self._runs.get((project_id, pipeline_id, run_id))
            text = step_log(run, job_id, step_id) if run else None
        if text is None:
            return error_answer(404, NOT_FOUND_CODE, "The step does not exist.")
        return Answer(200, log_page(text, step_id, payload))

    def stop(self, project_id: str, pipeline_id: str, run_id: str) -> Answer:
        """StopPipelineRun: the run, and its stages still going, become CANCELED."""
        with self._lock:
            run = self._runs.get((project_id, pipeline_id, run_id))
            if run is None:
                return error_answer(404, NOT_FOUND_CODE, "The pipeline run does not exist.")
            run.stopped_at = run.stopped_at or self._clock()
        return Answer(200, {"success": True})

    def retry(self, project_id: str, pipeline_id: str, run_id: str) -> Answer:
        """RetryPipelineRun: an ended run goes again (its ``retry_timeline``)."""
        with self._lock:
            run = self._runs.get((project_id, pipeline_id, run_id))
            if run is None:
                return error_answer(404, NOT_FOUND_CODE, "The pipeline run does not exist.")
            run.retry(self._clock())
        return Answer(200, {"success": True})

    def pipelines(self, project_id: str, payload: Any) -> Answer:
        """ListPipelines."""
        mine = {pid: p for (project, pid), p in self._pipelines.items() if project == project_id}
        return Answer(200, listed(mine, payload))


def _light(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The status API's stages: the SDK's light StageStatus, without jobs."""
    return [{key: stage[key] for key in ("name", "sequence", "status")} for stage in stages]


def _fault_answer(fault: Fault) -> Answer:
    return Answer(
        fault.status,
        fault.body if fault.body is not None else {},
        dict(fault.headers),
        raw=isinstance(fault.body, str),
        close=fault.action == "close",
        delay=fault.delay_seconds,
    )
