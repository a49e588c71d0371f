"""End to end for the manifest language: the CI-shaped flow (committed manifest without run IDs,
the saved batch-start answer, --var), variables' precedence, selection, severity, several
manifests."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from helpers import (
    AUTH,
    P_BANNED,
    P_BUILD,
    P_TESTS,
    PROJECT,
    R_BANNED,
    R_BUILD,
    R_TESTS,
    TOKEN,
    Emulated,
    Start,
    manifest_data,
    run_cli,
    write_yaml,
)

COMMITTED = f"""\
version: 1
variables:
  EXPECTED_NAME:
    description: The release pipeline's display name.
provider:
  region: cn-north-4
  project_id: {PROJECT}
checks:
  release-build:
    pipeline_id: {P_BUILD}
    expect:
      pipeline_name: ${{var.EXPECTED_NAME}}
  security-scan:
    pipeline_id: {P_BANNED}
    expect:
      status: START_FAILED
      reason: {{contains: banned}}
"""


def test_ci_shaped_flow(tmp_path: Path, emulator: Start) -> None:
    """CI starts the runs, saves the start API's answer, and gates on it."""
    server = emulator()
    started = httpx.post(
        f"{server.url}/v5/{PROJECT}/api/pipelines/batch-runs",
        json={"pipeline_ids": [P_BUILD, P_BANNED]},
        headers={"X-Auth-Token": TOKEN},
    )
    runs = tmp_path / "started.json"
    runs.write_bytes(started.content)
    manifest = tmp_path / "release-gate.yaml"
    manifest.write_text(COMMITTED)
    run = run_cli(
        [
            "check",
            str(manifest),
            "--runs",
            str(runs),
            "--var",
            "EXPECTED_NAME=Release build",
            "--endpoint",
            server.url,
            "--report",
            f"json={tmp_path / 'r.json'}",
        ],
        AUTH,
    )
    assert run.exit_code == 0, run.output
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    started_ids = {r["pipeline_id"]: r["pipeline_run_id"] for r in started.json()["result"]}
    assert {r["name"]: r["pipeline_run_id"] for r in results} == {
        "release-build": started_ids[P_BUILD],
        "security-scan": started_ids[P_BANNED],
    }
    # The same manifest with a wrong expected name fails the gate.
    run = run_cli(
        [
            "check",
            str(manifest),
            "--runs",
            str(runs),
            "--var",
            "EXPECTED_NAME=Nightly",
            "--endpoint",
            server.url,
        ],
        AUTH,
    )
    assert run.exit_code == 1
    assert 'expected pipeline_name "Nightly", observed "Release build"' in run.stdout


def _var_manifest(tmp_path: Path) -> Path:
    return write_yaml(
        tmp_path / "m.yaml",
        manifest_data(
            {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": "${var.RUN}"}},
            variables={"RUN": {"default": R_TESTS}},
        ),
    )


def _observed_run(tmp_path: Path, server: Emulated, args: list[str], env: dict[str, str]) -> str:
    report = tmp_path / "r.json"
    run = run_cli(
        [
            "check",
            str(_var_manifest(tmp_path)),
            "--endpoint",
            server.url,
            "--report",
            f"json={report}",
            *args,
        ],
        {**AUTH, **env},
    )
    assert run.exit_code in (0, 1), run.output
    return str(json.loads(report.read_text())["results"][0]["pipeline_run_id"])


def test_variable_precedence(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    one, two = tmp_path / "one.yaml", tmp_path / "two.json"
    one.write_text(f"RUN: {R_BANNED}\n")
    two.write_text(json.dumps({"RUN": R_BUILD}))
    env = {"CHECKER_VAR_RUN": "c" * 32}
    assert _observed_run(tmp_path, server, [], {}) == R_TESTS  # default
    assert _observed_run(tmp_path, server, [], env) == "c" * 32  # environment
    assert _observed_run(tmp_path, server, ["--var-file", str(one)], env) == R_BANNED
    files = ["--var-file", str(one), "--var-file", str(two)]
    assert _observed_run(tmp_path, server, files, env) == R_BUILD  # later file wins
    assert _observed_run(tmp_path, server, [*files, "--var", f"RUN={'d' * 32}"], env) == "d" * 32


def test_var_splits_on_the_first_equals_only(tmp_path: Path) -> None:
    manifest = write_yaml(
        tmp_path / "m.yaml",
        manifest_data(
            {
                "build": {
                    "pipeline_id": P_BUILD,
                    "pipeline_run_id": R_BUILD,
                    "description": "${var.NOTE}",
                }
            },
            variables={"NOTE": {}},
        ),
    )
    run = run_cli(["plan", str(manifest), "--var", "NOTE=a=b"], AUTH)
    assert run.exit_code == 0, run.output


def test_only_selects_by_glob_and_never_selects_nothing(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_yaml(
        tmp_path / "m.yaml",
        manifest_data(
            {
                "release-build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
                "release-tests": {"pipeline_id": P_TESTS, "pipeline_run_id": R_TESTS},
                "nightly": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED},
            }
        ),
    )
    run = run_cli(["check", str(manifest), "--endpoint", server.url, "--only", "release-*"], AUTH)
    assert run.exit_code == 0, run.output
    assert "nightly" not in run.stdout and "(2 checks)" in run.stdout
    run = run_cli(["check", str(manifest), "--endpoint", server.url, "--only", "deploy-*"], AUTH)
    assert run.exit_code == 2
    assert "--only deploy-* selects none of the 3 checks" in run.stderr
    assert len(server.requests) == 1


def test_warning_severity_is_reported_but_does_not_block(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    manifest = write_yaml(
        tmp_path / "m.yaml",
        manifest_data(
            {
                "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
                "scan": {
                    "pipeline_id": P_BANNED,
                    "pipeline_run_id": R_BANNED,
                    "severity": "warning",
                },
            }
        ),
    )
    xml, md = tmp_path / "r.xml", tmp_path / "r.md"
    run = run_cli(
        [
            "check",
            str(manifest),
            "--endpoint",
            server.url,
            "--report",
            f"junit={xml}",
            "--report",
            f"markdown={md}",
        ],
        AUTH,
    )
    assert run.exit_code == 0, run.output
    assert "WARN  scan" in run.stdout
    assert "1 warning" in run.stdout
    assert '<skipped type="fail" message="warning: expected status START_SUCCESS' in xml.read_text()
    assert "### Warnings (non-blocking)" in md.read_text()


def test_defaults_supply_severity_expect_and_project(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    data = manifest_data(
        {"scan": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED}},
        defaults={
            "severity": "warning",
            "project_id": PROJECT,
            "expect": {"status": "START_FAILED"},
        },
    )
    data["provider"] = {"region": "cn-north-4"}
    run = run_cli(
        ["check", str(write_yaml(tmp_path / "m.yaml", data)), "--endpoint", server.url], AUTH
    )
    assert run.exit_code == 0, run.output
    assert "PASS  scan" in run.stdout


def test_several_manifests_merge_and_names_must_be_unique(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    a = write_yaml(
        tmp_path / "a.yaml",
        manifest_data({"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}}),
    )
    b = write_yaml(
        tmp_path / "b.yaml",
        manifest_data({"tests": {"pipeline_id": P_TESTS, "pipeline_run_id": R_TESTS}}),
    )
    run = run_cli(["check", str(a), str(b), "--endpoint", server.url], AUTH)
    assert run.exit_code == 0, run.output
    assert "(2 checks)" in run.stdout
    assert len(server.result_requests()) == 1  # same project: one request
    c = write_yaml(
        tmp_path / "c.yaml",
        manifest_data({"build": {"pipeline_id": P_TESTS, "pipeline_run_id": R_TESTS}}),
    )
    run = run_cli(["check", str(a), str(c), "--endpoint", server.url], AUTH)
    assert run.exit_code == 2
    assert f"{c}:6:3: error: check 'build' is defined twice: first at {a}:6:3" in run.stderr


def test_validate_warns_on_unknown_status_but_passes(tmp_path: Path) -> None:
    manifest = write_yaml(
        tmp_path / "m.yaml",
        manifest_data(
            {
                "build": {
                    "pipeline_id": P_BUILD,
                    "pipeline_run_id": R_BUILD,
                    "expect": {"status": "START_SUCESS"},
                }
            }
        ),
    )
    run = run_cli(["validate", str(manifest)])
    assert run.exit_code == 0
    assert "warning: START_SUCESS is not a known status; did you mean START_SUCCESS?" in run.stderr


def test_allow_unset_validates_a_manifest_before_ci_fills_it_in(tmp_path: Path) -> None:
    manifest = tmp_path / "release-gate.yaml"
    manifest.write_text(COMMITTED)
    strict = run_cli(["validate", str(manifest)])
    assert strict.exit_code == 2
    assert "variable 'EXPECTED_NAME' has no value" in strict.stderr
    assert "check 'release-build' has no pipeline_run_id" in strict.stderr
    lenient = run_cli(["validate", "--allow-unset", str(manifest)])
    assert lenient.exit_code == 0, lenient.output
    assert lenient.stdout == f"{manifest}: valid (2 checks)\n"
    manifest.write_text(COMMITTED.replace("reason: {contains: banned}", "reason: {matches: '('}"))
    broken = run_cli(["validate", "--allow-unset", str(manifest)])
    assert broken.exit_code == 2
    assert "invalid regular expression" in broken.stderr


def test_counts_agree_in_number_and_start_says_nothing_was_started(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    one = manifest_data({"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD}})
    manifest = write_yaml(tmp_path / "one.yaml", one)
    run = run_cli(["check", str(manifest), "--endpoint", server.url], AUTH)
    assert run.exit_code == 0, run.output
    assert "checker: 1 check," in run.stdout and "(1 check)" in run.stdout
    assert "0 errors" in run.stdout
    plan = run_cli(["plan", str(manifest), "--endpoint", server.url], AUTH)
    assert "Plan: 1 check, 1 unique run, 1 request per poll." in plan.stdout
    assert "(s)" not in run.output + plan.output
    broken = write_yaml(tmp_path / "bad.yaml", {**one, "checks": {"build": {"pipeline_id": 1}}})
    for command, said in (("start", "nothing was started"), ("check", "nothing was queried")):
        refused = run_cli([command, str(broken), "--endpoint", server.url], AUTH)
        assert refused.exit_code == 2
        assert f"error: 1 problem found; {said}" in refused.stderr, refused.stderr
