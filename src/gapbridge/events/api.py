"""/api/v1 endpoints of matchmaking events: events, participants, meeting requests, the schedule, agendas.

Published events are public; requests, agendas and the schedule need a session or a token. Writes go
through `gapbridge.events.services` (and `planner` for the scheduler). A rule a write breaks comes back as
400 with the reason; a permission as 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema, Status

from gapbridge.accounts.permissions import PermissionDenied, is_secretariat
from gapbridge.api.auth import READ_AUTH, WRITE_AUTH
from gapbridge.api.pagination import page
from gapbridge.countries.queries import QueryError
from gapbridge.events import planner, queries, schemas, services, suggestions, times
from gapbridge.events.models import (
    Event,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    Participant,
    ParticipantKind,
    ScheduleRun,
    Session,
    Slot,
    Table,
)

router = Router()


@contextmanager
def _rules() -> Iterator[None]:
    """A broken rule (EventError) becomes a 400 with its message."""
    try:
        yield
    except services.EventError as exc:
        raise QueryError(str(exc)) from None


def _event(request: HttpRequest, event_id: int) -> Event:
    return queries.get_event(request.user, event_id)


def _event_out(e: Event) -> schemas.EventOut:
    return schemas.EventOut(
        id=e.pk,
        title=e.title,
        description=e.description,
        focus_areas=list(e.focus_areas),
        starts_on=e.starts_on,
        ends_on=e.ends_on,
        time_zone=e.time_zone,
        venue=e.venue,
        online_url=e.online_url,
        registration=e.registration,
        status=e.status,
        buffer_slots=e.buffer_slots,
        delegation_max_meetings=e.delegation_max_meetings,
        provider_max_meetings=e.provider_max_meetings,
        registered=getattr(e, "registered", 0) or 0,
    )


def _participant_out(request: HttpRequest, p: Participant) -> schemas.ParticipantOut:
    private = services.can_act(request.user, p) and request.user.is_authenticated
    return schemas.ParticipantOut(
        id=p.pk,
        key=p.key,
        kind=p.kind,
        name=p.name,
        country=p.economy.iso3 if p.economy else None,
        organization_id=p.organization_id,
        status=p.status,
        max_meetings=p.max_meetings,
        effective_max_meetings=planner.effective_max(p, p.event),
        focus_areas=list(p.focus_areas),
        unavailable_slots=sorted(s.pk for s in p.unavailable_slots.all()) if private else None,
    )


class EventFilters(Schema):
    status: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/events", response=schemas.EventPageOut, summary="List events")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> schemas.EventPageOut:
    qs = queries.events_for(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    count, items, next_url = page(request, qs, filters.limit, filters.offset)
    return schemas.EventPageOut(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        next=next_url,
        results=[_event_out(e) for e in items],
    )


@router.post(
    "/events", response={201: schemas.EventOut}, auth=WRITE_AUTH, summary="Create an event (secretariat)"
)
def create_event(request: HttpRequest, body: schemas.EventIn) -> Status[schemas.EventOut]:
    with _rules():
        event = services.create_event(request.user, **body.model_dump())
    return Status(201, _event_out(_event(request, event.pk)))


def _slot_out(s: Slot, tz: str) -> schemas.SlotOut:
    return schemas.SlotOut(
        id=s.pk,
        key=s.key,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        local=times.span(s.starts_at, s.ends_at, tz),
        is_open=s.is_open,
    )


def _session_out(s: Session, tz: str) -> schemas.SessionOut:
    return schemas.SessionOut(
        id=s.pk,
        title=s.title,
        day=s.day,
        start_time=s.start_time,
        slot_minutes=s.slot_minutes,
        break_minutes=s.break_minutes,
        slot_count=s.slot_count,
        slots=[_slot_out(x, tz) for x in s.slots.order_by("starts_at")],
    )


def _table_out(t: Table) -> schemas.TableOut:
    return schemas.TableOut(
        id=t.pk, key=t.key, name=t.name, is_virtual=t.is_virtual, online_url=t.online_url, is_open=t.is_open
    )


@router.get("/events/{event_id}", response=schemas.EventDetailOut, summary="An event with its programme")
def get_event(request: HttpRequest, event_id: int) -> schemas.EventDetailOut:
    e = _event(request, event_id)
    people = queries.participants(e, registered_only=not is_secretariat(request.user)).prefetch_related(
        "unavailable_slots"
    )
    return schemas.EventDetailOut(
        **_event_out(e).model_dump(),
        sessions=[_session_out(s, e.time_zone) for s in e.sessions.all()],
        tables=[_table_out(t) for t in e.tables.all()],
        participants=[_participant_out(request, p) for p in people],
    )


@router.post(
    "/events/{event_id}/status",
    response=schemas.EventOut,
    auth=WRITE_AUTH,
    summary="Change an event's status",
)
def event_status(request: HttpRequest, event_id: int, body: schemas.StatusIn) -> schemas.EventOut:
    e = _event(request, event_id)
    with _rules():
        services.change_event_status(request.user, e.pk, body.status, body.reason)
    return _event_out(_event(request, event_id))


@router.post(
    "/events/{event_id}/sessions",
    response={201: schemas.SessionOut},
    auth=WRITE_AUTH,
    summary="Add a session",
)
def add_session(request: HttpRequest, event_id: int, body: schemas.SessionIn) -> Status[schemas.SessionOut]:
    e = _event(request, event_id)
    with _rules():
        s = services.add_session(request.user, e.pk, **body.model_dump())
    return Status(201, _session_out(s, e.time_zone))


@router.post(
    "/events/{event_id}/tables",
    response={201: list[schemas.TableOut]},
    auth=WRITE_AUTH,
    summary="Add tables or virtual rooms",
)
def add_tables(request: HttpRequest, event_id: int, body: schemas.TablesIn) -> Status[list[schemas.TableOut]]:
    e = _event(request, event_id)
    with _rules():
        tables = services.add_tables(request.user, e.pk, **body.model_dump())
    return Status(201, [_table_out(t) for t in tables])


@router.get("/events/{event_id}/participants", response=list[schemas.ParticipantOut], summary="Participants")
def list_participants(request: HttpRequest, event_id: int) -> list[schemas.ParticipantOut]:
    e = _event(request, event_id)
    people = queries.participants(e, registered_only=not is_secretariat(request.user))
    return [_participant_out(request, p) for p in people.prefetch_related("unavailable_slots")]


@router.post(
    "/events/{event_id}/participants",
    response={201: schemas.ParticipantOut},
    auth=WRITE_AUTH,
    summary="Invite (secretariat) or register (open events) a delegation or provider",
)
def add_participant(
    request: HttpRequest, event_id: int, body: schemas.ParticipantIn
) -> Status[schemas.ParticipantOut]:
    e = _event(request, event_id)
    party = body.country if body.kind == ParticipantKind.DELEGATION else body.organization
    if not party:
        raise QueryError(_("give `country` (ISO3) for a delegation or `organization` for a provider"))
    members = [{"name": m.name, "email": m.email, "user": m.username, "role": m.role} for m in body.members]
    fields: dict[str, Any] = {
        "kind": body.kind,
        "party": party,
        "members": members,
        "max_meetings": body.max_meetings,
        "focus_areas": body.focus_areas,
        "note": body.note,
    }
    with _rules():
        if is_secretariat(request.user):
            p = services.invite(request.user, e.pk, register_now=body.register_now, **fields)
        else:
            if body.register_now:
                raise PermissionDenied(_("only the secretariat registers participants directly"))
            p = services.register(request.user, e.pk, **fields)
    return Status(201, _participant_out(request, p))


def _participant(e: Event, participant_id: int) -> Participant:
    return Participant.objects.select_related("event", "economy", "organization").get(
        pk=participant_id, event=e
    )


@router.post(
    "/events/{event_id}/participants/{participant_id}/status",
    response=schemas.ParticipantOut,
    auth=WRITE_AUTH,
    summary="Accept or decline an invitation, moderate, withdraw",
)
def participant_status(
    request: HttpRequest, event_id: int, participant_id: int, body: schemas.StatusIn
) -> schemas.ParticipantOut:
    e = _event(request, event_id)
    p = _participant(e, participant_id)
    with _rules():
        services.change_participant_status(request.user, p.pk, body.status, body.reason)
    return _participant_out(request, _participant(e, participant_id))


@router.put(
    "/events/{event_id}/participants/{participant_id}/availability",
    response=schemas.ParticipantOut,
    auth=WRITE_AUTH,
    summary="Set the slots a participant cannot meet in",
)
def availability(
    request: HttpRequest, event_id: int, participant_id: int, body: schemas.AvailabilityIn
) -> schemas.ParticipantOut:
    e = _event(request, event_id)
    p = _participant(e, participant_id)
    with _rules():
        services.set_availability(request.user, p.pk, body.unavailable_slots, body.reason)
    return _participant_out(request, _participant(e, participant_id))


def _request_out(r: MeetingRequest) -> schemas.RequestOut:
    meeting = Meeting.objects.filter(request=r).values_list("pk", flat=True).first()
    return schemas.RequestOut(
        id=r.pk,
        key=r.key,
        requester=r.requester_id,
        requester_name=r.requester.name,
        recipient=r.recipient_id,
        recipient_name=r.recipient.name,
        preference=r.preference,
        recipient_preference=r.recipient_preference,
        mutual=r.mutual,
        weight=r.weight,
        status=r.status,
        source=r.source,
        explanation=r.explanation,
        message=r.message,
        meeting=meeting,
        created_at=r.created_at,
    )


def _me(request: HttpRequest, e: Event, participant: int | None) -> Participant:
    me = queries.pick(request.user, e, participant)
    if me is None and participant is not None:
        raise PermissionDenied(
            _(
                "you do not act for participant %(participant)s of this event; pass `participant` = the id "
                "of one you act for (GET /api/v1/events/%(event)s/participants lists them)"
            )
            % {"participant": participant, "event": e.pk}
        )
    if me is None:
        raise PermissionDenied(
            _("you do not act for a participant of this event; pass `participant` you act for")
        )
    return me


@router.get(
    "/events/{event_id}/requests",
    response=list[schemas.RequestOut],
    auth=READ_AUTH,
    summary="Meeting requests of a participant you act for (all of them for the secretariat)",
)
def list_requests(
    request: HttpRequest, event_id: int, participant: int | None = None
) -> list[schemas.RequestOut]:
    e = _event(request, event_id)
    rel = ("requester__economy", "requester__organization", "recipient__economy", "recipient__organization")
    if participant is None and is_secretariat(request.user):
        return [_request_out(r) for r in MeetingRequest.objects.filter(event=e).select_related(*rel)]
    me = _me(request, e, participant)
    mine = queries.requests_of(me)
    return [_request_out(r) for r in [*mine.incoming, *mine.outgoing]]


@router.post(
    "/events/{event_id}/requests",
    response={201: schemas.RequestOut},
    auth=WRITE_AUTH,
    summary="Ask for a meeting",
)
def send_request(request: HttpRequest, event_id: int, body: schemas.RequestIn) -> Status[schemas.RequestOut]:
    e = _event(request, event_id)
    requester = _participant(e, body.requester)
    with _rules():
        r = services.send_request(
            request.user, requester.pk, body.recipient, body.preference, message=body.message
        )
    return Status(201, _request_out(r))


def _request(e: Event, request_id: int) -> MeetingRequest:
    return MeetingRequest.objects.select_related(
        "requester__economy", "requester__organization", "recipient__economy", "recipient__organization"
    ).get(pk=request_id, event=e)


@router.post(
    "/events/{event_id}/requests/{request_id}/respond",
    response=schemas.RequestOut,
    auth=WRITE_AUTH,
    summary="Accept, decline or say no thanks to a meeting request",
)
def respond(
    request: HttpRequest, event_id: int, request_id: int, body: schemas.RespondIn
) -> schemas.RequestOut:
    e = _event(request, event_id)
    r = _request(e, request_id)
    with _rules():
        services.respond(request.user, r.pk, body.answer, interest=body.interest, reason=body.reason)
    return _request_out(_request(e, request_id))


@router.post(
    "/events/{event_id}/requests/{request_id}/withdraw",
    response=schemas.RequestOut,
    auth=WRITE_AUTH,
    summary="Withdraw your meeting request",
)
def withdraw(
    request: HttpRequest, event_id: int, request_id: int, body: schemas.ReasonIn
) -> schemas.RequestOut:
    e = _event(request, event_id)
    r = _request(e, request_id)
    with _rules():
        services.withdraw_request(request.user, r.pk, body.reason)
    return _request_out(_request(e, request_id))


@router.get(
    "/events/{event_id}/suggestions",
    response=list[schemas.SuggestionOut],
    auth=READ_AUTH,
    summary="Suggested meetings with their explanation",
)
def list_suggestions(
    request: HttpRequest, event_id: int, participant: int | None = None, limit: int = 20
) -> list[schemas.SuggestionOut]:
    e = _event(request, event_id)
    me = None if participant is None and is_secretariat(request.user) else _me(request, e, participant)
    return [
        schemas.SuggestionOut(
            delegation=s.delegation.pk,
            delegation_name=s.delegation.name,
            provider=s.provider.pk,
            provider_name=s.provider.name,
            score=s.score,
            source=s.source,
            explanation=list(s.lines),
        )
        for s in suggestions.suggest(e, participant=me, limit=max(1, min(limit, 200)))
    ]


def _run_out(run: ScheduleRun) -> schemas.RunOut:
    moved, dropped = queries.run_changes(run, directed=False)  # plain text for scripts
    return schemas.RunOut(
        id=run.pk,
        kind=run.kind,
        from_scratch=bool(run.details.get("from_scratch", False)),
        at=run.at,
        by=run.actor_label,
        status=run.status,
        objective=run.objective,
        bound=run.bound,
        gap=run.gap,
        greedy_objective=run.greedy_objective,
        seconds=run.seconds,
        requests=run.requests,
        kept=run.kept,
        moved=run.moved,
        added=run.added,
        dropped=run.dropped,
        moved_meetings=[_without_key(m) for m in moved],
        dropped_meetings=[_without_key(m) for m in dropped],
    )


def _without_key(change: dict[str, Any]) -> dict[str, Any]:
    """A moved or dropped meeting as the API gives it: `reason` in the request's language, not the stored
    message key it was made from."""
    return {k: v for k, v in change.items() if k != "said"}


@router.post(
    "/events/{event_id}/schedule",
    response=schemas.RunOut,
    auth=WRITE_AUTH,
    summary="Run the scheduler (secretariat): schedule, or reschedule keeping every meeting that can stay",
)
def run_schedule(request: HttpRequest, event_id: int, body: schemas.ScheduleIn) -> schemas.RunOut:
    e = _event(request, event_id)
    with _rules():
        run = planner.run_schedule(
            request.user, e.pk, time_limit=body.time_limit, reason=body.reason, keep=body.keep_existing
        )
    return _run_out(run)


@router.get(
    "/events/{event_id}/schedule",
    response=schemas.ScheduleOut,
    auth=READ_AUTH,
    summary="The schedule (secretariat): every meeting, its slot and table, and the conflicts",
)
def get_schedule(request: HttpRequest, event_id: int) -> schemas.ScheduleOut:
    e = _event(request, event_id)
    services.require_organiser(request.user, gettext_noop("see the whole schedule"))
    g = queries.grid(e)
    meetings = [
        schemas.MeetingOut(
            id=c.meeting.pk,
            ref=c.meeting.ref,
            request=c.meeting.request_id,
            status=c.meeting.status,
            slot=c.meeting.slot_id,
            table=c.meeting.table_id,
            starts_at=row.slot.starts_at,
            ends_at=row.slot.ends_at,
            table_name=c.table.name,
            a=c.meeting.request.requester.name,
            b=c.meeting.request.recipient.name,
            conflicts=c.conflicts,
        )
        for row in g.rows
        for c in row.cells
        if c.meeting is not None
    ]
    return schemas.ScheduleOut(
        event=e.pk,
        last_run=_run_out(g.last_run) if g.last_run else None,
        meetings=meetings,
        conflicts=g.conflicts,
        unplaced_requests=[r.pk for r in g.unplaced],
    )


@router.get(
    "/events/{event_id}/agenda",
    response=schemas.AgendaOut,
    auth=READ_AUTH,
    summary="A participant's agenda (links to its PDF and ICS)",
)
def get_agenda(request: HttpRequest, event_id: int, participant: int | None = None) -> schemas.AgendaOut:
    e = _event(request, event_id)
    me = _me(request, e, participant)
    items = queries.agenda(me, include_cancelled=True)
    query = f"?as={me.pk}"
    return schemas.AgendaOut(
        event=e.pk,
        participant=me.pk,
        participant_name=me.name,
        time_zone=e.time_zone,
        meetings=[
            schemas.AgendaItemOut(
                meeting=i.meeting_id,
                ref=i.ref,
                status=i.status,
                starts_at=i.starts_at,
                ends_at=i.ends_at,
                local=i.when,
                table=i.table,
                room_url=i.room_url,
                other=i.other,
                other_kind=i.other_kind,
                mutual=i.mutual,
                outcome=i.outcome,
            )
            for i in items
        ],
        pdf=request.build_absolute_uri(reverse("events:agenda-pdf", args=[e.pk]) + query),
        ics=request.build_absolute_uri(reverse("events:agenda-ics", args=[e.pk]) + query),
    )


def _meeting(request: HttpRequest, e: Event, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_related(
        "slot", "table", "request__requester__economy", "request__recipient__organization"
    ).get(pk=meeting_id, event=e)
    if not services.can_act_on_meeting(request.user, meeting):
        raise Meeting.DoesNotExist(_("no meeting M%(id)s of yours") % {"id": meeting_id})
    return meeting


def _meeting_out(m: Meeting) -> schemas.MeetingOut:
    return schemas.MeetingOut(
        id=m.pk,
        ref=m.ref,
        request=m.request_id,
        status=m.status,
        slot=m.slot_id,
        table=m.table_id,
        starts_at=m.slot.starts_at if m.slot else None,
        ends_at=m.slot.ends_at if m.slot else None,
        table_name=m.table.name if m.table else "",
        a=m.request.requester.name,
        b=m.request.recipient.name,
    )


@router.post(
    "/events/{event_id}/meetings/{meeting_id}/cancel",
    response=schemas.MeetingOut,
    auth=WRITE_AUTH,
    summary="Cancel a meeting (either side or the secretariat)",
)
def cancel_meeting(
    request: HttpRequest, event_id: int, meeting_id: int, body: schemas.ReasonIn
) -> schemas.MeetingOut:
    e = _event(request, event_id)
    m = _meeting(request, e, meeting_id)
    with _rules():
        services.cancel_meeting(request.user, m.pk, body.reason)
    return _meeting_out(_meeting(request, e, meeting_id))


@router.post(
    "/events/{event_id}/meetings/{meeting_id}/outcome",
    response=schemas.OutcomeOut,
    auth=WRITE_AUTH,
    summary="Record what came out of a meeting",
)
def record_outcome(
    request: HttpRequest, event_id: int, meeting_id: int, body: schemas.OutcomeIn
) -> schemas.OutcomeOut:
    e = _event(request, event_id)
    m = _meeting(request, e, meeting_id)
    with _rules():
        o: MeetingOutcome = services.record_outcome(request.user, m.pk, **body.model_dump())
    return schemas.OutcomeOut(
        meeting=m.pk,
        kind=o.kind,
        note=o.note,
        link_kind=o.link_kind,
        link_id=o.link_id,
        link_label=o.link_label,
        link_method=o.link_method,
        recorded_at=o.recorded_at,
        warning=o.link_warning,
    )
