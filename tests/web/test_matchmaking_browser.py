"""The matchmaking flow in a real browser (Debian's Chromium through Playwright) against a real server.

A provider publishes an offer through the pages; a focal point writes and submits a need through the
pages, sees ranked, explained, eligible offers on the need's page (one provider has a track record from
real imported IATI activities), contacts and accepts one; the provider's dashboard shows where its offer
fits; the need's history shows every move. The server is prepared with the commands a user runs
(`migrate`, `load-reference`, `import-iati`, `seed-offers`, `add-user`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web import live

from ..integration.test_projects_support import ICT_203

pytestmark = live.pytestmark
PASSWORD = "correct-horse-battery-staple"
PROVIDER_REF = "KE-RCO-CPR/2009/5689"  # TradeMark East Africa: trade facilitation in Kenya, in ICT_203
OFFER = "Customs single window and e-trade advisory"
NEED = "Paperless trade for Kenyan SMEs"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from live.chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`test_browser`'s live server, plus registry data, seeded offers and three users."""
    var = tmp_path_factory.mktemp("var")
    steps = [
        ["migrate"],
        ["load-reference"],
        ["import-iati", str(ICT_203), "--workers", "0"],
        ["seed-offers"],
        ["add-user", "provider", "--email", "p@example.org", "--role", "org_editor"],
        ["add-user", "fp", "--email", "fp@example.org", "--role", "focal_point", "--country", "KEN"],
    ]
    steps[4] += ["--organization", PROVIDER_REF]
    env = live.prepare(var, steps, GAPBRIDGE_PASSWORD=PASSWORD)
    yield from live.serve(env, var)


def _saved(page: Any, heading: str) -> None:
    """Wait for the page titled ``heading`` after a form was sent; fail with the form's errors if not."""
    try:
        page.locator("h1", has_text=heading).wait_for(timeout=15_000)
    except Exception as exc:
        errors = page.locator(".errorlist, .error").all_inner_texts()
        invalid = page.locator("form.form :invalid").evaluate_all("l => l.map(e => e.name)")
        errors += [f"invalid: {name}" for name in invalid]
        raise AssertionError(f"form not saved at {page.url}: {errors}") from exc


def _login(browser: Any, server: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(server + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():  # the sign-in form posts, then redirects away from the login page
        page.locator("form button[type=submit], form input[type=submit]").last.click()
    assert "/accounts/login/" not in page.url, page.content()[:2000]
    return page


def test_focal_point_publishes_a_need_and_acts_on_ranked_explained_offers(
    server: str, browser: Any, tmp_path: Path
) -> None:
    # the provider publishes an offer through the pages
    provider = _login(browser, server, "provider")
    provider.goto(server + "/offers/new/")
    chosen = provider.select_option("#id_provider", label="TradeMark East Africa")
    assert chosen, "the editor's organization, created by the IATI import"
    provider.fill("#id_title", OFFER)
    provider.fill(
        "#id_description",
        "Advice on customs single windows, paperless trade and e-commerce rules for SMEs in East Africa.",
    )
    provider.select_option("#id_kind", "technical-assistance")
    provider.check("input[name=focus_areas][value=trade-facilitation]")
    provider.check("input[name=focus_areas][value=ecommerce-sme]")
    provider.locator("form.form button[type=submit]").click()
    _saved(provider, OFFER)
    offer_url = provider.url
    provider.fill("form:has(input[name=to][value=published]) input[name=reason]", "ready for requests")
    provider.locator("form:has(input[name=to][value=published]) button").click()
    provider.locator(".history", has_text="ready for requests").wait_for()

    # the focal point writes and submits a need
    fp = _login(browser, server, "fp")
    fp.goto(server + "/needs/new/")
    fp.select_option("#id_country", "KEN")
    fp.fill("#id_title", NEED)
    fp.fill(
        "#id_description",
        "Our SMEs need a customs single window and paperless trade procedures to sell online.",
    )
    fp.check("input[name=focus_areas][value=trade-facilitation]")
    fp.check("input[name=kinds][value=technical-assistance]")
    fp.locator("form.form button[type=submit]").click()
    _saved(fp, NEED)
    need_url = fp.url
    fp.fill("form:has(input[name=to][value=submitted]) input[name=reason]", "approved by the ministry")
    fp.locator("form:has(input[name=to][value=submitted]) button").click()
    fp.locator(".history", has_text="approved by the ministry").wait_for()
    fp.fill("form:has(input[name=to][value=validated]) input[name=reason]", "checked by the focal point")
    fp.locator("form:has(input[name=to][value=validated]) button").click()
    fp.locator(".history", has_text="checked by the focal point").wait_for()

    # ranked, explained, eligible offers; the provider's track record comes from the imported activities
    items = fp.locator("ol.suggestions > li")
    assert items.count() >= 2, "the provider's offer and seeded digital public goods"
    scores = [float(items.nth(i).locator(".score").first.inner_text()) for i in range(items.count())]
    assert scores == sorted(scores, reverse=True)
    ours = items.filter(has_text=OFFER)
    assert ours.count() == 1
    why = ours.locator("details.why")
    why.locator("summary").click()
    text = why.inner_text()
    assert "on record:" in text and " in Kenya" in text, text
    assert "✓" in text and "✗" not in text, "every constraint checked and passed"
    fp.screenshot(path=str(tmp_path / "need.png"), full_page=True)

    # the provider sees where its offer fits: on its dashboard and on the offer's page
    provider.goto(server + "/matches/provider/")
    fits = provider.locator("h3", has_text=OFFER).locator("xpath=following-sibling::ul[1]")
    assert NEED in fits.inner_text()
    provider.goto(offer_url)
    fit = provider.locator("ol.suggestions > li", has_text=NEED)
    fit.locator("summary").click()
    assert "Kenya" in fit.locator("details.why").inner_text()

    # contact, then accept
    ours.locator("form:has(input[name=action][value=contact]) button").click()
    ours = fp.locator("ol.suggestions > li").filter(has_text=OFFER)
    ours.locator("a", has_text="Contacted").wait_for()
    ours.locator("form:has(input[name=action][value=accepted]) input[name=reason]").fill("best fit for us")
    ours.locator("form:has(input[name=action][value=accepted]) button").click()
    fp.locator("table.data tr", has_text=OFFER).locator("td", has_text="Accepted").wait_for()
    fp.goto(need_url)
    history = fp.locator(".history tbody tr")
    moves = [history.nth(i).locator("td").nth(2).inner_text() for i in range(history.count())]
    assert moves[:3] == ["Draft", "Submitted", "Validated"] and moves[-1] == "Matched", moves
    assert "best fit for us" in fp.locator(".history").inner_text()

    # the provider sees the accepted match on its dashboard
    provider.goto(server + "/matches/provider/")
    accepted = provider.locator("tr", has_text=NEED)
    assert "Accepted" in accepted.last.inner_text()
    provider.context.close()
    fp.context.close()
