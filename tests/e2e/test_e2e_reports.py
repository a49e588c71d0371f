"""Reports through the CLI: re-rendering, custom templates, GitHub's step summary and
annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import (
    AUTH,
    EXAMPLES,
    P_BANNED,
    P_BUILD,
    R_BANNED,
    R_BUILD,
    Start,
    manifest_data,
    run_cli,
    world_data,
    write_yaml,
)

FORMATS = ("junit", "markdown", "json", "html", "text")


def _manifest(tmp_path: Path) -> Path:
    checks = {
        "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD, "description": "Builds it"},
        "scan": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED},
    }
    return write_yaml(tmp_path / "gate.yaml", manifest_data(checks))


def test_render_reproduces_what_check_wrote(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    first = [f"--report={name}={tmp_path / f'a.{name}'}" for name in FORMATS]
    template = f"--template={EXAMPLES / 'report-summary.md.j2'}={tmp_path / 'a.summary'}"
    run = run_cli(
        ["check", str(_manifest(tmp_path)), "--endpoint", server.url, *first, template], AUTH
    )
    assert run.exit_code == 1
    again = [f"--report={name}={tmp_path / f'b.{name}'}" for name in FORMATS]
    template = f"--template={EXAMPLES / 'report-summary.md.j2'}={tmp_path / 'b.summary'}"
    rendered = run_cli(["render", str(tmp_path / "a.json"), *again, template])
    assert rendered.exit_code == 0, rendered.output
    for name in (*FORMATS, "summary"):
        assert (tmp_path / f"a.{name}").read_text() == (tmp_path / f"b.{name}").read_text(), name
    assert (
        "- `scan` (fail): expected status START\\_SUCCESS" in (tmp_path / "b.summary").read_text()
    )
    assert "Builds it" in (tmp_path / "a.markdown").read_text()


def test_templates_fail_loudly_and_stay_sandboxed(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    run_cli(
        [
            "check",
            str(_manifest(tmp_path)),
            "--endpoint",
            server.url,
            f"--report=json={tmp_path / 'r.json'}",
        ],
        AUTH,
    )
    (tmp_path / "typo.j2").write_text("line one\n{{ report.verdikt }}\n")
    (tmp_path / "escape.j2").write_text("{{ report.__class__.__mro__ }}")
    typo = run_cli(["render", str(tmp_path / "r.json"), f"--template={tmp_path / 'typo.j2'}=out"])
    assert typo.exit_code == 2
    assert "typo.j2:2: UndefinedError" in typo.stderr
    escape = run_cli(
        ["render", str(tmp_path / "r.json"), f"--template={tmp_path / 'escape.j2'}=out"]
    )
    assert escape.exit_code == 2 and "SecurityError" in escape.stderr
    assert not (tmp_path / "out").exists()


def test_render_refuses_what_is_not_a_result(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"not": "a result"}')
    run = run_cli(["render", str(tmp_path / "x.json"), f"--report=markdown={tmp_path / 'r.md'}"])
    assert run.exit_code == 2 and "cannot read result" in run.stderr


def test_the_step_summary_is_appended_to(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n")
    env = {**AUTH, "GITHUB_STEP_SUMMARY": str(summary)}
    run = run_cli(
        [
            "check",
            str(_manifest(tmp_path)),
            "--endpoint",
            server.url,
            f"--report=markdown={summary}",
        ],
        env,
    )
    assert run.exit_code == 1
    text = summary.read_text()
    assert text.startswith("# Earlier step\n\n**❌ checker FAILED")  # a paragraph of its own


def test_annotations_point_at_the_manifest_line_and_cannot_inject(
    tmp_path: Path, emulator: Start
) -> None:
    world = world_data()
    pipelines = world["projects"]["db8d07265e24426598b3eb03a7818972"]["pipelines"]
    pipelines[P_BANNED]["runs"][R_BANNED]["reason"] = "banned\n::error::forged, 100%: sure"
    server = emulator(world)
    env = {**AUTH, "GITHUB_ACTIONS": "true"}
    manifest = _manifest(tmp_path)
    run = run_cli(["check", str(manifest), "--endpoint", server.url], env)
    commands = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert commands == [
        f"::error file={manifest},line=10,col=3,title=checker%3A scan fail::expected status "
        'START_SUCCESS, observed START_FAILED (pipeline "Nightly security scan", reason '
        '"banned ::error::forged, 100%25: sure")'
    ]
    quiet = run_cli(["check", str(manifest), "--endpoint", server.url, "--no-annotations"], env)
    assert not any(line.startswith("::") for line in quiet.stdout.splitlines())


@pytest.mark.parametrize("field", ["pipeline_id", "pipeline_run_id", "project_id"])
def test_render_refuses_a_tampered_result_that_would_inject_html(
    tmp_path: Path, emulator: Start, field: str
) -> None:
    server = emulator()
    saved = tmp_path / "r.json"
    run = run_cli(
        ["check", str(_manifest(tmp_path)), "--endpoint", server.url, f"--report=json={saved}"],
        AUTH,
    )
    assert run.exit_code == 1
    data = json.loads(saved.read_text())
    data["results"][0][field] = "x`<img src=x onerror=alert(1)>`"
    saved.write_text(json.dumps(data))
    out = tmp_path / "r.md"
    rendered = run_cli(["render", str(saved), f"--report=markdown={out}"])
    assert rendered.exit_code == 2
    assert (
        f"not a checker result: results.0.{field}: String should match pattern" in rendered.stderr
    )
    assert "onerror" not in rendered.output
    assert not out.exists()


BOMBS = {
    "zero.md.j2": ("{{ 1/0 }}", "ZeroDivisionError"),
    "range.md.j2": ("{% for i in range(10**9) %}x{% endfor %}", "OverflowError"),
    "include.md.j2": ('{% include "other.j2" %}', "TypeError"),
    "import.md.j2": ('{% import "m.j2" as m %}', "TypeError"),
    "extends.md.j2": ('line\n{% extends "base.j2" %}', "TypeError"),
    "recursion.md.j2": (
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        "RecursionError",
    ),
    "nested.md.j2": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "its output passed",
    ),
    "lipsum.md.j2": ("{{ lipsum(n=10**7)|length > 0 }}", None),
    "repeat.md.j2": ('{{ "a" * 10**9 }}', "OverflowError"),
    "width.md.j2": ('{{ "%999999999d" % 1 }}', None),
    "format.md.j2": ('{{ "{:999999999}".format(1) }}', None),
    "silent.md.j2": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "stopped",
    ),
}


@pytest.mark.slow
def test_templates_are_bounded_in_time_memory_and_output(tmp_path: Path, emulator: Start) -> None:
    """Every bomb is that template's own error, named; every other report is still written."""
    server = emulator()
    args = [
        "check",
        str(_manifest(tmp_path)),
        "--endpoint",
        server.url,
        f"--report=junit={tmp_path / 'gate.xml'}",
        f"--report=json={tmp_path / 'gate.json'}",
    ]
    for name, (source, _) in BOMBS.items():
        (tmp_path / name).write_text(source)
        args.append(f"--template={tmp_path / name}={tmp_path / (name + '.out')}")
    run = run_cli(args, AUTH)
    assert run.exit_code == 2, run.output
    assert "checker FAILED" in run.stdout or "FAILED" in run.stdout  # the summary is printed
    assert (tmp_path / "gate.xml").exists() and (tmp_path / "gate.json").exists()
    for name, (_, said) in BOMBS.items():
        line = next((x for x in run.stderr.splitlines() if name in x), "")
        if said is None:  # bounded inside: lipsum clamps, widths are Python's own limit
            assert "internal error" not in line
            continue
        assert line.startswith("error: template "), (name, run.stderr)
        assert said in line, (name, line)
        assert not (tmp_path / (name + ".out")).exists()


@pytest.mark.parametrize("name", ["page.HTML.j2", "page.xhtml.j2", "badge.svg.j2", "feed.Xml"])
def test_markup_templates_are_autoescaped_whatever_the_case(
    tmp_path: Path, emulator: Start, name: str
) -> None:
    server = emulator()
    manifest = write_yaml(
        tmp_path / "gate.yaml",
        manifest_data(
            {"build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD, "description": "<b>x"}}
        ),
    )
    (tmp_path / name).write_text("{{ report.results[0].description }}")
    out = tmp_path / "out"
    run = run_cli(
        ["check", str(manifest), "--endpoint", server.url, f"--template={tmp_path / name}={out}"],
        AUTH,
    )
    assert run.exit_code == 0, run.output
    assert out.read_text() == "&lt;b&gt;x"


def test_annotations_are_relative_to_the_workspace(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    workspace = tmp_path / "checkout"
    (workspace / "gates").mkdir(parents=True)
    manifest = write_yaml(
        workspace / "gates" / "gate.yaml",
        manifest_data({"scan": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED}}),
    )
    run = run_cli(
        ["check", str(manifest), "--endpoint", server.url],
        {**AUTH, "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace)},
    )
    assert run.exit_code == 1
    assert "::error file=gates/gate.yaml,line=" in run.stdout


def test_junit_suite_times_add_up_their_cases() -> None:
    from report_fixtures import every_outcome

    from checker.reports.formats import render_junit

    xml = render_junit(every_outcome())
    suite_time = float(xml.split("<testsuite name=")[1].split('time="')[1].split('"')[0])
    assert suite_time == sum(r.duration or 0 for r in every_outcome().results) > 0


def test_gitlab_code_quality_puts_failures_on_their_manifest_lines(
    tmp_path: Path, emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--report codequality: GitLab's format, paths relative to CI_PROJECT_DIR, lines where
    the checks are written, fingerprints that survive the next pipeline; a broken manifest's
    problems are blockers at their lines."""
    server = emulator()
    (tmp_path / "gates").mkdir()
    manifest = _manifest(tmp_path).rename(tmp_path / "gates" / "gate.yaml")
    monkeypatch.chdir(tmp_path / "gates")  # not the checkout's root: the path still is
    env = {**AUTH, "CI_PROJECT_DIR": str(tmp_path)}
    runs = []
    for attempt in ("first", "second"):
        path = tmp_path / f"{attempt}.json"
        args = ["check", str(manifest), "--endpoint", server.url, "--report"]
        run = run_cli([*args, f"codequality={path}"], env)
        assert run.exit_code == 1, run.output
        runs.append(json.loads(path.read_text()))
    first, second = runs
    assert [issue["location"] for issue in first] == [
        {
            "path": "gates/gate.yaml",
            "lines": {"begin": manifest.read_text().splitlines().index("  scan:") + 1},
        }
    ]
    assert first[0]["check_name"] == "checker/fail" and first[0]["severity"] == "critical"
    assert first[0]["description"].startswith("scan: expected status START_SUCCESS")
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in second]

    manifest.write_text(manifest.read_text().replace("pipeline_run_id: ", "pipeline_run_idd: ", 1))
    broken = tmp_path / "broken.json"
    run = run_cli(["check", str(manifest), "--report", f"codequality={broken}"], env)
    assert run.exit_code == 2
    issues = json.loads(broken.read_text())
    assert {issue["severity"] for issue in issues} == {"blocker"}
    assert all(issue["location"]["path"] == "gates/gate.yaml" for issue in issues)
    assert any("pipeline_run_idd" in issue["description"] for issue in issues)
