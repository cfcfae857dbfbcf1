"""What a first-time reader meets on the public pages: no empty board without a way on, names in the reader's
language, no placeholder dots, no "— USD", filters kept after one is refused, no Python `None` in the CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.domain.overlap import share_text
from gapbridge.needs import derived
from gapbridge.needs.models import Need
from gapbridge.offers import services as offers
from gapbridge.projects.models import Activity
from tests import factories
from tests.integration.test_analytics_data import load_fixture

pytestmark = pytest.mark.django_db


def _get(url: str, lang: str = "en", status: int = 200) -> str:
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_an_empty_need_board_points_to_the_indicative_needs_that_match() -> None:
    derived.derive_indicative_needs(per_country=2)
    kenya = Need.objects.indicative().filter(country__iso3="KEN").count()
    assert kenya >= 1
    page = _get("/needs/?country=KEN")
    assert "No need matches these filters." in page
    said = r"(\d+) indicative needs?, derived from data, match(?:es)? them\."
    link = re.search(r'<a href="\?([^"]*)">' + said + "</a>", page)
    assert link is not None and int(link.group(2)) == kenya
    assert "origin=derived" in link.group(1) and "country=KEN" in link.group(1)
    listed = _get(f"/needs/?{link.group(1).replace('&amp;', '&')}")
    assert listed.count("derived from data</span>") == kenya


def test_the_coordination_brief_titles_needs_in_the_readers_language() -> None:
    derived.derive_indicative_needs(per_country=2)
    need = Need.objects.indicative().filter(country__iso3="KEN").first()
    assert need is not None and need.translations["fr"]["title"] != need.title
    french = _get("/analytics/countries/KEN/", "fr")
    assert need.translations["fr"]["title"] in french and need.title not in french
    assert need.title in _get("/analytics/countries/KEN/", "en")


@pytest.mark.parametrize(
    ("dates", "shown"),
    [
        ({}, "open, no deadline"),
        ({"closes": "2031-06-30"}, "until June 30, 2031"),
        ({"opens": "2030-01-15"}, "from Jan. 15, 2030, no deadline"),
        ({"opens": "2030-01-15", "closes": "2031-06-30"}, "Jan. 15, 2030 – June 30, 2031"),
    ],
)
def test_an_offers_application_dates_read_as_words(dates: dict[str, str], shown: str) -> None:
    org = factories.organization("Data Academy", "XM-DATA-ACADEMY")
    editor = factories.user("provider", Role.ORG_EDITOR, organization=org)
    offer = offers.create_offer(
        editor, org, title="Open data training", description="Workshops.", kind="training",
        focus_areas=["data-regulation"], **dates,
    )  # fmt: skip
    offers.change_status(editor, offer.pk, "published", "ready")
    page = re.sub(r"\s+", " ", _get(f"/offers/{offer.pk}/"))
    row = re.search(r"Applications</th><td>(.*?)</td>", page)
    assert row is not None and re.sub(r"<[^>]+>", "", row.group(1)).strip() == shown
    assert "…" not in row.group(1)


def test_a_project_without_a_kind_of_money_says_not_reported(tmp_path: Path) -> None:
    load_fixture(tmp_path)
    activity = Activity.objects.filter(expenditure_usd__isnull=True).first()
    assert activity is not None
    page = _get(f"/projects/{activity.pk}/")
    assert "— USD" not in page and "not reported" in page


def test_a_refused_filter_keeps_the_others(tmp_path: Path) -> None:
    load_fixture(tmp_path)
    page = _get("/projects/?country=KEN&focus_area=no-such-area&publisher=KE-NGO-1", status=400)
    assert "unknown focus_area" in page
    assert re.search(r'<option value="KEN" selected>', page)
    assert 'name="publisher" value="KE-NGO-1"' in page


def test_precision_and_recall_never_print_as_none() -> None:
    shares: list[Any] = [None, 2 / 3, 1.0]
    assert [share_text(s) for s in shares] == ["n/a", "0.67", "1.00"]


def test_the_analytics_say_when_they_were_built_in_one_sentence(tmp_path: Path) -> None:
    load_fixture(tmp_path)
    page = _get("/analytics/")
    built = re.search(r"Built from the registry on ([^<]*)</p>", page)
    assert built is not None and re.fullmatch(r"[^.]*\S \d{2}:\d{2}\.", built.group(1).replace(". ", " "))
    assert ".." not in built.group(1)


def test_matches_lead_each_reader_to_their_matches() -> None:
    """/matches/ has no list of its own: it leads to the reader's dashboard, or to the needs."""
    assert Client().get("/matches/").url == "/needs/"
    cases = {
        factories.user("fp-ken", Role.FOCAL_POINT, iso3="KEN"): "/matches/focal-point/",
        factories.user("sec", Role.SECRETARIAT): "/matches/focal-point/",
        factories.user(
            "editor", Role.ORG_EDITOR, organization=factories.organization("Data Academy", "XM-DATA-ACADEMY")
        ): "/matches/provider/",
    }
    for user, where in cases.items():
        client = Client()
        client.force_login(user)
        response = client.get("/matches/")
        assert response.status_code == 302 and response.url == where, user.username
        assert client.get(where).status_code == 200


def test_the_profile_chart_gives_scores_with_the_tables_one_decimal() -> None:
    page = _get("/countries/KEN/")
    chart = page[page.index("<svg") : page.index("</svg>")]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", chart)
    ticks = {"0", "25", "50", "75", "100"}
    values = [t for t in texts if t not in ticks and re.fullmatch(r"[\d.,]+", t)]
    assert values and all(re.fullmatch(r"\d+\.\d", v) for v in values), values


def test_a_closed_offer_stays_on_the_record_but_a_closed_draft_stays_private() -> None:
    org = factories.organization("Data Academy", "XM-DATA-ACADEMY")
    editor = factories.user("provider", Role.ORG_EDITOR, organization=org)
    fields: dict[str, Any] = {
        "description": "Workshops.",
        "kind": "training",
        "focus_areas": ["data-regulation"],
    }
    served = offers.create_offer(editor, org, title="Served offer", **fields)
    offers.change_status(editor, served.pk, "published", "ready")
    offers.change_status(editor, served.pk, "closed", "cohort full")
    withdrawn = offers.create_offer(editor, org, title="Withdrawn draft", **fields)
    offers.change_status(editor, withdrawn.pk, "closed", "not going ahead")
    # published once, taken back to draft and rewritten, then closed: the rewrite was never public
    rewritten = offers.create_offer(editor, org, title="Public title", **fields)
    offers.change_status(editor, rewritten.pk, "published", "ready")
    offers.change_status(editor, rewritten.pk, "draft", "rewriting")
    offers.update_offer(editor, rewritten.pk, title="Internal budget notes")
    offers.change_status(editor, rewritten.pk, "closed", "dropped")
    client = Client()
    assert client.get(f"/offers/{served.pk}/").status_code == 200
    assert client.get(f"/api/v1/offers/{served.pk}").json()["status"] == "closed"
    assert client.get(f"/offers/{withdrawn.pk}/").status_code == 404
    assert client.get(f"/api/v1/offers/{withdrawn.pk}").status_code == 404
    assert client.get(f"/offers/{rewritten.pk}/").status_code == 404
    listed = client.get("/api/v1/offers?status=closed").json()["results"]
    assert [o["id"] for o in listed] == [served.pk]


def test_lists_are_separated_by_the_arabic_comma_in_arabic() -> None:
    org = factories.organization("Data Academy", "XM-DATA-ACADEMY")
    editor = factories.user("provider", Role.ORG_EDITOR, organization=org)
    offer = offers.create_offer(
        editor, org, title="Open data training", description="Workshops.", kind="training",
        focus_areas=["data-regulation", "digital-skills"], languages=["en", "fr"],
    )  # fmt: skip
    offers.change_status(editor, offer.pk, "published", "ready")
    arabic = _get(f"/offers/{offer.pk}/", "ar")
    english = _get(f"/offers/{offer.pk}/", "en")
    assert "الإنجليزية، الفرنسية" in arabic and "English, French" in english
