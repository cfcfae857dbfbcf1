"""Arabic in a real browser: a country page laid out right-to-left, with a screenshot to look at.

Uses the server and Chromium fixtures of tests/web/test_browser.py (a real `gapbridge serve` process on
its own SQLite file). Skipped, with the reason, when Chromium is not installed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import CHROMIUM, browser, server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]
__all__ = ["browser", "server"]  # fixtures shared with test_browser.py

VIEWPORT = {"width": 1280, "height": 900}


def _open(browser: Any, server: str, lang: str, path: str) -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale=lang)
    context.add_cookies([{"name": "django_language", "value": lang, "url": server}])
    page = context.new_page()
    page.goto(server + path)
    return page


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not visible"
    return dict(box)


def test_country_page_in_arabic_is_right_to_left(server: str, browser: Any, tmp_path: Path) -> None:
    english = _open(browser, server, "en", "/countries/NER/")
    arabic = _open(browser, server, "ar", "/countries/NER/")
    try:
        html = arabic.locator("html")
        assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
        assert english.locator("html").get_attribute("dir") == "ltr"
        assert arabic.locator("h1").inner_text().startswith("النيجر")
        assert "Connectivity" not in arabic.locator("#pillars").inner_text()

        # The header is mirrored: the brand sits at the right edge, the navigation to its left.
        brand, nav = _box(arabic, ".site-header .brand"), _box(arabic, ".site-header nav")
        assert brand["x"] + brand["width"] > VIEWPORT["width"] * 0.9
        assert nav["x"] < brand["x"]
        en_brand, en_nav = _box(english, ".site-header .brand"), _box(english, ".site-header nav")
        assert en_brand["x"] < VIEWPORT["width"] * 0.1 and en_nav["x"] > en_brand["x"]

        # Tables read from the right: the first column (pillar names) is the right-most one.
        first, last = (
            _box(arabic, "#pillars thead th:first-child"),
            _box(arabic, "#pillars thead th:last-child"),
        )
        assert first["x"] > last["x"]

        # The chart is drawn mirrored: pillar labels on the right, bars growing leftwards from them.
        chart = arabic.locator("#pillar-chart svg")
        assert chart.get_attribute("direction") == "rtl"
        label = _box(arabic, "#pillar-chart svg .gb-category-label")
        en_label = _box(english, "#pillar-chart svg .gb-category-label")
        svg_box = _box(arabic, "#pillar-chart svg")
        assert label["x"] > svg_box["x"] + svg_box["width"] / 2, "category labels are on the right"
        assert en_label["x"] < _box(english, "#pillar-chart svg")["x"] + svg_box["width"] / 2
        bars = arabic.locator("#pillar-chart svg rect.gb-bar")
        assert bars.count() >= 7
        for i in range(bars.count()):
            bar = bars.nth(i).bounding_box()
            assert bar is not None and bar["x"] + bar["width"] <= label["x"] + label["width"]
            assert bar["x"] + bar["width"] > svg_box["x"] + svg_box["width"] / 2, "bars start on the right"

        shot = Path(os.environ.get("GAPBRIDGE_SCREENSHOTS", tmp_path)) / "niger-ar.png"
        arabic.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
    finally:
        english.context.close()
        arabic.context.close()
