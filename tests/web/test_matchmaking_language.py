"""Offers and needs in the reader's language: a translation when there is one, else the original with a
note saying so, on the pages and in /api/v1 (`language` = the language actually served)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from gapbridge.accounts.models import Role
from gapbridge.countries import labels
from gapbridge.countries.models import Economy
from gapbridge.domain.matching import PROVIDER_MESSAGES, Component, ProviderSuggestion
from gapbridge.matches import engine, explain, queries
from gapbridge.needs import derived
from gapbridge.needs import services as needs
from gapbridge.needs.models import Need, NeedStatus
from gapbridge.needs.services import NeedError
from gapbridge.offers import services as offers
from gapbridge.offers.choices import RequesterType
from tests import factories

pytestmark = pytest.mark.django_db

EN_TITLE, FR_TITLE = "Open data training for statistics offices", "Formation aux données ouvertes"
FR_DESCRIPTION = "Des ateliers pour les instituts de statistique."
NEED_TITLE = "Plateforme de paiement mobile"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    engine.clear_cache()
    yield
    engine.clear_cache()


@pytest.fixture
def world() -> dict[str, Any]:
    org = factories.organization("Data Academy", "XM-DATA-ACADEMY")
    editor = factories.user("provider", Role.ORG_EDITOR, organization=org)
    offer = offers.create_offer(
        editor,
        org,
        title=EN_TITLE,
        description="Workshops for national statistics offices.",
        translations={"fr": {"title": FR_TITLE, "description": FR_DESCRIPTION}},
        kind="training",
        focus_areas=["data-regulation"],
    )
    offers.change_status(editor, offer.pk, "published", "ready")
    fp = factories.user("fp", Role.FOCAL_POINT, iso3="SEN")
    need = needs.create_need(
        fp,
        Economy.objects.get(iso3="SEN"),
        title=NEED_TITLE,
        description="Nous cherchons un appui pour une plateforme de paiement mobile.",
        language="fr",
        translations={"es": {"title": "Plataforma de pago móvil", "description": ""}},
        focus_areas=["digital-payments"],
    )
    needs.change_status(fp, need.pk, "submitted", "ready")
    return {"offer": offer, "need": need, "fp": fp}


def test_api_serves_the_readers_language_and_says_when_it_falls_back(world: dict[str, Any]) -> None:
    client = Client()
    offer_id, need_id = world["offer"].pk, world["need"].pk
    fr = client.get(f"/api/v1/offers/{offer_id}", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (fr["title"], fr["description"], fr["language"]) == (FR_TITLE, FR_DESCRIPTION, "fr")
    assert fr["language_fallback"] is False and fr["language_note"] is None
    assert fr["original_language"] == "en" and fr["requested_language"] == "fr"
    ar = client.get(f"/api/v1/offers/{offer_id}", HTTP_ACCEPT_LANGUAGE="ar").json()
    assert ar["title"] == EN_TITLE and ar["language"] == "en" and ar["language_fallback"] is True
    assert ar["requested_language"] == "ar" and ar["language_note"]
    listed = client.get("/api/v1/offers", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    assert [(o["title"], o["language"], o["language_fallback"]) for o in listed] == [(FR_TITLE, "fr", False)]

    en = client.get(f"/api/v1/needs/{need_id}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["title"] == NEED_TITLE and en["language"] == "fr" and en["language_fallback"] is True
    assert en["language_note"] == "Shown in French; no English version."
    es = client.get(f"/api/v1/needs/{need_id}", HTTP_ACCEPT_LANGUAGE="es").json()
    assert es["title"] == "Plataforma de pago móvil" and es["language"] == "es"
    assert es["description"].startswith("Nous cherchons"), "a missing translated field keeps the original"
    fr_need = client.get(f"/api/v1/needs/{need_id}", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert fr_need["language"] == "fr" and fr_need["language_note"] is None
    board = client.get("/api/v1/needs", HTTP_ACCEPT_LANGUAGE="es").json()["results"]
    assert any(n["title"] == "Plataforma de pago móvil" and n["language"] == "es" for n in board)


def test_pages_show_the_translation_or_the_fallback_notice(world: dict[str, Any]) -> None:
    client = Client()
    offer_url, need_url = f"/offers/{world['offer'].pk}/", f"/needs/{world['need'].pk}/"
    fr = client.get(offer_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert FR_TITLE in fr and FR_DESCRIPTION in fr and "fallback-notice" not in fr
    en = client.get(offer_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert EN_TITLE in en and FR_TITLE not in en and "fallback-notice" not in en
    need_en = client.get(need_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Shown in French; no English version." in need_en and NEED_TITLE in need_en
    assert 'lang="fr"' in need_en
    # lists: the translated title, and a language tag where it falls back
    catalogue = client.get("/offers/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert FR_TITLE in catalogue and EN_TITLE not in catalogue
    board = client.get("/needs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert NEED_TITLE in board and 'class="lang-tag"' in board
    # the site's language choice (cookie) counts as well as the browser's
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert "Plataforma de pago móvil" in client.get(need_url).content.decode()


def test_translations_are_checked(world: dict[str, Any]) -> None:
    with pytest.raises(NeedError, match="unknown language 'xx'"):
        needs.update_need(world["fp"], world["need"].pk, translations={"xx": {"title": "?"}})
    with pytest.raises(NeedError, match="must be an object"):
        needs.update_need(world["fp"], world["need"].pk, translations=["fr"])


def test_ranked_offers_of_a_need_are_titled_in_the_readers_language(world: dict[str, Any]) -> None:
    org = world["offer"].provider
    editor = factories.user("payments", Role.ORG_EDITOR, organization=org)
    payments = offers.create_offer(
        editor,
        org,
        title="Mobile money switch",
        description="An open-source payment switch for mobile money.",
        translations={"fr": {"title": "Commutateur de monnaie mobile", "description": "Un commutateur."}},
        kind="digital-public-good",
        focus_areas=["digital-payments"],
    )
    offers.change_status(editor, payments.pk, "published", "ready")
    ranked = Client().get(f"/api/v1/needs/{world['need'].pk}/offers", HTTP_ACCEPT_LANGUAGE="fr").json()
    row = next(r for r in ranked if r["offer_id"] == payments.pk)
    assert row["title"] == "Commutateur de monnaie mobile" and row["language"] == "fr"
    page = Client().get(f"/needs/{world['need'].pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Commutateur de monnaie mobile" in page


def test_a_need_with_translations_through_the_api(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["fp"])
    created = client.post(
        "/api/v1/needs",
        {
            "country": "SEN",
            "title": "Cybersécurité des administrations",
            "description": "Former les équipes de réponse aux incidents.",
            "language": "fr",
            "translations": {"en": {"title": "Cybersecurity for ministries", "description": ""}},
            "focus_areas": ["emerging-technology"],
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == "Cybersecurity for ministries" and body["language"] == "en"
    assert body["original_language"] == "fr" and body["translations"]["en"]["description"] == ""
    bad = client.patch(
        f"/api/v1/needs/{body['id']}",
        {"translations": {"xx": {"title": "?"}}, "reason": "typo"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "unknown language 'xx'" in bad.json()["error"]["message"]


def _fr(name: str) -> str:
    with translation.override("fr"):
        return str(labels.focus_area_name(name))


def test_lists_name_focus_areas_and_languages_in_the_readers_language(world: dict[str, Any]) -> None:
    client = Client()
    needs_page = client.get("/needs/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    offers_page = client.get("/offers/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert _fr("digital-payments") in needs_page and _fr("data-regulation") in offers_page
    assert _fr("digital-payments") != "digital-payments", "the French name is not the code"
    assert "<td>digital-payments</td>" not in needs_page and "<td>data-regulation</td>" not in offers_page
    offer = world["offer"]
    offer.languages, offer.requester_types = ["en", "fr"], ["government"]
    offer.eligible_regions = ["Sub-Saharan Africa"]
    offer.save(update_fields=["languages", "requester_types", "eligible_regions"])
    detail = client.get(f"/offers/{offer.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        government = str(dict(RequesterType.choices)["government"])
    assert "anglais, français" in detail and ">en, fr<" not in detail
    assert "Afrique subsaharienne" in detail and "Sub-Saharan Africa" not in detail, "in explanations too"
    assert "(government)" not in detail and f"({government})" in detail
    assert government != "Government (ministry, agency, regulator)"


def test_indicative_need_says_indicative_and_names_its_pillars() -> None:
    derived.derive_indicative_needs(per_country=2)
    need = next(n for n in Need.objects.indicative().select_related("country") if queries.peers_for(n))
    client = Client()
    page = client.get(f"/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        indicative, validated = _("Indicative"), str(NeedStatus.VALIDATED.label)
        pillars = {labels.pillar_name(p.pillar) for p in queries.peers_for(need)}
    assert indicative != "Indicative" and f"· {indicative} ·" in page and f"· {validated} ·" not in page
    for peer in queries.peers_for(need):
        assert f"— {peer.pillar}" not in page, "no pillar code"
    assert all(f"— {name}\u00a0:" in page for name in pillars), "named, with French punctuation"
    listed = client.get("/needs/?origin=derived", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"<td>{indicative}</td>" in listed and f"<td>{validated}</td>" not in listed


def test_provider_reasons_are_in_the_readers_language_with_its_decimals() -> None:
    message = PROVIDER_MESSAGES["text"]
    with translation.override("fr"):
        french = explain.text(message, {"similarity": 0.42})
    with translation.override("en"):
        english = explain.text(message, {"similarity": 0.42})
    assert "0,42" in french and "0.42" not in french and french != english
    assert english.endswith("(similarity 0.42).")
    suggestion = ProviderSuggestion(
        "XM-ORG",
        "Org",
        0.5,
        (
            Component("text", 0.42, 0.4, message, {"similarity": 0.42}),
            Component("volume", 0.0, 0.1, PROVIDER_MESSAGES["volume"], {"total": 3}),
        ),
    )
    with translation.override("fr"):
        rows = explain.provider_rows([suggestion])
    assert rows == [{"provider": "XM-ORG", "name": "Org", "score": 0.5, "reasons": [french]}]


def test_a_match_in_the_api_titles_its_need_and_offer_in_the_readers_language(world: dict[str, Any]) -> None:
    from gapbridge.matches import services as match_services

    match = match_services.contact(world["fp"], world["need"].pk, world["offer"].pk, "interested")
    client = Client()
    client.force_login(world["fp"])
    spanish = client.get(f"/api/v1/matches/{match.pk}", HTTP_ACCEPT_LANGUAGE="es").json()
    assert spanish["need_title"] == "Plataforma de pago móvil" and spanish["offer_title"] == EN_TITLE
    french = client.get(f"/api/v1/matches/{match.pk}", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["need_title"] == NEED_TITLE and french["offer_title"] == FR_TITLE


def test_explanations_name_the_country_and_its_groups_in_the_readers_language(world: dict[str, Any]) -> None:
    org = world["offer"].provider
    editor = factories.user("ldc-fund", Role.ORG_EDITOR, organization=org)
    for_ldcs = offers.create_offer(
        editor, org, title="Payments for LDCs", description="Mobile money for least developed countries.",
        kind="digital-public-good", focus_areas=["digital-payments"], eligible_groups=["ldc"],
    )  # fmt: skip
    offers.change_status(editor, for_ldcs.pk, "published", "ready")
    ranked = Client().get(f"/api/v1/needs/{world['need'].pk}/offers", HTTP_ACCEPT_LANGUAGE="fr").json()
    row = next(r for r in ranked if r["offer_id"] == for_ldcs.pk)
    said = " ".join([*(c["text"] for c in row["components"]), *(c["text"] for c in row["checks"])])
    with translation.override("fr"):
        ldc = labels.group_name("ldc")
    assert "Sénégal" in said and "Senegal " not in said
    assert ldc in said and "Least developed countries" not in said


def test_needs_and_offers_take_a_translation_on_their_pages(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["fp"])
    need_form = {
        "country": "SEN",
        "requester_type": "government",
        "title": "Guichet unique du commerce électronique",
        "description": "Un guichet unique pour les exportateurs en ligne.",
        "language": "fr",
        "focus_areas": ["trade-facilitation"],
        "priority": "medium",
    }
    unsaid = client.post("/needs/new/", {**need_form, "translation_title": "E-commerce single window"})
    assert (
        unsaid.status_code == 200 and "Say which language the translation is in." in unsaid.content.decode()
    )
    assert not Need.objects.filter(title=need_form["title"]).exists()
    created = client.post(
        "/needs/new/",
        {**need_form, "translation_language": "en", "translation_title": "E-commerce single window"},
    )
    assert created.status_code == 302
    need = Need.objects.get(title=need_form["title"])
    assert need.translations == {"en": {"title": "E-commerce single window", "description": ""}}
    assert (
        "E-commerce single window"
        in client.get(need.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    # an offer's editor adds Spanish; the French translation given through the API stays
    offer = world["offer"]
    editor = factories.user("academy-editor", Role.ORG_EDITOR, organization=offer.provider)
    client.force_login(editor)
    form = client.get(f"/offers/{offer.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, [], "")}
    data |= {"provider": offer.provider_id, "eligible_countries": [], "eligible_groups": []}
    data |= {"translation_language": "es", "translation_title": "Formación en datos abiertos"}
    saved = client.post(f"/offers/{offer.pk}/edit/", data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    offer.refresh_from_db()
    assert offer.translations["es"]["title"] == "Formación en datos abiertos"
    assert offer.translations["fr"]["title"] == FR_TITLE
