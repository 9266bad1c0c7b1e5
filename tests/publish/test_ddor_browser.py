"""The DDOR's HTML edition in a real browser (Debian's Chromium driven by Playwright): it renders, its chart
draws, nothing overflows the page, and the browser reports no errors."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from sanctuary_atlas.store import Store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report(built_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "ddor.html"
    done = subprocess.run(
        [
            *("sanctuary-atlas", "ddor", "--from", "2015-02-01", "--to", "2015-02-07", "--format", "html"),
            *("--out", str(out), "--store", str(built_store.root)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


def _open(browser: Browser, report: Path, width: int = 1280) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed to load {r.url}"))
    page.goto(report.as_uri())
    return page, problems


def test_sections_and_tables_render(browser: Browser, report: Path) -> None:
    page, problems = _open(browser, report)
    assert "Declined Detainer Outcome Report" in page.title()
    headings = page.locator("h2").all_inner_texts()
    assert [h.split(".")[0] for h in headings] == ["I", "II", "III", "IV"]
    # Section I: a header row and the 25 jurisdictions, each with a decline rate cell that is a percentage
    # or empty (hidden with its inputs), never a raw fraction.
    rows = page.locator("table").first.locator("tr")
    assert rows.count() == 26
    for text in page.locator("table").first.locator("tr td:nth-last-child(3)").all_inner_texts():
        assert text == "" or text.endswith("%"), text
    # Small counts are shown as "<5" or "suppressed", never as 1-4 (section I's first column is the rank).
    counts = page.locator("table").first.locator("td:not(:first-child)").all_inner_texts()
    for table in page.locator("table").all()[1:]:
        counts += table.locator("td").all_inner_texts()
    assert "<5" in counts
    assert not [c for c in counts if c.strip() in {"1", "2", "3", "4"}]
    # Screen readers: every table says what it holds, and every header cell what it heads.
    assert page.locator("table").count() == page.locator("table > caption").count() == 4
    assert page.locator("th").count() == page.locator("th[scope=col]").count()
    assert problems == []
    page.close()


def test_chart_is_drawn_with_a_bar_per_jurisdiction(browser: Browser, report: Path) -> None:
    page, problems = _open(browser, report)
    chart = page.locator(".chart svg")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    # Vega draws each stacked segment as a path in the marks group; 25 jurisdictions give at least 25.
    assert page.locator(".chart svg g.mark-rect path").count() >= 25
    labels = page.locator(".chart svg g.role-axis-label text").evaluate_all("els => els.map(e => e.textContent)")
    first_row = page.locator("table").first.locator("tr").nth(1).locator("td").nth(1).inner_text()
    assert first_row.split("\n")[0] in labels
    # Every label is drawn inside the chart: the chart engine sized the axis with the page's font.
    clipped = page.evaluate(
        """() => {
            const box = document.querySelector('.chart svg').getBoundingClientRect();
            return [...document.querySelectorAll('.chart svg text')]
                .filter(t => { const r = t.getBoundingClientRect();
                               return r.left < box.left - 0.5 || r.right > box.right + 0.5; })
                .map(t => t.textContent);
        }"""
    )
    assert clipped == []
    assert problems == []
    page.close()


@pytest.mark.parametrize("width", [1280, 1024])
def test_nothing_overflows_the_page(browser: Browser, report: Path, width: int) -> None:
    page, _ = _open(browser, report, width)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px wider than a {width}px window"
    page.close()
