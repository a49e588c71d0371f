"""``checker init``: a starter manifest from a project's pipelines, listed over loopback from
the emulator; what it writes validates and plans; it never overwrites a file."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import AUTH, P_BANNED, P_BUILD, P_TESTS, PROJECT, Start, run_cli, world_data
from hypothesis import given
from hypothesis import strategies as st

from checker.gate.run_parameters import ListedPipeline
from checker.manifest.starter import check_name

CHECK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _init(server_url: str, *extra: str) -> list[str]:
    return [
        "init",
        "--project-id",
        PROJECT,
        "--region",
        "cn-north-4",
        "--endpoint",
        server_url,
        *extra,
    ]


def test_init_writes_a_manifest_that_validates_and_plans(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    gate = tmp_path / "gate.yaml"
    run = run_cli(_init(server.url, "--out", str(gate)), AUTH)
    assert run.exit_code == 0, run.output
    assert "wrote" in run.stderr and "3 of 3 pipelines" in run.stderr
    text = gate.read_text()
    assert text.startswith("# yaml-language-server: $schema=manifest.schema.json\n")
    for pipeline_id in (P_BUILD, P_BANNED, P_TESTS):
        assert f"# pipeline ID {pipeline_id}" in text
    assert 'pipeline: "Release build"' in text and "banned: it cannot start" in text
    assert "    # run:" in text  # run expectations offered, commented out
    assert [r.path for r in server.requests] == [f"/v5/{PROJECT}/api/pipelines/list"]
    # What it writes is a manifest: validate accepts it; plan --start lists the pipelines
    # by name and would start all three.
    valid = run_cli(["validate", "--allow-unset", str(gate)])
    assert valid.exit_code == 0, valid.output
    plan = run_cli(["plan", "--start", str(gate), "--endpoint", server.url], AUTH)
    assert plan.exit_code == 0, plan.output
    for pipeline_id in (P_BUILD, P_BANNED, P_TESTS):
        assert pipeline_id in plan.stdout
    # Never overwritten: the second init is refused and the file is unchanged.
    gate.write_text(text + "# my edits\n")
    again = run_cli(_init(server.url, "--out", str(gate)), AUTH)
    assert again.exit_code == 2
    assert "exists: init never overwrites a file" in again.stderr
    assert gate.read_text().endswith("# my edits\n")


def test_init_filters_by_name_and_prints_without_out(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    run = run_cli(_init(server.url, "--name", "release*"), AUTH)
    assert run.exit_code == 0, run.output
    checks = run.stdout.split("\nchecks:\n", 1)[1]
    assert re.findall(r"^  ([a-z-]+):", checks, re.MULTILINE) == ["release-build"]
    none = run_cli(_init(server.url, "--name", "deploy*"), AUTH)
    assert none.exit_code == 2
    assert "no pipeline of project" in none.stderr and "Release build" in none.stderr


def test_init_refuses_bad_ids_and_says_when_listing_fails(tmp_path: Path, emulator: Start) -> None:
    bad = run_cli(["init", "--project-id", "not-an-id", "--region", "cn-north-4"])
    assert bad.exit_code == 2 and "must be exactly 32 letters or digits" in bad.stderr
    server = emulator()
    refused = run_cli(_init(server.url), {"CHECKER_AUTH_TOKEN": "not-the-token"})
    assert refused.exit_code == 3, refused.output
    assert "cannot list the pipelines of project" in refused.stderr
    empty = emulator(world_data(projects={}))
    nothing = run_cli(_init(empty.url), AUTH)
    assert nothing.exit_code == 2 and "lists no pipelines" in nothing.stderr


@given(st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=12))
def test_any_pipeline_names_become_valid_unique_check_names(names: list[str]) -> None:
    taken: set[str] = set()
    made = [check_name(ListedPipeline(pipeline_id="a" * 32, name=name), taken) for name in names]
    assert all(CHECK_NAME.fullmatch(name) for name in made), made
    assert len(set(made)) == len(made)
