"""A real browser (Debian's Chromium through Playwright) against a real server process.

The server runs `gapbridge serve` on its own SQLite file, prepared with the same two commands a user runs
(`migrate`, `load-reference`). Skipped, with the reason, when Chromium is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web import live

pytestmark = live.pytestmark


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("var")
    yield from live.serve(live.prepare(var, [["migrate"], ["load-reference"]]), var)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from live.chromium()


def test_country_profile_renders_chart_and_map(server: str, browser: object, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(server + "/countries/KEN/")
    assert page.locator("h1").inner_text().startswith("Kenya")
    chart = page.locator("#pillar-chart svg")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    bars = page.locator("#pillar-chart svg rect")
    assert bars.count() >= 7
    widths = [bars.nth(i).bounding_box() for i in range(bars.count())]
    assert sum(1 for w in widths if w and w["width"] > 1) >= 7, "bars are drawn with real widths"
    countries = page.locator("#map svg path[data-iso3]")
    assert countries.count() > 150
    kenya = page.locator('#map svg path[data-iso3="KEN"]').bounding_box()
    assert kenya is not None and kenya["width"] > 2
    page.screenshot(path=str(tmp_path / "kenya.png"), full_page=True)
    page.close()


def test_countries_filter_with_htmx_and_arabic_direction(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/countries/")
    page.select_option("select[name=group]", "ldc")
    page.fill("input[name=on]", "2026-11-25")
    page.locator("input[name=on]").dispatch_event("change")
    # A locator wait, not a JS string: the site's Content-Security-Policy forbids eval, even for tests.
    page.locator("#country-table .table-meta", has_text="41 economies").wait_for(timeout=10_000)
    assert "Bangladesh" not in page.locator("#country-table").inner_text()
    page.select_option("#lang-select", "ar")
    with page.expect_navigation():  # the language form posts, then redirects back to this page
        page.locator("form.lang button").click()
    page.locator("html[dir=rtl]").wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pages_fit_a_phone_wide_tables_scroll_in_their_own_box(server: str, browser: Any, lang: str) -> None:
    phone = {"width": 390, "height": 844}
    page = browser.new_page(viewport=phone, extra_http_headers={"Accept-Language": lang})
    for path in ("/countries/", "/countries/KEN/"):
        page.goto(server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} scrolls sideways"
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] < 844 / 5, "the header leaves the screen to the page"
        table = page.locator(".table-scroll > table.data").first
        box = page.locator(".table-scroll").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        wide = table.evaluate("t => t.scrollWidth > t.parentElement.clientWidth")
        if path == "/countries/":
            assert wide, "the country table is wider than a phone: it scrolls inside its box"
    page.close()
