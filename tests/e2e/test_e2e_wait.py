"""Waiting for runs to end, against the emulator over loopback, on a fake clock: the gate's
sleeps advance the clock instead of passing time, and the emulator reads the same clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import PROJECT, TOKEN, Emulated, FakeClock, Start, manifest_data, write_yaml

from checker.app.check import CheckOptions, check
from checker.app.common import ClientOptions, CommonOptions
from checker.cli.console import Console
from checker.codearts.credentials import choose_credentials
from checker.codearts.settings import ClientSettings
from checker.environment import Environment
from checker.errors import ExitCode
from checker.gate.results import RunReport
from checker.manifest.load import LoadOptions
from checker.polling.loop import Interrupted
from checker.polling.poller import Progress
from checker.reports.delivery import Delivery
from checker.reports.formats import render_html, render_junit
from checker.reports.markdown import render_markdown
from checker.reports.targets import ReportTarget


def _id(label: str) -> str:
    return (label.encode().hex() + "0" * 32)[:32]


def _world(
    pipelines: dict[str, dict[str, Any]], faults: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "version": 1,
        "credentials": {"tokens": [{"token": TOKEN}]},
        "projects": {PROJECT: {"pipelines": pipelines}},
        "faults": faults or [],
    }


def _pipeline(name: str, runs: dict[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": name, "runs": runs, **extra}


def _timeline(
    *steps: tuple[str, int | None], stages: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "run": {
            "timeline": [
                {"status": status, **({"polls": polls} if polls else {})} for status, polls in steps
            ],
            "stages": stages or {},
            **extra,
        }
    }


@dataclass
class Gate:
    code: int
    report: RunReport
    out: list[str]
    err: list[str]
    progress: list[Progress]
    clock: FakeClock


def _gate_in_process(
    tmp_path: Path,
    server: Emulated,
    clock: FakeClock,
    checks: dict[str, Any],
    *,
    wait: bool = True,
    timeout: float = 600,
    fail_fast: bool = False,
    batch_size: int = 100,
    max_poll_interval: float = 60,
    **manifest_extra: Any,
) -> Gate:
    manifest = write_yaml(tmp_path / "gate.yaml", manifest_data(checks, **manifest_extra))
    json_path = tmp_path / "report.json"
    out: list[str] = []
    err: list[str] = []
    seen: list[Progress] = []
    options = CheckOptions(
        common=_common(manifest, server),
        client=_client(ClientSettings(max_attempts=3), batch_size, timeout),
        delivery=Delivery(reports=(ReportTarget("json", json_path),)),
        wait=wait,
        fail_fast=fail_fast,
        poll_interval=10,
        max_poll_interval=max_poll_interval,
        progress=seen.append,
        clock=clock,
        sleep=clock.sleep,
    )
    code = check(options, Console(write_out=out.append, write_err=err.append))
    report = RunReport.model_validate_json(json_path.read_text())
    return Gate(int(code), report, out, err, seen, clock)


ENVIRONMENT = Environment.from_mapping({"CHECKER_AUTH_TOKEN": TOKEN})


def _common(manifest: Path, server: Emulated) -> CommonOptions:
    """The manifest, against this emulator."""
    return CommonOptions(
        manifests=(manifest,),
        load=LoadOptions(endpoint_override=server.url),
        environment=ENVIRONMENT,
    )


def _client(
    settings: ClientSettings | None = None, batch_size: int = 100, timeout: float | None = None
) -> ClientOptions:
    """With the emulator's IAM token."""
    return ClientOptions(
        credentials=choose_credentials(ENVIRONMENT),
        settings=settings or ClientSettings(),
        batch_size=batch_size,
        timeout=timeout,
    )


def _outcomes(gate: Gate) -> dict[str, str]:
    return {r.name: r.outcome for r in gate.report.results}


P1, P2, P3 = _id("pipe-one"), _id("pipe-two"), _id("pipe-three")
R1, R2, R3, R4 = _id("run-one"), _id("run-two"), _id("run-three"), _id("run-four")
RUN = {"expect": {"run": {"status": "COMPLETED"}}}


def test_all_runs_end_in_time(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    server = emulator(
        _world(
            {
                P1: _pipeline("Build", {R1: _timeline(("RUNNING", 2), ("COMPLETED", None))}),
                P2: _pipeline("Tests", {R2: _timeline(("RUNNING", 4), ("COMPLETED", None))}),
            }
        ),
        clock=clock,
    )
    checks = {
        "build": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN},
        "tests": {"pipeline_id": P2, "pipeline_run_id": R2, **RUN},
    }
    gate = _gate_in_process(tmp_path, server, clock, checks)
    assert gate.code == ExitCode.PASSED, gate.out
    assert _outcomes(gate) == {"build": "pass", "tests": "pass"}
    assert clock.slept == [10, 15, 22.5, 33.75]  # grows 1.5x per poll
    assert [p.decided for p in gate.progress] == [0, 0, 1, 1, 2]
    assert gate.progress[-1].next_in is None


def test_a_run_failing_at_a_stage_names_the_stage(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    run = _timeline(
        ("RUNNING", 1),
        ("FAILED", None),
        stages={"Build": "COMPLETED", "Deploy": "FAILED"},
        duration_seconds=723,
    )
    run["run"]["timeline"][0]["stages"] = {"Build": "RUNNING", "Deploy": "INIT"}
    server = emulator(_world({P1: _pipeline("Release", {R1: run})}), clock=clock)
    checks = {
        "release": {
            "pipeline_id": P1,
            "pipeline_run_id": R1,
            "expect": {
                "run": {"status": "COMPLETED", "stages": {"Deploy": ["COMPLETED", "SKIPPED"]}}
            },
        }
    }
    gate = _gate_in_process(tmp_path, server, clock, checks)
    assert gate.code == ExitCode.FAILED
    result = gate.report.results[0]
    assert result.message.startswith(
        'expected run COMPLETED, observed FAILED at stage "Deploy" after 12m03s'
    )
    assert 'expected stage "Deploy" COMPLETED | SKIPPED, observed FAILED' in result.message
    assert result.duration == 723 and result.run is not None and result.run.detail_url
    assert 'time="723.000"' in render_junit(gate.report)
    assert "<system-out>detail: https://devcloud.cn-north-4.huaweicloud.com/" in render_junit(
        gate.report
    )


def test_a_run_that_never_ends_is_pending_at_the_deadline(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    server = emulator(
        _world({P1: _pipeline("Nightly", {R1: _timeline(("RUNNING", None))})}), clock=clock
    )
    gate = _gate_in_process(
        tmp_path,
        server,
        clock,
        {"nightly": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN}},
        timeout=120,
    )
    assert gate.code == ExitCode.UNFINISHED  # 4: not finished, not broken
    result = gate.report.results[0]
    assert result.outcome == "pending"
    assert result.message.startswith("still RUNNING after 2m;")
    assert sum(clock.slept) == pytest.approx(120)  # never slept past the deadline
    assert '<failure type="pending"' in render_junit(gate.report)
    assert "1 pending" in gate.report.verdict
    # The report names the deadline (08:00 + 2m); the HTML timeline marks it on its axis.
    assert gate.report.deadline == "2026-11-30T08:02:00+00:00"
    assert "deadline 08:02:00" in render_html(gate.report)


def test_a_run_that_appears_late_is_waited_for(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    late = {**_timeline(("RUNNING", 1), ("COMPLETED", None)), "hidden_polls": 2}
    server = emulator(_world({P1: _pipeline("Build", {R1: late})}), clock=clock)
    gate = _gate_in_process(
        tmp_path, server, clock, {"build": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN}}
    )
    assert gate.code == ExitCode.PASSED, gate.out
    never = emulator(
        _world({P1: _pipeline("Build", {R1: {"hidden_polls": 1000}})}), clock=FakeClock()
    )
    gate = _gate_in_process(
        tmp_path,
        never,
        FakeClock(),
        {"build": {"pipeline_id": P1, "pipeline_run_id": R1}},
        timeout=60,
    )
    assert gate.report.results[0].outcome == "pending"
    assert "never appeared in the API's answer" in gate.report.results[0].message


def test_an_older_run_is_read_with_the_detail_api_only(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    runs = {R1: _timeline(("COMPLETED", None)), R2: _timeline(("RUNNING", None))}
    server = emulator(_world({P1: _pipeline("Build", runs, latest=R2)}), clock=clock)
    gate = _gate_in_process(
        tmp_path, server, clock, {"old": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN}}
    )
    assert gate.code == ExitCode.PASSED, gate.out
    paths = [r.path.split("?")[0].rsplit("/", 2)[-2:] for r in server.requests]
    assert [p[-1] for p in paths] == ["result", "status", "detail"]


def test_two_checked_runs_of_one_pipeline(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    runs = {R1: _timeline(("COMPLETED", None)), R2: _timeline(("RUNNING", 1), ("COMPLETED", None))}
    server = emulator(_world({P1: _pipeline("Build", runs)}), clock=clock)
    checks = {
        "first": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN},
        "second": {"pipeline_id": P1, "pipeline_run_id": R2, **RUN},
    }
    gate = _gate_in_process(tmp_path, server, clock, checks)
    assert _outcomes(gate) == {"first": "pass", "second": "pass"}
    details = [r for r in server.requests if "/detail" in r.path]
    assert len(details) == 1 and R1 in details[0].path  # the older one only, once


def test_max_duration_while_running_and_after_ending(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    runs = {
        R1: _timeline(("RUNNING", None), started_seconds_ago=3600),
        R2: _timeline(("COMPLETED", None), duration_seconds=3600),
    }
    server = emulator(
        _world({P1: _pipeline("A", {R1: runs[R1]}), P2: _pipeline("B", {R2: runs[R2]})}),
        clock=clock,
    )
    limit = {"expect": {"run": {"max_duration": "30m"}}}
    checks = {
        "running": {"pipeline_id": P1, "pipeline_run_id": R1, **limit},
        "ended": {"pipeline_id": P2, "pipeline_run_id": R2, **limit},
    }
    gate = _gate_in_process(tmp_path, server, clock, checks)
    messages = {r.name: r.message for r in gate.report.results}
    assert _outcomes(gate) == {"running": "fail", "ended": "fail"}
    assert messages["running"] == "still running after 1h00m, max_duration 30m"
    assert messages["ended"] == "took 1h00m, max_duration 30m"
    assert clock.slept == []  # both decided on the first poll


def test_fail_fast_skips_the_undecided(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    server = emulator(
        _world(
            {
                P1: _pipeline("Bad", {R1: _timeline(("FAILED", None))}),
                P2: _pipeline("Slow", {R2: _timeline(("RUNNING", None))}),
            }
        ),
        clock=clock,
    )
    checks = {
        "bad": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN},
        "slow": {"pipeline_id": P2, "pipeline_run_id": R2, **RUN},
    }
    gate = _gate_in_process(tmp_path, server, clock, checks, fail_fast=True)
    assert gate.code == ExitCode.FAILED
    assert _outcomes(gate) == {"bad": "fail", "slow": "skipped"}
    assert gate.report.results[1].message == "not evaluated: --fail-fast"
    assert '<skipped type="skipped" message="not evaluated: --fail-fast"/>' in render_junit(
        gate.report
    )
    assert clock.slept == []


def test_503s_and_busy_answers_while_waiting(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    faults = [
        {
            "api": "status",
            "status": 503,
            "body": {"error_code": "APIGW.0201", "error_msg": "down"},
            "times": 3,
        },
        {
            "api": "status",
            "status": 200,
            "body": {"error_code": "DEVPIPE.00011127", "error_msg": "busy"},
            "times": 2,
        },
    ]
    server = emulator(
        _world(
            {P1: _pipeline("Build", {R1: _timeline(("RUNNING", 1), ("COMPLETED", None))})}, faults
        ),
        clock=clock,
    )
    gate = _gate_in_process(
        tmp_path, server, clock, {"build": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN}}
    )
    assert gate.code == ExitCode.PASSED, gate.out


def test_decided_runs_are_never_queried_again(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    server = emulator(
        _world(
            {
                P1: _pipeline("Fast", {R1: _timeline(("COMPLETED", None))}),
                P2: _pipeline("Slow", {R2: _timeline(("RUNNING", 3), ("COMPLETED", None))}),
                P3: _pipeline("Start only", {R3: {"status": "START_SUCCESS"}}),
            }
        ),
        clock=clock,
    )
    checks = {
        "fast": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN},
        "slow": {"pipeline_id": P2, "pipeline_run_id": R2, **RUN},
        "start": {"pipeline_id": P3, "pipeline_run_id": R3},
    }
    gate = _gate_in_process(tmp_path, server, clock, checks)
    assert gate.code == ExitCode.PASSED
    results = [r for r in server.requests if r.path.endswith("/result")]
    statuses = [r.body for r in server.requests if r.path.endswith("/status")]
    assert len(results) == 1  # every startup status was final at once
    assert P1.encode() in statuses[0] and all(P1.encode() not in body for body in statuses[1:])
    assert all(body == f'["{P2}"]'.encode() for body in statuses[1:])


def test_ctrl_c_while_waiting_writes_what_is_known(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    server = emulator(
        _world({P1: _pipeline("Slow", {R1: _timeline(("RUNNING", None))})}), clock=clock
    )

    async def interrupted_sleep(seconds: float) -> None:
        raise KeyboardInterrupt

    manifest = write_yaml(
        tmp_path / "gate.yaml",
        manifest_data({"slow": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN}}),
    )
    options = CheckOptions(
        common=_common(manifest, server),
        client=_client(),
        delivery=Delivery(reports=(ReportTarget("markdown", tmp_path / "r.md"),)),
        wait=True,
        clock=clock,
        sleep=interrupted_sleep,
    )
    with pytest.raises(Interrupted) as raised:
        check(options, Console(write_out=lambda _: None, write_err=lambda _: None))
    assert raised.value.exit_code == 130
    assert "not decided: stopped by SIGINT while waiting" in (tmp_path / "r.md").read_text()
    assert raised.value.report.results[0].outcome == "pending"


def test_the_markdown_links_the_run_only_to_huawei_hosts(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    runs = {
        R1: _timeline(("COMPLETED", None), number=7),
        R2: _timeline(("COMPLETED", None), number=8, detail_url="javascript:alert(1)"),
    }
    server = emulator(
        _world({P1: _pipeline("A", {R1: runs[R1]}), P2: _pipeline("B", {R2: runs[R2]})}),
        clock=clock,
    )
    checks = {
        "good": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN},
        "evil": {"pipeline_id": P2, "pipeline_run_id": R2, **RUN},
    }
    markdown = render_markdown(_gate_in_process(tmp_path, server, clock, checks).report)
    assert "[#7](https://devcloud.cn-north-4.huaweicloud.com/" in markdown
    assert "#8<br>" in markdown and "javascript" not in markdown


def test_one_request_per_batch_of_pipelines_per_poll(tmp_path: Path, emulator: Start) -> None:
    clock = FakeClock()
    pipelines = {
        _id(f"p{i}"): _pipeline(
            f"P{i}", {_id(f"r{i}"): _timeline(("RUNNING", 1), ("COMPLETED", None))}
        )
        for i in range(1000)
    }
    server = emulator(_world(pipelines), clock=clock)
    checks = {
        f"c{i}": {"pipeline_id": _id(f"p{i}"), "pipeline_run_id": _id(f"r{i}"), **RUN}
        for i in range(1000)
    }
    gate = _gate_in_process(tmp_path, server, clock, checks)
    assert gate.code == ExitCode.PASSED
    kinds = [r.path.split("?")[0].rsplit("/", 1)[-1] for r in server.requests]
    assert kinds.count("result") == 10  # startup: once, 100 runs a request
    assert kinds.count("status") == 20  # two polls, 10 requests each
    assert "detail" not in kinds


@pytest.mark.slow
def test_the_waiting_example_in_real_time() -> None:
    """The README's waiting demo, as a user runs it: runs settle within seconds."""
    import subprocess
    import sys
    import time

    from helpers import EXAMPLES

    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            str(EXAMPLES / "wait-gate.yaml"),
            "--emulator",
            str(EXAMPLES / "wait-world.yaml"),
            "--wait",
            "--poll-interval",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 15
    assert done.returncode == 1, done.stderr
    assert "] poll 1: 0/3 decided (0 passed, 0 failed), 3 running" in done.stderr
    assert (
        'FAIL  deploy-staging     expected run COMPLETED, observed FAILED at stage "Smoke"'
        in done.stdout
    )
    assert "FAILED: 2 passed, 1 failed" in done.stdout


def test_a_413_halves_the_batch_and_the_size_that_worked_is_kept(
    tmp_path: Path, emulator: Start
) -> None:
    clock = FakeClock()
    pipelines = {
        _id(f"p{i}"): _pipeline(f"P{i}", {_id(f"r{i}"): _timeline(("COMPLETED", None))})
        for i in range(100)
    }
    server = emulator({**_world(pipelines), "max_batch": 30}, clock=clock)
    checks = {
        f"c{i}": {"pipeline_id": _id(f"p{i}"), "pipeline_run_id": _id(f"r{i}"), **RUN}
        for i in range(100)
    }
    gate = _gate_in_process(tmp_path, server, clock, checks)
    assert gate.code == ExitCode.PASSED, gate.err
    sizes = [
        (
            r.path.rsplit("/", 1)[-1],
            r.status,
            len(json.loads(r.body).get("query", []))
            if r.path.endswith("result")
            else len(json.loads(r.body)),
        )
        for r in server.requests
    ]
    assert [s for s in sizes if s[0] == "result"] == [
        ("result", 413, 100),
        ("result", 413, 50),
        ("result", 200, 25),
        ("result", 200, 25),
        ("result", 200, 25),
        ("result", 200, 25),
    ]
    assert all(count <= 25 for kind, _, count in sizes if kind == "status")
    notes = [n for n in gate.report.notes if n.level == "info"]
    assert len(notes) == 1 and "batches of at most 25 were sent" in notes[0].message
    assert any(line.startswith("note: the service refused large requests") for line in gate.err)


def test_a_batch_of_one_refused_as_too_large_is_that_run_s_error(
    tmp_path: Path, emulator: Start
) -> None:
    clock = FakeClock()
    server = emulator(
        {
            **_world({P1: _pipeline("A", {R1: {}})}),
            "max_batch": 1,
            "faults": [{"api": "result", "status": 413, "times": 5}],
        },
        clock=clock,
    )
    gate = _gate_in_process(
        tmp_path, server, clock, {"a": {"pipeline_id": P1, "pipeline_run_id": R1}}, wait=False
    )
    assert gate.report.results[0].outcome == "error"
    assert "HTTP 413" in gate.report.results[0].message


def test_one_malformed_item_over_http_spoils_only_its_own_check(
    tmp_path: Path, emulator: Start
) -> None:
    """The service answers the status batch with a null, a good run and one item the SDK's
    models cannot read: only that pipeline's check is an error, naming the field."""
    clock = FakeClock()
    now = int(clock().timestamp() * 1000)
    answer = [
        None,
        {
            "pipeline_id": P1,
            "pipeline_run_id": R1,
            "status": "COMPLETED",
            "start_time": now - 60_000,
            "end_time": now,
            "stage_status_list": None,
        },
        {
            "pipeline_id": P2,
            "pipeline_run_id": R2,
            "status": "COMPLETED",
            "run_number": {"not": "a number"},
        },
    ]
    pipelines = {
        P1: _pipeline("One", {R1: _timeline(("COMPLETED", None))}),
        P2: _pipeline("Two", {R2: _timeline(("COMPLETED", None))}),
    }
    fault = {"api": "status", "status": 200, "body": answer}
    server = emulator(_world(pipelines, [fault]), clock=clock)
    checks = {
        "one": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN},
        "two": {"pipeline_id": P2, "pipeline_run_id": R2, **RUN},
    }
    gate = _gate_in_process(tmp_path, server, clock, checks, wait=False)
    assert _outcomes(gate) == {"one": "pass", "two": "error"}
    two = next(r for r in gate.report.results if r.name == "two")
    assert "run_number" in two.message


def test_the_nested_error_shape_in_a_200_is_a_service_error(
    tmp_path: Path, emulator: Start
) -> None:
    clock = FakeClock()
    body = {"error": {"code": "DEVPIPE.00011412", "message": "not a member of the project"}}
    fault = {"api": "status", "status": 200, "body": body}
    pipelines = {P1: _pipeline("One", {R1: _timeline(("COMPLETED", None))})}
    server = emulator(_world(pipelines, [fault]), clock=clock)
    gate = _gate_in_process(
        tmp_path,
        server,
        clock,
        {"one": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN}},
        wait=False,
    )
    result = gate.report.results[0]
    assert result.outcome == "error"
    assert "DEVPIPE.00011412" in result.message and "unusable" not in result.message


@pytest.mark.parametrize(("cap", "minutes"), [(60, 45), (20, 10)])
def test_a_long_run_is_seen_within_one_capped_interval_of_its_end(
    tmp_path: Path, emulator: Start, cap: float, minutes: int
) -> None:
    """A 45-minute run: the pause grows 1.5x per poll but never past --max-poll-interval,
    and the verdict comes at most one pause after the run ended."""
    clock = FakeClock()
    ends_after = minutes * 60
    timeline = {
        "run": {"timeline": [{"status": "RUNNING", "seconds": ends_after}, {"status": "COMPLETED"}]}
    }
    server = emulator(_world({P1: _pipeline("Release", {R1: timeline})}), clock=clock)
    start = clock()
    checks = {"release": {"pipeline_id": P1, "pipeline_run_id": R1, **RUN}}
    gate = _gate_in_process(tmp_path, server, clock, checks, timeout=3600, max_poll_interval=cap)
    assert gate.code == ExitCode.PASSED, gate.out
    assert max(clock.slept) == cap
    seen_after = (clock() - start).total_seconds() - ends_after
    assert 0 <= seen_after <= cap
    assert len(clock.slept) < ends_after / cap + 10  # no busy polling
