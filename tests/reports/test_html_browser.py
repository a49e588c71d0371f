"""The HTML report in a real browser: headless Chromium (Debian package ``chromium``) runs the
report's own script, and ``--dump-dom`` shows the page as a person would have it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_fixtures import every_outcome

from checker.reports.html import render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is absent (Debian package chromium; .ci/run installs it)"
    ),
]


def _dom(path: Path, fragment: str = "") -> str:
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=2000",
            "--dump-dom",
            f"{path.as_uri()}{fragment}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _rows(dom: str) -> list[tuple[str, bool]]:
    """(outcome, hidden) per table row."""
    body = dom.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        (match.group(2), "hidden" in match.group(1) + match.group(3))
        for match in re.finditer(r'<tr([^>]*)data-outcome="([a-z]+)"([^>]*)>', body)
    ]


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(render_html(every_outcome()), encoding="utf-8")
    return path


def test_every_check_has_a_row_and_the_script_ran(page: Path) -> None:
    dom = _dom(page)
    rows = _rows(dom)
    assert [outcome for outcome, _ in rows] == [
        "fail",
        "fail",
        "missing",
        "error",
        "pending",
        "skipped",
        "flaky",
        "pass",
    ]
    assert not any(hidden for _, hidden in rows)
    assert '<html lang="en" class="js">' in dom  # the script ran under the page's CSP
    assert "8 of 8 shown" in dom


def test_filtering_and_search_work(page: Path) -> None:
    failed = _rows(_dom(page, "#outcome=fail"))
    assert sorted(o for o, hidden in failed if not hidden) == ["fail", "fail"]
    searched = _rows(_dom(page, "#q=ghost"))
    assert [o for o, hidden in searched if not hidden] == ["missing"]


def test_hostile_text_executes_nothing_and_links_nowhere(page: Path) -> None:
    dom = _dom(page)
    assert "<title>checker: FAILED" in dom and "pwned" not in dom.split("</title>")[0]
    body = dom.split("<tbody>", 1)[1]
    assert "<img" not in body and "<script" not in body.split("</tbody>")[0]
    links = re.findall(r'href="([^"]*)"', dom)
    assert links and all(
        link.startswith("https://devcloud.cn-north-4.huaweicloud.com/") for link in links
    )


def test_without_scripts_everything_is_still_shown(page: Path) -> None:
    text = page.read_text()
    assert text.count("<tr data-outcome=") == 8
    assert ".controls{margin:12px 0;display:none" in text  # filters appear only with scripts


def test_ten_thousand_checks_load_and_filter(tmp_path: Path) -> None:
    base = every_outcome()
    results = tuple(
        base.results[index % len(base.results)].model_copy(update={"name": f"check-{index}"})
        for index in range(10_000)
    )
    path = tmp_path / "big.html"
    path.write_text(render_html(base.model_copy(update={"results": results})), encoding="utf-8")
    rows = _rows(_dom(path, "#outcome=pending"))
    assert len(rows) == 10_000
    assert sum(not hidden for _, hidden in rows) == sum(r.outcome == "pending" for r in results)
