"""From the database to the scheduler and back: build an instance, solve it, write the schedule, tell people.

`build_instance(event)` maps the event's open slots and tables, its registered participants (availability,
maximum meetings including the organisers' per-type limits), its accepted requests (weights from
`gapbridge.events.weights`) and the meetings already scheduled (as `fixed`, so that every meeting that can
stay where it is stays there) to `gapbridge.domain.scheduling.Instance`. Ids are stable: `s<slot pk>`,
`t<table pk>`, `p<participant pk>`, `r<request pk>`.

`run_schedule(actor, event_id)` solves outside any transaction (it may take seconds), then writes the result
in one transaction after checking the event did not change meanwhile; each placement, move or drop is a
`MeetingChange` of the run, the run's figures and what moved (`reschedule_diff`) are a `ScheduleRun`, and
every participant whose agenda changed gets one notification.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gapbridge.accounts.permissions import Actor
from gapbridge.audit import services as audit
from gapbridge.domain import scheduling as sched
from gapbridge.events import notifications, times
from gapbridge.events.models import (
    Event,
    EventStatus,
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
from gapbridge.events.services import EventError, record_meeting_change, require_organiser

DEFAULT_TIME_LIMIT = 10.0


class ScheduleChangedError(EventError):
    """The event changed while the schedule was being computed; nothing was written."""


def effective_max(participant: Participant, event: Event) -> int | None:
    """The participant's own maximum and the organisers' limit for its kind, whichever is lower."""
    limits = [v for v in (participant.max_meetings, event.type_limit(participant.kind)) if v is not None]
    return min(limits) if limits else None


def schedulable_requests(event: Event) -> list[MeetingRequest]:
    """Accepted requests between registered participants whose meeting was not cancelled.

    Three flat queries joined in Python: one SQL join over participants twice is planned as a cross product
    by PostgreSQL when the statistics of freshly filled tables are stale (37 s instead of milliseconds).
    """
    registered = set(
        Participant.objects.filter(event=event, status=ParticipantStatus.REGISTERED).values_list(
            "pk", flat=True
        )
    )
    cancelled = set(
        Meeting.objects.filter(event=event, status=MeetingStatus.CANCELLED).values_list(
            "request_id", flat=True
        )
    )
    return [
        r
        for r in MeetingRequest.objects.filter(event=event, status=RequestStatus.ACCEPTED).order_by("id")
        if r.requester_id in registered and r.recipient_id in registered and r.pk not in cancelled
    ]


def current_meetings(event: Event, requests: list[MeetingRequest] | None = None) -> list[sched.Meeting]:
    """The scheduled meetings of the schedulable requests, as the scheduler sees them."""
    keys = [r.pk for r in (schedulable_requests(event) if requests is None else requests)]
    current = Meeting.objects.filter(event=event, status=MeetingStatus.SCHEDULED, request__in=keys)
    return [
        sched.Meeting(f"r{m.request_id}", f"s{m.slot_id}", f"t{m.table_id}")
        for m in current.order_by("request_id")
    ]


def build_instance(event: Event, *, keep: bool = True) -> sched.Instance:
    """The scheduler's instance; with `keep` (the default) current meetings are fixed where they can stay."""
    slots = list(Slot.objects.filter(event=event, is_open=True).order_by("starts_at", "id"))
    tables = list(Table.objects.filter(event=event, is_open=True).order_by("position", "id"))
    open_slots = {s.pk for s in slots}
    participants = list(
        Participant.objects.filter(event=event, status=ParticipantStatus.REGISTERED)
        .prefetch_related("unavailable_slots")
        .order_by("id")
    )
    requests = schedulable_requests(event)
    current = current_meetings(event, requests) if keep else []
    return sched.Instance(
        slots=tuple(sched.Slot(s.key) for s in slots),
        tables=tuple(sched.Table(t.key) for t in tables),
        participants=tuple(
            sched.Participant(
                p.key,
                unavailable=frozenset(f"s{s.pk}" for s in p.unavailable_slots.all() if s.pk in open_slots),
                max_meetings=effective_max(p, event),
            )
            for p in participants
        ),
        requests=tuple(
            sched.Request(r.key, f"p{r.requester_id}", f"p{r.recipient_id}", r.weight) for r in requests
        ),
        fixed=tuple(sched.Fixed(m.request, m.slot, m.table) for m in current),
        buffer=event.buffer_slots,
    )


def _pk(key: str) -> int:
    return int(key[1:])


@dataclass(frozen=True)
class Labels:
    """Readable names for the ids in the scheduler's messages."""

    names: dict[str, str]
    #: a request's two sides (participant pks), by request id
    sides: dict[str, tuple[int, int]] = field(default_factory=dict)

    def humanise(self, text: str) -> str:
        return re.sub(r"'([sptr]\d+)'", lambda m: self.names.get(m.group(1), m.group(0)), text)


#: The scheduler's reasons for not keeping a meeting where it was (`gapbridge.domain.scheduling`), as
#: notification texts: (pattern, text key, names of the pattern's groups).
_REASONS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (
        re.compile(r"table '(t\d+)' in slot '(s\d+)' is taken by kept fixed meeting '(r\d+)'"),
        "why.table_taken",
        ("table", "slot", "pair"),
    ),
    (
        re.compile(r"participant '(p\d+)' has kept fixed meeting '(r\d+)' in slot '(s\d+)'"),
        "why.party_busy",
        ("party", "pair", "slot"),
    ),
    (re.compile(r"participant '(p\d+)' would exceed max_meetings (\d+)"), "why.party_limit", ("party", "n")),
    (re.compile(r"conflicts with other fixed meetings"), "why.conflicts", ()),
    (
        re.compile(r"participant '(p\d+)' is unavailable in slot '(s\d+)'"),
        "why.party_away",
        ("party", "slot"),
    ),
    (re.compile(r"slot '(s\d+)' no longer exists"), "why.slot_gone", ("slot",)),
    (re.compile(r"table '(t\d+)' no longer exists"), "why.table_gone", ("table",)),
)


def _told_reason(reason: str, labels: Labels) -> notifications.Part:
    """The scheduler's reason as a notification part (translated when shown); as it is when not known."""

    def part(value: str) -> notifications.Part:
        if value[0] == "p":
            return notifications.party_id(_pk(value), labels.names.get(value, value))
        if value[0] == "r":
            return notifications.joined(
                [
                    notifications.party_id(a, labels.names.get(f"p{a}", "?"))
                    for a in labels.sides.get(value, ())
                ]
                or [labels.names.get(value, value)],
                " – ",
            )
        return labels.names.get(value, value)

    for pattern, key, names in _REASONS:
        found = pattern.fullmatch(reason)
        if found is not None:
            return notifications.text(key, **{n: part(v) for n, v in zip(names, found.groups(), strict=True)})
    return labels.humanise(reason)


def _labels(event: Event) -> Labels:
    names: dict[str, str] = {}
    sides: dict[str, tuple[int, int]] = {}
    for s in Slot.objects.filter(event=event):
        names[s.key] = times.span(s.starts_at, s.ends_at, event.time_zone)
    for t in Table.objects.filter(event=event):
        names[t.key] = t.name
    for p in Participant.objects.filter(event=event).select_related("economy", "organization"):
        names[p.key] = p.name
    for r in MeetingRequest.objects.filter(event=event).select_related(
        "requester__economy", "requester__organization", "recipient__economy", "recipient__organization"
    ):
        names[r.key] = f"{r.requester.name} – {r.recipient.name}"
        sides[r.key] = (r.requester_id, r.recipient_id)
    return Labels(names, sides)


def run_schedule(
    actor: Actor,
    event_id: int,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    reason: str = "",
    keep: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ScheduleRun:
    """Schedule (or reschedule) the event's accepted requests, keeping every meeting that can stay.

    `keep=False` re-optimises from scratch: the best total weight even if meetings move (the run says which).
    """
    require_organiser(actor, gettext_noop("run the scheduler"))
    event = Event.objects.get(pk=event_id)
    if event.status in (EventStatus.FINISHED, EventStatus.CANCELLED):
        raise EventError(
            _("%(event)s is %(status)s; it is not scheduled any more")
            % {"event": event.title, "status": event.get_status_display().lower()}
        )
    instance = build_instance(event, keep=keep)
    before = current_meetings(event)
    if not instance.slots or not instance.tables:
        raise EventError(
            _("%(event)s needs at least one open slot and one open table before scheduling")
            % {"event": event.title}
        )
    started = time.monotonic()
    # From scratch, the current places break ties: an equally good schedule moves nobody needlessly.
    prefer = () if keep else before
    schedule = sched.solve(instance, time_limit=time_limit, progress=progress, prefer=prefer)
    seconds = time.monotonic() - started
    return _write(
        actor,
        event.pk,
        instance,
        schedule,
        before,
        keep=keep,
        seconds=seconds,
        time_limit=time_limit,
        reason=reason,
    )


@transaction.atomic
def _write(
    actor: Actor,
    event_id: int,
    instance: sched.Instance,
    schedule: sched.Schedule,
    old: list[sched.Meeting],
    *,
    keep: bool,
    seconds: float,
    time_limit: float,
    reason: str,
) -> ScheduleRun:
    event = Event.objects.select_for_update().get(pk=event_id)
    if build_instance(event, keep=keep) != instance or current_meetings(event) != old:
        raise ScheduleChangedError(
            _("%(event)s changed while its schedule was being computed; nothing was written, run it again")
            % {"event": event.title}
        )
    problems = sched.check_schedule(instance, schedule.meetings)
    if problems:  # never expected: the solver's results are valid by construction
        raise EventError(f"the scheduler returned an invalid schedule: {problems[0]}")
    labels = _labels(event)
    diff = sched.reschedule_diff(old, schedule)
    why = {d.fixed.request: labels.humanise(d.reason) for d in schedule.dropped_fixed}
    # the same reasons for the notifications, made into text in each reader's language
    told: dict[str, notifications.Part] = {
        d.fixed.request: _told_reason(d.reason, labels) for d in schedule.dropped_fixed
    }
    if not keep:
        why |= {m.request: _("re-optimised from scratch") for m in old if m.request not in why}
        told |= {m.request: notifications.text("why.from_scratch") for m in old if m.request not in told}
    placed = {m.request: m for m in schedule.meetings}
    had_runs = event.runs.exists()
    run = ScheduleRun.objects.create(
        event=event,
        kind=ScheduleRun.Kind.RESCHEDULE if had_runs else ScheduleRun.Kind.SCHEDULE,
        at=timezone.now(),
        actor=actor if isinstance(actor, get_user_model()) and actor.is_authenticated else None,
        actor_label=audit.actor_label(actor),
        reason=reason,
        status=str(schedule.status),
        objective=schedule.objective,
        bound=schedule.bound,
        gap=schedule.gap,
        greedy_objective=schedule.greedy_objective,
        seconds=round(seconds, 3),
        time_limit=time_limit,
        requests=len(instance.requests),
        kept=len(diff.kept),
        moved=len(diff.moved),
        added=len(diff.added),
        dropped=len(diff.dropped),
    )
    meetings = {
        f"r{m.request_id}": m
        for m in Meeting.objects.select_for_update(of=("self",))
        .filter(event=event)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("slot", "table")
    }
    requests = {r.key: r for r in MeetingRequest.objects.filter(event=event)}
    slot_rows = {s.pk: s for s in Slot.objects.filter(event=event)}
    table_rows = {t.pk: t for t in Table.objects.filter(event=event)}
    in_instance = {r.id for r in instance.requests}
    # Meetings still marked scheduled whose request left the instance (not expected: services cancel them).
    stale = [k for k, m in meetings.items() if k not in in_instance and m.status == MeetingStatus.SCHEDULED]
    # participant pk -> lines for its notification (`{other}` is the other side, named when shown)
    changes: dict[int, list[notifications.Part]] = defaultdict(list)

    def line(key: str, said: dict[str, Any]) -> None:
        req = requests[key]
        for me, other in ((req.requester_id, req.recipient_id), (req.recipient_id, req.requester_id)):
            other_part = notifications.party_id(other, labels.names.get(f"p{other}", "?"))
            changes[me].append({**said, "p": {**said["p"], "other": other_part}})

    # 1. Free the places of everything that moves or goes, so the unique (slot, table) index never clashes.
    leaving = {old_m.request for old_m, _new in diff.moved} | {m.request for m in diff.dropped} | set(stale)
    before: dict[str, tuple[str, Slot | None, Table | None]] = {}
    for key in leaving:
        m = meetings[key]
        before[key] = (m.status, m.slot, m.table)
        m.status = MeetingStatus.UNSCHEDULED
        m.save(update_fields=["status", "updated_at"])
    # 2. Place what is new or moved; record what was dropped.
    for key in sorted(set(placed) - {m.request for m in diff.kept}, key=lambda k: _pk(k)):
        target = placed[key]
        m = meetings.get(key) or Meeting(event=event, request_id=_pk(key), status=MeetingStatus.UNSCHEDULED)
        frm_status, frm_slot, frm_table = before.get(key, (m.status if m.pk else "", m.slot, m.table))
        if frm_status != MeetingStatus.SCHEDULED:  # its last place is history, not where it comes from
            frm_slot, frm_table = None, None
        m.status = MeetingStatus.SCHEDULED
        m.slot, m.table = slot_rows[_pk(target.slot)], table_rows[_pk(target.table)]
        m.sequence = m.sequence + 1 if m.pk else 0
        m.save()
        moved = frm_status == MeetingStatus.SCHEDULED
        if moved:
            text, said = why.get(key, ""), told.get(key)
        else:
            placed_why = "why.placed" if not frm_status else "why.placed_again"
            text, said = _(notifications.TEXTS[placed_why]), notifications.text(placed_why)
        record_meeting_change(
            actor,
            m,
            from_status=frm_status,
            from_slot=frm_slot,
            from_table=frm_table,
            reason=text,
            run=run,
            said=said,
        )
        where = f"{labels.names[target.slot]}, {labels.names[target.table]}"
        if moved:
            was = f"{labels.names.get(f's{frm_slot.pk}', '?') if frm_slot else '?'}, {frm_table or '?'}"
            line(
                key,
                notifications.text("run.moved", ref=m.ref, was=was, where=where, why=told.get(key, text)),
            )
        else:
            line(key, notifications.text("run.placed", ref=m.ref, where=where))
    for key in sorted((set(leaving) - set(placed)), key=lambda k: _pk(k)):
        m = meetings[key]  # keeps its last slot and table, for the history and the calendar's cancellation
        frm_status, frm_slot, frm_table = before[key]
        m.sequence += 1
        m.save(update_fields=["sequence", "updated_at"])
        dropped_why = "why.not_accepted" if key in stale else "why.no_room"
        text = why.get(key) or _(notifications.TEXTS[dropped_why])
        reason_told = told.get(key) or notifications.text(dropped_why)
        record_meeting_change(
            actor,
            m,
            from_status=frm_status,
            from_slot=frm_slot,
            from_table=frm_table,
            reason=text,
            run=run,
            said=reason_told,
        )
        line(key, notifications.text("run.dropped", ref=m.ref, why=reason_told))
    run.dropped += len(stale)
    run.details = {
        "from_scratch": not keep,
        "moved": [
            {
                "request": new.request,
                "meeting": meetings[new.request].ref if new.request in meetings else "",
                "from": {
                    "slot": labels.names.get(old_m.slot, old_m.slot),
                    "table": labels.names.get(old_m.table, old_m.table),
                },
                "to": {"slot": labels.names[new.slot], "table": labels.names[new.table]},
                "reason": why.get(new.request, ""),
                "said": told.get(new.request),
            }
            for old_m, new in diff.moved
        ],
        "dropped": [
            {"request": k, "meeting": meetings[k].ref, "reason": why.get(k, ""), "said": told.get(k)}
            for k in sorted(set(leaving) - set(placed), key=_pk)
        ],
        "added": [m.request for m in diff.added],
    }
    run.save(update_fields=["dropped", "details"])
    audit.record(
        actor,
        "create",
        run,
        after=audit.snapshot(run),
        reason=reason
        or f"{run.kind}: {run.kept} kept, {run.moved} moved, {run.added} added, {run.dropped} dropped",
    )
    _notify(event, run, changes)
    return run


def _notify(event: Event, run: ScheduleRun, changes: dict[int, list[notifications.Part]]) -> None:
    """One notification per member of each participant whose agenda changed; e-mails in one batch."""
    batch: list[int] = []
    participants = (
        Participant.objects.filter(pk__in=list(changes))
        .select_related("economy", "organization")
        .prefetch_related("members")
    )
    for p in participants:
        subject = notifications.text(
            "run.scheduled" if run.kind == ScheduleRun.Kind.SCHEDULE else "run.changed", event=event.title
        )
        notifications.notify(
            p,
            f"run:{run.pk}:p{p.pk}",
            subject,
            changes[p.pk],
            url=f"/events/{event.pk}/agenda/?as={p.pk}",
            batch=batch,
        )
    if batch:
        transaction.on_commit(lambda: notifications.send_emails(batch))
