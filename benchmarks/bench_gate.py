"""Benchmarks, run by hand (never in CI): ``python benchmarks/bench_gate.py [CHECKS...]``.

For each size it builds a manifest and a matching emulator world, then measures, on loopback
only: loading and validating the manifest, planning, the whole ``checker check`` (emulator in
the same process), and the peak Python memory of the gate. Numbers go in the README.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from checker.app import CheckOptions, CommonOptions, check
from checker.cli.console import Console
from checker.emulator.server import EmulatorServer, RecordedRequest
from checker.emulator.world import World
from checker.environment import Environment
from checker.gate.planner import plan_checks
from checker.manifest.load import LoadOptions, load_checks

T = TypeVar("T")
PROJECT = "db8d07265e24426598b3eb03a7818972"
TOKEN = "benchmark-token-0123456789"


def _id(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32]


def _files(folder: Path, checks: int) -> tuple[Path, World]:
    pipelines = max(1, checks // 10)
    manifest_checks: dict[str, Any] = {}
    world_pipelines: dict[str, Any] = {}
    for index in range(checks):
        pipeline, run = _id("p", index % pipelines), _id("r", index)
        manifest_checks[f"check-{index:06d}"] = {"pipeline_id": pipeline, "pipeline_run_id": run}
        entry = world_pipelines.setdefault(
            pipeline, {"name": f"Pipeline {index % pipelines}", "runs": {}}
        )
        if index % 50 != 0:  # every 50th run is unknown to the service: a "missing" outcome
            entry["runs"][run] = {
                "status": "START_SUCCESS" if index % 7 else "START_FAILED",
                "reason": None if index % 7 else "Current pipeline is banned.",
            }
    manifest = folder / "gate.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "provider": {"region": "cn-north-4", "project_id": PROJECT},
                "checks": manifest_checks,
            }
        )
    )
    world = World.model_validate(
        {
            "version": 1,
            "credentials": {"tokens": [{"token": TOKEN}]},
            "projects": {PROJECT: {"pipelines": world_pipelines}},
        }
    )
    return manifest, world


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def measure(size: int, batch_size: int) -> str:
    """One row of the table: a gate of ``size`` checks, end to end on loopback."""
    with tempfile.TemporaryDirectory() as folder:
        manifest, world = _files(Path(folder), size)
        loaded, load_seconds = _timed(lambda: load_checks([manifest], LoadOptions()))
        assert loaded.ok, loaded.problems[:3]
        plan, plan_seconds = _timed(lambda: plan_checks(loaded.checks, batch_size))
        log: list[RecordedRequest] = []
        server = EmulatorServer(world, on_request=log.append).start()
        try:
            environment = Environment.from_mapping({"CHECKER_AUTH_TOKEN": TOKEN}, Path(folder))
            options = CheckOptions(
                common=CommonOptions(
                    manifests=(manifest,),
                    load=LoadOptions(endpoint_override=server.url, environment=environment),
                ),
                batch_size=batch_size,
                quiet=True,
            )
            console = Console(write_out=lambda _: None, write_err=lambda _: None)
            code, check_seconds = _timed(lambda: check(options, console))
            requests = len(log)
            # Memory is measured in a second run: tracing slows Python down severalfold.
            tracemalloc.start()
            check(options, console)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            server.stop()
    assert int(code) == 1 and requests == plan.request_count
    return (
        f"{size:>8} {load_seconds:>8.3f} {plan_seconds:>8.3f} {check_seconds:>8.3f} "
        f"{requests:>9} {peak / 2**20:>9.1f}"
    )


def run(sizes: list[int], batch_size: int) -> None:
    print(
        f"{'checks':>8} {'load s':>8} {'plan s':>8} {'check s':>8} {'requests':>9} {'peak MiB':>9}"
    )
    for size in sizes:
        print(measure(size, batch_size))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1_000, 10_000])
    parser.add_argument("--batch-size", type=int, default=100)
    arguments = parser.parse_args()
    run(arguments.sizes, arguments.batch_size)


if __name__ == "__main__":
    main()
