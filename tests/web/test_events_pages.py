"""Event pages end to end: the organiser builds an event, participants ask and answer, the scheduler runs from
the grid (HTMX), each participant gets the agenda as a page, a PDF and an ICS file; a cancellation is
rescheduled with no other meeting moving. Plus visibility, permissions, registration and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from gapbridge.accounts.models import Role
from gapbridge.cli import app
from gapbridge.events import ics, planner, services
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
)
from tests import factories
from tests.integration.test_events_services import DAY, Setup, ask, build_event

pytestmark = pytest.mark.django_db


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_list_and_detail_hide_drafts_from_the_public(client: Client) -> None:
    s = build_event()
    draft = services.create_event(s.sec, title="Secret planning", starts_on=DAY, ends_on=DAY)
    html = client.get("/events/").content.decode()
    assert "Digital trade matchmaking, Nairobi" in html and "Secret planning" not in html
    assert client.get(f"/events/{draft.pk}/").status_code == 404
    detail = client.get(f"/events/{s.event.pk}/").content.decode()
    assert "KICC, Nairobi" in detail and "Kenya" in detail and "ITU Academy" in detail
    assert "Africa/Nairobi" in detail
    sec = _login(Client(), s.sec)
    assert "Secret planning" in sec.get("/events/").content.decode()
    assert sec.get(f"/events/{draft.pk}/").status_code == 200


def test_the_secretariat_organises_through_the_pages() -> None:
    sec_user = factories.user("sec", Role.SECRETARIAT)
    c = _login(Client(), sec_user)
    assert c.get("/events/new/").status_code == 200
    bad = c.post(
        "/events/new/",
        {
            "title": "x",
            "starts_on": "2026-05-02",
            "ends_on": "2026-05-01",
            "time_zone": "UTC",
            "registration": "open",
            "buffer_slots": 0,
        },
    )
    assert bad.status_code == 400 and "The last day is before the first day." in bad.content.decode()
    response = c.post(
        "/events/new/",
        {
            "title": "LDC peer learning, Geneva",
            "starts_on": DAY.isoformat(),
            "ends_on": DAY.isoformat(),
            "time_zone": "Europe/Zurich",
            "venue": "CICG",
            "registration": "open",
            "buffer_slots": 0,
            "focus_areas": ["digital-skills"],
            "provider_max_meetings": 6,
        },
    )
    event = Event.objects.get(title="LDC peer learning, Geneva")
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/organise/"
    assert event.provider_max_meetings == 6 and event.focus_areas == ["digital-skills"]
    organise = f"/events/{event.pk}/organise/"
    c.post(
        f"/events/{event.pk}/sessions/",
        {
            "title": "Morning",
            "day": DAY.isoformat(),
            "start_time": "09:00",
            "slot_minutes": 20,
            "break_minutes": 10,
            "slot_count": 6,
        },
    )
    c.post(f"/events/{event.pk}/tables/", {"count": 3, "name_prefix": "Table"})
    c.post(
        f"/events/{event.pk}/tables/",
        {"count": 1, "name_prefix": "Room", "is_virtual": "on", "online_url": "https://meet.example.org/r"},
    )
    c.post(
        f"/events/{event.pk}/invite/",
        {
            "kind": "delegation",
            "country": "MWI",
            "member_name": "Chikondi",
            "member_email": "c@example.org",
            "register_now": "on",
        },
    )
    c.post(f"/events/{event.pk}/status/", {"to": "published", "reason": "go"})
    event.refresh_from_db()
    assert event.status == "published"
    assert Slot.objects.filter(event=event).count() == 6
    assert sorted(event.tables.values_list("name", flat=True)) == ["Room 1", "Table 1", "Table 2", "Table 3"]
    malawi = Participant.objects.get(event=event, economy__iso3="MWI")
    assert malawi.status == ParticipantStatus.REGISTERED and malawi.members.get().email == "c@example.org"
    html = c.get(organise).content.decode()
    assert "Morning" in html and "09:00" in html and "09:50" in html  # local Zurich times, not UTC
    # A rule broken on the page is reported, nothing is created.
    c.post(f"/events/{event.pk}/invite/", {"kind": "delegation", "country": "MWI"}, follow=True)
    assert Participant.objects.filter(event=event, economy__iso3="MWI").count() == 1


def test_participants_cannot_organise() -> None:
    s = build_event()
    c = _login(Client(), s.users["KEN"])
    assert c.get("/events/new/").status_code == 403
    assert c.get(f"/events/{s.event.pk}/organise/").status_code == 403
    assert c.get(f"/events/{s.event.pk}/grid/").status_code == 403
    assert c.post(f"/events/{s.event.pk}/schedule/").status_code == 403
    assert not ScheduleRun.objects.exists()
    # Nor act for another participant: asking for Niger's agenda falls back to nothing of theirs.
    other = c.get(f"/events/{s.event.pk}/agenda/?as={s.parts['NER'].pk}")
    assert other.status_code == 403
    assert Client().get(f"/events/{s.event.pk}/agenda/").status_code == 302  # to sign in


def test_request_answer_schedule_agenda_pdf_ics_and_cancel_through_the_pages() -> None:
    s = build_event(slots=2, tables=1)
    ken = _login(Client(), s.users["KEN"])
    page = ken.get(f"/events/{s.event.pk}/requests/").content.decode()
    assert (
        "Ask for a meeting" in page and "Suggested meetings" in page and "Weakest Gap Index pillars" in page
    )
    ken.post(
        f"/events/{s.event.pk}/requests/send/",
        {
            "as": s.parts["KEN"].pk,
            "recipient": s.parts["ITU Academy"].pk,
            "preference": "must",
            "message": "Skills for customs",
        },
    )
    req = MeetingRequest.objects.get(requester=s.parts["KEN"])
    assert req.status == RequestStatus.PENDING and req.message == "Skills for customs"
    itu = _login(Client(), s.users["ITU Academy"])
    incoming = itu.get(f"/events/{s.event.pk}/requests/").content.decode()
    assert "Kenya" in incoming and "Skills for customs" in incoming
    itu.post(
        f"/events/{s.event.pk}/requests/{req.pk}/respond/",
        {"as": s.parts["ITU Academy"].pk, "answer": "accept", "interest": "would_like"},
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.ACCEPTED and req.mutual
    later = ask(s, "NER", "ITU Academy")  # the second place
    third = ask(s, "BGD", "ITU Academy")  # no room for it at first

    sec = _login(Client(), s.sec)
    grid = sec.post(f"/events/{s.event.pk}/schedule/", {"time_limit": 2}, HTTP_HX_REQUEST="true")
    html = grid.content.decode()
    assert grid.status_code == 200 and html.startswith('<div id="grid"')  # the HTMX partial
    assert "2 meetings scheduled" in html and "1 accepted request not placed" in html and "optimal" in html
    meeting = Meeting.objects.get(request=req)

    agenda = ken.get(f"/events/{s.event.pk}/agenda/").content.decode()
    assert "ITU Academy" in agenda and meeting.ref in agenda and "Table 1" in agenda
    pdf = ken.get(f"/events/{s.event.pk}/agenda.pdf")
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    cal = ken.get(f"/events/{s.event.pk}/agenda.ics")
    assert cal["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in cal["Content-Disposition"] and cal["Content-Disposition"].endswith('.ics"')
    lines = ics.unfold(cal.content.decode())
    assert "TZID:Africa/Nairobi" in lines and lines.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Meeting with ITU Academy" in lines and "STATUS:CONFIRMED" in lines
    assert meeting.slot is not None
    local = meeting.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=3))).strftime("%Y%m%dT%H%M%S")
    assert f"DTSTART;TZID=Africa/Nairobi:{local}" in lines

    page = ken.get(f"/events/{s.event.pk}/meetings/{meeting.pk}/").content.decode()
    assert "Cancel this meeting" in page and "placed by the scheduler" in page
    assert (
        _login(Client(), s.users["NPL"]).get(f"/events/{s.event.pk}/meetings/{meeting.pk}/").status_code
        == 404
    )
    ken.post(f"/events/{s.event.pk}/meetings/{meeting.pk}/cancel/", {"reason": "minister unavailable"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    cancelled = ics.unfold(ken.get(f"/events/{s.event.pk}/agenda.ics").content.decode())
    assert "STATUS:CANCELLED" in cancelled and "SEQUENCE:1" in cancelled  # calendars drop it on re-import

    before = Meeting.objects.get(request=later)
    sec.post(f"/events/{s.event.pk}/schedule/", {"time_limit": 2, "reason": "after a cancellation"})
    run = ScheduleRun.objects.first()
    assert run is not None and (run.kind, run.kept, run.moved, run.added, run.dropped) == (
        "reschedule",
        1,
        0,
        1,
        0,
    )
    after = Meeting.objects.get(request=later)
    assert (after.slot_id, after.table_id) == (before.slot_id, before.table_id)
    assert Meeting.objects.get(request=third).status == MeetingStatus.SCHEDULED
    grid_page = sec.get(f"/events/{s.event.pk}/grid/").content.decode()
    assert "1 kept, 0 moved, 1 added, 0 dropped" in grid_page
    notes = _login(Client(), s.users["BGD"]).get("/events/notifications/").content.decode()
    assert "Your agenda at Digital trade matchmaking, Nairobi changed" in notes


def test_the_grid_highlights_conflicts() -> None:
    s = build_event()
    req = ask(s, "KEN", "ITU Academy")
    planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    meeting = Meeting.objects.get(request=req)
    services.set_slot_open(s.sec, meeting.slot_id, False, "room needed for a plenary")  # type: ignore[arg-type]
    html = _login(Client(), s.sec).get(f"/events/{s.event.pk}/grid/").content.decode()
    assert 'class="conflict' in html and "the slot is closed" in html and "1 conflict" in html


def test_open_registration_and_availability_pages() -> None:
    s = build_event(registration="open")
    amina = factories.user("amina", Role.FOCAL_POINT, iso3="UGA")
    c = _login(Client(), amina)
    assert "Register a delegation or a provider" in c.get(f"/events/{s.event.pk}/").content.decode()
    response = c.post(
        f"/events/{s.event.pk}/register/", {"kind": "delegation", "country": "UGA", "max_meetings": 5}
    )
    assert response.status_code == 302
    uganda = Participant.objects.get(event=s.event, economy__iso3="UGA")
    assert uganda.status == ParticipantStatus.PENDING and uganda.max_meetings == 5
    missing = c.post(f"/events/{s.event.pk}/register/", {"kind": "provider"})
    assert missing.status_code == 400 and "Give the provider organization." in missing.content.decode()
    sec = _login(Client(), s.sec)
    assert "1 awaiting moderation" in sec.get(f"/events/{s.event.pk}/organise/").content.decode()
    sec.post(f"/events/{s.event.pk}/participants/{uganda.pk}/status/", {"to": "registered", "reason": "ok"})
    uganda.refresh_from_db()
    assert uganda.status == ParticipantStatus.REGISTERED
    slots = list(Slot.objects.filter(event=s.event).order_by("starts_at"))
    c.post(
        f"/events/{s.event.pk}/participation/availability/", {"as": uganda.pk, "unavailable": [slots[0].pk]}
    )
    assert list(uganda.unavailable_slots.all()) == [slots[0]]
    page = c.get(f"/events/{s.event.pk}/participation/?as={uganda.pk}").content.decode()
    assert "amina" in page and "<td>Awaiting moderation</td><td>Registered</td><td>Secretariat</td>" in page


def test_cli_event_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    s: Setup = build_event()
    ask(s, "KEN", "ITU Academy", "must")
    ask(s, "NER", "GIZ Digital")
    runner = CliRunner()
    result = runner.invoke(app, ["event-schedule", str(s.event.pk), "--time-limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["kind"], body["status"], body["added"], body["kept"]) == ("schedule", "optimal", 2, 0)
    assert body["objective"] == 6 and body["moved"] == [] and body["dropped"] == []
    again = runner.invoke(app, ["event-schedule", str(s.event.pk), "--time-limit", "1"])
    assert again.exit_code == 0 and "2 kept, 0 moved, 0 added, 0 dropped" in again.output
    missing = runner.invoke(app, ["event-schedule", "999999"])
    assert missing.exit_code == 2 and "no such event" in missing.output
    services.change_event_status(s.sec, s.event.pk, "cancelled", "postponed")
    done = runner.invoke(app, ["event-schedule", str(s.event.pk)])
    assert done.exit_code == 2 and "not scheduled any more" in " ".join(done.output.split())


def test_admin_lists_the_event_tables() -> None:
    s = build_event()
    ask(s, "KEN", "ITU Academy")
    planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    root = factories.user("root")
    root.is_superuser = root.is_staff = True
    root.save()
    c = _login(Client(), root)
    for model in ("event", "participant", "meetingrequest", "meeting", "schedulerun", "notification"):
        assert c.get(f"/admin/events/{model}/").status_code == 200, model
    assert c.get(f"/admin/events/event/{s.event.pk}/change/").status_code == 200
    meeting = Meeting.objects.get()
    assert c.get(f"/admin/events/meeting/{meeting.pk}/change/").status_code == 200
