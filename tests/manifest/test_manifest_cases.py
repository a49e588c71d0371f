"""Table-driven manifest cases: every file under tests/data/manifests/{valid,invalid}/.

An invalid case pins the exact output of ``checker validate`` (every problem with its
``FILE:LINE:COL``, message and hint) in ``NAME.expected``; a valid case must validate, with
the warnings in its ``NAME.expected`` if it has one. ``NAME.args`` holds extra arguments, one
per line. Regenerate a golden file only after reading the difference.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import DATA, run_cli

CASES = DATA / "manifests"


def _cases(kind: str) -> list[Path]:
    return sorted(p for p in (CASES / kind).glob("*.yaml") if not p.name.endswith(".vars.yaml"))


def _validate(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(manifest.parent)
    args_file = manifest.with_suffix(".args")
    extra = args_file.read_text().splitlines() if args_file.exists() else []
    run = run_cli(["validate", manifest.name, *extra])
    assert run.exception is None, run.exception
    assert "Traceback" not in run.output
    return run.exit_code, run.stdout, run.stderr


@pytest.mark.parametrize("manifest", _cases("invalid"), ids=lambda p: p.stem)
def test_invalid_manifest(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, stderr = _validate(manifest, monkeypatch)
    assert code == 2
    expected = manifest.with_suffix(".expected").read_text()
    assert stderr == expected


@pytest.mark.parametrize("manifest", _cases("valid"), ids=lambda p: p.stem)
def test_valid_manifest(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, stdout, stderr = _validate(manifest, monkeypatch)
    assert code == 0, stderr
    assert stdout.startswith(f"{manifest.name}: valid (")
    expected = manifest.with_suffix(".expected")
    assert stderr == (expected.read_text() if expected.exists() else "")


_PLANNED = [p for p in _cases("valid") if p.with_suffix(".plan").exists()]


@pytest.mark.parametrize("manifest", _PLANNED, ids=lambda p: p.stem)
def test_valid_manifest_plan(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``NAME.plan`` pins what ``checker plan`` shows: each check's effective expectation."""
    monkeypatch.chdir(manifest.parent)
    monkeypatch.setenv("HOME", str(manifest.parent / "no-home"))
    run = run_cli(["plan", manifest.name])
    assert run.exit_code == 0, run.stderr
    golden = manifest.with_suffix(".plan")
    if os.environ.get("CHECKER_REGENERATE_GOLDEN"):
        golden.write_text(run.stdout)
    assert run.stdout == golden.read_text()


def test_every_invalid_case_has_a_golden_file() -> None:
    missing = [p.name for p in _cases("invalid") if not p.with_suffix(".expected").exists()]
    assert missing == []


def test_validate_json_format_lists_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.chdir(CASES / "invalid")
    run = run_cli(["validate", "unknown-keys.yaml", "--format", "json"])
    assert run.exit_code == 2
    problems = json.loads(run.stdout)
    assert problems[0] == {
        "file": "unknown-keys.yaml",
        "line": 3,
        "column": 3,
        "level": "error",
        "message": "unknown key 'regoin' in provider; did you mean 'region'?",
        "path": "provider.regoin",
        "hint": "allowed keys: region, endpoint, project_id, iam_project_id",
    }
    assert {p["level"] for p in problems} == {"error"}


def test_the_readme_shows_what_validate_prints() -> None:
    """The README's Diagnostics block is this case's golden output, verbatim."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    expected = (CASES / "invalid" / "readme-diagnostics.expected").read_text()
    assert f"```\n{expected}```\n" in readme
