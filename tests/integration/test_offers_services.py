"""Offers: who may write, lifecycle with history, audit, seeding from the DPG registry and IATI files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.audit.models import AuditEntry
from gapbridge.iati.parser import iter_file
from gapbridge.offers import seeding, services
from gapbridge.offers.models import Offer, OfferOrigin, OfferStatus
from gapbridge.organizations.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db
ACTIVITIES = Path(settings.DATA_DIR) / "iati" / "activities"


def _fields(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "title": "Cybersecurity incident response training",
        "description": "Two-week course for national CERT staff.",
        "kind": "training",
        "focus_areas": ["emerging_tech"],
        "eligible_countries": ["NER", "mli"],
        "eligible_groups": ["ldc"],
        "languages": ["fr", "en"],
        "capacity": 3,
        "opens": "2026-01-01",
        "closes": "2026-12-31",
    }
    base.update(kw)
    return base


def test_provider_editor_creates_publishes_and_closes_with_history() -> None:
    org = factories.organization("ITU", "XM-DAC-41114")
    editor = factories.user("ed", Role.ORG_EDITOR, organization=org)
    offer = services.create_offer(editor, org, **_fields())
    assert offer.status == OfferStatus.DRAFT
    assert offer.focus_areas == ["emerging-technology"], "older spellings are normalised"
    assert sorted(e.iso3 for e in offer.eligible_countries.all()) == ["MLI", "NER"]
    services.change_status(editor, offer.pk, "published", "ready")
    services.change_status(editor, offer.pk, "closed", "cohort full")
    moves = [(h.from_status, h.to_status, h.actor_label, h.reason) for h in offer.history.all()]
    assert moves == [
        ("", "draft", "ed", "created"),
        ("draft", "published", "ed", "ready"),
        ("published", "closed", "ed", "cohort full"),
    ]
    actions = list(
        AuditEntry.objects.filter(object_type="offers.offer", object_id=str(offer.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions.count("transition") == 2 and "create" in actions


def test_others_may_not_write_and_rules_are_named() -> None:
    org = factories.organization("Provider", "XX-1")
    other = factories.organization("Other", "XX-2")
    stranger = factories.user("stranger", Role.ORG_EDITOR, organization=other)
    with pytest.raises(PermissionDenied):
        services.create_offer(stranger, org, **_fields())
    secretariat = factories.user("sec", Role.SECRETARIAT)
    offer = services.create_offer(secretariat, org, **_fields())
    with pytest.raises(PermissionDenied):
        services.update_offer(stranger, offer.pk, title="mine now")
    with pytest.raises(services.OfferError, match="unknown value 'quantum'"):
        services.update_offer(secretariat, offer.pk, focus_areas=["quantum"])
    with pytest.raises(services.OfferError, match="no economy with ISO3 code"):
        services.update_offer(secretariat, offer.pk, eligible_countries=["ZZZ"])
    with pytest.raises(services.OfferError, match=r"cannot close .* before they open"):
        services.update_offer(secretariat, offer.pk, opens="2027-01-01")
    with pytest.raises(services.OfferError, match="a reason is required"):
        services.change_status(secretariat, offer.pk, "published", " ")
    with pytest.raises(services.OfferError, match=r"already draft"):
        services.change_status(secretariat, offer.pk, "draft", "again")


def test_dpg_seeding_is_idempotent_and_keeps_provenance() -> None:
    first = seeding.seed_offers(None)
    assert first["created"] == first["dpg"] >= 70 and first["iati"] == 0
    again = seeding.seed_offers(None)
    assert again["created"] == 0 and again["unchanged"] == first["created"]
    mojaloop = Offer.objects.get(source_key="dpg:mojaloop")
    assert mojaloop.status == OfferStatus.PUBLISHED and mojaloop.origin == OfferOrigin.DPG_REGISTRY
    assert mojaloop.kind == "digital-public-good" and "digital-payments" in mojaloop.focus_areas
    assert "Digital Public Goods Alliance registry" in mojaloop.source_note
    assert mojaloop.history.get().reason.startswith("seeded from Digital Public Goods registry")
    assert Organization.objects.filter(pk=mojaloop.provider_id).exists()


def test_technical_cooperation_offers_from_real_iati_files() -> None:
    activities = [
        seeding.tc_from_dto(p.activity)
        for f in sorted(ACTIVITIES.glob("*"))
        if f.name != "dportal_140.xml.gz"
        for p in iter_file(f)
        if p.activity is not None
    ]
    seeds = list(seeding.technical_cooperation_offers(activities, today=dt.date(2021, 1, 1)))
    assert seeds, "the bundled files hold live technical cooperation in a digital focus area"
    for s in seeds:
        assert s.data["kind"] == "technical-assistance" and s.data["focus_areas"]
        assert s.source_key.startswith("iati:") and "aid type D0" in s.source_note
    tc = next(a for a in activities if a.identifier == seeds[0].source_key.split(":", 2)[2])
    assert tc.aid_types & {"D01", "D02"} and tc.status in {"1", "2"}
    # an activity that has ended is no offer
    ended = next(a for a in activities if a.end is not None)
    assert ended.end is not None
    live = dataclasses.replace(
        ended, aid_types=frozenset({"D02"}), status="2", focus_areas=("digital-skills",)
    )
    assert list(seeding.technical_cooperation_offers([live], today=ended.end - dt.timedelta(days=1)))
    assert not list(seeding.technical_cooperation_offers([live], today=ended.end + dt.timedelta(days=1)))
    counts = seeding.seed(None, seeds)
    assert counts["created"] == len(seeds) and counts["iati"] == len(seeds)
    offer = Offer.objects.get(source_key=seeds[0].source_key)
    assert offer.origin == OfferOrigin.IATI and offer.provider.iati_ref == seeds[0].provider_ref
