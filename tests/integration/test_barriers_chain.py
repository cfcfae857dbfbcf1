"""The chain a barrier's page shows, on the real apps: barrier → raised as a need → matched with an offer →
the match becomes an IATI project (a real imported activity); and the same objects in the open data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.barriers import opendata, queries, services
from gapbridge.barriers.models import Barrier
from gapbridge.matches import services as match_services
from gapbridge.needs import services as need_services
from gapbridge.needs.models import Need
from gapbridge.offers import services as offer_services
from gapbridge.projects import services as registry
from gapbridge.projects.models import Activity
from tests import factories

pytestmark = pytest.mark.django_db

ICT_FILE = (
    Path(__file__).resolve().parents[2]
    / "data/iati/activities/ict-sector-activities_dportal-covid-2021_v2.03.xml"
)


@pytest.fixture
def world() -> dict[str, Any]:
    provider = factories.organization("Open Regulation Partners", "XM-ORP")
    sec = factories.user("sec", Role.SECRETARIAT)
    fp = factories.user("fp_ken", Role.FOCAL_POINT, iso3="KEN")
    editor = factories.user("orp", Role.ORG_EDITOR, organization=provider)
    barrier = services.report_barrier(
        factories.user("trader"),
        title="No legal recognition of e-signatures in public procurement",
        description="Tenders must be signed by hand; online bids are refused.",
        country="KEN",
        category="e_transactions",
    )
    services.change_status(sec, barrier.pk, "verified", "confirmed by the procurement authority")
    offer = offer_services.create_offer(
        editor,
        provider,
        title="E-signature law drafting support",
        description="Legal drafting and regulator training for electronic signatures.",
        kind="policy-advice",
        focus_areas=["ecommerce-sme"],
    )
    offer_services.change_status(editor, offer.pk, "published", "ready")
    return {"sec": sec, "fp": fp, "editor": editor, "barrier": barrier, "offer": offer}


def test_raise_as_need_then_match_then_project_builds_the_chain(world: dict[str, Any]) -> None:
    b: Barrier = world["barrier"]
    with pytest.raises(PermissionDenied):  # a provider's editor may not create Kenya's needs
        services.raise_as_need(world["editor"], b.pk)
    link = services.raise_as_need(world["fp"], b.pk)
    need = Need.objects.get(pk=link.object_id)
    assert need.country.iso3 == "KEN" and need.status == "draft" and need.title == b.title
    assert need.focus_areas == ["ecommerce-sme"] and need.kinds == ["policy-advice"]  # from the category
    assert f"barrier #{b.pk}" in need.description
    # A draft need is not public: the public chain does not show it; the focal point's does.
    assert queries.chain(b, None)["need"] == []
    assert [x.object_id for x in queries.chain(b, world["fp"])["need"]] == [str(need.pk)]

    need_services.change_status(world["fp"], need.pk, "submitted", "ready")
    need_services.change_status(world["fp"], need.pk, "validated", "checked")
    match = match_services.suggest(world["fp"], need.pk, world["offer"].pk)
    match_services.change_status(world["fp"], match.pk, "accepted", "agreed")
    registry.import_files(None, [ICT_FILE])
    activity = Activity.objects.primary().exclude(title="").order_by("iati_identifier").first()
    assert activity is not None
    match_services.change_status(
        world["editor"], match.pk, "project_started", "signed", iati_identifier=activity.iati_identifier
    )
    chain = queries.chain(b, None)
    assert [x.object_id for x in chain["need"]] == [str(need.pk)]
    assert [(x.object_id, x.via) for x in chain["match"]] == [(str(match.pk), f"need #{need.pk}")]
    assert [(x.object_id, x.via) for x in chain["offer"]] == [(str(world["offer"].pk), f"match #{match.pk}")]
    assert [(x.label, x.via) for x in chain["project"]] == [(activity.title[:300], f"match #{match.pk}")]


def test_raise_as_need_for_a_group_barrier_needs_a_member_country(world: dict[str, Any]) -> None:
    b = services.report_barrier(
        world["sec"],
        title="Roaming surcharges",
        description="High roaming fees.",
        group="ldc",
        category="connectivity_infrastructure",
    )
    with pytest.raises(services.BarrierError, match="say for which member country"):
        services.raise_as_need(world["sec"], b.pk)
    with pytest.raises(services.BarrierError, match="not a member"):
        services.raise_as_need(world["sec"], b.pk, country="FRA")
    link = services.raise_as_need(world["sec"], b.pk, country="NER", title="Cut roaming fees in Niger")
    need = Need.objects.get(pk=link.object_id)
    assert need.country.iso3 == "NER" and need.title == "Cut roaming fees in Niger"
    assert need.focus_areas == ["connectivity-infrastructure"]


def test_raise_need_through_the_api_and_the_page(client: Client, world: dict[str, Any]) -> None:
    b = world["barrier"]
    client.force_login(world["fp"])
    page = client.get(f"/barriers/{b.pk}/").content.decode()
    assert "Raise as a need for assistance" in page
    response = client.post(
        f"/api/v1/barriers/{b.pk}/raise-need",
        {"kinds": ["technical-assistance"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    (need_link,) = [x for x in response.json()["links"] if x["kind"] == "need"]
    assert Need.objects.get(pk=need_link["object_id"]).kinds == ["technical-assistance"]
    assert "Raise as a need for assistance" not in client.get(f"/barriers/{b.pk}/").content.decode()


def test_offers_needs_matches_and_histories_in_the_open_data(world: dict[str, Any]) -> None:
    link = services.raise_as_need(world["fp"], world["barrier"].pk)
    draft = need_services.create_need(
        world["fp"],
        world["fp"].roles.get().economy,
        title="PRIVATE-DRAFT",
        description="x",
        focus_areas=["digital-skills"],
    )
    need_id = int(link.object_id)
    need_services.change_status(world["fp"], need_id, "submitted", "ready")
    need_services.change_status(world["fp"], need_id, "validated", "checked")
    match = match_services.suggest(world["fp"], need_id, world["offer"].pk)
    match_services.change_status(world["fp"], match.pk, "accepted", "agreed")
    _, files = opendata.build()
    rows = {
        name: list(csv.DictReader(io.StringIO(files[f"{name}.csv"].decode())))
        for name in ("offers", "needs", "matches")
    }
    assert [r["title"] for r in rows["offers"]] == ["E-signature law drafting support"]
    assert [r["id"] for r in rows["needs"]] == [str(need_id)] and rows["needs"][0]["country"] == "KEN"
    assert [(r["need_id"], r["offer_id"], r["status"]) for r in rows["matches"]] == [
        (str(need_id), str(world["offer"].pk), "accepted")
    ]
    everything = b"".join(files.values()).decode()
    assert "PRIVATE-DRAFT" not in everything and str(draft.pk) not in [r["id"] for r in rows["needs"]]
    need_history = json.loads(files["need_history.json"])["rows"]
    assert [h["to_status"] for h in need_history] == ["draft", "submitted", "validated", "matched"]
    match_history = json.loads(files["match_history.json"])["rows"]
    assert [h["to_status"] for h in match_history] == ["suggested", "accepted"]
    package = json.loads(files["datapackage.json"])
    assert {"offer_history.csv", "need_history.json", "match_history.csv"} <= {
        r["path"] for r in package["resources"]
    }
