"""Matchmaking pages and /api/v1: catalogue, board, a need's explained offers and actions, dashboards,
lifecycle through the API, permissions and the error envelope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.countries.models import Economy
from gapbridge.matches import engine
from gapbridge.matches.models import Match
from gapbridge.needs import derived
from gapbridge.needs import services as needs
from gapbridge.needs.models import Need
from gapbridge.offers import services as offers
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    engine.clear_cache()
    yield
    engine.clear_cache()


@pytest.fixture
def world() -> dict[str, Any]:
    sec = factories.user("sec", Role.SECRETARIAT)
    org = factories.organization("Skills Alliance", "XM-SKILLS")
    editor = factories.user("provider", Role.ORG_EDITOR, organization=org)
    fp = factories.user("fp", Role.FOCAL_POINT, iso3="NER")
    offer = offers.create_offer(
        editor,
        org,
        title="Digital skills bootcamp",
        description="Coding and digital literacy for youth.",
        kind="training",
        focus_areas=["digital-skills"],
        languages=["fr", "en"],
        capacity=2,
    )
    offers.change_status(editor, offer.pk, "published", "ready")
    draft = offers.create_offer(
        editor, org, title="Secret draft", description="Not yet", kind="grant", focus_areas=["digital-skills"]
    )
    need = needs.create_need(
        fp,
        Economy.objects.get(iso3="NER"),
        title="Compétences numériques pour les jeunes",
        description="Formation au codage et à la littératie numérique.",
        focus_areas=["digital-skills"],
        kinds=["training"],
        languages=["fr"],
    )
    for target in ("submitted", "validated"):
        needs.change_status(fp, need.pk, target, target)
    return {"sec": sec, "org": org, "editor": editor, "fp": fp, "offer": offer, "draft": draft, "need": need}


def test_catalogue_and_board_pages(client: Client, world: dict[str, Any]) -> None:
    page = client.get("/offers/", {"focus_area": "digital-skills", "country": "NER"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Digital skills bootcamp" in body and "Secret draft" not in body
    assert client.get("/offers/", {"focus_area": "quantum"}).status_code == 400
    ldc_only = offers.create_offer(
        world["editor"],
        world["org"],
        title="LDC skills fund",
        description="For LDCs",
        kind="grant",
        focus_areas=["digital-skills"],
        eligible_groups=["ldc"],
    )
    offers.change_status(world["editor"], ldc_only.pk, "published", "ready")
    assert "LDC skills fund" in client.get("/offers/", {"country": "NER"}).content.decode()
    assert "LDC skills fund" not in client.get("/offers/", {"country": "DEU"}).content.decode()
    assert client.get(f"/offers/{world['draft'].pk}/").status_code == 404, "drafts are not revealed"
    board = client.get("/needs/").content.decode()
    assert "Compétences numériques pour les jeunes" in board
    derived.derive_indicative_needs(per_country=1)
    indicative = client.get("/needs/", {"origin": "derived"}).content.decode()
    assert "derived from data" in indicative and "Indicative need" in indicative


def test_status_buttons_name_the_status_in_the_readers_language(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["fp"])
    page = client.get(f"/needs/{world['need'].pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'name="to" value="closed"' in page  # the code is what the form sends
    assert "Passer à : Clos" in page
    assert "Passer à : closed" not in page


def test_need_budget_is_grouped_in_the_readers_language(client: Client, world: dict[str, Any]) -> None:
    from gapbridge.needs.models import Need

    Need.objects.filter(pk=world["need"].pk).update(budget_usd=120000)
    english = client.get(f"/needs/{world['need'].pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get(f"/needs/{world['need'].pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<td>120,000</td>" in english and "120000" not in english
    assert "<td>120\xa0000</td>" in french or "<td>120 000</td>" in french


def test_need_page_shows_ranked_explained_offers_and_actions(client: Client, world: dict[str, Any]) -> None:
    need = world["need"]
    anonymous = client.get(f"/needs/{need.pk}/").content.decode()
    assert "Digital skills bootcamp" in anonymous and "Why this suggestion" in anonymous
    assert "focus-area fit" in anonymous and "Niger scores" in anonymous
    assert 'name="action"' not in anonymous, "visitors see suggestions but cannot act on them"
    client.force_login(world["fp"])
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert 'name="action" value="contact"' in page and 'value="accepted"' in page
    response = client.post(
        "/matches/act/",
        {"need": need.pk, "offer": world["offer"].pk, "action": "contact", "reason": "interested"},
    )
    assert response.status_code == 302
    match = Match.objects.get(need=need, offer=world["offer"])
    assert match.status == "contacted"
    response = client.post(
        "/matches/act/",
        {"need": need.pk, "offer": world["offer"].pk, "action": "accepted", "reason": "agreed"},
    )
    match.refresh_from_db()
    assert match.status == "accepted" and Need.objects.get(pk=need.pk).status == "matched"
    detail = client.get(f"/matches/{match.pk}/").content.decode()
    assert "project_started" in detail and "IATI activity identifier" in detail


def test_offer_page_and_dashboards(client: Client, world: dict[str, Any]) -> None:
    offer_page = client.get(f"/offers/{world['offer'].pk}/").content.decode()
    assert "Where this offer fits best" in offer_page and "Compétences numériques" in offer_page
    client.force_login(world["editor"])
    dashboard = client.get("/matches/provider/").content.decode()
    assert "Digital skills bootcamp" in dashboard and "Secret draft" in dashboard
    client.force_login(world["fp"])
    focal = client.get("/matches/focal-point/").content.decode()
    assert "Niger" in focal and "Compétences numériques" in focal
    alerts = client.post(
        "/matches/alerts/", {"name": "Skills", "focus_area": "digital-skills", "threshold": "0.3"}
    )
    assert alerts.status_code == 302
    assert "Skills" in client.get("/matches/alerts/").content.decode()


def test_api_reads(client: Client, world: dict[str, Any]) -> None:
    body = client.get("/api/v1/offers", {"focus_area": "digital-skills"}).json()
    assert body["count"] == 1 and body["results"][0]["title"] == "Digital skills bootcamp"
    bad = client.get("/api/v1/offers", {"kind": "magic"})
    assert bad.status_code == 400 and "unknown kind" in bad.json()["error"]["message"]
    assert client.get(f"/api/v1/offers/{world['draft'].pk}").status_code == 404
    ranked = client.get(f"/api/v1/needs/{world['need'].pk}/offers").json()
    assert ranked[0]["offer_id"] == world["offer"].pk
    codes = [c["code"] for c in ranked[0]["components"]]
    assert codes == ["focus", "kind", "text", "severity", "track_record", "spread"]
    assert all(c["passed"] for c in ranked[0]["checks"]) and len(ranked[0]["checks"]) == 6
    assert abs(ranked[0]["score"] - sum(c["contribution"] for c in ranked[0]["components"])) < 1e-3
    fits = client.get(f"/api/v1/offers/{world['offer'].pk}/needs").json()
    assert fits[0]["need_id"] == world["need"].pk
    history = client.get(f"/api/v1/needs/{world['need'].pk}/history").json()
    assert [h["to_status"] for h in history] == ["draft", "submitted", "validated"]
    assert client.get(f"/api/v1/needs/{world['need'].pk}/providers").json() == []
    peers = client.get(f"/api/v1/needs/{world['need'].pk}/peers").json()
    assert all(p["pillar"] == "skills" for p in peers)
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/needs/{need_id}/offers" in schema["paths"] and "/api/v1/matches/batch" in schema["paths"]


def test_api_writes_follow_the_lifecycle_and_permissions(client: Client, world: dict[str, Any]) -> None:
    created = client.post(
        "/api/v1/needs",
        {
            "country": "NER",
            "title": "Mobile money for farmers",
            "description": "Payments",
            "focus_areas": ["digital-payments"],
        },
        content_type="application/json",
    )
    assert created.status_code == 401
    client.force_login(world["fp"])
    created = client.post(
        "/api/v1/needs",
        {
            "country": "NER",
            "title": "Mobile money for farmers",
            "description": "Payments",
            "focus_areas": ["digital-payments"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    need_id = created.json()["id"]
    moved = client.post(
        f"/api/v1/needs/{need_id}/transitions",
        {"to": "submitted", "reason": "ready"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["status"] == "submitted"
    wrong = client.post(
        f"/api/v1/needs/{need_id}/transitions",
        {"to": "fulfilled", "reason": "x"},
        content_type="application/json",
    )
    assert (
        wrong.status_code == 400
        and "cannot go from submitted to fulfilled" in wrong.json()["error"]["message"]
    )
    forbidden = client.post(
        "/api/v1/needs",
        {"country": "KEN", "title": "t", "description": "d", "focus_areas": ["digital-skills"]},
        content_type="application/json",
    )
    assert forbidden.status_code == 403
    match = client.post(
        "/api/v1/matches",
        {"need_id": world["need"].pk, "offer_id": world["offer"].pk, "contact": True, "reason": "hello"},
        content_type="application/json",
    )
    assert match.status_code == 201 and match.json()["status"] == "contacted"
    assert match.json()["explanation"]["components"][0]["name"] == "focus-area fit"
    client.force_login(world["editor"])
    accepted = client.post(
        f"/api/v1/matches/{match.json()['id']}/transitions",
        {"to": "accepted", "reason": "yes"},
        content_type="application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    batch = client.post("/api/v1/matches/batch", {}, content_type="application/json")
    assert batch.status_code == 403
    client.force_login(world["sec"])
    batch = client.post("/api/v1/matches/batch", {"min_score": 0.3}, content_type="application/json")
    assert batch.status_code == 200 and set(batch.json()) >= {"matched", "unmatched", "unmatched_reasons"}
