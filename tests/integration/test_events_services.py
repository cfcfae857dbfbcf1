"""Matchmaking events end to end through the services: organise, register, request, schedule, reschedule,
notify, agendas, outcomes; permissions, histories and audit. `build_event` is reused by the web tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.audit.models import AuditEntry
from gapbridge.domain import scheduling as sched
from gapbridge.events import outcomes, planner, queries, services, suggestions
from gapbridge.events.models import (
    Event,
    EventStatus,
    Meeting,
    MeetingChange,
    MeetingRequest,
    MeetingStatus,
    Notification,
    Participant,
    ParticipantStatus,
    RequestStatus,
    ScheduleRun,
    Slot,
    Table,
)
from gapbridge.events.weights import request_weight
from tests import factories

pytestmark = pytest.mark.django_db

# Relative to today, so that "has not taken place yet" stays true whenever the tests run.
DAY = dt.date.today() + dt.timedelta(days=60)
DELEGATIONS = ("KEN", "NER", "BGD", "NPL")
PROVIDERS = (("ITU Academy", "XM-DAC-41116"), ("GIZ Digital", "DE-1-GIZ"), ("UNCTAD eTrade", "XM-DAC-41111"))


@dataclass
class Setup:
    sec: Any
    event: Event
    users: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, Participant] = field(default_factory=dict)

    def p(self, name: str) -> Participant:
        return Participant.objects.get(pk=self.parts[name].pk)


def build_event(
    *,
    slots: int = 4,
    tables: int = 2,
    tz: str = "Africa/Nairobi",
    registration: str = "invitation",
    **extra: Any,
) -> Setup:
    """A published event with one session, tables, four delegations and three providers, each with a user."""
    sec = factories.user("sec", Role.SECRETARIAT)
    event = services.create_event(
        sec,
        title="Digital trade matchmaking, Nairobi",
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=1),
        time_zone=tz,
        venue="KICC, Nairobi",
        online_url="https://meet.example.org/wto",
        focus_areas=["digital-skills", "digital-payments"],
        registration=registration,
        **extra,
    )
    services.add_session(
        sec,
        event.pk,
        title="Day 1 morning",
        day=DAY,
        start_time=dt.time(9, 0),
        slot_minutes=25,
        break_minutes=5,
        slot_count=slots,
    )
    services.add_tables(sec, event.pk, count=tables)
    services.change_event_status(sec, event.pk, EventStatus.PUBLISHED, "programme ready")
    setup = Setup(sec, Event.objects.get(pk=event.pk))
    for iso3 in DELEGATIONS:
        u = factories.user(f"fp-{iso3.lower()}")
        setup.users[iso3] = u
        setup.parts[iso3] = services.invite(
            sec, event.pk, kind="delegation", party=iso3, members=[{"user": u}], register_now=True
        )
    areas = {
        "ITU Academy": ["digital-skills", "connectivity-infrastructure"],
        "GIZ Digital": ["digital-payments", "ecommerce-sme"],
        "UNCTAD eTrade": ["data-regulation"],
    }
    for name, ref in PROVIDERS:
        org = factories.organization(name, ref)
        u = factories.user(f"ed-{ref.lower()}", Role.ORG_EDITOR, organization=org)
        setup.users[name] = u
        setup.parts[name] = services.invite(
            sec,
            event.pk,
            kind="provider",
            party=org,
            members=[{"user": u, "email": f"{ref.lower()}@example.org"}],
            focus_areas=areas[name],
            register_now=True,
        )
    return setup


def ask(
    s: Setup, frm: str, to: str, preference: str = "would_like", *, accept: str | None = "accept"
) -> MeetingRequest:
    """`frm` asks `to`; `to` answers: "accept", accept with interest "must" or "would_like", or None."""
    req = services.send_request(s.users[frm], s.parts[frm].pk, s.parts[to].pk, preference)
    if accept is not None:
        interest = accept if accept in ("must", "would_like") else None
        services.respond(s.users[to], req.pk, "accept", interest=interest)
    return MeetingRequest.objects.get(pk=req.pk)


def scheduled(event: Event) -> dict[int, tuple[int, int]]:
    return {
        m.request_id: (m.slot_id, m.table_id)  # type: ignore[misc]
        for m in Meeting.objects.filter(event=event, status=MeetingStatus.SCHEDULED)
    }


def assert_valid(event: Event) -> None:
    meetings = [
        sched.Meeting(f"r{m.request_id}", f"s{m.slot_id}", f"t{m.table_id}")
        for m in Meeting.objects.filter(event=event, status=MeetingStatus.SCHEDULED)
    ]
    assert sched.check_schedule(planner.build_instance(event), meetings) == []


# --------------------------------------------------------------------------------------------------


def test_organiser_builds_the_event_with_local_slots_and_history() -> None:
    s = build_event(slots=3, tables=2)
    slots = list(Slot.objects.filter(event=s.event).order_by("starts_at"))
    # Nairobi is UTC+3: 09:00, 09:30, 10:00 local.
    assert [sl.starts_at.astimezone(dt.UTC).strftime("%H:%M") for sl in slots] == ["06:00", "06:30", "07:00"]
    assert [(sl.ends_at - sl.starts_at).seconds // 60 for sl in slots] == [25, 25, 25]
    assert list(Table.objects.filter(event=s.event).values_list("name", flat=True)) == ["Table 1", "Table 2"]
    assert [(h.from_status, h.to_status) for h in s.event.history.all()] == [
        ("", "draft"),
        ("draft", "published"),
    ]
    assert AuditEntry.objects.filter(object_type="events.event", object_id=str(s.event.pk)).count() == 2
    with pytest.raises(services.EventError, match="overlaps"):
        services.add_session(
            s.sec,
            s.event.pk,
            title="again",
            day=DAY,
            start_time=dt.time(9, 30),
            slot_minutes=20,
            slot_count=2,
        )
    with pytest.raises(services.EventError, match="outside the event"):
        services.add_session(
            s.sec,
            s.event.pk,
            title="late",
            day=DAY + dt.timedelta(days=9),
            start_time=dt.time(9, 0),
            slot_minutes=20,
            slot_count=2,
        )
    with pytest.raises(services.EventError, match="unknown time zone"):
        services.update_event(s.sec, s.event.pk, time_zone="Mars/Olympus")
    with pytest.raises(services.EventError, match="already has slots"):
        services.update_event(s.sec, s.event.pk, time_zone="Europe/Paris")
    with pytest.raises(services.EventError, match="would fall outside the event"):
        services.update_event(s.sec, s.event.pk, starts_on=DAY + dt.timedelta(days=1))
    with pytest.raises(services.EventError, match=r"an event lasts at most 92 days; .* is 36525"):
        services.update_event(s.sec, s.event.pk, ends_on=DAY + dt.timedelta(days=36524))
    assert Event.objects.get(pk=s.event.pk).ends_on < DAY + dt.timedelta(days=92)
    services.update_event(s.sec, s.event.pk, venue="UN Gigiri", buffer_slots=1)
    assert Event.objects.get(pk=s.event.pk).venue == "UN Gigiri"
    with pytest.raises(services.EventError, match="cannot go from published to draft"):
        services.change_event_status(s.sec, s.event.pk, "draft")


def test_slots_keep_wall_clock_times_across_a_daylight_saving_change() -> None:
    sec = factories.user("sec", Role.SECRETARIAT)
    event = services.create_event(
        sec,
        title="Paris",
        starts_on=dt.date(2026, 3, 28),
        ends_on=dt.date(2026, 3, 29),
        time_zone="Europe/Paris",
    )
    for day in (28, 29):  # clocks go forward in the night of the 28th to the 29th
        services.add_session(
            sec,
            event.pk,
            title=f"day {day}",
            day=dt.date(2026, 3, day),
            start_time=dt.time(9, 0),
            slot_minutes=60,
            slot_count=1,
        )
    utc = [sl.starts_at.astimezone(dt.UTC).strftime("%d %H:%M") for sl in Slot.objects.filter(event=event)]
    assert utc == ["28 08:00", "29 07:00"]  # 09:00 CET, then 09:00 CEST
    with pytest.raises(services.EventError, match="02:00 does not exist"):
        services.add_session(
            sec,
            event.pk,
            title="night",
            day=dt.date(2026, 3, 29),
            start_time=dt.time(1, 0),
            slot_minutes=60,
            slot_count=3,
        )


def test_only_the_secretariat_organises() -> None:
    s = build_event()
    ken = s.users["KEN"]
    with pytest.raises(PermissionDenied):
        services.create_event(ken, title="x", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        services.add_tables(ken, s.event.pk, count=1)
    with pytest.raises(PermissionDenied):
        planner.run_schedule(ken, s.event.pk, time_limit=1)
    with pytest.raises(PermissionDenied):
        services.invite(ken, s.event.pk, kind="delegation", party="UGA")


def test_registration_open_and_moderated_invitation_only_rejected() -> None:
    s = build_event(registration="open")
    applicant = factories.user("amina", Role.FOCAL_POINT, iso3="UGA")
    p = services.register(
        applicant, s.event.pk, kind="delegation", party="UGA", focus_areas=["digital-skills"]
    )
    assert p.status == ParticipantStatus.PENDING and p.members.get().user == applicant
    with pytest.raises(PermissionDenied):  # the applicant cannot approve itself
        services.change_participant_status(applicant, p.pk, "registered")
    services.change_participant_status(s.sec, p.pk, "registered", "checked with the mission")
    p.refresh_from_db()
    assert p.status == ParticipantStatus.REGISTERED
    assert [(h.from_status, h.to_status, h.actor_label) for h in p.history.all()] == [
        ("", "pending", "amina"),
        ("pending", "registered", "sec"),
    ]
    assert Notification.objects.filter(
        member__user=applicant, key__startswith=f"participant:{p.pk}:status"
    ).exists()
    other_focal_point = factories.user("other", Role.FOCAL_POINT, iso3="UGA")
    with pytest.raises(services.EventError, match="already on this event's list"):
        services.register(other_focal_point, s.event.pk, kind="delegation", party="UGA")
    closed = build_event_invitation_only(s)
    with pytest.raises(services.EventError, match="by invitation only"):
        services.register(applicant, closed.pk, kind="delegation", party="UGA")


def build_event_invitation_only(s: Setup) -> Event:
    return services.create_event(
        s.sec,
        title="Closed",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 1),
        registration="invitation",
    )


def test_invitation_is_accepted_by_the_invitee_and_focal_points_act_for_their_country() -> None:
    s = build_event()
    focal = factories.user("fp-uga", Role.FOCAL_POINT, iso3="UGA")
    p = services.invite(s.sec, s.event.pk, kind="delegation", party="UGA")
    assert p.status == ParticipantStatus.INVITED
    assert queries.acting_for(focal, s.event) == [p]
    with pytest.raises(PermissionDenied):
        services.change_participant_status(s.users["KEN"], p.pk, "registered")
    services.change_participant_status(focal, p.pk, "registered", "we come")
    p.refresh_from_db()
    assert p.status == ParticipantStatus.REGISTERED


def test_requests_accept_decline_no_thanks_and_mutual_interest() -> None:
    s = build_event()
    r1 = ask(s, "KEN", "ITU Academy", "must", accept="accept")
    assert r1.status == RequestStatus.ACCEPTED and not r1.mutual and r1.weight == request_weight("must") == 5
    r2 = ask(s, "NER", "ITU Academy", "would_like", accept="must")
    assert r2.mutual and r2.weight == 1 + 5 + 2
    # Both sides ask: the second request accepts the first one (mutual), no duplicate.
    r3 = services.send_request(s.users["BGD"], s.parts["BGD"].pk, s.parts["GIZ Digital"].pk, "would_like")
    back = services.send_request(s.users["GIZ Digital"], s.parts["GIZ Digital"].pk, s.parts["BGD"].pk, "must")
    assert back.pk == r3.pk
    r3.refresh_from_db()
    assert r3.status == RequestStatus.ACCEPTED and r3.mutual and r3.weight == 1 + 5 + 2
    assert MeetingRequest.objects.filter(event=s.event).count() == 3
    # Decline can be reconsidered; "no thanks" is final and blocks both directions.
    r4 = ask(s, "NPL", "UNCTAD eTrade", accept=None)
    services.respond(s.users["UNCTAD eTrade"], r4.pk, "decline", reason="not our field")
    services.respond(s.users["UNCTAD eTrade"], r4.pk, "no_thanks")
    with pytest.raises(services.EventError, match="said no thanks"):
        services.send_request(s.users["NPL"], s.parts["NPL"].pk, s.parts["UNCTAD eTrade"].pk, "must")
    with pytest.raises(services.EventError, match="said no thanks"):
        services.send_request(
            s.users["UNCTAD eTrade"], s.parts["UNCTAD eTrade"].pk, s.parts["NPL"].pk, "must"
        )
    with pytest.raises(services.EventError, match="cannot be answered"):
        services.respond(s.users["UNCTAD eTrade"], r4.pk, "accept")
    assert [h.to_status for h in MeetingRequest.objects.get(pk=r4.pk).history.all()] == [
        "pending",
        "declined",
        "no_thanks",
    ]
    # Only the recipient's people answer; only the requester's people ask.
    r5 = ask(s, "KEN", "GIZ Digital", accept=None)
    with pytest.raises(PermissionDenied):
        services.respond(s.users["KEN"], r5.pk, "accept")
    with pytest.raises(PermissionDenied):
        services.send_request(s.users["NER"], s.parts["KEN"].pk, s.parts["UNCTAD eTrade"].pk, "must")
    with pytest.raises(services.EventError, match="cannot ask to meet itself"):
        services.send_request(s.users["KEN"], s.parts["KEN"].pk, s.parts["KEN"].pk, "must")
    # Never scheduled: the no-thanks pair is not in the instance.
    instance = planner.build_instance(s.event)
    assert f"r{r4.pk}" not in {r.id for r in instance.requests}
    assert {r.id for r in instance.requests} == {f"r{r1.pk}", f"r{r2.pk}", f"r{r3.pk}"}


def test_schedule_agenda_notifications_and_cancellation_rescheduling(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # 2 slots x 1 table = 2 places; ITU is wanted by three delegations: one cannot be placed at first.
    s = build_event(slots=2, tables=1)
    must = ask(s, "KEN", "ITU Academy", "must")
    mutual = ask(s, "NER", "ITU Academy", "would_like", accept="would_like")
    low = ask(s, "BGD", "ITU Academy", "would_like")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = planner.run_schedule(s.sec, s.event.pk, time_limit=2)
    assert run.kind == ScheduleRun.Kind.SCHEDULE and run.status == "optimal"
    assert run.objective == must.weight + mutual.weight == 9 and run.bound == 9
    placed = scheduled(s.event)
    assert set(placed) == {must.pk, mutual.pk} and low.pk not in placed
    assert_valid(s.event)
    # Agendas: both sides see their meeting; ITU has two in time order.
    itu = queries.agenda(s.p("ITU Academy"))
    assert [i.other for i in itu] == sorted(
        [i.other for i in itu], key=lambda o: [x.other for x in itu].index(o)
    )
    assert {i.other for i in itu} == {"Kenya", "Niger"} and itu[0].starts_at < itu[1].starts_at
    assert [i.other for i in queries.agenda(s.p("KEN"))] == ["ITU Academy"]
    # One notification per member of each affected participant, and one e-mail each.
    keys = set(
        Notification.objects.filter(event=s.event, key__startswith=f"run:{run.pk}:").values_list(
            "key", flat=True
        )
    )
    assert keys == {f"run:{run.pk}:p{s.parts[n].pk}" for n in ("KEN", "NER", "ITU Academy")}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["fp-ken@example.org", "fp-ner@example.org", "xm-dac-41116@example.org"]
    )
    assert all(
        n.emailed_at is not None for n in Notification.objects.filter(key__startswith=f"run:{run.pk}:")
    )

    # Kenya cancels: the freed place goes to Bangladesh; Niger's meeting does not move.
    ken_meeting = Meeting.objects.get(request=must)
    niger_place = placed[mutual.pk]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(s.users["KEN"], ken_meeting.pk, "minister unavailable")
    ken_meeting.refresh_from_db()
    assert ken_meeting.status == MeetingStatus.CANCELLED and ken_meeting.sequence == 1
    assert {m.to[0] for m in mail.outbox} == {"fp-ken@example.org", "xm-dac-41116@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        again = planner.run_schedule(s.sec, s.event.pk, time_limit=2, reason="after a cancellation")
    assert (again.kind, again.kept, again.moved, again.added, again.dropped) == ("reschedule", 1, 0, 1, 0)
    now = scheduled(s.event)
    assert now[mutual.pk] == niger_place and set(now) == {mutual.pk, low.pk}
    assert now[low.pk] == placed[must.pk]  # Bangladesh takes the freed place
    assert_valid(s.event)
    told = set(
        Notification.objects.filter(key__startswith=f"run:{again.pk}:").values_list(
            "member__participant__economy__iso3", flat=True
        )
    )
    assert told == {"BGD", None}  # Bangladesh and ITU (a provider: no economy); Niger is not bothered
    # Running again changes nothing and tells nobody anything new.
    count = Notification.objects.count()
    third = planner.run_schedule(s.sec, s.event.pk, time_limit=2)
    assert (third.kept, third.moved, third.added, third.dropped) == (2, 0, 0, 0)
    assert Notification.objects.count() == count
    # The cancelled pair is never scheduled again; the meeting keeps its id and its history.
    assert f"r{must.pk}" not in {r.id for r in planner.build_instance(s.event).requests}
    assert [(c.from_status, c.to_status) for c in ken_meeting.history.all()] == [
        ("", "scheduled"),
        ("scheduled", "cancelled"),
    ]
    assert AuditEntry.objects.filter(object_type="events.schedulerun").count() == 3


def test_changed_availability_moves_only_the_meeting_that_must_move() -> None:
    s = build_event(slots=4, tables=2)
    reqs = [ask(s, "KEN", "ITU Academy"), ask(s, "NER", "GIZ Digital"), ask(s, "BGD", "UNCTAD eTrade")]
    reqs.append(ask(s, "KEN", "GIZ Digital", "must"))
    planner.run_schedule(s.sec, s.event.pk, time_limit=2)
    before = scheduled(s.event)
    assert len(before) == 4
    slot_of_itu = before[reqs[0].pk][0]
    services.set_availability(
        s.users["ITU Academy"], s.parts["ITU Academy"].pk, [slot_of_itu], "flight changed"
    )
    # The grid flags the conflict before anyone reschedules.
    g = queries.grid(s.event)
    flagged = [c for row in g.rows for c in row.cells if c.conflicts]
    assert g.conflicts == 1 and flagged[0].meeting is not None and flagged[0].meeting.request_id == reqs[0].pk
    assert "ITU Academy is not available then" in flagged[0].conflicts
    run = planner.run_schedule(s.sec, s.event.pk, time_limit=2)
    after = scheduled(s.event)
    assert (run.kept, run.moved, run.added, run.dropped) == (3, 1, 0, 0)
    assert {k: v for k, v in after.items() if k != reqs[0].pk} == {
        k: v for k, v in before.items() if k != reqs[0].pk
    }
    assert after[reqs[0].pk][0] != slot_of_itu
    (moved,) = run.details["moved"]
    assert "ITU Academy" in moved["reason"] and "unavailable" in moved["reason"]  # ids made readable
    change = MeetingChange.objects.filter(run=run).get()
    assert change.from_slot_id == slot_of_itu and change.to_slot_id == after[reqs[0].pk][0]
    assert queries.grid(s.event).conflicts == 0
    assert_valid(s.event)


def test_per_type_limits_and_withdrawal() -> None:
    s = build_event(slots=4, tables=3, provider_max_meetings=1)
    ask(s, "KEN", "ITU Academy", "must")
    ask(s, "NER", "ITU Academy", "must")
    ask(s, "BGD", "GIZ Digital")
    assert planner.effective_max(s.p("ITU Academy"), s.event) == 1
    services.update_participant(s.users["KEN"], s.parts["KEN"].pk, max_meetings=3)
    assert planner.effective_max(s.p("KEN"), s.event) == 3
    run = planner.run_schedule(s.sec, s.event.pk, time_limit=2)
    assert run.added == 2  # ITU meets only one delegation
    # Bangladesh withdraws: its meeting is cancelled, its pending requests withdrawn.
    pending = ask(s, "BGD", "UNCTAD eTrade", accept=None)
    services.change_participant_status(s.users["BGD"], s.parts["BGD"].pk, "withdrawn", "cannot travel")
    assert MeetingRequest.objects.get(pk=pending.pk).status == RequestStatus.WITHDRAWN
    assert not Meeting.objects.filter(
        request__requester=s.parts["BGD"], status=MeetingStatus.SCHEDULED
    ).exists()


def test_the_scheduler_refuses_to_write_when_the_event_changed_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = build_event()
    ask(s, "KEN", "ITU Academy")
    real = sched.solve

    def slow(instance: sched.Instance, **kwargs: Any) -> sched.Schedule:
        result = real(instance, **kwargs)
        ask(s, "NER", "GIZ Digital")  # someone accepts a request while the solver runs
        return result

    monkeypatch.setattr(sched, "solve", slow)
    with pytest.raises(planner.ScheduleChangedError):
        planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    assert not Meeting.objects.filter(event=s.event).exists() and not ScheduleRun.objects.exists()


def test_suggestions_from_the_gap_index_with_explanations() -> None:
    s = build_event()
    found = suggestions.suggest(s.event, participant=s.p("KEN"))
    weak = [p for p, _score in suggestions.weakest_pillars(s.parts["KEN"].economy_id)]  # type: ignore[arg-type]
    assert weak and found, "Kenya has Gap Index scores and providers cover some of its weakest pillars"
    for sug in found:
        assert sug.delegation.pk == s.parts["KEN"].pk and sug.source == suggestions.FALLBACK
        assert "Weakest Gap Index pillars of Kenya" in sug.lines[0]
        assert sug.provider.name in sug.lines[1]
    assert [x.score for x in found] == sorted((x.score for x in found), reverse=True)
    # A pair with a request (any status) is not suggested again.
    first = found[0]
    ask(s, "KEN", first.provider.name, accept=None)
    again = suggestions.suggest(s.event, participant=s.p("KEN"))
    assert first.provider.pk not in {x.provider.pk for x in again}


def _finished_meeting(s: Setup, delegation: str = "KEN", provider: str = "ITU Academy") -> Meeting:
    req = ask(s, delegation, provider)
    planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    meeting = Meeting.objects.get(request=req)
    with pytest.raises(services.EventError, match="has not taken place yet"):
        services.record_outcome(s.users[delegation], meeting.pk, "follow_up_agreed")
    services.change_event_status(s.sec, s.event.pk, "finished", "closed")
    return meeting


def test_outcomes_link_to_needs_and_stay_when_nothing_can_be_linked() -> None:
    from gapbridge.needs.models import Need

    s = build_event()
    meeting = _finished_meeting(s)
    with pytest.raises(PermissionDenied):
        services.record_outcome(s.users["NER"], meeting.pk, "follow_up_agreed")
    # No match exists and ITU has no offer: the outcome is kept, unlinked.
    plain = services.record_outcome(
        s.users["ITU Academy"], meeting.pk, "follow_up_agreed", note="call in May"
    )
    assert (plain.kind, plain.link_kind, plain.link_id) == ("follow_up_agreed", "", "")
    # A need identified becomes a draft need of Kenya through the needs services (the secretariat may).
    need_outcome = services.record_outcome(
        s.sec, meeting.pk, "need_identified", note="Train 200 customs officers"
    )
    need = Need.objects.get(pk=int(need_outcome.link_id))
    assert (need_outcome.link_kind, need_outcome.link_method) == ("need", "service")
    assert (
        need.country.iso3 == "KEN" and need.title == "Train 200 customs officers" and need.status == "draft"
    )
    assert [h.to_status for h in need.history.all()] == ["draft"]
    assert need_outcome.pk == plain.pk  # one outcome per meeting, updated and audited
    entries = AuditEntry.objects.filter(object_type="events.meetingoutcome", object_id=str(plain.pk))
    assert sorted(entries.values_list("action", flat=True)) == ["create", "update"]
    steps = outcomes.chain(need_outcome.link_kind, need_outcome.link_id, need_outcome.link_label)
    assert [(st.kind, st.exists) for st in steps] == [("need", True)] and steps[0].url == f"/needs/{need.pk}/"
    # A plain member without a role may not create needs for Kenya: the outcome stays, unlinked.
    kept = services.record_outcome(s.users["KEN"], meeting.pk, "need_identified", note="another idea")
    assert kept.kind == "need_identified" and kept.link_id == str(need.pk)  # the earlier link is kept
    # A link given by hand is checked against the needs table.
    checked = services.record_outcome(
        s.users["KEN"], meeting.pk, "follow_up_agreed", link_kind="need", link_id=str(need.pk)
    )
    assert (checked.link_method, checked.link_label) == ("checked", "Train 200 customs officers")
    with pytest.raises(services.EventError, match="Need for assistance number 999999 does not exist"):
        services.record_outcome(
            s.users["KEN"], meeting.pk, "follow_up_agreed", link_kind="need", link_id="999999"
        )
    with pytest.raises(services.EventError, match="kind"):
        services.record_outcome(s.users["KEN"], meeting.pk, "party")


def _need_and_offer(s: Setup) -> tuple[Any, Any]:
    """A validated need of Kenya for digital-skills training and a published ITU offer that fits it."""
    from gapbridge.countries.models import Economy
    from gapbridge.needs import services as need_services
    from gapbridge.offers import services as offer_services

    itu = s.p("ITU Academy").organization
    assert itu is not None
    offer = offer_services.create_offer(
        s.sec,
        itu,
        title="Digital skills bootcamps for civil servants",
        description="Six-week training in digital skills for public administrations.",
        kind="training",
        focus_areas=["digital-skills"],
    )
    offer_services.change_status(s.sec, offer.pk, "published", "ready")
    need = need_services.create_need(
        s.sec,
        Economy.objects.get(iso3="KEN"),
        title="Digital skills training for ministry staff",
        description="Train ministry staff in digital skills and e-government tools.",
        focus_areas=["digital-skills"],
        kinds=["training"],
    )
    need_services.change_status(s.sec, need.pk, "submitted", "ready")
    need_services.change_status(s.sec, need.pk, "validated", "checked")
    return need, offer


def test_suggestions_from_the_matching_engine_come_first_with_its_explanation() -> None:
    s = build_event()
    need, _offer = _need_and_offer(s)
    found = suggestions.suggest(s.event, participant=s.p("KEN"))
    first = found[0]
    assert (first.source, first.provider.name) == (suggestions.ENGINE, "ITU Academy")
    assert first.lines[0] == f"Need of Kenya: {need.title}"
    assert first.lines[1] == "Offer: Digital skills bootcamps for civil servants"
    assert any("Digital skills" in line for line in first.lines[2:])  # the engine's focus-area component
    assert all(x.source == suggestions.FALLBACK for x in found[1:])  # other providers: Gap Index overlap
    assert len({x.provider.pk for x in found}) == len(found)


def test_support_agreed_creates_and_advances_the_match_meeting_to_match_to_project() -> None:
    from gapbridge.matches import services as match_services

    s = build_event()
    need, offer = _need_and_offer(s)
    meeting = _finished_meeting(s)
    outcome = services.record_outcome(s.sec, meeting.pk, "match_agreed", note="ITU trains 40 staff in June")
    assert (outcome.link_kind, outcome.link_method) == ("match", "service")
    from gapbridge.matches.models import Match

    match = Match.objects.get(pk=int(outcome.link_id))
    assert (match.need_id, match.offer_id, match.status) == (need.pk, offer.pk, "accepted")
    assert [h.to_status for h in match.history.all()] == ["suggested", "contacted", "accepted"]
    assert "meeting M" in match.history.last().reason  # type: ignore[union-attr]
    need.refresh_from_db()
    assert need.status == "matched"  # their rules move the need with the match
    match_services.change_status(
        s.sec, match.pk, "project_started", "signed", iati_identifier="XM-DAC-41116-P1"
    )
    steps = outcomes.chain("match", str(match.pk), "")
    assert [st.kind for st in steps] == ["need", "match", "project"]
    assert steps[1].label == f"{need.title} ↔ {offer.title}" and outcome.link_label == steps[1].label
    assert steps[2].label == "XM-DAC-41116-P1"  # the IATI activity (not imported here: shown by identifier)


def test_notifications_are_never_sent_twice(django_capture_on_commit_callbacks: Any) -> None:
    s = build_event()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        req = ask(s, "KEN", "ITU Academy", accept=None)
    assert [m.to for m in mail.outbox] == [["xm-dac-41116@example.org"]]
    from gapbridge.events import notifications

    again = notifications.notify(s.p("ITU Academy"), f"request:{req.pk}:new:1", "x", "y")
    assert again == []
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert notifications.send_emails(ids) == 0  # already claimed
    assert services.mark_read(s.users["ITU Academy"]) == 1


def test_auto_reschedule_after_a_cancellation_and_an_empty_event() -> None:
    s = build_event(slots=1, tables=1, auto_reschedule=True)
    empty = planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    assert (empty.requests, empty.added, empty.objective) == (0, 0, 0)
    first = ask(s, "KEN", "ITU Academy", "must")
    waiting = ask(s, "NER", "GIZ Digital")
    planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    assert set(scheduled(s.event)) == {first.pk}  # one place only
    services.cancel_meeting(s.users["ITU Academy"], Meeting.objects.get(request=first).pk, "double-booked")
    run = ScheduleRun.objects.first()
    assert run is not None and run.actor_label == "system" and "after cancelling" in run.reason
    assert set(scheduled(s.event)) == {waiting.pk}
    with pytest.raises(services.EventError, match="reason"):
        services.cancel_meeting(s.users["NER"], Meeting.objects.get(request=waiting).pk, "  ")


def test_keeping_meetings_can_cost_value_and_from_scratch_recovers_it() -> None:
    # One slot, one table. Kenya's light request is placed; then a heavier mutual request is accepted.
    s = build_event(slots=1, tables=1)
    light = ask(s, "KEN", "ITU Academy", "would_like")
    planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    heavy = ask(s, "NER", "GIZ Digital", "must", accept="must")
    kept = planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    assert (kept.kept, kept.moved, kept.added) == (1, 0, 0) and set(scheduled(s.event)) == {light.pk}
    assert kept.status == "optimal"  # optimal given that Kenya's meeting stays
    fresh = planner.run_schedule(s.sec, s.event.pk, time_limit=1, keep=False, reason="re-optimise")
    assert (fresh.kept, fresh.moved, fresh.added, fresh.dropped) == (0, 0, 1, 1)
    assert set(scheduled(s.event)) == {heavy.pk} and fresh.objective == heavy.weight == 12
    assert fresh.details["from_scratch"] is True
    assert fresh.details["dropped"][0]["reason"] == "re-optimised from scratch"
    assert Meeting.objects.get(request=light).status == MeetingStatus.UNSCHEDULED
