"""Writes on matchmaking events. Each function: one transaction, a permission check first, an audit record.

Who may do what:
- the secretariat organises: creates and edits events, sessions, tables and limits, invites participants,
  moderates open registrations, runs the scheduler (`gapbridge.events.planner`);
- a participant is acted for by its members, by its country's focal points (a delegation) or its
  organization's editors (a provider); they register, answer invitations, set availability, send and answer
  meeting requests, cancel meetings and record outcomes;
- `actor=None` is the command line, a trusted operator.
Status changes of events, participants, requests and meetings are written to their history tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from gapbridge.accounts.permissions import (
    Actor,
    PermissionDenied,
    can_edit,
    country_ids,
    is_secretariat,
    organization_ids,
)
from gapbridge.audit import services as audit
from gapbridge.countries.models import Economy
from gapbridge.events import notifications, outcomes, times
from gapbridge.events.focus import clean_focus_areas
from gapbridge.events.models import (
    Event,
    EventStatus,
    EventStatusChange,
    Meeting,
    MeetingChange,
    MeetingOutcome,
    MeetingRequest,
    MeetingStatus,
    Notification,
    OutcomeKind,
    Participant,
    ParticipantKind,
    ParticipantMember,
    ParticipantStatus,
    ParticipantStatusChange,
    Preference,
    Registration,
    RequestSource,
    RequestStatus,
    RequestStatusChange,
    Session,
    Slot,
    Table,
)
from gapbridge.organizations.models import Organization


class EventError(ValueError):
    """A change that cannot be made; the message names the field or the rule."""


# --------------------------------------------------------------------------------------------------
# Who may act


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


# The `what` of the three checks below is an action marked with gettext_noop ("add sessions"): the refusal is
# a sentence with the action translated in it, in the reader's language.


def _require_signed_in(actor: Actor, what: str) -> None:
    if actor is not None and not actor.is_authenticated:
        # Translators: %(what)s is an action such as "register for an event", translated on its own.
        raise PermissionDenied(_("sign in to %(what)s") % {"what": _(what)})


def is_organiser(actor: Actor) -> bool:
    return actor is None or is_secretariat(actor)


def require_organiser(actor: Actor, what: str) -> None:
    if not is_organiser(actor):
        # Translators: %(what)s is an action such as "add sessions", translated on its own.
        raise PermissionDenied(_("only the secretariat may %(what)s") % {"what": _(what)})


def is_member(actor: Actor, participant: Participant) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    return participant.members.filter(user_id=actor.pk).exists()


def can_act(actor: Actor, participant: Participant) -> bool:
    """Members, the focal points or editors responsible for the party, the secretariat, the command line."""
    return actor is None or can_edit(actor, participant) or is_member(actor, participant)


def require_act(actor: Actor, participant: Participant, what: str) -> None:
    if not can_act(actor, participant):
        raise PermissionDenied(
            # Translators: %(what)s is an action such as "ask for meetings", translated on its own;
            # %(participant)s is a country delegation or a provider organization.
            _("%(actor)s may not %(what)s for %(participant)s")
            % {"actor": audit.actor_label(actor), "what": _(what), "participant": participant.name}
        )


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """audit.snapshot, with times of day as text (the audit log's JSON knows dates, not times)."""
    return {k: v.isoformat() if isinstance(v, dt.time) else v for k, v in audit.snapshot(obj).items()}


def _validate(obj: Any, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise EventError(
            "; ".join(
                f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in exc.message_dict.items()
            )
        ) from None


H = TypeVar("H", bound=models.Model)


def _history(model: type[H], actor: Actor, reason: str, at: dt.datetime | None = None, **fields: Any) -> H:
    return model._default_manager.create(
        at=at or timezone.now(),
        actor=_user(actor),
        actor_label=audit.actor_label(actor),
        reason=reason,
        **fields,
    )


# --------------------------------------------------------------------------------------------------
# Events

EVENT_FIELDS = frozenset(
    {
        "title",
        "description",
        "focus_areas",
        "starts_on",
        "ends_on",
        "time_zone",
        "venue",
        "online_url",
        "registration",
        "buffer_slots",
        "delegation_max_meetings",
        "provider_max_meetings",
        "auto_reschedule",
    }
)
EVENT_MOVES: Mapping[str, frozenset[str]] = {
    EventStatus.DRAFT: frozenset({EventStatus.PUBLISHED, EventStatus.CANCELLED}),
    EventStatus.PUBLISHED: frozenset(
        {EventStatus.REGISTRATION_CLOSED, EventStatus.FINISHED, EventStatus.CANCELLED}
    ),
    EventStatus.REGISTRATION_CLOSED: frozenset(
        {EventStatus.PUBLISHED, EventStatus.FINISHED, EventStatus.CANCELLED}
    ),
    EventStatus.FINISHED: frozenset(),
    EventStatus.CANCELLED: frozenset(),
}
ACTIVE = (EventStatus.PUBLISHED, EventStatus.REGISTRATION_CLOSED)


def _check_event_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise EventError(_("unknown event fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "focus_areas" in fields:
        try:
            fields["focus_areas"] = clean_focus_areas(fields["focus_areas"])
        except ValueError as exc:
            raise EventError(f"focus_areas: {exc}") from None
    if "time_zone" in fields:
        try:
            times.zone(fields["time_zone"])
        except times.TimeZoneError as exc:
            raise EventError(f"time_zone: {exc}") from None
    if "registration" in fields and fields["registration"] not in Registration.values:
        raise EventError(
            _("registration: expected one of %(choices)s") % {"choices": ", ".join(Registration.values)}
        )


#: The longest event the platform schedules (a quarter): a longer span is a typing mistake, not an event.
MAX_EVENT_DAYS = 92


def _check_event(event: Event, *, dates_changed: bool = True) -> None:
    if event.ends_on < event.starts_on:
        raise EventError(_("ends_on: the last day is before the first day"))
    # checked when the dates are set, so an event stored before the limit can still be edited otherwise
    if dates_changed and (event.ends_on - event.starts_on).days + 1 > MAX_EVENT_DAYS:
        days = (event.ends_on - event.starts_on).days + 1
        raise EventError(
            ngettext(
                "ends_on: an event lasts at most %(max)s days; %(start)s to %(end)s is %(days)s day",
                "ends_on: an event lasts at most %(max)s days; %(start)s to %(end)s is %(days)s days",
                days,
            )
            % {"max": MAX_EVENT_DAYS, "start": event.starts_on, "end": event.ends_on, "days": days}
        )
    _validate(event)


@transaction.atomic
def create_event(actor: Actor, **fields: Any) -> Event:
    """A new event, in draft until the secretariat publishes it."""
    require_organiser(actor, gettext_noop("create events"))
    _check_event_fields(fields)
    event = Event(
        **fields, created_by=_user(actor), status=EventStatus.DRAFT, status_changed_at=timezone.now()
    )
    _check_event(event)
    event.save()
    _history(
        EventStatusChange, actor, "created", event.status_changed_at, event=event, to_status=event.status
    )
    audit.record(actor, "create", event, after=audit.snapshot(event))
    return event


@transaction.atomic
def update_event(actor: Actor, event_id: int, **changes: Any) -> Event:
    require_organiser(actor, gettext_noop("change events"))
    event = Event.objects.select_for_update().get(pk=event_id)
    _check_event_fields(changes)
    if changes.get("time_zone", event.time_zone) != event.time_zone and event.slots.exists():
        raise EventError(
            _("time_zone: the event already has slots at set local times; remove its sessions first")
        )
    before = audit.snapshot(event)
    dates = (event.starts_on, event.ends_on)
    for name, value in changes.items():
        setattr(event, name, value)
    _check_event(event, dates_changed=(event.starts_on, event.ends_on) != dates)
    outside = event.sessions.exclude(day__gte=event.starts_on, day__lte=event.ends_on).first()
    if outside is not None:
        raise EventError(
            _("starts_on/ends_on: session %(title)s on %(day)s would fall outside the event")
            % {"title": repr(outside.title), "day": outside.day}
        )
    event.save()
    audit.record(actor, "update", event, before=before, after=audit.snapshot(event))
    return event


@transaction.atomic
def change_event_status(actor: Actor, event_id: int, to_status: str, reason: str = "") -> EventStatusChange:
    require_organiser(actor, gettext_noop("change an event's status"))
    event = Event.objects.select_for_update().get(pk=event_id)
    if to_status not in EventStatus.values:
        raise EventError(_("status: unknown event status %(status)s") % {"status": repr(to_status)})
    if to_status not in EVENT_MOVES[event.status]:
        allowed = ", ".join(sorted(EVENT_MOVES[event.status])) or _("none")
        raise EventError(
            _("an event cannot go from %(from)s to %(to)s (allowed: %(allowed)s)")
            % {"from": event.status, "to": to_status, "allowed": allowed}
        )
    before = audit.snapshot(event)
    frm = event.status
    event.status = to_status
    event.status_changed_at = timezone.now()
    event.save(update_fields=["status", "status_changed_at", "updated_at"])
    change = _history(
        EventStatusChange,
        actor,
        reason,
        event.status_changed_at,
        event=event,
        from_status=frm,
        to_status=to_status,
    )
    audit.record(actor, "transition", event, before=before, after=audit.snapshot(event), reason=reason)
    return change


def _editable(event: Event) -> None:
    if event.status in (EventStatus.FINISHED, EventStatus.CANCELLED):
        # the display of finished/cancelled, lower-cased, is the status code in English
        raise EventError(
            _("event %(id)s is %(status)s; it can no longer be changed")
            % {"id": event.pk, "status": event.get_status_display().lower()}
        )


@transaction.atomic
def add_session(
    actor: Actor,
    event_id: int,
    *,
    title: str,
    day: dt.date,
    start_time: dt.time,
    slot_minutes: int,
    slot_count: int,
    break_minutes: int = 0,
) -> Session:
    """A session and its slots: `slot_count` slots of `slot_minutes`, `break_minutes` apart (local time)."""
    require_organiser(actor, gettext_noop("add sessions"))
    event = Event.objects.select_for_update().get(pk=event_id)
    _editable(event)
    if not event.starts_on <= day <= event.ends_on:
        raise EventError(
            _("day: %(day)s is outside the event (%(start)s to %(end)s)")
            % {"day": day, "start": event.starts_on, "end": event.ends_on}
        )
    if slot_minutes <= 0 or slot_count <= 0 or break_minutes < 0:
        raise EventError(_("slot_minutes and slot_count must be positive, break_minutes 0 or more"))
    step = dt.timedelta(minutes=slot_minutes + break_minutes)
    first = dt.datetime.combine(day, start_time)
    last_end = first + step * (slot_count - 1) + dt.timedelta(minutes=slot_minutes)
    if last_end.date() != day:
        raise EventError(
            _("slot_count: %(count)s slots from %(time)s run past midnight")
            % {"count": slot_count, "time": start_time.strftime("%H:%M")}
        )
    session = Session(
        event=event,
        title=title.strip(),
        day=day,
        start_time=start_time,
        slot_minutes=slot_minutes,
        break_minutes=break_minutes,
        slot_count=slot_count,
    )
    _validate(session, exclude=["event"])
    session.save()
    slots = []
    for i in range(slot_count):
        start = first + step * i  # wall-clock arithmetic: a slot at 10:00 stays at 10:00 across a DST change
        end = start + dt.timedelta(minutes=slot_minutes)
        for moment in (start, end):
            if not times.exists(moment, event.time_zone):
                raise EventError(
                    _("start_time: %(time)s does not exist on %(day)s in %(zone)s (the clocks change)")
                    % {"time": moment.strftime("%H:%M"), "day": day, "zone": event.time_zone}
                )
        slots.append(
            Slot(
                event=event,
                session=session,
                starts_at=start.replace(tzinfo=times.zone(event.time_zone)),
                ends_at=end.replace(tzinfo=times.zone(event.time_zone)),
            )
        )
    new_starts = [s.starts_at for s in slots]
    overlapping = event.slots.filter(starts_at__lt=slots[-1].ends_at, ends_at__gt=slots[0].starts_at)
    if overlapping.exists():
        raise EventError(
            _("the session overlaps session %(title)s") % {"title": repr(overlapping[0].session.title)}
        )
    Slot.objects.bulk_create(slots)
    audit.record(
        actor,
        "create",
        session,
        after=_snapshot(session) | {"slots": [s.isoformat() for s in new_starts]},
    )
    return session


@transaction.atomic
def remove_session(actor: Actor, session_id: int) -> None:
    require_organiser(actor, gettext_noop("remove sessions"))
    session = Session.objects.select_related("event").get(pk=session_id)
    _editable(session.event)
    if (
        Meeting.objects.filter(slot__session=session).exists()
        or MeetingChange.objects.filter(Q(from_slot__session=session) | Q(to_slot__session=session)).exists()
    ):
        raise EventError(
            _("session %(title)s has had meetings; close its slots instead") % {"title": repr(session.title)}
        )
    audit.record(actor, "delete", session, before=_snapshot(session))
    session.delete()


@transaction.atomic
def set_slot_open(actor: Actor, slot_id: int, is_open: bool, reason: str = "") -> Slot:
    """Close a slot (no meeting is placed there at the next run) or open it again."""
    require_organiser(actor, gettext_noop("open or close slots"))
    slot = Slot.objects.select_related("event").get(pk=slot_id)
    _editable(slot.event)
    before = audit.snapshot(slot)
    slot.is_open = is_open
    slot.save(update_fields=["is_open"])
    audit.record(actor, "update", slot, before=before, after=audit.snapshot(slot), reason=reason)
    return slot


@transaction.atomic
def add_tables(
    actor: Actor,
    event_id: int,
    *,
    count: int = 1,
    prefix: str = "",
    names: Iterable[str] = (),
    is_virtual: bool = False,
    online_url: str = "",
) -> list[Table]:
    """Tables or virtual rooms: the given `names`, else `count` numbered ones (`Table 1`, `Table 2`, ...)."""
    require_organiser(actor, gettext_noop("add tables"))
    event = Event.objects.select_for_update().get(pk=event_id)
    _editable(event)
    taken = set(event.tables.values_list("name", flat=True))
    wanted = [n.strip() for n in names if n.strip()]
    if not wanted:
        if not 1 <= count <= 1000:
            raise EventError(_("count: between 1 and 1000 tables at a time"))
        prefix = (prefix or (_("Room") if is_virtual else _("Table"))).strip()
        number = 1
        while len(wanted) < count:
            if f"{prefix} {number}" not in taken:
                wanted.append(f"{prefix} {number}")
            number += 1
    clash = [n for n in wanted if n in taken]
    if clash or len(set(wanted)) != len(wanted):
        raise EventError(
            _("names: a table called %(name)s already exists in this event")
            % {"name": repr((clash or wanted)[0])}
        )
    position = (event.tables.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    created = []
    for i, name in enumerate(wanted):
        table = Table(
            event=event, name=name, is_virtual=is_virtual, online_url=online_url, position=position + i
        )
        _validate(table, exclude=["event"])
        table.save()
        created.append(table)
        audit.record(actor, "create", table, after=audit.snapshot(table))
    return created


@transaction.atomic
def set_table_open(actor: Actor, table_id: int, is_open: bool, reason: str = "") -> Table:
    require_organiser(actor, gettext_noop("open or close tables"))
    table = Table.objects.select_related("event").get(pk=table_id)
    _editable(table.event)
    before = audit.snapshot(table)
    table.is_open = is_open
    table.save(update_fields=["is_open"])
    audit.record(actor, "update", table, before=before, after=audit.snapshot(table), reason=reason)
    return table


# --------------------------------------------------------------------------------------------------
# Participants

ORGANISER_MOVES: Mapping[str, frozenset[str]] = {
    ParticipantStatus.PENDING: frozenset({ParticipantStatus.REGISTERED, ParticipantStatus.REJECTED}),
    ParticipantStatus.INVITED: frozenset({ParticipantStatus.REGISTERED, ParticipantStatus.WITHDRAWN}),
    ParticipantStatus.REGISTERED: frozenset({ParticipantStatus.WITHDRAWN}),
    ParticipantStatus.REJECTED: frozenset({ParticipantStatus.REGISTERED}),
    ParticipantStatus.WITHDRAWN: frozenset({ParticipantStatus.REGISTERED, ParticipantStatus.INVITED}),
    ParticipantStatus.DECLINED: frozenset({ParticipantStatus.INVITED}),
}
PARTICIPANT_MOVES: Mapping[str, frozenset[str]] = {
    ParticipantStatus.INVITED: frozenset({ParticipantStatus.REGISTERED, ParticipantStatus.DECLINED}),
    ParticipantStatus.PENDING: frozenset({ParticipantStatus.WITHDRAWN}),
    ParticipantStatus.REGISTERED: frozenset({ParticipantStatus.WITHDRAWN}),
    ParticipantStatus.DECLINED: frozenset({ParticipantStatus.REGISTERED}),
    ParticipantStatus.WITHDRAWN: frozenset({ParticipantStatus.PENDING}),
}


def allowed_participant_moves(actor: Actor, participant: Participant) -> list[str]:
    moves: set[str] = set()
    if is_organiser(actor):
        moves |= ORGANISER_MOVES.get(participant.status, frozenset())
    if can_act(actor, participant):
        moves |= PARTICIPANT_MOVES.get(participant.status, frozenset())
    if participant.event.registration != Registration.OPEN and not is_organiser(actor):
        moves.discard(ParticipantStatus.PENDING)
    return [s for s in ParticipantStatus.values if s in moves]


def _organization(party: Any) -> Organization:
    """A provider organization by its GapBridge number, its IATI identifier or its exact name (any case)."""
    text = str(party).strip()
    if isinstance(party, int) or text.isdigit():
        org = Organization.objects.filter(pk=int(text)).first()
        if org is not None:
            return org
        if isinstance(party, int):
            raise EventError(_("organization: no organization has the number %(number)s") % {"number": party})
    org = Organization.objects.filter(iati_ref=text).first() if text else None
    if org is None and text:  # "ch-4" for "CH-4", when only one identifier reads so
        same = list(Organization.objects.filter(iati_ref__iexact=text)[:2])
        org = same[0] if len(same) == 1 else None
    if org is not None:
        return org
    named = list(Organization.objects.filter(name__iexact=text).order_by("pk")[:11]) if text else []
    if len(named) == 1:
        return named[0]
    if not named:
        raise EventError(
            _("organization: no organization has the IATI identifier, GapBridge number or name %(party)s")
            % {"party": text}
        )
    candidates = ", ".join(
        # Translators: an organization and its GapBridge number, in a list of organizations with one name.
        _("%(name)s (no. %(number)s)") % {"name": o.name, "number": o.pk}
        for o in named[:10]
    )
    raise EventError(
        _("organization: several organizations are called %(party)s: %(candidates)s; give its number")
        % {"party": text, "candidates": candidates}
    )


def _party(kind: str, party: Any) -> tuple[Economy | None, Organization | None]:
    if kind == ParticipantKind.DELEGATION:
        if isinstance(party, Economy):
            return party, None
        found = (
            Economy.objects.filter(iso3=party.upper()).first()
            if isinstance(party, str)
            else Economy.objects.filter(pk=party).first()
        )
        if found is None:
            raise EventError(_("country: no economy %(party)s") % {"party": repr(party)})
        return found, None
    if kind == ParticipantKind.PROVIDER:
        if isinstance(party, Organization):
            return None, party
        return None, _organization(party)
    raise EventError(
        _("kind: expected one of %(choices)s, got %(kind)s")
        % {"choices": ", ".join(ParticipantKind.values), "kind": repr(kind)}
    )


def may_apply_for(actor: Actor, economy: Economy | None, organization: Organization | None) -> bool:
    """Who may apply to an open event for a party: a country's focal points for its delegation, an
    organization's editors for it as a provider, and the secretariat for anyone."""
    if is_secretariat(actor):
        return True
    if economy is not None:
        return economy.pk in country_ids(actor)
    return organization is not None and organization.pk in organization_ids(actor)


def _require_apply(actor: Actor, economy: Economy | None, organization: Organization | None) -> None:
    if may_apply_for(actor, economy, organization):
        return
    if economy is not None:
        raise PermissionDenied(
            # Translators: %(party)s is a country.
            _("%(actor)s may not apply for %(party)s: only its focal points may")
            % {"actor": audit.actor_label(actor), "party": economy.name}
        )
    raise PermissionDenied(
        # Translators: %(party)s is an organization.
        _("%(actor)s may not apply for %(party)s: only its editors may")
        % {"actor": audit.actor_label(actor), "party": organization.name if organization else ""}
    )


def _member_fields(item: Mapping[str, Any], *, one: bool = False) -> dict[str, Any]:
    """A member's fields; errors name `members` (a list of them) or, for `one` member, its own field."""
    user = item.get("user")
    if isinstance(user, str):
        found = get_user_model().objects.filter(username=user).first()
        if found is None:
            raise EventError(
                (_("username: no user %(user)s") if one else _("members: no user %(user)s"))
                % {"user": repr(user)}
            )
        user = found
    name = str(item.get("name") or (user.get_full_name() or user.get_username() if user else "")).strip()
    if not name:
        raise EventError(
            _("name: each member needs a name or a user account")
            if one
            else _("members: each member needs a name or a user account")
        )
    email = str(item.get("email") or "").strip()
    return {"user": user, "name": name[:200], "email": email, "role": str(item.get("role") or "")[:200]}


def _create_participant(
    actor: Actor,
    event: Event,
    kind: str,
    party: Any,
    status: str,
    *,
    members: Iterable[Mapping[str, Any]],
    max_meetings: int | None,
    focus_areas: Iterable[str],
    note: str,
    reason: str,
    reapply: bool = False,
) -> Participant:
    """A new participant row; with `reapply`, an earlier rejected or withdrawn one of the party is opened
    again instead (`_reapply`), so that no refusal locks a party out of an event for good."""
    economy, organization = _party(kind, party)
    found = (
        Participant.objects.select_for_update(of=("self",))
        .filter(event=event)
        .filter(Q(economy=economy) if economy else Q(organization=organization))
        .first()
    )
    if found is not None and not (reapply and found.status in REAPPLY_FROM):
        raise EventError(
            _("%(party)s is already on this event's list (%(status)s)")
            % {"party": found.name, "status": found.get_status_display()}
        )
    try:
        areas = clean_focus_areas(list(focus_areas))
    except ValueError as exc:
        raise EventError(f"focus_areas: {exc}") from None
    if found is not None:
        return _reapply(
            actor, found, status, members=members, max_meetings=max_meetings, focus_areas=areas, note=note
        )
    participant = Participant(
        event=event,
        kind=kind,
        economy=economy,
        organization=organization,
        status=status,
        status_changed_at=timezone.now(),
        max_meetings=max_meetings,
        focus_areas=areas,
        note=note.strip(),
        created_by=_user(actor),
    )
    _validate(participant, exclude=["event", "economy", "organization", "unavailable_slots"])
    participant.save()
    _add_members(actor, participant, members)
    _history(
        ParticipantStatusChange,
        actor,
        reason,
        participant.status_changed_at,
        participant=participant,
        to_status=status,
    )
    audit.record(actor, "create", participant, after=audit.snapshot(participant))
    return participant


def _add_members(actor: Actor, participant: Participant, members: Iterable[Mapping[str, Any]]) -> None:
    """The given people join the participant (an account already among its members is not added twice)."""
    for item in members:
        fields = _member_fields(item)
        if fields["user"] is not None and participant.members.filter(user=fields["user"]).exists():
            continue
        member = ParticipantMember.objects.create(participant=participant, **fields)
        audit.record(actor, "create", member, after=audit.snapshot(member))


#: An application refused or taken back can be made again: the row is opened again, with its history.
REAPPLY_FROM = (ParticipantStatus.REJECTED, ParticipantStatus.WITHDRAWN)


def _reapply(
    actor: Actor,
    participant: Participant,
    status: str,
    *,
    members: Iterable[Mapping[str, Any]],
    max_meetings: int | None,
    focus_areas: list[str],
    note: str,
) -> Participant:
    """A party applies again after a rejection or a withdrawal: the same row goes back to `status` (a
    history row says so) with the new application's details. The people and the availability of the
    earlier application do not carry over (it may have been made by someone with no right to act for the
    party), except the party's own focal points or editors; the applicant and the given members join."""
    before = audit.snapshot(participant)
    frm = participant.status
    participant.status = status
    participant.status_changed_at = timezone.now()
    participant.max_meetings = max_meetings
    participant.focus_areas = focus_areas
    participant.note = note.strip()
    _validate(participant, exclude=["event", "economy", "organization", "unavailable_slots"])
    participant.save(update_fields=["status", "status_changed_at", "max_meetings", "focus_areas", "note"])
    participant.unavailable_slots.clear()
    for member in participant.members.select_related("user"):
        if member.user is not None and can_edit(member.user, participant):
            continue
        audit.record(actor, "delete", member, before=audit.snapshot(member), reason="applied")
        member.delete()
    _add_members(actor, participant, members)
    _history(
        ParticipantStatusChange,
        actor,
        "applied",
        participant.status_changed_at,
        participant=participant,
        from_status=frm,
        to_status=status,
    )
    audit.record(
        actor, "transition", participant, before=before, after=audit.snapshot(participant), reason="applied"
    )
    return participant


@transaction.atomic
def invite(
    actor: Actor,
    event_id: int,
    *,
    kind: str,
    party: Any,
    members: Iterable[Mapping[str, Any]] = (),
    max_meetings: int | None = None,
    focus_areas: Iterable[str] = (),
    note: str = "",
    register_now: bool = False,
) -> Participant:
    """The secretariat invites a delegation or provider (or registers it at once with `register_now`)."""
    require_organiser(actor, gettext_noop("invite participants"))
    event = Event.objects.select_for_update().get(pk=event_id)
    _editable(event)
    status = ParticipantStatus.REGISTERED if register_now else ParticipantStatus.INVITED
    participant = _create_participant(
        actor,
        event,
        kind,
        party,
        status,
        members=members,
        max_meetings=max_meetings,
        focus_areas=focus_areas,
        note=note,
        reason="registered by the secretariat" if register_now else "invited",
    )
    if not register_now:
        notifications.notify(
            participant,
            f"participant:{participant.pk}:invited",
            notifications.text("invitation.subject", event=event.title),
            notifications.text(
                "invitation.message",
                party=notifications.party(participant),
                event=event.title,
                start=str(event.starts_on),
                end=str(event.ends_on),
            ),
            url=f"/events/{event.pk}/",
        )
    return participant


@transaction.atomic
def register(
    actor: Actor,
    event_id: int,
    *,
    kind: str,
    party: Any,
    members: Iterable[Mapping[str, Any]] = (),
    max_meetings: int | None = None,
    focus_areas: Iterable[str] = (),
    note: str = "",
) -> Participant:
    """Apply to an open event for a delegation or provider; the secretariat moderates the application.

    Only those who act for the party may apply: a country's focal points for its delegation, an
    organization's editors for it (the secretariat for anyone; it usually uses `invite`). A party whose
    earlier application was rejected, or which withdrew, may apply again. The applicant becomes a member.
    """
    _require_signed_in(actor, gettext_noop("register for an event"))
    if actor is None:
        raise PermissionDenied("registration is made by a person; the secretariat uses invite()")
    event = Event.objects.select_for_update().get(pk=event_id)
    if event.registration != Registration.OPEN:
        raise EventError(_("%(event)s is by invitation only") % {"event": event.title})
    if event.status != EventStatus.PUBLISHED:
        raise EventError(
            _("registration for %(event)s is not open (%(status)s)")
            % {"event": event.title, "status": event.get_status_display()}
        )
    economy, organization = _party(kind, party)
    _require_apply(actor, economy, organization)
    me = {"user": actor, "email": getattr(actor, "email", "")}
    return _create_participant(
        actor,
        event,
        kind,
        economy or organization,
        ParticipantStatus.PENDING,
        members=[me, *members],
        max_meetings=max_meetings,
        focus_areas=focus_areas,
        note=note,
        reason="applied",
        reapply=True,
    )


@transaction.atomic
def change_participant_status(
    actor: Actor, participant_id: int, to_status: str, reason: str = ""
) -> ParticipantStatusChange:
    """Accept or decline an invitation, moderate an application, withdraw (which cancels the meetings)."""
    participant = (
        Participant.objects.select_for_update(of=("self",)).select_related("event").get(pk=participant_id)
    )
    if to_status not in ParticipantStatus.values:
        raise EventError(_("status: unknown participant status %(status)s") % {"status": repr(to_status)})
    if not (is_organiser(actor) or can_act(actor, participant)):
        raise PermissionDenied(
            _("%(actor)s may not change %(participant)s's registration")
            % {"actor": audit.actor_label(actor), "participant": participant.name}
        )
    if to_status not in allowed_participant_moves(actor, participant):
        raise PermissionDenied(
            _("%(actor)s may not move %(participant)s from %(from)s to %(to)s")
            % {
                "actor": audit.actor_label(actor),
                "participant": participant.name,
                "from": participant.status,
                "to": to_status,
            }
        )
    _editable(participant.event)
    before = audit.snapshot(participant)
    frm = participant.status
    participant.status = to_status
    participant.status_changed_at = timezone.now()
    participant.save(update_fields=["status", "status_changed_at"])
    change = _history(
        ParticipantStatusChange,
        actor,
        reason,
        participant.status_changed_at,
        participant=participant,
        from_status=frm,
        to_status=to_status,
    )
    if frm == ParticipantStatus.REGISTERED:
        left = notifications.text("why.party_left", party=notifications.party(participant))
        _leave(
            actor,
            participant,
            reason or _("%(party)s withdrew from the event") % {"party": participant.name},
            reason or left,
        )
    audit.record(
        actor, "transition", participant, before=before, after=audit.snapshot(participant), reason=reason
    )
    if is_organiser(actor) and frm in (ParticipantStatus.PENDING, ParticipantStatus.REJECTED):
        event = participant.event
        said = notifications.text(
            "participant.registered" if to_status == ParticipantStatus.REGISTERED else "participant.rejected",
            party=notifications.party(participant),
            event=event.title,
        )
        notifications.notify(
            participant,
            f"participant:{participant.pk}:status:{change.pk}",
            said,
            [said, reason] if reason else [said],
            url=f"/events/{event.pk}/",
        )
    return change


def _leave(actor: Actor, participant: Participant, reason: str, told: notifications.Part) -> None:
    """A participant left: its pending requests are withdrawn and its meetings cancelled (`told`: the
    reason as the notifications give it, in each reader's language)."""
    mine = Q(requester=participant) | Q(recipient=participant)
    for req in MeetingRequest.objects.filter(mine, status=RequestStatus.PENDING).select_for_update(
        of=("self",)
    ):
        _move_request(actor, req, RequestStatus.WITHDRAWN, reason)
    meetings = Meeting.objects.filter(
        Q(request__requester=participant) | Q(request__recipient=participant),
        status__in=[MeetingStatus.SCHEDULED, MeetingStatus.UNSCHEDULED],
    ).select_for_update(of=("self",))
    for meeting in meetings:
        _cancel(actor, meeting, reason, told)


@transaction.atomic
def update_participant(actor: Actor, participant_id: int, **changes: Any) -> Participant:
    """Change `max_meetings`, `focus_areas` or `note` (the participant's people or the secretariat)."""
    participant = (
        Participant.objects.select_for_update(of=("self",)).select_related("event").get(pk=participant_id)
    )
    require_act(actor, participant, gettext_noop("change the registration"))
    unknown = set(changes) - {"max_meetings", "focus_areas", "note"}
    if unknown:
        raise EventError(_("unknown participant fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "focus_areas" in changes:
        try:
            changes["focus_areas"] = clean_focus_areas(changes["focus_areas"])
        except ValueError as exc:
            raise EventError(f"focus_areas: {exc}") from None
    max_meetings = changes.get("max_meetings")
    if max_meetings is not None and (not isinstance(max_meetings, int) or max_meetings < 0):
        raise EventError(_("max_meetings: a whole number, 0 or more"))
    before = audit.snapshot(participant)
    for name, value in changes.items():
        setattr(participant, name, value)
    participant.save()
    audit.record(actor, "update", participant, before=before, after=audit.snapshot(participant))
    return participant


@transaction.atomic
def add_member(
    actor: Actor, participant_id: int, *, name: str = "", email: str = "", user: Any = None, role: str = ""
) -> ParticipantMember:
    participant = Participant.objects.get(pk=participant_id)
    require_act(actor, participant, gettext_noop("add members"))
    fields = _member_fields({"name": name, "email": email, "user": user, "role": role}, one=True)
    if fields["user"] is not None and participant.members.filter(user=fields["user"]).exists():
        raise EventError(
            _("%(member)s is already a member of %(participant)s")
            % {"member": fields["name"], "participant": participant.name}
        )
    member = ParticipantMember(participant=participant, **fields)
    _validate(member, exclude=["participant", "user"])
    member.save()
    audit.record(actor, "create", member, after=audit.snapshot(member))
    return member


@transaction.atomic
def remove_member(actor: Actor, member_id: int) -> None:
    member = ParticipantMember.objects.select_related("participant").get(pk=member_id)
    require_act(actor, member.participant, gettext_noop("remove members"))
    audit.record(actor, "delete", member, before=audit.snapshot(member))
    member.delete()


@transaction.atomic
def set_availability(
    actor: Actor, participant_id: int, unavailable_slot_ids: Iterable[int], reason: str = ""
) -> Participant:
    """The slots in which the participant cannot meet (replaces the previous list)."""
    participant = (
        Participant.objects.select_for_update(of=("self",)).select_related("event").get(pk=participant_id)
    )
    require_act(actor, participant, gettext_noop("change availability"))
    _editable(participant.event)
    wanted = set(unavailable_slot_ids)
    slots = list(Slot.objects.filter(event=participant.event, pk__in=wanted))
    missing = wanted - {s.pk for s in slots}
    if missing:
        raise EventError(
            _("unavailable_slots: no slot %(slot)s in this event") % {"slot": sorted(missing)[0]}
        )
    before = sorted(participant.unavailable_slots.values_list("pk", flat=True))
    participant.unavailable_slots.set(slots)
    after = sorted(s.pk for s in slots)
    if before != after:
        audit.record(
            actor,
            "update",
            participant,
            before={"unavailable_slots": before},
            after={"unavailable_slots": after},
            reason=reason,
        )
    return participant


# --------------------------------------------------------------------------------------------------
# Meeting requests


def _move_request(actor: Actor, req: MeetingRequest, to: str, reason: str) -> RequestStatusChange:
    frm = req.status
    req.status = to
    req.status_changed_at = timezone.now()
    req.save(update_fields=["status", "status_changed_at", "recipient_preference", "preference"])
    return _history(
        RequestStatusChange, actor, reason, req.status_changed_at, request=req, from_status=frm, to_status=to
    )


def _open_for_requests(event: Event) -> None:
    if event.status not in ACTIVE:
        raise EventError(
            _("%(event)s does not take meeting requests (%(status)s)")
            % {"event": event.title, "status": event.get_status_display()}
        )


def _check_preference(value: str, field: str = "preference") -> None:
    if value not in Preference.values:
        raise EventError(
            _("%(field)s: expected one of %(choices)s, got %(value)s")
            % {"field": field, "choices": ", ".join(Preference.values), "value": repr(value)}
        )


#: The longest message a meeting request carries: a note to the other side, not a proposal.
MAX_REQUEST_MESSAGE = 1000


@transaction.atomic
def send_request(
    actor: Actor,
    requester_id: int,
    recipient_id: int,
    preference: str,
    *,
    message: str = "",
    source: str = RequestSource.MANUAL,
    explanation: str = "",
) -> MeetingRequest:
    """Ask for a meeting. If the other side had already asked for it, this accepts theirs: mutual interest."""
    requester = Participant.objects.select_related("event", "economy", "organization").get(pk=requester_id)
    recipient = Participant.objects.select_related("economy", "organization").get(pk=recipient_id)
    require_act(actor, requester, gettext_noop("ask for meetings"))
    event = requester.event
    _open_for_requests(event)
    _check_preference(preference)
    if len(message.strip()) > MAX_REQUEST_MESSAGE:
        raise EventError(
            _("message: at most %(max)s characters; this one has %(n)s")
            % {"max": MAX_REQUEST_MESSAGE, "n": len(message.strip())}
        )
    if recipient.event_id != event.pk:
        raise EventError(
            _("%(participant)s is not a participant of %(event)s")
            % {"participant": recipient.name, "event": event.title}
        )
    if recipient.pk == requester.pk:
        raise EventError(_("a participant cannot ask to meet itself"))
    for p in (requester, recipient):
        if p.status != ParticipantStatus.REGISTERED:
            raise EventError(
                _("%(participant)s is not registered (%(status)s)")
                % {"participant": p.name, "status": p.get_status_display()}
            )
    if source not in RequestSource.values:
        raise EventError(
            _("source: expected one of %(choices)s") % {"choices": ", ".join(RequestSource.values)}
        )
    reverse = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .filter(requester=recipient, recipient=requester)
        .first()
    )
    same = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .filter(requester=requester, recipient=recipient)
        .first()
    )
    for r in (reverse, same):
        if r is not None and r.status == RequestStatus.NO_THANKS:
            who = r.recipient.name
            raise EventError(
                _("%(who)s said no thanks to a meeting between %(requester)s and %(recipient)s")
                % {"who": who, "requester": requester.name, "recipient": recipient.name}
            )
    if reverse is not None and reverse.status in (
        RequestStatus.PENDING,
        RequestStatus.DECLINED,
        RequestStatus.ACCEPTED,
    ):
        if reverse.status == RequestStatus.ACCEPTED and reverse.recipient_preference:
            raise EventError(
                _("%(requester)s and %(recipient)s have already agreed to meet")
                % {"requester": requester.name, "recipient": recipient.name}
            )
        before = audit.snapshot(reverse)
        reverse.recipient_preference = preference
        if reverse.status == RequestStatus.ACCEPTED:
            reverse.save(update_fields=["recipient_preference"])
        else:
            _move_request(actor, reverse, RequestStatus.ACCEPTED, "mutual: both sides asked for this meeting")
        audit.record(
            actor, "update", reverse, before=before, after=audit.snapshot(reverse), reason="mutual interest"
        )
        _tell(reverse, reverse.requester, "accepted")
        return reverse
    if same is not None:
        if same.status != RequestStatus.WITHDRAWN:
            raise EventError(
                _("%(requester)s already asked %(recipient)s for a meeting (%(status)s)")
                % {
                    "requester": requester.name,
                    "recipient": recipient.name,
                    "status": same.get_status_display(),
                }
            )
        before = audit.snapshot(same)
        same.preference = preference
        same.message = message.strip()
        same.save(update_fields=["message"])
        _move_request(actor, same, RequestStatus.PENDING, "asked again")
        audit.record(
            actor, "transition", same, before=before, after=audit.snapshot(same), reason="asked again"
        )
        _tell(same, recipient, "new")
        return same
    req = MeetingRequest(
        event=event,
        requester=requester,
        recipient=recipient,
        preference=preference,
        message=message.strip(),
        source=source,
        explanation=explanation.strip(),
        created_by=_user(actor),
        status=RequestStatus.PENDING,
        status_changed_at=timezone.now(),
    )
    req.save()
    _history(RequestStatusChange, actor, "asked", req.status_changed_at, request=req, to_status=req.status)
    audit.record(actor, "create", req, after=audit.snapshot(req))
    _tell(req, recipient, "new")
    return req


def _tell(req: MeetingRequest, who: Participant, what: str) -> None:
    other = req.requester if who.pk == req.recipient_id else req.recipient
    keys = {
        "new": "request.new",
        "accepted": "request.accepted",
        "declined": "request.declined",
        "no_thanks": "request.no_thanks",
    }
    said = notifications.text(
        keys[what],
        other=notifications.party(other),
        who=notifications.party(who),
        preference=notifications.choice("preference", req.preference),
    )
    notifications.notify(
        who,
        f"request:{req.pk}:{what}:{req.history.count()}",
        said,
        said,
        url=f"/events/{req.event_id}/requests/",
    )


ANSWERS = {
    "accept": RequestStatus.ACCEPTED,
    "decline": RequestStatus.DECLINED,
    "no_thanks": RequestStatus.NO_THANKS,
}


@transaction.atomic
def respond(
    actor: Actor, request_id: int, answer: str, *, interest: str | None = None, reason: str = ""
) -> MeetingRequest:
    """Accept (optionally saying how much the other side wants it: mutual interest), decline or "no thanks".

    "No thanks" is final: the pair is never scheduled and neither side can ask again.
    """
    req = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("event", "requester", "recipient")
        .get(pk=request_id)
    )
    require_act(actor, req.recipient, gettext_noop("answer meeting requests"))
    _open_for_requests(req.event)
    if answer not in ANSWERS:
        raise EventError(
            _("answer: expected one of %(choices)s, got %(answer)s")
            % {"choices": ", ".join(ANSWERS), "answer": repr(answer)}
        )
    to = ANSWERS[answer]
    if not (
        req.status == RequestStatus.PENDING or (req.status == RequestStatus.DECLINED and to != req.status)
    ):
        raise EventError(
            _("this request is %(status)s; it cannot be answered with %(answer)s")
            % {"status": req.get_status_display().lower(), "answer": answer}
        )
    if interest:
        _check_preference(interest, "interest")
        if to != RequestStatus.ACCEPTED:
            raise EventError(_("interest: only an acceptance states an interest"))
    before = audit.snapshot(req)
    req.recipient_preference = interest or ""
    _move_request(actor, req, to, reason)
    audit.record(actor, "transition", req, before=before, after=audit.snapshot(req), reason=reason)
    told = {RequestStatus.ACCEPTED: "accepted", RequestStatus.NO_THANKS: "no_thanks"}
    _tell(req, req.requester, told.get(to, "declined"))
    return req


@transaction.atomic
def withdraw_request(actor: Actor, request_id: int, reason: str = "") -> MeetingRequest:
    """The requester takes a request back; a scheduled meeting for it is cancelled."""
    req = (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("event", "requester", "recipient")
        .get(pk=request_id)
    )
    require_act(actor, req.requester, gettext_noop("withdraw meeting requests"))
    if req.status not in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        raise EventError(
            _("this request is %(status)s; it cannot be withdrawn")
            % {"status": req.get_status_display().lower()}
        )
    before = audit.snapshot(req)
    _move_request(actor, req, RequestStatus.WITHDRAWN, reason)
    meeting = Meeting.objects.filter(request=req).exclude(status=MeetingStatus.CANCELLED).first()
    if meeting is not None:
        _cancel(
            actor,
            meeting,
            reason or _("the request was withdrawn"),
            reason or notifications.text("why.request_withdrawn"),
        )
    audit.record(actor, "transition", req, before=before, after=audit.snapshot(req), reason=reason)
    return req


# --------------------------------------------------------------------------------------------------
# Meetings


def meeting_sides(meeting: Meeting) -> tuple[Participant, Participant]:
    return meeting.request.requester, meeting.request.recipient


def can_act_on_meeting(actor: Actor, meeting: Meeting) -> bool:
    return is_organiser(actor) or any(can_act(actor, p) for p in meeting_sides(meeting))


def record_meeting_change(
    actor: Actor,
    meeting: Meeting,
    *,
    from_status: str,
    from_slot: Slot | None,
    from_table: Table | None,
    reason: str,
    run: Any = None,
    said: notifications.Part | None = None,
) -> MeetingChange:
    """One history row; the meeting's slot and table are its new place only when it is scheduled. `said`:
    the platform's reason as a notification part (shown in each reader's language), when it gave one."""
    placed = meeting.status == MeetingStatus.SCHEDULED
    return _history(
        MeetingChange,
        actor,
        reason,
        said=said if isinstance(said, dict) else None,
        meeting=meeting,
        from_status=from_status,
        to_status=meeting.status,
        from_slot=from_slot,
        to_slot=meeting.slot if placed else None,
        from_table=from_table,
        to_table=meeting.table if placed else None,
        run=run,
    )


def _cancel(
    actor: Actor, meeting: Meeting, reason: str, told: notifications.Part | None = None
) -> MeetingChange:
    """Cancel and tell both sides; `told` is the reason as notifications give it (default: `reason`)."""
    before = audit.snapshot(meeting)
    frm = meeting.status
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    change = record_meeting_change(
        actor,
        meeting,
        from_status=frm,
        from_slot=meeting.slot,
        from_table=meeting.table,
        reason=reason,
        said=told,
    )
    audit.record(actor, "transition", meeting, before=before, after=audit.snapshot(meeting), reason=reason)
    event = meeting.event
    when = (
        times.span(meeting.slot.starts_at, meeting.slot.ends_at, event.time_zone)
        if meeting.slot is not None and frm == MeetingStatus.SCHEDULED
        else ""
    )
    for side, other in (meeting_sides(meeting), tuple(reversed(meeting_sides(meeting)))):
        said = notifications.text(
            "meeting.cancelled",
            ref=meeting.ref,
            other=notifications.party(other),
            when=f" ({when})" if when else "",
        )
        notifications.notify(
            side,
            f"meeting:{meeting.pk}:cancelled:{change.pk}",
            said,
            [said, told or reason] if (told or reason) else [said],
            url=f"/events/{event.pk}/agenda/",
        )
    return change


@transaction.atomic
def _cancel_meeting(actor: Actor, meeting_id: int, reason: str) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related(
            "event", "slot", "table", "request__requester__economy", "request__recipient__organization"
        )
        .get(pk=meeting_id)
    )
    if not can_act_on_meeting(actor, meeting):
        raise PermissionDenied(
            _("%(actor)s may not cancel meeting %(ref)s")
            % {"actor": audit.actor_label(actor), "ref": meeting.ref}
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise EventError(_("meeting %(ref)s is already cancelled") % {"ref": meeting.ref})
    _editable(meeting.event)
    reason = (reason or "").strip()
    if not reason:
        raise EventError(_("reason: say why the meeting is cancelled"))
    _cancel(actor, meeting, reason)
    return meeting


def cancel_meeting(actor: Actor, meeting_id: int, reason: str) -> Meeting:
    """Cancel a meeting; its pair is not scheduled again. The other meetings stay where they are.

    With the event's `auto_reschedule`, the scheduler then fills the freed room (every other meeting kept).
    """
    meeting = _cancel_meeting(actor, meeting_id, reason)
    if meeting.event.auto_reschedule and meeting.event.runs.exists():
        from gapbridge.events import planner

        planner.run_schedule(None, meeting.event.pk, time_limit=5.0, reason=f"after cancelling {meeting.ref}")
    return meeting


OUTCOME_AFTER = (EventStatus.FINISHED,)


@transaction.atomic
def record_outcome(
    actor: Actor, meeting_id: int, kind: str, *, note: str = "", link_kind: str = "", link_id: str = ""
) -> MeetingOutcome:
    """What came out of a held meeting; a need or match is created or advanced when those services exist.

    Without them the outcome keeps a generic link (`link_kind`, `link_id`) checked against the other apps'
    tables when they have them. When nothing could be linked (or a match not advanced), the returned outcome's
    `link_warning` says why and what to do.
    """
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("event", "slot", "request__requester__economy", "request__recipient__organization")
        .get(pk=meeting_id)
    )
    if not can_act_on_meeting(actor, meeting):
        raise PermissionDenied(
            _("%(actor)s may not record the outcome of meeting %(ref)s")
            % {"actor": audit.actor_label(actor), "ref": meeting.ref}
        )
    if kind not in OutcomeKind.values:
        raise EventError(
            _("kind: expected one of %(choices)s, got %(kind)s")
            % {"choices": ", ".join(OutcomeKind.values), "kind": repr(kind)}
        )
    if meeting.status != MeetingStatus.SCHEDULED or meeting.slot is None:
        raise EventError(
            _("meeting %(ref)s was not held (%(status)s)")
            % {"ref": meeting.ref, "status": meeting.get_status_display()}
        )
    if meeting.event.status != EventStatus.FINISHED and meeting.slot.ends_at > timezone.now():
        raise EventError(_("meeting %(ref)s has not taken place yet") % {"ref": meeting.ref})
    existing = MeetingOutcome.objects.filter(meeting=meeting).first()
    before = audit.snapshot(existing) if existing else None
    outcome = existing or MeetingOutcome(meeting=meeting)
    outcome.kind = kind
    outcome.note = note.strip()
    outcome.recorded_by = _user(actor)
    outcome.recorded_at = timezone.now()
    try:
        linking = outcomes.link_for(
            actor, meeting, kind, note=outcome.note, link_kind=link_kind, link_id=link_id
        )
    except outcomes.LinkError as exc:
        raise EventError(str(exc)) from None
    if linking.link is not None:
        outcome.link_kind, outcome.link_id, outcome.link_label, outcome.link_method = linking.link
    outcome.save()
    outcome.link_warning = linking.warning
    audit.record(
        actor,
        "update" if existing else "create",
        outcome,
        before=before,
        after=audit.snapshot(outcome),
        reason=kind,
    )
    return outcome


# --------------------------------------------------------------------------------------------------
# Notifications (personal state: not audited)


def mark_read(actor: Actor, notification_ids: Iterable[int] | None = None) -> int:
    _require_signed_in(actor, gettext_noop("read notifications"))
    if actor is None:
        return 0
    qs = Notification.objects.filter(member__user_id=int(actor.pk or 0), read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
