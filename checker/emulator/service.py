"""The CodeArts Pipeline service behind the gateway: runs, the batch APIs, scripted faults.

Huawei does not document the service's code for a malformed body; the emulator uses
``DEVPIPE.00010400``.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from checker.emulator.gateway import Answer, error_answer
from checker.emulator.world import Fault, World
from checker.gate.types import is_id

BAD_REQUEST_CODE = "DEVPIPE.00010400"
BANNED_REASON = "Current pipeline is banned."

RunState = tuple[str, str | None]


def _bad_request(message: str) -> Answer:
    return error_answer(400, BAD_REQUEST_CODE, message)


class Service:
    """The world plus what changes while serving: faults left and started runs."""

    def __init__(self, world: World) -> None:
        self._lock = threading.Lock()
        self._faults = [[fault, fault.times] for fault in world.faults]
        self._runs: dict[tuple[str, str, str], RunState] = {}
        self._names: dict[tuple[str, str], str] = {}
        self._banned: set[tuple[str, str]] = set()
        self._started = 0
        for project_id, project in world.projects.items():
            for pipeline_id, pipeline in project.pipelines.items():
                self._names[(project_id, pipeline_id)] = pipeline.name
                if pipeline.banned:
                    self._banned.add((project_id, pipeline_id))
                for run_id, run in pipeline.runs.items():
                    self._runs[(project_id, pipeline_id, run_id)] = (run.status, run.reason)

    def next_fault(self, project_id: str) -> Answer | None:
        """The scripted answer for this request, if one is left for its project."""
        with self._lock:
            for entry in self._faults:
                fault, left = entry
                assert isinstance(fault, Fault) and isinstance(left, int)
                if left > 0 and fault.project_id in (None, project_id):
                    entry[1] = left - 1
                    return _fault_answer(fault)
        return None

    def results(self, project_id: str, payload: Any) -> Answer:
        """``POST …/batch-runs/result``: the startup status of each known run."""
        items = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            return _bad_request("query is required and must be an array")
        result = []
        for item in items:
            if not isinstance(item, dict):
                return _bad_request("each query item must be an object")
            pipeline_id, run_id = item.get("pipeline_id"), item.get("pipeline_run_id")
            if not (is_id(pipeline_id) and is_id(run_id)):
                return _bad_request("pipeline_id and pipeline_run_id must be 32 letters or digits")
            with self._lock:
                known = self._runs.get((project_id, str(pipeline_id), str(run_id)))
            if known is not None:
                status, reason = known
                result.append(
                    {
                        "pipeline_id": pipeline_id,
                        "pipeline_name": self._names[(project_id, str(pipeline_id))],
                        "pipeline_run_id": run_id,
                        "status": status,
                        "reason": reason,
                    }
                )
        return Answer(200, {"result": result})

    def start(self, project_id: str, payload: Any) -> Answer:
        """``POST …/batch-runs``: a new run per known pipeline; banned ones fail to start."""
        ids = payload.get("pipeline_ids") if isinstance(payload, dict) else None
        if not isinstance(ids, list) or not all(is_id(i) for i in ids):
            return _bad_request("pipeline_ids must be an array of pipeline IDs")
        result = []
        with self._lock:
            for pipeline_id in ids:
                if (project_id, pipeline_id) not in self._names:
                    continue
                self._started += 1
                seed = f"{project_id}:{pipeline_id}:{self._started}".encode()
                run_id = hashlib.sha256(seed).hexdigest()[:32]
                banned = (project_id, pipeline_id) in self._banned
                self._runs[(project_id, pipeline_id, run_id)] = (
                    ("START_FAILED", BANNED_REASON) if banned else ("START_SUCCESS", None)
                )
                result.append({"pipeline_id": pipeline_id, "pipeline_run_id": run_id})
        return Answer(200, {"result": result})


def _fault_answer(fault: Fault) -> Answer:
    return Answer(
        fault.status,
        fault.body if fault.body is not None else {},
        dict(fault.headers),
        raw=isinstance(fault.body, str),
        close=fault.action == "close",
        delay=fault.delay_seconds,
    )
