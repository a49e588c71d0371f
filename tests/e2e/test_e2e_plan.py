"""``checker plan --format json`` and ``plan --start``: the plan as a document bots can read,
valid against the committed schema, agreeing with the text plan; sends nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import EXAMPLES, REPO, run_cli
from jsonschema import Draft202012Validator

SCHEMA = REPO / "schemas" / "plan.schema.json"


def _valid(document: str, tmp_path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(document)
    schema = json.loads(SCHEMA.read_text())
    assert list(Draft202012Validator(schema).iter_errors(data)) == []
    path = tmp_path / "plan.json"
    path.write_text(document)
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMA), str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return data


def test_the_json_plan_has_requests_checks_and_their_effective_expectations(
    tmp_path: Path,
) -> None:
    manifest = EXAMPLES / "wait-gate.yaml"
    run = run_cli(["plan", str(manifest), "--format", "json"])
    assert run.exit_code == 0, run.stderr
    plan = _valid(run.stdout, tmp_path)
    text = run_cli(["plan", str(manifest)]).stdout
    assert f"{plan['requests_per_poll']} requests per poll" in text
    assert plan["requests"] == {"startup": 1, "run_status": 1, "run_detail": 0}
    checks = {c["name"]: c for c in plan["checks"]}  # type: ignore[attr-defined]
    # defaults.expect.run.max_duration merged into every check, 30 minutes.
    assert {c["expectation"]["run"]["max_duration"] for c in checks.values()} == {1800.0}
    assert checks["release-build"]["expectation_text"] in text
    assert checks["release-build"]["origin"].endswith("wait-gate.yaml:25:3")
    assert str(plan["credential_source"]).startswith("none found")
    assert plan["start"] is None


def test_plan_start_says_what_start_would_start(tmp_path: Path) -> None:
    args = ["plan", "--start", str(EXAMPLES / "start-gate.yaml"), "--var", "VERSION=1.4.2"]
    run = run_cli([*args, "--only", "release-build", "--only", "nightly-*", "--format", "json"])
    assert run.exit_code == 0, run.stderr
    plan = _valid(run.stdout, tmp_path)
    start = plan["start"]
    assert isinstance(start, dict)
    assert start["pipelines"] == 2
    kinds = sorted(r["parameters"] is not None for r in start["requests"])
    assert kinds == [False, True]  # the batch start, and RunPipeline with the tag
    release = next(r for r in start["requests"] if r["parameters"])
    assert release["parameters"]["ref"] == "v1.4.2"
    text = run_cli([*args, "--only", "release-build"])
    assert text.exit_code == 0, text.stderr
    assert "at tag v1.4.2" in text.stdout
