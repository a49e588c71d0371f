"""Why a run failed, where people look: the failing stage › job › step with CodeArts' message,
and a bounded, redacted tail of that step's log — on the terminal and in every report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import AUTH, PROJECT, TOKEN, Emulated, Start, run_cli, world_data, write_manifest

RUN_FAILS = {"expect": {"run": {"status": "COMPLETED"}}}
LOG = "\n".join(
    [
        *(f"line {n}" for n in range(1, 101)),
        f"using token {TOKEN}",
        "::error::forged annotation",
        "\x1b[31merror: deployment timed out (exit 1)\x1b[0m",
    ]
)


def _failing_world(count: int = 1, **overrides: Any) -> tuple[dict[str, Any], list[str]]:
    data = world_data(**overrides)
    pipelines = data["projects"][PROJECT]["pipelines"]
    names = []
    for n in range(count):
        pipeline_id, run_id = f"{n:032x}", f"{n + 1:031x}f"
        pipelines[pipeline_id] = {
            "name": f"Deploy {n}",
            "runs": {
                run_id: {
                    "run": {
                        "status": "FAILED",
                        "stages": {"Build": "COMPLETED", "Deploy": "FAILED"},
                        "failure": {
                            "job": "Deploy to CCE",
                            "step": "kubectl apply",
                            "message": "error: deployment timed out (exit 1)",
                            "log": LOG,
                        },
                    }
                }
            },
        }
        names.append((pipeline_id, run_id))
    return data, [f"{p}:{r}" for p, r in names]


def _manifest(tmp_path: Path, pairs: list[str]) -> Path:
    checks = {
        f"deploy-{n}": {"pipeline_id": pair.split(":")[0], "pipeline_run_id": pair.split(":")[1]}
        for n, pair in enumerate(pairs)
    }
    return write_manifest(tmp_path, checks, defaults=RUN_FAILS)


def _logs(server: Emulated) -> int:
    return sum(r.path.endswith("/logs") for r in server.requests)


def test_a_failed_run_is_located_with_its_log_tail_everywhere(
    tmp_path: Path, emulator: Start
) -> None:
    data, pairs = _failing_world()
    server = emulator(data)
    reports = {kind: tmp_path / f"gate.{kind}" for kind in ("junit", "markdown", "html", "json")}
    run = run_cli(
        [
            "check",
            str(_manifest(tmp_path, pairs)),
            "--endpoint",
            server.url,
            "--log-lines",
            "5",
            *(f"--report={kind}={path}" for kind, path in reports.items()),
        ],
        AUTH,
    )
    assert run.exit_code == 1, run.output
    located = 'at stage "Deploy" › job "Deploy to CCE" › step "kubectl apply": "error: deployment'
    assert located in run.stdout
    assert "| … 98 earlier lines" in run.stdout
    assert "| ::error::forged annotation" in run.stdout  # never at the start of a line
    assert "\n::error::" not in run.stdout
    assert "\\x1b[31merror" in run.stdout
    assert TOKEN not in run.output
    for kind, path in reports.items():
        text = path.read_text()
        assert TOKEN not in text, kind
        assert "kubectl apply" in text, kind
    failure = json.loads(reports["json"].read_text())["results"][0]["failure"]
    assert failure["stage"] == "Deploy" and failure["step"] == "kubectl apply"
    assert failure["log"]["truncated"] == 98 and len(failure["log"]["lines"]) == 5
    assert "using token ********" in failure["log"]["lines"]
    assert _logs(server) == 1


def test_log_lines_0_reads_no_log_and_log_runs_bounds_a_mass_failure(
    tmp_path: Path, emulator: Start
) -> None:
    data, pairs = _failing_world(30)
    server = emulator(data)
    manifest = _manifest(tmp_path, pairs)
    run = run_cli(["check", str(manifest), "--endpoint", server.url, "--log-runs", "5"], AUTH)
    assert run.exit_code == 1
    assert _logs(server) == 5
    assert sum(r.path.endswith("/pipeline-runs/detail") for r in server.requests) <= 5 + 30
    assert "log tails of 2 more failed runs are in the reports" in run.stdout
    server.requests.clear()
    quiet = run_cli(["check", str(manifest), "--endpoint", server.url, "--log-lines", "0"], AUTH)
    assert quiet.exit_code == 1
    assert _logs(server) == 0
    assert 'at stage "Deploy" › job "Deploy to CCE"' in quiet.stdout  # still located


def test_a_log_that_cannot_be_read_changes_nothing(tmp_path: Path, emulator: Start) -> None:
    data, pairs = _failing_world(faults=[{"api": "log", "status": 500, "times": 10}])
    server = emulator(data)
    run = run_cli(
        ["check", str(_manifest(tmp_path, pairs)), "--endpoint", server.url, "--retries", "0"],
        AUTH,
    )
    assert run.exit_code == 1, run.output  # the verdict, not 3
    assert 'at stage "Deploy" › job "Deploy to CCE"' in run.stdout
    assert "earlier lines" not in run.stdout


def test_the_console_link_is_printed_as_soon_as_the_run_is_known(
    tmp_path: Path, emulator: Start
) -> None:
    data, pairs = _failing_world()
    server = emulator(data)
    run = run_cli(
        [
            "check",
            str(_manifest(tmp_path, pairs)),
            "--endpoint",
            server.url,
            "--wait",
            "--poll-interval",
            "0.01",
        ],
        AUTH,
    )
    assert run.exit_code == 1
    link = next(line for line in run.stderr.splitlines() if line.startswith("  deploy-0: "))
    assert link.split(": ", 1)[1].startswith("https://")
    assert run.stderr.index(link) < run.stderr.index("decided (0 passed, 1 failed)")
