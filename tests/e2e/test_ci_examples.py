"""The CI files users copy: valid for GitHub and GitLab (check-jsonschema's vendored schemas,
what those platforms publish), and safe to run: a release starts once, at its tag, and is gated
even when a start failed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import (
    AUTH,
    EXAMPLES,
    P_BANNED,
    P_BUILD,
    R_BANNED,
    R_BUILD,
    Start,
    write_manifest,
)

from checker import __version__

CI = EXAMPLES / "ci"


@pytest.mark.parametrize(
    ("name", "schema"),
    [("github-actions.yml", "vendor.github-workflows"), ("gitlab-ci.yml", "vendor.gitlab-ci")],
)
def test_the_ci_examples_are_valid_for_their_platform(name: str, schema: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(CI / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _text(name: str) -> str:
    return (CI / name).read_text()


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_ci_examples_pin_checker_and_define_no_variable_by_itself(name: str) -> None:
    text = _text(name)
    pinned = (
        f'version: "{__version__}"'
        if name.startswith("github")
        else (f'pip install "codearts-checker=={__version__}"')
    )
    assert pinned in text
    assert "git+https://" not in text
    assert not re.search(r"^\s*(\w+):\s*\$\{?\1\}?\s*(#.*)?$", text, re.MULTILINE)


def test_github_gates_what_started_and_starts_one_release_once() -> None:
    workflow = yaml.safe_load(_text("github-actions.yml"))
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert "inputs.version" in workflow["concurrency"]["group"]
    steps = workflow["jobs"]["release"]["steps"]
    gate = next(step for step in steps if step.get("name") == "Wait for them and gate")
    assert gate["uses"] == "./" and gate["with"]["runs"] == "runs.json"
    assert gate["if"] == "always() && hashFiles('runs.json') != ''"
    env = workflow["jobs"]["release"]["env"]
    assert env["CHECKER_VAR_VERSION"] == "${{ inputs.version }}"


def test_gitlab_runs_on_tags_or_by_hand_one_release_at_a_time() -> None:
    pipeline = yaml.safe_load(_text("gitlab-ci.yml"))
    base = pipeline[".checker"]
    assert base["resource_group"].startswith("release-")
    conditions = [rule["if"] for rule in base["rules"]]
    assert any("CI_COMMIT_TAG" in c for c in conditions)
    assert all("CI_COMMIT_BRANCH" not in c for c in conditions)
    gate = pipeline["release-gate"]
    assert all(rule["when"] == "always" for rule in gate["rules"])
    assert 'export CHECKER_VAR_VERSION="${VERSION:-${CI_COMMIT_TAG#v}}"' in base["before_script"]


ACTION = EXAMPLES.parent / "action.yml"
COMPONENT = EXAMPLES.parent / "templates" / "checker.yml"


def test_the_action_is_valid_for_github() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-actions",
            str(ACTION),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_component_is_valid_for_gitlab(tmp_path: Path) -> None:
    header, jobs = COMPONENT.read_text().split("\n---\n")
    for name, text in (("spec.yml", header), ("jobs.yml", jobs)):
        (tmp_path / name).write_text(text)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "check_jsonschema",
                "--builtin-schema",
                "vendor.gitlab-ci",
                str(tmp_path / name),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert "inputs" in yaml.safe_load(header)["spec"]


def _run_step(
    inputs: dict[str, str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """The action's checker step, as the runner runs it: its script under bash, each input as
    the INPUT_* variable the step maps it to."""
    action = yaml.safe_load(ACTION.read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values = {**defaults, **inputs}
    mapped = {
        variable: values[expression.split("inputs.")[1].rstrip(" }")]
        for variable, expression in step["env"].items()
    }
    bash = shutil.which("bash") or "/bin/bash"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        [bash, "-c", step["run"]],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, **env, **mapped, "PATH": path},
    )


def test_the_actions_step_really_gates_against_the_emulator(
    tmp_path: Path, emulator: Start
) -> None:
    server = emulator()
    manifest = write_manifest(
        tmp_path,
        {
            "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
            "scan": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED},
        },
    )
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    env = {
        **AUTH,
        "CHECKER_ENDPOINT": server.url,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = _run_step(
        {"manifests": f"{manifest}\n", "wait": "false", "reports": "json=gate.json", "vars": ""},
        env,
        tmp_path,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the banned scan fails
    assert "checker FAILED" in summary.read_text()
    assert "verdict<<" in output.read_text() and "failed" in output.read_text()
    assert (tmp_path / "gate.json").exists()
    never = _run_step({"manifests": str(manifest), "fail-on": "never"}, env, tmp_path)
    assert never.returncode == 0
    hostile = _run_step({"manifests": str(manifest), "only": "$(touch pwned)"}, env, tmp_path)
    assert hostile.returncode == 2  # no check matches that glob: a usage error, not a shell
    assert not (tmp_path / "pwned").exists()
