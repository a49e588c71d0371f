"""The CI files users copy: valid for GitHub and GitLab (check-jsonschema's vendored schemas,
what those platforms publish), and safe to run: a release starts once, at its tag, and is gated
even when a start failed."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml
from helpers import EXAMPLES

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
    assert f'pip install "codearts-checker=={__version__}"' in text
    assert "git+https://" not in text
    assert not re.search(r"^\s*(\w+):\s*\$\{?\1\}?\s*(#.*)?$", text, re.MULTILINE)


def test_github_gates_what_started_and_starts_one_release_once() -> None:
    workflow = yaml.safe_load(_text("github-actions.yml"))
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert "inputs.version" in workflow["concurrency"]["group"]
    steps = workflow["jobs"]["release"]["steps"]
    gate = next(step for step in steps if "checker check" in step.get("run", ""))
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
