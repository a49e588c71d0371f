"""Every format over a result with every outcome and hostile text, pinned in golden files and
read by the consumers users run: check-jsonschema, Jenkins' XSD, junitparser, cmark-gfm.

Regenerate after reading the difference: CHECKER_REGENERATE_GOLDEN=1 python -m pytest tests/reports
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xmlschema
from helpers import DATA, REPO
from jsonschema import Draft202012Validator
from junitparser import JUnitXml
from report_fixtures import every_outcome

from checker.gate.results import RunReport
from checker.reports.formats import RENDERERS
from checker.reports.markdown import render_markdown
from checker.reports.settings import RenderSettings

GOLDEN = DATA / "reports"
SUFFIXES = {
    "junit": "xml",
    "markdown": "md",
    "json": "json",
    "text": "txt",
    "html": "html",
    "dotenv": "env",
    "codequality": "codequality.json",
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_every_format_matches_its_golden_file(name: str) -> None:
    text = RENDERERS[name](every_outcome(), RenderSettings(complete="reports/gate.json"))
    golden = GOLDEN / f"every-outcome.{SUFFIXES[name]}"
    if os.environ.get("CHECKER_REGENERATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_json_report_is_valid_against_the_committed_schema(tmp_path: Path) -> None:
    schema = json.loads((REPO / "schemas" / "report.schema.json").read_text())
    report = json.loads(RENDERERS["json"](every_outcome(), RenderSettings()))
    assert list(Draft202012Validator(schema).iter_errors(report)) == []
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(REPO / "schemas" / "report.schema.json"),
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_junit_is_read_by_jenkins_xsd_and_junitparser(tmp_path: Path) -> None:
    text = RENDERERS["junit"](every_outcome(), RenderSettings())
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(text)
    path = tmp_path / "gate.xml"
    path.write_text(text, encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suite = next(iter(xml))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (8, 3, 1, 2)
    assert 'time="720.000"' in text


def _gfm(markdown: str) -> str:
    binary = shutil.which("cmark-gfm")
    if binary is None:
        pytest.skip("cmark-gfm (GitHub's Markdown renderer, Debian package cmark-gfm) is absent")
    done = subprocess.run(
        [binary, "-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tagfilter"],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_github_renders_the_markdown_as_text_and_tables() -> None:
    html = _gfm(render_markdown(every_outcome(), RenderSettings()))
    assert "<del>" not in html and "<script" not in html and "<img" not in html
    links = re.findall(r'<a href="([^"]*)"', html)
    console = "https://devcloud.cn-north-4.huaweicloud.com/cicd/project/"
    assert links == [f"{console}db8d07265e24426598b3eb03a7818972/run/{n}" for n in (30, 7, 5)]
    assert html.count("<tr>") == 8 + 6  # one row per check, a header per section
    assert "\u202e" not in html


def test_the_65000_byte_cap_holds_for_10000_checks_with_400_failures() -> None:
    base = every_outcome()
    passed, failed = base.results[0], base.results[1]
    long = failed.model_copy(update={"message": failed.message + " x" * 5000})
    results = [long.model_copy(update={"name": f"fail-{i}"}) for i in range(400)]
    results += [passed.model_copy(update={"name": f"pass-{i}"}) for i in range(9600)]
    report = base.model_copy(update={"results": tuple(results)})
    text = render_markdown(report, RenderSettings(markdown_max_bytes=65_000, complete="gate.json"))
    assert len(text.encode()) <= 65_000
    left_out = re.search(
        r"_([\d,]+) more checks not shown here, ([\d,]+) of them failing: every check is in "
        r"gate\.json\._",
        text,
    )
    assert left_out is not None
    shown = text.count("| ❌ fail |") + text.count("| ✅ pass |")
    hidden, failing = (int(group.replace(",", "")) for group in left_out.groups())
    assert shown + hidden == 10_000
    assert failing == 400 - text.count("| ❌ fail |")
    assert text.index("fail-0") < text.index("fail-1")  # failures come first
    assert text.endswith("\n\n")
    assert _gfm(text).count("<table>") >= 1


def test_a_report_renders_again_identically(tmp_path: Path) -> None:
    report = every_outcome()
    again = RunReport.model_validate_json(RENDERERS["json"](report, RenderSettings()))
    for name in sorted(RENDERERS):
        assert RENDERERS[name](again, RenderSettings()) == RENDERERS[name](report, RenderSettings())


def test_a_broken_manifest_still_writes_every_report_saying_why(tmp_path: Path) -> None:
    """Exit 2 with --report: one JUnit error per located problem (Jenkins' XSD, junitparser),
    the problems in Markdown (cmark-gfm), HTML and JSON (the committed schema)."""
    from helpers import run_cli

    manifest = tmp_path / "gate.yaml"
    manifest.write_text(
        (DATA / "manifests" / "invalid" / "readme-diagnostics.yaml").read_text(), "utf-8"
    )
    paths = {name: tmp_path / f"gate.{SUFFIXES[name]}" for name in ("junit", "markdown", "json")}
    paths["html"] = tmp_path / "gate.html"
    reports = [arg for name, path in paths.items() for arg in ("--report", f"{name}={path}")]
    run = run_cli(["check", str(manifest), *reports])
    assert run.exit_code == 2
    assert "3 problems found; nothing was queried" in run.stderr
    junit = paths["junit"].read_text()
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(junit)
    suite = next(iter(JUnitXml.fromfile(str(paths["junit"]))))
    assert (suite.name, suite.tests, suite.errors) == ("checker manifests", 3, 3)
    assert f'message="{manifest}:10:7: unknown key &#39;stauts&#39;' in junit
    markdown = _gfm(paths["markdown"].read_text())
    assert markdown.count("<tr>") == 1 + 3 and "gate.yaml:12:23" in markdown
    assert "NOT RUN: 3 problems in the manifests" in markdown
    report = json.loads(paths["json"].read_text())
    schema = json.loads((REPO / "schemas" / "report.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(report)) == []
    assert report["exit_code"] == 2 and report["results"] == []
    assert [(p["line"], p["column"]) for p in report["problems"]] == [(8, 22), (10, 7), (12, 23)]
    html = paths["html"].read_text()
    assert html.count("<tr><td><code>") == 3 and "the gate did not run" in html
    # Rendered again from the JSON, every format is the same.
    again = tmp_path / "again.xml"
    assert run_cli(["render", str(paths["json"]), "--report", f"junit={again}"]).exit_code == 0
    assert again.read_text() == junit


def _valid_code_quality(path: Path) -> list[dict[str, object]]:
    """Read by check-jsonschema against GitLab's documented format; fingerprints unique."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(DATA / "gitlab-codequality.schema.json"),
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    issues: list[dict[str, object]] = json.loads(path.read_text())
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    return issues


def test_code_quality_is_gitlab_s_format_with_stable_fingerprints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = every_outcome()
    path = tmp_path / "gl-code-quality.json"
    path.write_text(RENDERERS["codequality"](report, RenderSettings()), encoding="utf-8")
    issues = _valid_code_quality(path)
    # Every check that did not pass, none that did (pass, flaky).
    assert len(issues) == sum(r.standing not in ("passed", "flaky") for r in report.results)
    assert {issue["location"]["path"] for issue in issues} == {"gates/release.yaml"}  # type: ignore[index]
    severities = {issue["check_name"]: issue["severity"] for issue in issues}
    assert severities["checker/missing"] == "critical" and severities["checker/skipped"] == "info"
    # A later run of the same gate: other times, other messages, the same fingerprints.
    later = report.model_copy(
        update={
            "generated_at": "2026-12-01T09:00:00+00:00",
            "results": tuple(
                r.model_copy(update={"message": r.message + " (again)"}) for r in report.results
            ),
        }
    )
    again = json.loads(RENDERERS["codequality"](later, RenderSettings()))
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]
