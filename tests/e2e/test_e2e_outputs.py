"""Results for the next CI step: GitHub step outputs and GitLab's dotenv report, with names
fixed and values that API text cannot forge."""

from __future__ import annotations

from pathlib import Path

from helpers import AUTH, P_BANNED, P_BUILD, R_BANNED, R_BUILD, Start, run_cli, write_manifest


def parse_github_output(text: str) -> dict[str, str]:
    """As the runner reads the file: ``name=value`` or ``name<<DELIMITER`` … ``DELIMITER``."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            else:
                raise AssertionError(f"{name}: unterminated")
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


CHECKS = {
    "build": {"pipeline_id": P_BUILD, "pipeline_run_id": R_BUILD},
    "scan": {"pipeline_id": P_BANNED, "pipeline_run_id": R_BANNED},
}


def test_github_step_outputs_follow_the_gate(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    output = tmp_path / "github_output"
    output.write_text("earlier=step\n")
    report = tmp_path / "gate.json"
    run = run_cli(
        [
            "check",
            str(write_manifest(tmp_path, CHECKS)),
            "--endpoint",
            server.url,
            f"--report=json={report}",
        ],
        {**AUTH, "GITHUB_OUTPUT": str(output)},
    )
    assert run.exit_code == 1, run.output
    values = parse_github_output(output.read_text())
    assert values["earlier"] == "step"  # appended: other steps' outputs are kept
    assert values["verdict"] == "failed"
    assert values["failed"] == '["scan"]'
    assert values["count-passed"] == "1" and values["count-failed"] == "1"
    assert values["report-json"] == str(report)
    assert set(values) == {
        "earlier",
        "verdict",
        "failed",
        "report-json",
        *(
            f"count-{n}"
            for n in (
                "total",
                "passed",
                "failed",
                "missing",
                "errors",
                "pending",
                "skipped",
                "warnings",
            )
        ),
    }


def test_the_dotenv_report_is_one_fixed_name_per_line(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    dotenv = tmp_path / "gate.env"
    run = run_cli(
        [
            "check",
            str(write_manifest(tmp_path, CHECKS)),
            "--endpoint",
            server.url,
            f"--report=dotenv={dotenv}",
        ],
        AUTH,
    )
    assert run.exit_code == 1
    lines = dotenv.read_text().splitlines()
    assert "CHECKER_VERDICT=failed" in lines and 'CHECKER_FAILED=["scan"]' in lines
    assert all(line.startswith("CHECKER_") and line.count("=") >= 1 for line in lines)


def test_start_says_where_its_runs_are(tmp_path: Path, emulator: Start) -> None:
    server = emulator()
    output = tmp_path / "github_output"
    runs = tmp_path / "runs.json"
    run = run_cli(
        [
            "start",
            str(write_manifest(tmp_path, {"build": {"pipeline_id": P_BUILD}})),
            "--endpoint",
            server.url,
            "--auto-approve",
            "--out",
            str(runs),
        ],
        {**AUTH, "GITHUB_OUTPUT": str(output)},
    )
    assert run.exit_code == 0, run.output
    values = parse_github_output(output.read_text())
    assert values == {"runs": str(runs), "started": "1", "queued": "0"}


def test_a_value_cannot_end_its_delimiter_early() -> None:
    from checker.reports.outputs import github_output_text

    hostile = "x\nghadelimiter_\nverdict=passed\n"
    text = github_output_text({"failed": hostile})
    assert parse_github_output(text) == {"failed": hostile}
