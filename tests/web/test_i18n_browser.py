"""Arabic in a real browser: a country page laid out right-to-left, with a screenshot to look at.

Uses the server and Chromium fixtures of tests/web/test_browser.py (a real `gapbridge serve` process on
its own SQLite file). Skipped, with the reason, when Chromium is not installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web import live
from tests.web.test_browser import browser, server

pytestmark = live.pytestmark
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


PASSWORD = "a long passphrase for the browser test"
# An editor of one organization who is also Niger's focal point: the navigation shows every dashboard.
MAKE_USER = f"""
from django.contrib.auth import get_user_model
from gapbridge.accounts.models import Role, RoleAssignment
from gapbridge.countries.models import Economy
from gapbridge.organizations.models import Organization
user = get_user_model().objects.create_user("amina", "amina@example.org", {PASSWORD!r})
org = Organization.objects.create(name="Sahel Connect", iati_ref="XM-TEST-SAHEL")
RoleAssignment.objects.create(user=user, role=Role.ORG_EDITOR, organization=org)
RoleAssignment.objects.create(user=user, role=Role.FOCAL_POINT, economy=Economy.objects.get(iso3="NER"))
"""


@pytest.fixture(scope="module")
def role_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server whose database has a user with roles (the shared one has no users)."""
    var = tmp_path_factory.mktemp("var-roles")
    env = live.prepare(var, [["migrate"], ["load-reference"], ["manage.py", "shell", "-c", MAKE_USER]])
    yield from live.serve(env, var)


def test_navigation_with_every_dashboard_stays_right_to_left_in_arabic(
    role_server: str, browser: Any, tmp_path: Path
) -> None:
    page = _open(browser, role_server, "ar", "/accounts/login/?next=/countries/NER/")
    try:
        page.fill("input[name=username]", "amina")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/countries/NER/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        nav = page.locator(".site-header nav")
        wanted = ["/projects/funding/", "/matches/provider/", "/matches/focal-point/", "/matches/alerts/"]
        for href in wanted:
            link = nav.locator(f'a[href="{href}"]')
            assert link.count() == 1, href
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"], href
        # Links run from right to left: "Countries" (first in the markup) right of the dashboards (last).
        first, last = (
            _box(page, '.site-header nav a[href="/countries/"]'),
            _box(page, f'nav a[href="{wanted[-1]}"]'),
        )
        assert first["y"] < last["y"] or first["x"] > last["x"]
        brand = _box(page, ".site-header .brand")
        assert brand["x"] + brand["width"] > VIEWPORT["width"] * 0.9, "the brand stays on the right"
        # Nothing spills sideways: the page is no wider than the window.
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
        # The country page links its funding page; it opens, in Arabic, with the country's name.
        page.locator('a[href="/projects/funding/NER/"]').click()
        page.wait_for_url("**/projects/funding/NER/")
        assert page.locator("h1").inner_text().find("النيجر") >= 0
        shot = Path(os.environ.get("GAPBRIDGE_SCREENSHOTS", tmp_path)) / "niger-funding-ar-signed-in.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
    finally:
        page.context.close()
