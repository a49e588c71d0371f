"""Reports as their consumers read them: junitparser and Jenkins' XSD for JUnit, a GFM parser
for Markdown, the model for JSON. Reason texts are hostile on purpose."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from helpers import DATA, evaluate, make_check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from junitparser import Error, Failure, JUnitXml, Skipped
from markdown_it import MarkdownIt

from checker.gate.answers import Observation, QueryFailure
from checker.gate.checks import CheckSpec
from checker.gate.results import CheckResult, RunReport
from checker.gate.types import Severity
from checker.reports.formats import RENDERERS, render_junit
from checker.reports.markdown import render_markdown
from checker.reports.settings import RenderSettings
from checker.reports.write import write_atomic

# Jenkins' JUnit schema (MIT, Gregory Boissinot), copied from the shared reference folder.
JUNIT_XSD = DATA / "junit-10.xsd"
HOSTILE = "a < b & c > d ]]> \"q\" 'q' | pipe\nnew line \x00\x07\x1b[31m 🚀 \ud7ff\ufffe end"


def _check(name: str, project: str = "p" * 32, severity: Severity = "error") -> CheckSpec:
    return make_check(name, project_id=project, severity=severity, manifest="gates/release.yaml")


def _observed(status: str, reason: str | None, name: str | None = "Pipe") -> list[Observation]:
    return [
        Observation(
            pipeline_id="a" * 32,
            pipeline_run_id="b" * 32,
            status=status,
            reason=reason,
            pipeline_name=name,
        )
    ]


def _report(results: list[CheckResult]) -> RunReport:
    return RunReport.of(results, generated_at="2026-01-01T00:00:00+00:00", checker_version="test")


def _mixed(reason: str = HOSTILE) -> RunReport:
    return _report(
        [
            evaluate(_check("ok"), _observed("START_SUCCESS", None)),
            evaluate(_check("bad"), _observed("START_FAILED", reason, reason)),
            evaluate(_check("gone"), []),
            evaluate(_check("broken", "q" * 32), [], QueryFailure(kind="answer", message=reason)),
            evaluate(_check("soft", severity="warning"), _observed("START_FAILED", reason)),
        ]
    )


def _junit_counts(text: str, tmp_path: Path) -> dict[str, int]:
    path = tmp_path / "r.xml"
    path.write_text(text, encoding="utf-8")
    counts = {"tests": 0, "failure": 0, "error": 0, "skipped": 0}
    for suite in JUnitXml.fromfile(str(path)):
        for case in suite:
            counts["tests"] += 1
            for item in case.result:
                if isinstance(item, Failure):
                    counts["failure"] += 1
                elif isinstance(item, Error):
                    counts["error"] += 1
                elif isinstance(item, Skipped):
                    counts["skipped"] += 1
    return counts


def test_junit_counts_match_outcomes(tmp_path: Path) -> None:
    text = render_junit(_mixed())
    assert _junit_counts(text, tmp_path) == {"tests": 5, "failure": 2, "error": 1, "skipped": 1}
    root = ET.fromstring(text.encode())
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root] == [
        "CodeArts project " + "p" * 32,
        "CodeArts project " + "q" * 32,
    ]
    assert {case.get("classname") for case in root.iter("testcase")} == {"checker.release"}
    skipped = next(root.iter("skipped"))
    assert (skipped.get("message") or "").startswith("warning:")


def test_junit_validates_against_jenkins_xsd() -> None:
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    schema.validate(render_junit(_mixed()))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reason=st.text(max_size=80))
def test_junit_is_well_formed_for_any_reason(reason: str, tmp_path: Path) -> None:
    text = render_junit(_mixed(reason))
    ET.fromstring(text.encode("utf-8"))  # raises on malformed XML
    assert _junit_counts(text, tmp_path)["tests"] == 5


def _table_rows(markdown: str) -> list[list[str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows: list[list[str]] = []
    in_body = False
    for token in tokens:
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            in_body = False
        elif in_body and token.type == "tr_open":
            rows.append([])
        elif in_body and token.type == "inline" and rows:
            rows[-1].append(token.content)
    return rows


def test_markdown_table_has_one_row_per_check_with_hostile_reasons() -> None:
    markdown = render_markdown(_mixed())
    rows = _table_rows(markdown)
    assert len(rows) == 5  # failures first, then the warning, then the passing check folded
    assert all(len(row) == 5 for row in rows)
    assert [row[1] for row in rows] == ["bad", "gone", "broken", "soft", "ok"]
    assert "### Warnings (non-blocking)" in markdown
    assert "<details><summary>Passed (1)</summary>" in markdown
    assert markdown.endswith("\n\n")
    assert markdown.splitlines()[0].startswith("**❌ checker FAILED:")


@settings(max_examples=150, deadline=None)
@given(reason=st.text(max_size=60))
def test_markdown_rows_survive_any_reason(reason: str) -> None:
    rows = _table_rows(render_markdown(_mixed(reason)))
    assert len(rows) == 5 and all(len(row) == 5 for row in rows)


def test_json_report_reads_back() -> None:
    report = _mixed()
    assert RunReport.model_validate_json(RENDERERS["json"](report, RenderSettings())) == report


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_every_renderer_renders(name: str) -> None:
    text = RENDERERS[name](_mixed(), RenderSettings())
    assert "bad" in text


def test_text_summary_has_no_control_characters() -> None:
    text = RENDERERS["text"](_mixed(), RenderSettings())
    assert "\x1b" not in text and "\x00" not in text
    assert "\\x1b" in text


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "r.xml"
    target.write_text("old")

    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xml"]


def test_atomic_write_creates_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "r.md"
    write_atomic(target, "new")
    assert target.read_text() == "new"


def test_every_format_the_command_line_takes_has_a_renderer_and_back() -> None:
    """One list: ``--report`` accepts exactly the formats there are renderers for."""
    from checker.reports.formats import RENDERERS
    from checker.reports.targets import FORMATS

    assert set(FORMATS) == set(RENDERERS)
    assert len(FORMATS) == len(set(FORMATS))
