"""Barrier pages and /api/v1/barriers: listing with filters and map, a barrier's page with its chain and
history, reporting through a form, moderation, following, and the public/restricted split over HTTP."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.barriers import derived, services
from gapbridge.barriers.models import Barrier, BarrierNotification, BarrierSubscription
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sec() -> Any:
    return factories.user("sec", Role.SECRETARIAT)


def _report(actor: Any, **extra: Any) -> Barrier:
    fields: dict[str, Any] = {
        "title": "Cross-border data transfers need prior approval",
        "description": "Every transfer of personal data abroad needs the regulator's prior approval.",
        "country": "KEN",
        "category": "data_flows",
        "reporter_name": "Jane Exporter",
        "reporter_is_public": False,
    }
    fields.update(extra)
    return services.report_barrier(actor, **fields)


def test_list_page_shows_derived_barriers_with_map_and_filters(client: Client) -> None:
    derived.derive_cyberlaw_barriers()
    response = client.get("/barriers/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "derived from data" in html
    count = Barrier.objects.count()
    assert f"{count} barriers" in html
    afg = client.get("/barriers/?country=AFG&category=data_protection").content.decode()
    assert "No data protection and privacy law in Afghanistan" in afg and "law in Yemen" not in afg
    bad = client.get("/barriers/?category=weather")
    assert bad.status_code == 400 and "unknown barrier category" in bad.content.decode()


def test_list_pages_through_every_barrier_once(client: Client) -> None:
    derived.derive_cyberlaw_barriers()
    total = Barrier.objects.count()
    assert total > 50  # more than one page of real derived barriers
    seen: list[str] = []
    page = 1
    while True:
        html = client.get(f"/barriers/?page={page}").content.decode()
        links = [part.split('"')[0] for part in html.split('href="/barriers/')[1:] if part[:1].isdigit()]
        seen += [link for link in links if link.rstrip("/").isdigit()]
        if "&page=" + str(page + 1) not in html:
            break
        page += 1
    assert page == -(-total // 50)
    assert len(seen) == len(set(seen)) == total


def test_api_list_filters_csv_and_withheld_reporter(client: Client, sec: Any) -> None:
    derived.derive_cyberlaw_barriers()
    reporter = factories.user("jane")
    b = _report(reporter)
    hidden = client.get("/api/v1/barriers?country=KEN").json()
    assert b.pk not in [r["id"] for r in hidden["results"]]  # not moderated yet
    services.change_status(sec, b.pk, "verified", "confirmed")
    body = client.get("/api/v1/barriers?country=KEN&category=data_flows").json()
    (row,) = body["results"]
    assert row["id"] == b.pk and row["reporter"] is None and row["restricted_notes"] is None
    derived_only = client.get("/api/v1/barriers?origin=derived&limit=500").json()
    assert derived_only["count"] == Barrier.objects.filter(origin="derived").count()
    response = client.get("/api/v1/barriers?format=csv&category=data_flows")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["id"] for r in rows] == [str(b.pk)] and rows[0]["reporter"] == "(withheld)"
    assert client.get("/api/v1/barriers?status=nonsense").status_code == 400


def test_detail_page_and_api_show_history_chain_and_related(client: Client, sec: Any) -> None:
    derived.derive_cyberlaw_barriers()
    b = Barrier.objects.filter(origin="derived", country__iso3="YEM", category="cybersecurity").get()
    html = client.get(f"/barriers/{b.pk}/").content.decode()
    assert "No cybercrime law in Yemen" in html and "Derived from data" in html
    assert "What addresses it" in html and "Related barriers" in html and "No cybercrime law in" in html
    body = client.get(f"/api/v1/barriers/{b.pk}").json()
    assert body["history"][0]["to_status"] == "verified" and body["source_date"] == "2026-04-27"
    french = client.get(f"/barriers/{b.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "instantané du 2026-04-27) : aucune législation" in french.replace("\xa0", " ")
    assert body["allowed_moves"] == []  # anonymous
    related = client.get(f"/api/v1/barriers/{b.pk}/related?limit=3").json()
    assert len(related) == 3 and all("cybercrime" in r["title"] for r in related)
    assert client.get("/barriers/999999/").status_code == 404
    assert client.get("/api/v1/barriers/999999").json()["error"]["code"] == "not_found"


def test_unmoderated_barrier_is_hidden_from_the_public_but_not_from_its_reporter(client: Client) -> None:
    reporter = factories.user("jane")
    b = _report(reporter)
    assert client.get(f"/barriers/{b.pk}/").status_code == 404
    client.force_login(reporter)
    html = client.get(f"/barriers/{b.pk}/").content.decode()
    assert "Jane Exporter" in html and "Reported" in html


def test_report_form_then_moderation_through_pages(client: Client, sec: Any) -> None:
    reporter = factories.user("trader")
    assert client.get("/barriers/report/").status_code == 302  # sign in first
    client.force_login(reporter)
    assert client.get("/barriers/report/").status_code == 200
    bad = client.post("/barriers/report/", {"title": "x", "description": "y", "category": "skills"})
    assert bad.status_code == 400 and "either a country or a group" in bad.content.decode()
    response = client.post(
        "/barriers/report/",
        {
            "title": "Import licences for routers",
            "description": "Wi-Fi routers need an import licence renewed every year.",
            "language": "en",
            "country": "NER",
            "category": "licensing_market_entry",
            "focus_areas": ["connectivity-infrastructure"],
            "priority": "high",
        },
    )
    assert response.status_code == 302
    b = Barrier.objects.get(title="Import licences for routers")
    assert (
        b.status == "reported"
        and b.country.iso3 == "NER"
        and b.focus_areas == ["connectivity-infrastructure"]
    )
    # The reporter cannot moderate.
    forbidden = client.post(f"/barriers/{b.pk}/status/", {"to": "verified", "reason": "me"})
    assert forbidden.status_code == 403
    client.force_login(sec)
    moderation = client.get(f"/barriers/{b.pk}/").content.decode()
    assert f'action="/barriers/{b.pk}/status/"' in moderation and 'value="verified"' in moderation
    assert "Merge this barrier" in moderation and 'value="project"' in moderation
    edit = client.get(f"/barriers/{b.pk}/edit/")
    assert edit.status_code == 200 and "Import licences for routers" in edit.content.decode()
    saved = client.post(
        f"/barriers/{b.pk}/edit/",
        {
            "title": "Import licences for Wi-Fi routers",
            "description": b.description,
            "language": "en",
            "country": "NER",
            "category": "licensing_market_entry",
            "focus_areas": ["connectivity-infrastructure"],
            "priority": "critical",
        },
    )
    assert saved.status_code == 302
    b.refresh_from_db()
    assert (b.title, b.priority) == ("Import licences for Wi-Fi routers", "critical")
    client.post(f"/barriers/{b.pk}/status/", {"to": "verified", "reason": "confirmed with customs"})
    client.post(f"/barriers/{b.pk}/updates/", {"text": "Customs agreed to a 3-year licence.", "public": "on"})
    b.refresh_from_db()
    assert b.status == "verified"
    client.logout()
    html = client.get(f"/barriers/{b.pk}/").content.decode()
    assert "confirmed with customs" in html and "Customs agreed to a 3-year licence." in html


def test_api_report_transition_update_and_merge(client: Client, sec: Any) -> None:
    user = factories.user("api_user")
    payload = {
        "title": "Localisation of payment data",
        "description": "Payment data must be stored only in the country.",
        "country": "IND",
        "category": "data_flows",
        "focus_areas": ["digital-payments"],
    }
    assert client.post("/api/v1/barriers", payload, content_type="application/json").status_code == 401
    client.force_login(user)
    created = client.post("/api/v1/barriers", payload, content_type="application/json")
    assert created.status_code == 201
    bid = created.json()["id"]
    assert created.json()["status"] == "reported"
    bad = client.post("/api/v1/barriers", payload | {"country": "ZZZ"}, content_type="application/json")
    assert bad.status_code == 400 and "ZZZ" in bad.json()["error"]["message"]
    denied = client.post(
        f"/api/v1/barriers/{bid}/transitions",
        {"to": "verified", "reason": "x"},
        content_type="application/json",
    )
    assert denied.status_code == 403
    client.force_login(sec)
    moved = client.post(
        f"/api/v1/barriers/{bid}/transitions",
        {"to": "verified", "reason": "RBI circular"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["status"] == "verified"
    wrong = client.post(
        f"/api/v1/barriers/{bid}/transitions",
        {"to": "reported", "reason": "x"},
        content_type="application/json",
    )
    assert (
        wrong.status_code == 400 and "cannot go from verified to reported" in wrong.json()["error"]["message"]
    )
    upd = client.post(
        f"/api/v1/barriers/{bid}/updates", {"text": "Consultation opened"}, content_type="application/json"
    )
    assert upd.status_code == 201
    other = _report(sec, country="IND", title="Payment data localisation")
    merged = client.post(
        f"/api/v1/barriers/{other.pk}/merge",
        {"into": bid, "reason": "duplicate"},
        content_type="application/json",
    )
    assert merged.status_code == 200 and merged.json()["id"] == bid
    patched = client.patch(f"/api/v1/barriers/{bid}", {"priority": "high"}, content_type="application/json")
    assert patched.json()["priority"] == "high"


def test_following_pages_and_api(client: Client, sec: Any, django_capture_on_commit_callbacks: Any) -> None:
    follower = factories.user("follower")
    client.force_login(follower)
    assert client.post("/barriers/following/", {"country": "KEN", "email": "on"}).status_code == 302
    api = client.post(
        "/api/v1/barrier-subscriptions", {"category": "skills"}, content_type="application/json"
    )
    assert api.status_code == 201
    assert {(s["country"], s["category"]) for s in client.get("/api/v1/barrier-subscriptions").json()} == {
        ("KEN", ""),
        (None, "skills"),
    }
    b = _report(sec)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(sec, b.pk, "verified", "ok")
    notes = client.get("/api/v1/barrier-notifications?unread=true").json()
    assert len(notes) == 1 and notes[0]["barrier"] == b.pk
    html = client.get("/barriers/following/").content.decode()
    assert "New barrier in Kenya" in html
    assert client.post("/api/v1/barrier-notifications/read", {}, content_type="application/json").json() == {
        "marked": 1
    }
    sub = BarrierSubscription.objects.get(user=follower, category="skills")
    assert client.delete(f"/api/v1/barrier-subscriptions/{sub.pk}").status_code == 204
    intruder = factories.user("intruder")
    client.force_login(intruder)
    ken = BarrierSubscription.objects.get(user=follower, country__iso3="KEN")
    assert client.post(f"/barriers/following/{ken.pk}/remove/").status_code == 403
    assert BarrierNotification.objects.filter(user=follower).count() == 1


def test_history_never_names_a_hidden_reporter_or_any_login_name(client: Client, sec: Any) -> None:
    org = factories.organization("Skills Alliance")
    editor = factories.user("orga-login", Role.ORG_EDITOR, organization=org)
    b = _report(editor, reporter_organization=org.pk)
    services.change_status(sec, b.pk, "verified", "confirmed")
    body = client.get(f"/api/v1/barriers/{b.pk}").json()
    assert body["reporter"] is None and body["reporter_organization"] is None
    assert [h["by"] for h in body["history"]] == ["the reporter", "Secretariat"]
    html = client.get(f"/barriers/{b.pk}/").content.decode()
    assert "orga-login" not in html and "Skills Alliance" not in html and "the reporter" in html
    assert ">sec<" not in html and "Secretariat" in html
    # another editor of the reporting organization acting on it would name it: it is "the reporter" too
    colleague = factories.user("orga-colleague", Role.ORG_EDITOR, organization=org)
    services.add_update(colleague, b.pk, "The regulator replied.")
    updates = client.get(f"/api/v1/barriers/{b.pk}").json()["updates"]
    assert [u["by"] for u in updates] == ["the reporter"]
    # the secretariat sees who reported (as the organization, still not the login name)
    client.force_login(sec)
    inside = client.get(f"/api/v1/barriers/{b.pk}").json()
    assert inside["history"][0]["by"] == "Skills Alliance"
    # a public reporter is named by the organization it speaks for
    public = _report(editor, reporter_is_public=True, title="Customs portal rejects e-invoices")
    services.change_status(sec, public.pk, "verified", "confirmed")
    anonymous = Client().get(f"/api/v1/barriers/{public.pk}").json()
    assert anonymous["history"][0]["by"] == "Skills Alliance"


def test_the_moderation_forms_share_no_element_id(client: Client, sec: Any) -> None:
    b = _report(factories.user("jane"))
    client.force_login(sec)
    html = client.get(f"/barriers/{b.pk}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert "merge_reason" in ids and len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
