"""Read side of the events app, shared by pages, API and CLI: events, agendas, the organiser's grid."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, can_edit, is_secretariat
from gapbridge.events import notifications, times
from gapbridge.events.models import (
    Event,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    RequestStatus,
    ScheduleRun,
    Slot,
    Table,
)
from gapbridge.events.planner import effective_max, schedulable_requests

PARTY = ("economy", "organization")


def events_for(actor: Actor) -> QuerySet[Event]:
    qs = Event.objects.all() if is_secretariat(actor) else Event.objects.public()
    return qs.annotate(
        registered=Count("participants", filter=Q(participants__status=ParticipantStatus.REGISTERED))
    )


def get_event(actor: Actor, event_id: int) -> Event:
    """The event if the actor may see it (drafts are the secretariat's); Event.DoesNotExist otherwise."""
    return events_for(actor).get(pk=event_id)


def participants(event: Event, *, registered_only: bool = False) -> QuerySet[Participant]:
    qs = event.participants.select_related(*PARTY).order_by("kind", "economy__name_en", "organization__name")
    return qs.filter(status=ParticipantStatus.REGISTERED) if registered_only else qs


def acting_for(actor: Actor, event: Event) -> list[Participant]:
    """The participants of `event` the actor may act for (the secretariat: none implicitly, see `pick`)."""
    if actor is None or not actor.is_authenticated:
        return []
    own = participants(event).filter(members__user_id=actor.pk)
    found = {p.pk: p for p in own}
    for p in participants(event).exclude(pk__in=list(found)):
        if (p.economy_id or p.organization_id) and can_edit(actor, p) and not is_secretariat(actor):
            found[p.pk] = p
    return sorted(found.values(), key=lambda p: (p.kind, p.name))


def pick(actor: Actor, event: Event, as_id: str | int | None) -> Participant | None:
    """The participant a page acts for: `?as=` when the actor may act for it, else their first one."""
    mine = acting_for(actor, event)
    if as_id not in (None, ""):
        try:
            wanted = int(str(as_id))
        except ValueError:
            return None
        for p in mine:
            if p.pk == wanted:
                return p
        if is_secretariat(actor):
            return participants(event).filter(pk=wanted).first()
        return None
    return mine[0] if mine else None


@dataclass(frozen=True)
class AgendaItem:
    meeting_id: int
    ref: str
    status: str
    status_label: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    when: str
    table: str
    is_virtual: bool
    room_url: str
    other: str
    other_kind: str
    other_id: int
    preference: str
    mutual: bool
    sequence: int
    updated_at: dt.datetime
    outcome: str


def _meeting_rows(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.select_related(
        "slot",
        "table",
        "outcome",
        "request__requester__economy",
        "request__requester__organization",
        "request__recipient__economy",
        "request__recipient__organization",
    )


def agenda(participant: Participant, *, include_cancelled: bool = False) -> list[AgendaItem]:
    """The participant's meetings in time order (cancelled and dropped ones too when asked)."""
    event = participant.event
    qs = Meeting.objects.filter(Q(request__requester=participant) | Q(request__recipient=participant))
    if not include_cancelled:
        qs = qs.filter(status=MeetingStatus.SCHEDULED)
    items = []
    for m in _meeting_rows(qs):
        req = m.request
        other = req.recipient if req.requester_id == participant.pk else req.requester
        outcome = getattr(m, "outcome", None)
        items.append(
            AgendaItem(
                meeting_id=m.pk,
                ref=m.ref,
                status=m.status,
                status_label=m.get_status_display(),
                starts_at=m.slot.starts_at if m.slot else None,
                ends_at=m.slot.ends_at if m.slot else None,
                when=times.span(m.slot.starts_at, m.slot.ends_at, event.time_zone) if m.slot else "",
                table=m.table.name if m.table else "",
                is_virtual=bool(m.table and m.table.is_virtual),
                room_url=(m.table.online_url if m.table else "") or "",
                other=other.name,
                other_kind=other.get_kind_display(),
                other_id=other.pk,
                preference=req.get_preference_display(),
                mutual=req.mutual,
                sequence=m.sequence,
                updated_at=m.updated_at,
                outcome=outcome.get_kind_display() if outcome else "",
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (i.status != MeetingStatus.SCHEDULED, i.starts_at or far, i.ref))
    return items


@dataclass
class Requests:
    incoming: list[MeetingRequest]
    outgoing: list[MeetingRequest]


def requests_of(participant: Participant) -> Requests:
    rel = (
        "requester__economy",
        "requester__organization",
        "recipient__economy",
        "recipient__organization",
        "meeting",
    )
    qs = MeetingRequest.objects.select_related(*rel).order_by("-created_at", "-id")
    return Requests(
        incoming=list(qs.filter(recipient=participant)), outgoing=list(qs.filter(requester=participant))
    )


def blocked_pairs(event: Event) -> set[frozenset[int]]:
    """Pairs that already have a request (any status, either direction): nothing more to suggest."""
    return {
        frozenset((a, b))
        for a, b in MeetingRequest.objects.filter(event=event).values_list("requester_id", "recipient_id")
    }


# --------------------------------------------------------------------------------------------------
# The organiser's grid


@dataclass
class Cell:
    table: Table
    meeting: Meeting | None = None
    label: str = ""
    conflicts: list[str] = field(default_factory=list)


@dataclass
class Row:
    slot: Slot
    when: str
    cells: list[Cell]


@dataclass
class Grid:
    event: Event
    tables: list[Table]
    rows: list[Row]
    conflicts: int
    unplaced: list[MeetingRequest]
    last_run: ScheduleRun | None
    scheduled: int
    utilisation: float
    #: what the last run moved and could not keep, each with its reason in the reader's language
    moved: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)


def grid(event: Event) -> Grid:
    """Slots × tables with each scheduled meeting; conflicts (things changed since the run) are flagged."""
    last_run = event.runs.first()
    moved, dropped = run_changes(last_run)
    tables = list(Table.objects.filter(event=event).order_by("position", "id"))
    slots = list(Slot.objects.filter(event=event).select_related("session").order_by("starts_at", "id"))
    meetings = list(_meeting_rows(Meeting.objects.filter(event=event, status=MeetingStatus.SCHEDULED)))
    people = {p.pk: p for p in participants(event).prefetch_related("unavailable_slots")}
    unavailable = {pk: {s.pk for s in p.unavailable_slots.all()} for pk, p in people.items()}
    position = {s.pk: i for i, s in enumerate(slots)}
    by_person: dict[int, list[Meeting]] = defaultdict(list)
    for m in meetings:
        by_person[m.request.requester_id].append(m)
        by_person[m.request.recipient_id].append(m)
    problems: dict[int, list[str]] = defaultdict(list)
    for m in meetings:
        assert m.slot is not None and m.table is not None
        if not m.slot.is_open:
            problems[m.pk].append(_("the slot is closed"))
        if not m.table.is_open:
            problems[m.pk].append(_("the table is closed"))
        if m.request.status != RequestStatus.ACCEPTED:
            problems[m.pk].append(_("the request is %(status)s") % {"status": m.request.get_status_display()})
        for pid in (m.request.requester_id, m.request.recipient_id):
            p = people[pid]
            if p.status != ParticipantStatus.REGISTERED:
                problems[m.pk].append(
                    _("%(party)s is %(status)s") % {"party": p.name, "status": p.get_status_display()}
                )
            if m.slot_id in unavailable[pid]:
                problems[m.pk].append(_("%(party)s is not available then") % {"party": p.name})
            here = position[m.slot.pk]
            for other in by_person[pid]:
                if (
                    other.pk != m.pk
                    and other.slot is not None
                    and abs(position[other.slot.pk] - here) <= event.buffer_slots
                ):
                    problems[m.pk].append(
                        _("%(party)s also has %(ref)s then") % {"party": p.name, "ref": other.ref}
                    )
            limit = effective_max(p, event)
            if limit is not None and len(by_person[pid]) > limit:
                problems[m.pk].append(
                    _("%(party)s has %(n)d meetings, more than %(max)d")
                    % {"party": p.name, "n": len(by_person[pid]), "max": limit}
                )
    at = {(m.slot_id, m.table_id): m for m in meetings}
    rows = []
    for s in slots:
        cells = []
        for t in tables:
            found = at.get((s.pk, t.pk))
            label = f"{found.request.requester.name} – {found.request.recipient.name}" if found else ""
            cells.append(Cell(t, found, label, problems.get(found.pk, []) if found else []))
        rows.append(Row(s, times.span(s.starts_at, s.ends_at, event.time_zone), cells))
    placed = {m.request_id for m in meetings}
    unplaced = [r for r in schedulable_requests(event) if r.pk not in placed]
    capacity = sum(1 for s in slots if s.is_open) * sum(1 for t in tables if t.is_open)
    return Grid(
        event=event,
        tables=tables,
        rows=rows,
        conflicts=sum(1 for v in problems.values() if v),
        unplaced=list(
            MeetingRequest.objects.filter(pk__in=[r.pk for r in unplaced]).select_related(
                "requester__economy",
                "requester__organization",
                "recipient__economy",
                "recipient__organization",
            )
        ),
        last_run=last_run,
        scheduled=len(meetings),
        utilisation=len(meetings) / capacity if capacity else 0.0,
        moved=moved,
        dropped=dropped,
    )


def run_changes(
    run: ScheduleRun | None, *, directed: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The run's moved and dropped meetings as stored in its details, each `reason` in the active language
    (from the stored message key; the stored text for runs made before keys were stored)."""
    if run is None or not isinstance(run.details, dict):
        return [], []
    moved = [m for m in run.details.get("moved") or [] if isinstance(m, dict)]
    dropped = [m for m in run.details.get("dropped") or [] if isinstance(m, dict)]
    rows = [*moved, *dropped]
    texts = notifications.texts_of(
        [m.get("said") for m in rows], [str(m.get("reason") or "") for m in rows], directed=directed
    )
    shown = [{**m, "reason": text} for m, text in zip(rows, texts, strict=True)]
    return shown[: len(moved)], shown[len(moved) :]
