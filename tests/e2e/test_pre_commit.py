"""The pre-commit hook, run by the real pre-commit on a repository of its own: independent
manifests may share check names; a broken one is named."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

GATE = """version: 1
provider: {region: cn-north-4, project_id: db8d07265e24426598b3eb03a7818972}
checks:
  release-build: {pipeline_id: 6ba9a2dbc7024c22a9a6614516dc22db}
"""


@pytest.mark.slow  # pre-commit builds the hook's environment (pip, ~10 s)
def test_the_hook_validates_each_manifest_on_its_own(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("needs git and this checkout's repository")
    subprocess.run([git, "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "a-gate.yaml").write_text(GATE)
    (tmp_path / "b-gate.yaml").write_text(GATE)  # the same check name, another gate
    (tmp_path / "c-gate.yaml").write_text("version: 1\nchecks: {}\n")
    subprocess.run([git, "add", "."], cwd=tmp_path, check=True)

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pre_commit",
                "try-repo",
                str(REPO),
                "checker-validate",
                "--files",
                *files,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )

    good = hook("a-gate.yaml", "b-gate.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = hook("a-gate.yaml", "b-gate.yaml", "c-gate.yaml")
    assert bad.returncode == 1
    assert "c-gate.yaml:" in bad.stdout and "defined twice" not in bad.stdout
