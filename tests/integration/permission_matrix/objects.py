"""Objects the writes act on, made through the services as the system (actor None) or the secretariat.

Everything made here belongs to the "own" side: country A (`world.country`) and organisation P
(`world.org`); a second object of the same kind, where a write needs one, belongs to the other side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gapbridge.accounts import tokens
from gapbridge.accounts.models import ApiToken
from gapbridge.analytics.models import CoordinationAlert as CoordinationAlert
from gapbridge.barriers import services as barriers
from gapbridge.barriers.models import Barrier, BarrierLink, BarrierNotification, BarrierSubscription
from gapbridge.events import services as events
from gapbridge.events.models import Event, Meeting, MeetingRequest, ParticipantMember
from gapbridge.events.models import Participant as Participant
from gapbridge.matches import services as matches
from gapbridge.matches.models import Match, Notification, SavedSearch
from gapbridge.needs import services as needs
from gapbridge.needs.models import Need as Need
from gapbridge.offers import services as offers
from gapbridge.offers.models import Offer
from gapbridge.organizations.models import Organization
from gapbridge.pledges import services as pledges
from gapbridge.pledges.models import Pledge, PledgeActivity, PledgeFlow
from gapbridge.projects.models import Activity, ImportJob
from tests.integration.permission_matrix.world import SECRETARIAT, World


def event_day() -> dt.date:
    """Events are made a month ahead of the day the tests run."""
    return timezone.localdate() + dt.timedelta(days=30)


def offer(w: World, status: str = "draft", provider: Organization | None = None) -> Offer:
    made = offers.create_offer(
        None,
        provider or w.org,
        title="Mobile money regulation clinic",
        description="Advice on e-money licensing for non-bank issuers.",
        kind="policy-advice",
        focus_areas=["digital-payments"],
    )
    if status != "draft":
        offers.change_status(None, made.pk, status, "matrix setup")
    return Offer.objects.get(pk=made.pk)


def need(w: World, status: str = "draft", *, indicative: bool = False) -> Need:
    made = needs.create_need(
        None,
        w.country,
        title="E-money licensing reform",
        description="Open e-money issuing to fintechs and telecom operators.",
        focus_areas=["digital-payments"],
        kinds=["policy-advice"],
    )
    path = {"draft": [], "submitted": ["submitted"], "validated": ["submitted", "validated"]}[status]
    for step in path:
        needs.change_status(None, made.pk, step, "matrix setup")
    if indicative:
        Need.objects.filter(pk=made.pk).update(origin="derived")
    return Need.objects.get(pk=made.pk)


def match(w: World) -> Match:
    return matches.suggest(None, need(w, "submitted").pk, offer(w, "published").pk)


def searches_and_notifications(w: World) -> dict[int, SavedSearch]:
    """A saved search and an unread notification for every signed-in actor."""
    out: dict[int, SavedSearch] = {}
    for account in w.users.values():
        search = SavedSearch.objects.create(user=account, name=f"search of {account.username}")
        Notification.objects.create(
            search=search, user=account, subject="offer", object_id=1, title="t", url="/", score=0.5
        )
        out[account.pk] = search
    return out


def barrier(w: World, status: str = "verified", **extra: Any) -> Barrier:
    fields: dict[str, Any] = {
        "title": "Mobile money licences limited to banks",
        "description": "Only licensed banks may issue e-money.",
        "country": w.country.iso3,
        "category": "e_payments",
        "focus_areas": ["digital-payments"],
        "reporter_organization": w.org,
    }
    fields.update(extra)
    made = barriers.report_barrier(w.users[SECRETARIAT], **fields)
    path = {"reported": [], "under_review": ["under_review"], "verified": ["under_review", "verified"]}[
        status
    ]
    for step in path:
        barriers.change_status(w.users[SECRETARIAT], made.pk, step, "matrix setup")
    return Barrier.objects.get(pk=made.pk)


def barrier_link(w: World) -> BarrierLink:
    b = barrier(w)
    return barriers.link(w.users[SECRETARIAT], b.pk, "need", need(w, "submitted").pk)


def barrier_subscription(w: World, owner: str) -> BarrierSubscription:
    return barriers.subscribe(w.users[owner], country=w.country, category="e_payments")


def api_token(w: World, owner: str) -> ApiToken:
    token, _secret = tokens.issue(None, w.users[owner], "matrix token", ["read"], days=30)
    return token


def barrier_notifications(w: World) -> None:
    """An unread barrier notification for every signed-in actor."""
    b = barrier(w)
    for account in w.users.values():
        BarrierNotification.objects.create(
            user=account, barrier=b, event="added", event_key=f"matrix:{account.pk}", message="new barrier"
        )


def pledge(w: World, provider: Organization | None = None, *, announced: bool = False) -> Pledge:
    made = pledges.create_pledge(
        w.users[SECRETARIAT],
        provider=provider or w.org,
        title="Digital payments pledge",
        amount="1000000",
        currency="USD",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2028, 12, 31),
    )
    if announced:
        pledges.change_status(w.users[SECRETARIAT], made.pk, "announced", "matrix setup")
    return Pledge.objects.get(pk=made.pk)


def pledge_flow(w: World) -> PledgeFlow:
    p = pledge(w)
    return pledges.add_flow(
        w.users[SECRETARIAT], p.pk, kind="commitment", amount="1000", currency="USD", date=dt.date(2026, 6, 1)
    )


def activity(w: World, identifier: str = "XM-MATRIX-P-1") -> Activity:
    now = timezone.now()
    return Activity.objects.create(
        iati_identifier=identifier,
        publisher_ref=w.org.iati_ref or "",
        reporting_org=w.org,
        title="Matrix activity",
        content_hash="0" * 64,
        first_imported_at=now,
        imported_at=now,
    )


def pledge_activity(w: World) -> PledgeActivity:
    p = pledge(w)
    return pledges.link_activity(w.users[SECRETARIAT], p.pk, activity(w).pk)


def alert(w: World) -> CoordinationAlert:
    a, b = activity(w, "XM-MATRIX-P-1"), activity(w, "XM-MATRIX-P-2")
    now = timezone.now()
    return CoordinationAlert.objects.create(
        a_activity_id=a.pk,
        a_identifier=a.iati_identifier,
        a_publisher=a.publisher_ref,
        a_organization=w.org,
        b_activity_id=b.pk,
        b_identifier=b.iati_identifier,
        b_publisher=b.publisher_ref,
        tier="likely",
        score=0.9,
        text_similarity=0.9,
        detected_at=now,
        last_seen_at=now,
    )


@dataclass
class EventSetup:
    event: Event
    delegation: Participant  # country A
    provider: Participant  # organisation P
    other_provider: Participant  # organisation Q
    request: MeetingRequest | None = None
    meeting: Meeting | None = None


def event(w: World, *, status: str = "published", registration: str = "invitation") -> EventSetup:
    made = events.create_event(
        None,
        title="Digital trade matchmaking",
        starts_on=event_day(),
        ends_on=event_day(),
        time_zone="Africa/Nairobi",
        venue="Nairobi",
        registration=registration,
    )
    events.add_session(
        None,
        made.pk,
        title="Morning",
        day=event_day(),
        start_time=dt.time(9, 0),
        slot_minutes=30,
        break_minutes=0,
        slot_count=2,
    )
    events.add_tables(None, made.pk, count=1)
    if status != "draft":
        events.change_event_status(None, made.pk, "published", "matrix setup")
    delegation = events.invite(None, made.pk, kind="delegation", party=w.country.iso3, register_now=True)
    provider = events.invite(None, made.pk, kind="provider", party=w.org, register_now=True)
    other = events.invite(None, made.pk, kind="provider", party=w.other_org, register_now=True)
    return EventSetup(Event.objects.get(pk=made.pk), delegation, provider, other)


def event_request(w: World) -> EventSetup:
    """A pending request from A's delegation to P."""
    s = event(w)
    s.request = events.send_request(None, s.delegation.pk, s.provider.pk, "must")
    return s


def accept(s: EventSetup) -> None:
    """P accepts the pending request of `event_request`."""
    assert s.request is not None
    events.respond(None, s.request.pk, "accept")


def event_meeting(w: World, *, finished: bool = False) -> EventSetup:
    """A scheduled meeting between A's delegation and P (placed by hand in the first slot)."""
    s = event_request(w)
    assert s.request is not None
    events.respond(None, s.request.pk, "accept")
    slot = s.event.sessions.first().slots.order_by("starts_at").first()  # type: ignore[union-attr]
    table = s.event.tables.first()
    s.meeting = Meeting.objects.create(event=s.event, request=s.request, slot=slot, table=table)
    if finished:
        events.change_event_status(None, s.event.pk, "finished", "matrix setup")
    return s


def member(s: EventSetup, w: World) -> ParticipantMember:
    return ParticipantMember.objects.create(participant=s.delegation, name="Delegate", email="d@example.org")


def event_notifications(s: EventSetup, w: World) -> None:
    """An unread event notification for every signed-in actor (each a member of a participant)."""
    from gapbridge.events.models import Notification as EventNotification

    for account in w.users.values():
        m = ParticipantMember.objects.create(
            participant=s.other_provider, user=account, name=account.username
        )
        EventNotification.objects.create(
            member=m, event=s.event, key=f"matrix:{account.pk}", subject="s", message="m"
        )


def failed_upload(w: World) -> ImportJob:
    """A failed IATI upload (its stored file is gone: a re-run is queued, not run, by the write itself)."""
    return ImportJob.objects.create(
        original_name="matrix.xml",
        stored_path="/nonexistent/matrix.xml",
        size=1,
        status=ImportJob.Status.FAILED,
        message="failed for the matrix",
        finished_at=timezone.now(),
    )
