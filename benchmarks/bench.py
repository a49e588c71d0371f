"""The benchmark, run by hand: ``python benchmarks/bench.py`` (``--smoke``: tiny, for CI).

Everything talks to the emulator on loopback (127.0.0.1), in a process of its own, with a
simulated latency per answer. In one run, interleaved, median of ``--repeat`` rounds:

- checker: the real CLI as a subprocess, AK/SK-signed, startup-only and ``expect.run``
  checks, N = 1,000 and 10,000 over 3 projects;
- floor: a minimal ``httpx.AsyncClient`` script sending exactly checker's requests;
- SDK loop: what users write today, the official SDK's ``show_pipeline_run_detail`` once per
  run, sequential and with 8 threads (N = 1,000; needs ``pip install '.[bench]'``);
- start-up (``--version``, ``validate`` of the example) as ratios to ``python -c pass``;
- scale: ``validate`` and ``plan`` at 10,000 and 100,000 checks, time and peak RSS.

Prints Markdown tables for the README.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from checker.emulator.world import DEFAULT_IAM_PROJECT

REPO = Path(__file__).resolve().parent.parent
PROJECTS = [hashlib.sha256(f"project-{i}".encode()).hexdigest()[:32] for i in range(3)]
AK, SK = "BENCHAK0123456789ABC", "BENCHSK0123456789abcdefghijklmnopqrstuvw"
IAM_PROJECT = DEFAULT_IAM_PROJECT
"""X-Project-Id, the IAM project of the emulator's region: never the CodeArts project."""
AKSK = {
    "HUAWEICLOUD_SDK_AK": AK,
    "HUAWEICLOUD_SDK_SK": SK,
    "HUAWEICLOUD_SDK_PROJECT_ID": IAM_PROJECT,
}
BATCH = 100


def _id(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Run:
    project: str
    pipeline: str
    run: str


def _runs(label: str, count: int) -> list[Run]:
    return [
        Run(PROJECTS[index % 3], _id(label, "p", index), _id(label, "r", index))
        for index in range(count)
    ]


def _world(groups: dict[str, list[Run]], latency: float) -> dict[str, Any]:
    projects: dict[str, Any] = {project: {"pipelines": {}} for project in PROJECTS}
    for runs in groups.values():
        for run in runs:
            projects[run.project]["pipelines"][run.pipeline] = {
                "name": f"Pipeline {run.pipeline[:6]}",
                "runs": {run.run: {"run": {"status": "COMPLETED", "number": 1}}},
            }
    return {
        "version": 1,
        "credentials": {"access_keys": [{"ak": AK, "sk": SK}]},
        "projects": projects,
        "latency_seconds": latency,
    }


def _manifest(path: Path, runs: Sequence[Run], with_run: bool) -> Path:
    checks = {}
    for index, run in enumerate(runs):
        check: dict[str, Any] = {
            "project_id": run.project,
            "pipeline_id": run.pipeline,
            "pipeline_run_id": run.run,
        }
        if with_run:
            check["expect"] = {"run": {"status": "COMPLETED"}}
        checks[f"check-{index:06d}"] = check
    data = {"version": 1, "provider": {"region": "cn-north-4"}, "checks": checks}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Measured:
    wall: float
    cpu: float
    rss_mb: float


# Linux keeps a process's peak RSS across exec, so a child spawned straight from this
# process (hundreds of MB after building 100,000-check manifests) would report our peak,
# not its own. A small launcher spawns it instead, and times it without its own start-up.
LAUNCHER = r"""
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
cpu = usage.ru_utime + usage.ru_stime
code = os.waitstatus_to_exitcode(status)
print(f"\n@measured {wall} {cpu} {usage.ru_maxrss} {code}", file=sys.stderr)
"""


def _run(args: Sequence[str], env: dict[str, str] | None = None) -> Measured:
    """A child process's wall time, CPU time and peak RSS (from wait4, in the launcher)."""
    launched = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        check=False,
    )
    error, _, measured = launched.stderr.decode(errors="replace").rpartition("\n@measured ")
    if not measured:
        raise SystemExit(f"the launcher failed: {error[-800:]}")
    wall, cpu, rss_kb, code = measured.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"{' '.join(args[:4])}… exited {code}: {error[-800:]}")
    return Measured(float(wall), float(cpu), int(rss_kb) / 1024)


def _checker(*args: str) -> list[str]:
    return [sys.executable, "-m", "checker", *args]


FLOOR = r"""
import asyncio, json, sys
import httpx
from checker.codearts.secret import Secret
from checker.codearts.signing import AkSkAuth

async def main(url, plan, ak, sk, iam_project):
    limit = asyncio.Semaphore(8)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=8)) as client:
        async def send(path, project, body):
            async with limit:
                auth = AkSkAuth(Secret(ak), Secret(sk), project_id=iam_project)
                answer = await client.post(url + path, content=body,
                    headers={"Content-Type": "application/json;charset=UTF-8"}, auth=auth)
                answer.raise_for_status()
        await asyncio.gather(*(send(p, project, body.encode()) for p, project, body in plan))

url, plan_file, ak, sk, iam_project = sys.argv[1:]
asyncio.run(main(url, json.load(open(plan_file)), ak, sk, iam_project))
"""


def _floor_plan(runs: Sequence[Run], with_run: bool) -> list[tuple[str, str, str]]:
    """Exactly checker's requests: startup batches, then (for run checks) latest-status."""
    requests = []
    for project in PROJECTS:
        mine = [run for run in runs if run.project == project]
        for start in range(0, len(mine), BATCH):
            query = [
                {"pipeline_id": r.pipeline, "pipeline_run_id": r.run}
                for r in mine[start : start + BATCH]
            ]
            body = json.dumps({"query": query}, separators=(",", ":"))
            requests.append((f"/v5/{project}/api/pipelines/batch-runs/result", project, body))
        if with_run:
            for start in range(0, len(mine), BATCH):
                ids = [r.pipeline for r in mine[start : start + BATCH]]
                body = json.dumps(ids, separators=(",", ":"))
                requests.append((f"/v5/{project}/api/pipelines/status", project, body))
    return requests


SDK_LOOP = r"""
import os, sys, tempfile, json
os.environ["HOME"] = tempfile.mkdtemp()  # the SDK writes ~/.huaweicloud/application_id
from concurrent.futures import ThreadPoolExecutor
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcodeartspipeline.v2 import CodeArtsPipelineClient, ShowPipelineRunDetailRequest

url, runs_file, ak, sk, iam_project, threads = sys.argv[1:]
runs = json.load(open(runs_file))
clients = {}
def client(project):
    if project not in clients:
        config = HttpConfig.get_default_config()
        clients[project] = (CodeArtsPipelineClient.new_builder()
            .with_credentials(BasicCredentials(ak, sk, iam_project))
            .with_endpoints([url]).with_http_config(config).build())
    return clients[project]
for project in {r[0] for r in runs}:
    client(project)
def detail(run):
    project, pipeline, run_id = run
    client(project).show_pipeline_run_detail(ShowPipelineRunDetailRequest(
        project_id=project, pipeline_id=pipeline, pipeline_run_id=run_id))
with ThreadPoolExecutor(int(threads)) as pool:
    list(pool.map(detail, runs))
"""


class Emulator:
    """``checker emulator`` in a process of its own, on a free loopback port."""

    def __init__(self, world: Path) -> None:
        self.process = subprocess.Popen(
            _checker("emulator", str(world), "--port", "0"),
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)", line)
        if match is None:
            self.process.kill()
            raise SystemExit(f"the emulator did not start: {line}")
        self.url = match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass
class Scenario:
    label: str
    runs: list[Run]
    with_run: bool
    manifest: Path
    plan: Path
    requests: int


def _same_requests(scenario: Scenario, url_placeholder: str) -> None:
    """The floor sends exactly the requests of checker's plan: asserted, per scenario."""
    args = _checker(
        "plan", str(scenario.manifest), "--format", "json", "--endpoint", url_placeholder
    )
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **AKSK})
    assert done.returncode == 0, done.stderr
    planned = json.loads(done.stdout)["requests_per_poll"]
    assert planned == scenario.requests, (scenario.label, planned, scenario.requests)


def _median(values: Sequence[Measured]) -> Measured:
    return Measured(
        statistics.median(v.wall for v in values),
        statistics.median(v.cpu for v in values),
        statistics.median(v.rss_mb for v in values),
    )


def _gate_table(
    folder: Path, url: str, scenarios: list[Scenario], repeat: int, sdk_runs: list[Run]
) -> list[str]:
    env = {**AKSK, "HOME": str(folder)}
    floor_script = folder / "floor.py"
    floor_script.write_text(FLOOR)
    sdk_script = folder / "sdk.py"
    sdk_script.write_text(SDK_LOOP)
    sdk_file = folder / "sdk-runs.json"
    sdk_file.write_text(json.dumps([[r.project, r.pipeline, r.run] for r in sdk_runs]))
    jobs: dict[str, Callable[[], Measured]] = {}
    for s in scenarios:
        args = _checker("check", str(s.manifest), "--endpoint", url, "-q")
        jobs[f"checker {s.label}"] = partial(_run, args, env)
        floor = [sys.executable, str(floor_script), url, str(s.plan), AK, SK, IAM_PROJECT]
        jobs[f"floor {s.label}"] = partial(_run, floor)
    if _sdk_installed():
        for threads in (1, 8):
            sdk = [
                sys.executable,
                str(sdk_script),
                url,
                str(sdk_file),
                AK,
                SK,
                IAM_PROJECT,
                str(threads),
            ]
            jobs[f"sdk {threads}"] = partial(_run, sdk)
    results: dict[str, list[Measured]] = {name: [] for name in jobs}
    for _ in range(repeat):  # interleaved: every job once per round
        for name, job in jobs.items():
            results[name].append(job())
    medians = {name: _median(values) for name, values in results.items()}
    return _gate_rows(scenarios, medians, len(sdk_runs))


def _gate_rows(scenarios: list[Scenario], medians: dict[str, Measured], sdk_n: int) -> list[str]:
    rows = [
        "| what | checks | requests | wall s | × floor | CPU s / 1,000 checks | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scenarios:
        gate, floor = medians[f"checker {s.label}"], medians[f"floor {s.label}"]
        n = len(s.runs)
        for who, m in (("checker", gate), ("floor (raw httpx)", floor)):
            rows.append(
                f"| {who}, {s.label} | {n:,} | {s.requests} | {m.wall:.2f} | "
                f"{m.wall / floor.wall:.2f} | {m.cpu / n * 1000:.3f} | {m.rss_mb:.0f} |"
            )
    for threads in (1, 8):
        sdk = medians.get(f"sdk {threads}")
        if sdk is not None:
            label = "sequential" if threads == 1 else f"{threads} threads"
            rows.append(
                f"| SDK show_pipeline_run_detail loop, {label} | {sdk_n:,} | {sdk_n:,} | "
                f"{sdk.wall:.2f} | — | {sdk.cpu / sdk_n * 1000:.3f} | {sdk.rss_mb:.0f} |"
            )
    return rows


class _StillRunning:
    """What a long wait asks: every run started, none has ended yet (no HTTP: what is
    measured is checker's own work per poll)."""

    batch_limit = None

    async def startup(self, batches: Any, on_answer: Any = None) -> list[Any]:
        from checker.gate.answers import BatchAnswer, Observation

        answers = []
        for batch in batches:
            seen = tuple(
                Observation(
                    pipeline_id=run.pipeline_id,
                    pipeline_run_id=run.pipeline_run_id,
                    status="START_SUCCESS",
                )
                for run in batch.runs
            )
            answers.append(BatchAnswer(batch=batch, observations=seen))
            if on_answer is not None:
                on_answer(answers[-1])
        return answers

    async def latest(self, batches: Any) -> list[Any]:
        from checker.gate.answers import LatestAnswer, RunObservation

        return [
            LatestAnswer(
                batch=batch,
                runs=tuple(
                    RunObservation(
                        pipeline_id=pipeline,
                        pipeline_run_id=_id("run", pipeline),
                        status="RUNNING",
                        start_time=1_796_025_600_000,
                    )
                    for pipeline in batch.pipeline_ids
                ),
            )
            for batch in batches
        ]

    async def details(self, queries: Any) -> list[Any]:
        return []


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _long_wait_table(checks: int, polls: int) -> list[str]:
    """``checks`` run checks whose runs never end, polled ``polls`` times in process: CPU per
    poll early and late, and memory after 10% of the polls and after all (flat: what is known
    replaces what was known)."""
    import asyncio
    import gc
    import time
    from datetime import UTC, datetime

    from checker.diagnostics.problem import Location
    from checker.gate.checks import CheckSpec, Expectation, RunExpectation
    from checker.polling.poller import Poller

    expect = Expectation(run=RunExpectation())
    specs = [
        CheckSpec(
            name=f"check-{i}",
            manifest="gate.yaml",
            origin=Location("gate.yaml", i + 1, 3),
            endpoint="https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com",
            project_id=PROJECTS[i % 3],
            pipeline_id=_id("pipeline", i),
            pipeline_run_id=_id("run", _id("pipeline", i)),
            expect=expect,
        )
        for i in range(checks)
    ]
    poller = Poller(specs, BATCH, waiting=True)
    queries = _StillRunning()
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

    async def wait(count: int) -> float:
        started = time.process_time()
        for poll in range(count):
            await poller.poll(queries, now)
            poller.progress(float(poll), None, 60.0)
        return (time.process_time() - started) / count * 1000

    early_polls = max(1, polls // 10)
    early_cpu = asyncio.run(wait(early_polls))
    gc.collect()
    early_mb, early_blocks = _rss_mb(), sys.getallocatedblocks()
    late_cpu = asyncio.run(wait(polls - early_polls))
    gc.collect()
    late_mb, late_blocks = _rss_mb(), sys.getallocatedblocks()
    return [
        "| long wait, in process | run checks | polls | CPU ms / poll, first "
        f"{early_polls} | CPU ms / poll, rest | RSS MB after {early_polls} → {polls} polls "
        "| allocated blocks, change |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| every run still RUNNING | {checks:,} | {polls} | {early_cpu:.1f} | {late_cpu:.1f} | "
        f"{early_mb:.0f} → {late_mb:.0f} | {late_blocks - early_blocks:+,} |",
    ]


def _sdk_installed() -> bool:
    probe = [sys.executable, "-c", "import huaweicloudsdkcodeartspipeline"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def _startup_table(repeat: int) -> list[str]:
    example = str(REPO / "examples" / "release-gate.yaml")
    jobs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "checker --version": _checker("--version"),
        "checker validate (example)": _checker("validate", example),
    }
    medians = {name: _median([_run(args) for _ in range(repeat)]) for name, args in jobs.items()}
    base = medians["python -c pass"].wall
    rows = ["| command | wall s | × python -c pass |", "|---|---:|---:|"]
    rows += [f"| `{name}` | {m.wall:.3f} | {m.wall / base:.1f} |" for name, m in medians.items()]
    return rows


def _scale_table(folder: Path, sizes: Sequence[int]) -> list[str]:
    rows = ["| command | checks | wall s | peak RSS MB |", "|---|---:|---:|---:|"]
    env = AKSK
    for size in sizes:
        manifest = _manifest(folder / f"scale-{size}.yaml", _runs(f"scale{size}", size), False)
        for command in ("validate", "plan"):
            m = _run(_checker(command, str(manifest)), env)
            rows.append(f"| `{command}` | {size:,} | {m.wall:.2f} | {m.rss_mb:.0f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one round (CI)")
    parser.add_argument("--latency", type=float, default=0.04, help="seconds per answer")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    sizes = [20] if arguments.smoke else [1_000, 10_000]
    scale = [200] if arguments.smoke else [10_000, 100_000]
    repeat = 1 if arguments.smoke else arguments.repeat
    latency = 0.0 if arguments.smoke else arguments.latency
    sdk_n = 10 if arguments.smoke else 1_000
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        groups = {f"n{n}": _runs(f"n{n}", n) for n in sizes}
        world = folder / "world.yaml"
        world.write_text(yaml.safe_dump(_world(groups, latency)), encoding="utf-8")
        scenarios = []
        for n in sizes:
            for with_run in (False, True):
                label = f"{'expect.run' if with_run else 'startup'} {n:,}"
                runs = groups[f"n{n}"]
                plan = _floor_plan(runs, with_run)
                plan_file = folder / f"plan-{n}-{with_run}.json"
                plan_file.write_text(json.dumps(plan))
                manifest = _manifest(folder / f"gate-{n}-{with_run}.yaml", runs, with_run)
                scenarios.append(Scenario(label, runs, with_run, manifest, plan_file, len(plan)))
        for s in scenarios:
            _same_requests(
                s, url_placeholder="https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com"
            )
        emulator = Emulator(world)
        try:
            gate = _gate_table(
                folder, emulator.url, scenarios, repeat, groups[f"n{sizes[0]}"][:sdk_n]
            )
        finally:
            emulator.stop()
        print(
            f"Latency {latency * 1000:.0f} ms per answer, batch {BATCH}, concurrency 8, "
            f"median of {repeat}, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n"
        )
        print("\n".join(gate), end="\n\n")
        print("\n".join(_startup_table(max(repeat, 3) if not arguments.smoke else 1)), end="\n\n")
        print("\n".join(_scale_table(folder, scale)), end="\n\n")
        print("\n".join(_long_wait_table(20 if arguments.smoke else 1_000, 200)))


if __name__ == "__main__":
    main()
