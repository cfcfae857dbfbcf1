"""Matchmaking on the project registry's stored IATI activities (real bundled files, imported for real):
track records in the matcher, need → providers without an offer, offers seeded from technical cooperation."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from typer.testing import CliRunner

from gapbridge.accounts.models import Role
from gapbridge.cli import app
from gapbridge.countries.models import Economy
from gapbridge.domain.matching import TRACK_COUNTRY_FULL
from gapbridge.matches import engine, queries
from gapbridge.matches.iati_history import load_activities
from gapbridge.needs import services as needs
from gapbridge.needs.models import Need
from gapbridge.offers import seeding
from gapbridge.offers import services as offers
from gapbridge.offers.models import Offer, OfferOrigin
from gapbridge.organizations.models import Organization
from gapbridge.projects.models import Activity
from tests import factories

from .test_projects_support import ACTIVITIES, run_import

pytestmark = pytest.mark.django_db
PROVIDER_ROLES = ("1", "3")
runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    engine.clear_cache()
    yield
    engine.clear_cache()


def _credited(ref: str) -> Any:
    """Primary activities in a focus area credited to ``ref`` (reporting org, or funding/extending org)."""
    return (
        Activity.objects.filter(is_primary=True)
        .filter(
            Q(publisher_ref=ref) | Q(participating_orgs__ref=ref, participating_orgs__role__in=PROVIDER_ROLES)
        )
        .filter(sectors__focus_area__gt="")
        .distinct()
    )


def _best_history() -> tuple[str, str, str, int]:
    """From the stored data: the (publisher, country, focus area) with the most credited activities."""
    tally: Counter[tuple[str, str, str]] = Counter()
    known = set(Economy.objects.values_list("iso3", flat=True))
    rows = (
        Activity.objects.filter(is_primary=True)
        .exclude(publisher_ref="")
        .filter(sectors__focus_area__gt="", recipient_countries__iso3__in=known)
        .values_list("pk", "publisher_ref", "recipient_countries__iso3", "sectors__focus_area")
        .distinct()
    )
    seen: set[tuple[int, str, str]] = set()
    for pk, ref, iso3, area in rows:
        if (pk, iso3, area) not in seen:
            seen.add((pk, iso3, area))
            tally[(ref, iso3, area)] += 1
    (ref, iso3, area), _ = tally.most_common(1)[0]
    in_country = _credited(ref).filter(recipient_countries__iso3=iso3).count()
    return ref, iso3, area, in_country


@pytest.fixture
def registry() -> dict[str, Any]:
    summary = run_import([ACTIVITIES]).as_dict()
    assert summary["activities"]["new"] > 900
    ref, iso3, area, in_country = _best_history()
    assert in_country >= 1
    sec = factories.user("sec", Role.SECRETARIAT)
    veteran = Organization.objects.get(iati_ref=ref)  # the import made it (reporting organisation)
    newcomer = factories.organization("Newcomer Foundation", "XM-NEWCOMER-0001")
    assert not _credited("XM-NEWCOMER-0001").exists()
    fields = {
        "description": "Support for this area: advice, training and equipment for the public sector.",
        "kind": "technical-assistance",
        "focus_areas": [area],
    }
    made = {}
    for label, org in (("veteran", veteran), ("newcomer", newcomer)):
        offer = offers.create_offer(sec, org, title=f"Support by {org.name}", **fields)
        offers.change_status(sec, offer.pk, "published", "ready")
        made[label] = offer
    fp = factories.user("fp", Role.FOCAL_POINT, iso3=iso3)
    need = needs.create_need(
        fp,
        Economy.objects.get(iso3=iso3),
        title="Help in our weakest area",
        description="We need advice, training and equipment for the public sector.",
        focus_areas=[area],
        kinds=["technical-assistance"],
    )
    needs.change_status(fp, need.pk, "submitted", "ready")
    return {
        "ref": ref,
        "iso3": iso3,
        "area": area,
        "in_country": in_country,
        "veteran": made["veteran"],
        "newcomer": made["newcomer"],
        "need": need,
        "fp": fp,
    }


def _track(need: Need, offer: Offer) -> Any:
    ranked = {r.offer.pk: r.suggestion for r in queries.ranked_offers(need, limit=50)}
    assert offer.pk in ranked, "both offers are eligible"
    return next(c for c in ranked[offer.pk].components if c.code == "track_record")


def test_track_record_comes_from_the_stored_activities(registry: dict[str, Any]) -> None:
    need = registry["need"]
    veteran = _track(need, registry["veteran"])
    country = Economy.objects.get(iso3=registry["iso3"])
    assert veteran.params["in_country"] == registry["in_country"]
    assert veteran.params["in_area"] >= registry["in_country"], "each of them is in the need's area"
    floor = 0.5 * min(1.0, registry["in_country"] / TRACK_COUNTRY_FULL)
    assert floor <= veteran.value <= 1.0 and veteran.contribution > 0
    assert f"on record: {registry['in_country']} in " in veteran.text and country.name in veteran.text
    newcomer = _track(need, registry["newcomer"])
    assert newcomer.value == 0.0 and newcomer.contribution == 0.0
    assert "No past activity" in newcomer.text


def test_need_to_providers_works_on_stored_data_without_an_offer(registry: dict[str, Any]) -> None:
    need, ref = registry["need"], registry["ref"]
    found = queries.providers_for(need, limit=10)
    refs = [p.provider for p in found]
    assert ref in refs and "XM-NEWCOMER-0001" not in refs
    # providers without any offer are proposed too: every one of them is a registry organisation
    with_offer = set(Offer.objects.values_list("provider__iati_ref", flat=True))
    assert set(refs) - with_offer, "some proposed providers publish no offer"
    country = next(c for c in found[refs.index(ref)].components if c.code == "country")
    assert country.params["count"] == registry["in_country"]

    client = Client()
    api = client.get(f"/api/v1/needs/{need.pk}/providers")
    assert api.status_code == 200
    body = api.json()
    assert [p["provider"] for p in body] == refs
    assert all(p["components"] and p["score"] > 0 for p in body)
    client.force_login(registry["fp"])
    page = client.get(f"/needs/{need.pk}/")
    assert page.status_code == 200
    assert ref in page.content.decode()


def _file_seeds(today: dt.date) -> list[seeding.SeedOffer]:
    """The same selection read straight from the bundled files (the parser, not the database)."""
    loaded = load_activities([ACTIVITIES])
    tcs = (seeding.tc_from_dto(a) for a in loaded.activities.values())
    return list(seeding.technical_cooperation_offers(tcs, today=today))


def test_seed_offers_reads_technical_cooperation_from_the_registry() -> None:
    imported = runner.invoke(app, ["import-iati", "--bundled", "--json", "--workers", "0"])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["seed-offers", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    expected = {s.source_key for s in _file_seeds(dt.date.today())}
    assert summary["iati"] == len(expected) and summary["dpg"] >= 70
    stored = Offer.objects.filter(origin=OfferOrigin.IATI)
    assert set(stored.values_list("source_key", flat=True)) == expected
    # a second run, also given the files: the same activities, updated in place, never duplicated
    again = json.loads(runner.invoke(app, ["seed-offers", "--json", "--iati", str(ACTIVITIES)]).stdout)
    assert again["created"] == 0 and again["iati"] == len(expected)
    assert Offer.objects.filter(origin=OfferOrigin.IATI).count() == len(expected)

    # on an earlier day more activities were live: the registry and the files agree on each of them
    day = dt.date(2021, 6, 1)
    from_files = {s.source_key: s for s in _file_seeds(day)}
    from_registry = list(seeding.technical_cooperation_offers(seeding.tc_from_registry(today=day), today=day))
    assert len(from_registry) > len(expected)
    assert {s.source_key for s in from_registry} == set(from_files)
    for s in from_registry:
        twin = from_files[s.source_key]
        assert s.data["focus_areas"] == twin.data["focus_areas"] and s.data["focus_areas"]
        assert s.data["eligible_countries"] == twin.data["eligible_countries"]
        assert s.provider_ref == twin.provider_ref and s.data["closes"] == twin.data["closes"]
    counts = seeding.seed(None, from_registry)
    assert counts["iati"] == len(from_registry)

    # provenance is shown on the offer
    offer = Offer.objects.get(source_key=from_registry[0].source_key)
    identifier = offer.source_key.split(":", 2)[2]
    assert offer.kind == "technical-assistance" and offer.status == "published"
    assert offer.provider.iati_ref == from_registry[0].provider_ref
    page = Client().get(f"/offers/{offer.pk}/").content.decode()
    assert f"IATI activity {identifier}" in page and "technical cooperation (aid type D0" in page
    api = Client().get(f"/api/v1/offers/{offer.pk}").json()
    assert api["origin"] == "iati" and identifier in api["source_note"]
