"""Matches: explained suggestions, a lifecycle that moves the need, capacity, batch; alerts never twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.countries.models import Economy
from gapbridge.matches import alerts, engine, queries, services, track_record
from gapbridge.matches.models import Match, MatchStatus, Notification, SavedSearch
from gapbridge.needs import services as needs
from gapbridge.needs.models import Need, NeedStatus
from gapbridge.offers import services as offers
from gapbridge.offers.models import Offer
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    engine.clear_cache()
    yield
    engine.clear_cache()


def _offer(sec: Any, org: Any, title: str, **kw: Any) -> Offer:
    fields: dict[str, Any] = {
        "title": title,
        "description": "Fibre backbone, rural broadband and community networks for schools.",
        "kind": "equipment",
        "focus_areas": ["connectivity-infrastructure"],
    }
    fields.update(kw)
    offer = offers.create_offer(sec, org, **fields)
    offers.change_status(sec, offer.pk, "published", "ready")
    return offer


@pytest.fixture
def world() -> dict[str, Any]:
    sec = factories.user("sec", Role.SECRETARIAT)
    org = factories.organization("Fibre Fund", "XM-FIBRE")
    editor = factories.user("provider", Role.ORG_EDITOR, organization=org)
    fp = factories.user("fp", Role.FOCAL_POINT, iso3="NER")
    one_place = _offer(sec, org, "Rural broadband grant", capacity=1, eligible_groups=["ldc"])
    open_offer = _offer(sec, org, "Community networks toolkit", kind="digital-public-good")
    kenya_only = _offer(sec, org, "Kenya fibre", eligible_countries=["KEN"])
    need = needs.create_need(
        fp,
        Economy.objects.get(iso3="NER"),
        title="Broadband for schools",
        description="Connect rural schools with fibre and community networks.",
        focus_areas=["connectivity-infrastructure"],
        kinds=["equipment"],
    )
    needs.change_status(fp, need.pk, "submitted", "ready")
    needs.change_status(fp, need.pk, "validated", "checked")
    return {
        "sec": sec,
        "org": org,
        "editor": editor,
        "fp": fp,
        "need": need,
        "one": one_place,
        "open": open_offer,
        "kenya": kenya_only,
    }


def test_ranked_offers_are_eligible_and_explained(world: dict[str, Any]) -> None:
    ranked = queries.ranked_offers(world["need"], limit=10)
    ids = [r.offer.pk for r in ranked]
    assert world["kenya"].pk not in ids and {world["one"].pk, world["open"].pk} <= set(ids)
    top = ranked[0].suggestion
    assert top.score == pytest.approx(sum(c.contribution for c in top.components), abs=1e-5)
    severity = next(c for c in top.components if c.code == "severity")
    assert "Niger scores" in severity.text and severity.value > 0.9
    geo = {r.offer.pk: next(c for c in r.suggestion.checks if c.code == "geography").text for r in ranked}
    assert "belongs to" in geo[world["one"].pk]
    track = next(c for c in top.components if c.code == "track_record")
    assert track.value == 0.0 and "No past activity" in track.text, "no registry data yet: empty records"


def test_contact_accept_start_complete_moves_the_need(world: dict[str, Any]) -> None:
    fp, editor, need, one = world["fp"], world["editor"], world["need"], world["one"]
    match = services.contact(fp, need.pk, one.pk, "we are interested")
    assert match.status == MatchStatus.CONTACTED and match.explanation["components"]
    services.change_status(editor, match.pk, "accepted", "agreed")
    need.refresh_from_db()
    assert need.status == NeedStatus.MATCHED
    with pytest.raises(services.MatchError, match="IATI identifier"):
        services.change_status(editor, match.pk, "project_started", "go")
    services.change_status(editor, match.pk, "project_started", "go", iati_identifier="XM-FIBRE-1")
    services.change_status(fp, match.pk, "completed", "done")
    need.refresh_from_db()
    assert need.status == NeedStatus.FULFILLED
    assert [h.to_status for h in match.history.all()] == [
        "suggested",
        "contacted",
        "accepted",
        "project_started",
        "completed",
    ]
    assert [h.to_status for h in need.history.all()][-3:] == ["matched", "in_implementation", "fulfilled"]


def test_capacity_and_permissions_are_enforced(world: dict[str, Any]) -> None:
    fp, sec, one = world["fp"], world["sec"], world["one"]
    first = services.contact(fp, world["need"].pk, one.pk, "hello")
    services.change_status(fp, first.pk, "accepted", "yes")
    other = needs.create_need(
        sec,
        Economy.objects.get(iso3="MLI"),
        title="Schools online",
        description="Broadband for schools",
        focus_areas=["connectivity-infrastructure"],
    )
    needs.change_status(sec, other.pk, "submitted", "x")
    needs.change_status(sec, other.pk, "validated", "x")
    engine.clear_cache()
    assert one.pk not in [r.offer.pk for r in queries.ranked_offers(other)], "no place left: not suggested"
    with pytest.raises(services.MatchError, match="not open to this need"):
        services.suggest(sec, other.pk, one.pk)
    stranger = factories.user("stranger", Role.FOCAL_POINT, iso3="KEN")
    with pytest.raises(PermissionDenied):
        services.contact(stranger, world["need"].pk, world["open"].pk, "me too")
    with pytest.raises(PermissionDenied):
        services.change_status(stranger, first.pk, "declined", "no")
    services.change_status(fp, first.pk, "declined", "fell through")
    need = Need.objects.get(pk=world["need"].pk)
    assert need.status == NeedStatus.MATCHING, "the last accepted match declined: back to matching"


def test_batch_assigns_within_capacity_and_says_why(world: dict[str, Any]) -> None:
    sec = world["sec"]
    extra = []
    for iso3 in ("MLI", "TCD", "BFA"):
        n = needs.create_need(
            sec,
            Economy.objects.get(iso3=iso3),
            title="Broadband for schools",
            description="Rural broadband",
            focus_areas=["connectivity-infrastructure"],
            kinds=["equipment"],
        )
        needs.change_status(sec, n.pk, "submitted", "x")
        needs.change_status(sec, n.pk, "validated", "x")
        extra.append(n)
    with pytest.raises(PermissionDenied):
        services.run_batch(world["fp"])
    summary = services.run_batch(sec, min_score=0.3)
    assert summary["needs"] == 4 and summary["matched"] + summary["unmatched"] == 4
    per_offer = {o: Match.objects.filter(offer_id=o).count() for o in (world["one"].pk,)}
    assert per_offer[world["one"].pk] <= 1
    assert Match.objects.filter(origin="batch").count() == summary["created"] == summary["matched"]
    assert Need.objects.filter(pk__in=[n.pk for n in extra], status="matching").count() >= 1
    again = services.run_batch(sec, min_score=0.3)
    assert again["created"] == 0, "existing suggestions are not duplicated"


def test_track_records_are_empty_without_registry_activities() -> None:
    assert track_record.history_records() == []
    assert track_record.track_records() == {}
    assert engine.provider_index() is None


def test_alerts_notify_once_by_email_or_daily_digest(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    sec, org = world["sec"], world["org"]
    watcher = factories.user("watcher")
    alerts.save_search(
        watcher,
        name="Fibre in Niger",
        country_iso3="NER",
        focus_area="connectivity-infrastructure",
        threshold=0.3,
    )
    digest_user = factories.user("digest")
    alerts.save_search(
        digest_user,
        name="Any connectivity",
        focus_area="connectivity-infrastructure",
        threshold=0.3,
        frequency=SavedSearch.Frequency.DAILY,
    )
    alerts.save_search(digest_user, name="Taxation", focus_area="digital-taxation", threshold=0.0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        offer = _offer(sec, org, "Satellite backhaul for LDCs", eligible_groups=["ldc"])
    assert Notification.objects.filter(subject="offer", object_id=offer.pk).count() == 2
    assert len(mail.outbox) == 1 and "Fibre in Niger" in mail.outbox[0].subject
    assert alerts.on_offer_published(offer.pk) == 0, "never the same notification twice"
    with django_capture_on_commit_callbacks(execute=True):
        offers.change_status(sec, offer.pk, "closed", "pause")
        offers.change_status(sec, offer.pk, "published", "again")
    assert Notification.objects.filter(object_id=offer.pk, subject="offer").count() == 2
    assert alerts.send_digests() == 1
    assert len(mail.outbox) == 2 and "daily digest" in mail.outbox[1].subject
    assert alerts.send_digests() == 0 and len(mail.outbox) == 2
    kenya = _offer(sec, org, "Kenya only", eligible_countries=["KEN"])
    assert alerts.on_offer_published(kenya.pk) == 1, "only the search without a country fits"
    with pytest.raises(alerts.AlertError, match="focus_area"):
        alerts.save_search(watcher, name="x", focus_area="quantum")


def test_alerts_for_new_needs(world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    editor = world["editor"]
    alerts.save_search(
        editor, name="Needs in Niger", country_iso3="NER", target=SavedSearch.Target.NEEDS, threshold=0.3
    )
    fp = world["fp"]
    need = needs.create_need(
        fp,
        Economy.objects.get(iso3="NER"),
        title="Fibre for clinics",
        description="Rural broadband",
        focus_areas=["connectivity-infrastructure"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        needs.change_status(fp, need.pk, "submitted", "ready")
    note = Notification.objects.get(subject="need", object_id=need.pk)
    assert note.user_id == editor.pk and note.url == need.get_absolute_url()
    assert alerts.mark_read(editor) == 1


def test_an_offers_capacity_cannot_drop_below_the_places_taken(world: dict[str, Any]) -> None:
    from django.test import Client

    fp, editor, need, one = world["fp"], world["editor"], world["need"], world["one"]
    match = services.contact(fp, need.pk, one.pk, "we are interested")
    services.change_status(editor, match.pk, "accepted", "agreed")
    with pytest.raises(offers.OfferError, match="1 places are already taken"):
        offers.update_offer(editor, one.pk, capacity=0)
    offers.update_offer(editor, one.pk, capacity=1)  # as many as taken is fine
    offers.update_offer(editor, world["open"].pk, capacity=0)  # nothing taken there: closing the places
    client = Client()
    client.force_login(editor)
    page = client.get("/matches/provider/").content.decode()
    rows = {
        o: re.search(rf">{o}</a>.*?</tr>", page, re.S)
        for o in ("Rural broadband grant", "Community networks toolkit", "Kenya fibre")
    }
    cells = {o: re.findall(r'<td class="num">([^<]*)</td>', m.group(0)) for o, m in rows.items() if m}
    assert cells["Community networks toolkit"][-1] == "0" and cells["Kenya fibre"][-1] == "∞"
