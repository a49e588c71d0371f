"""The HTML report in a real browser: headless Chromium (Debian package ``chromium``) runs the
report's own script, and ``--dump-dom`` shows the page as a person would have it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_fixtures import every_outcome

from checker.reports.formats import render_html

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
            "--window-size=1280,900",
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
    # Grouped as the header counts them: blocking problems, then the non-blocking ones.
    assert [outcome for outcome, _ in rows] == [
        "fail",
        "missing",
        "error",
        "pending",
        "flaky",
        "fail",  # a warning
        "skipped",
        "pass",
    ]
    assert not any(hidden for _, hidden in rows)
    assert '<html lang="en" class="js">' in dom  # the script ran under the page's CSP
    assert "8 of 8 shown" in dom


def test_filtering_and_search_work(page: Path) -> None:
    failed = _rows(_dom(page, "#group=failed"))
    assert [o for o, hidden in failed if not hidden] == ["fail"]  # the blocking one
    warned = _rows(_dom(page, "#outcome=warning"))  # an older link's name for the group
    assert [o for o, hidden in warned if not hidden] == ["fail"]  # the non-blocking one
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


def _buttons(dom: str) -> dict[str, int]:
    return {
        group: int(count)
        for group, count in re.findall(r'data-filter="([a-z]+)"[^>]*>[a-z]+ \(([0-9]+)\)', dom)
    }


def test_each_button_counts_exactly_the_rows_it_shows_and_matches_the_header(page: Path) -> None:
    dom = _dom(page)
    buttons = _buttons(dom)
    header = dict(re.findall(r"<span>([a-z]+): <strong>([0-9]+)</strong></span>", dom))
    for group, count in buttons.items():
        shown = _rows(_dom(page, f"#group={group}"))
        assert sum(not hidden for _, hidden in shown) == count, group
        assert int(header["checks" if group == "all" else group]) == count, group
    # A non-blocking warning is never the first row, above the failures.
    first = re.search(r'<tr data-outcome="[a-z]+" data-group="([a-z]+)"', dom)
    assert first is not None and first.group(1) == "failed"


_MEASURE = (
    "<script>var w=[].map.call(document.querySelectorAll('#checks thead th'),"
    "function(th){return Math.round(th.getBoundingClientRect().width)});"
    "document.body.setAttribute('data-widths',w.join(','));"
    "document.body.setAttribute('data-page',document.documentElement.scrollWidth);</script>"
)


def test_a_long_unbreakable_name_wraps_inside_its_column(tmp_path: Path) -> None:
    base = every_outcome()
    long_name = "release-" + "x" * 3_000
    results = (base.results[0].model_copy(update={"name": long_name}), *base.results[1:])
    html = render_html(base.model_copy(update={"results": results}))
    # The page's CSP allows only its own script: the copy measured drops it, nothing else.
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    path = tmp_path / "long.html"
    path.write_text(html.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    dom = _dom(path)
    measured = re.search(r'data-widths="([0-9,]+)"', dom)
    page = re.search(r'data-page="([0-9]+)"', dom)
    assert measured is not None and page is not None
    page_width = int(page.group(1))
    _, check, _, _, why = (int(width) for width in measured.group(1).split(","))
    widths = measured.group(1)
    assert page_width <= 1280  # no horizontal scrolling
    assert check < 300 and why >= 350, widths  # was 9,620 px and 50 px
