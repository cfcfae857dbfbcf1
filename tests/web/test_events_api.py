"""/api/v1 for matchmaking events: create and organise, register, request and answer, schedule, agenda,
cancel and reschedule, outcomes; the error envelope for broken rules and permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.events import services
from gapbridge.events.models import Meeting, MeetingStatus
from tests import factories
from tests.integration.test_events_services import DAY, ask, build_event
from tests.web.pages import signed_in

pytestmark = pytest.mark.django_db


def _post(c: Client, path: str, body: dict[str, Any]) -> Any:
    return c.post(path, body, content_type="application/json")


def test_organise_an_event_through_the_api() -> None:
    sec = factories.user("sec", Role.SECRETARIAT)
    other = factories.user("nobody", Role.FOCAL_POINT, iso3="FJI")  # Fiji's focal point; no other role
    body = {
        "title": "Pacific SIDS matchmaking",
        "starts_on": DAY.isoformat(),
        "ends_on": DAY.isoformat(),
        "time_zone": "Pacific/Fiji",
        "venue": "Suva",
        "registration": "open",
        "provider_max_meetings": 4,
    }
    denied = _post(signed_in(other), "/api/v1/events", body)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    assert _post(Client(), "/api/v1/events", body).status_code == 401
    bad = _post(signed_in(sec), "/api/v1/events", body | {"time_zone": "Pacific/Atlantis"})
    assert bad.status_code == 400 and "unknown time zone" in bad.json()["error"]["message"]
    created = _post(signed_in(sec), "/api/v1/events", body)
    assert created.status_code == 201
    event = created.json()
    assert (event["status"], event["time_zone"], event["provider_max_meetings"]) == (
        "draft",
        "Pacific/Fiji",
        4,
    )
    eid = event["id"]
    assert Client().get(f"/api/v1/events/{eid}").status_code == 404  # a draft is not public
    session = _post(
        signed_in(sec),
        f"/api/v1/events/{eid}/sessions",
        {
            "title": "Morning",
            "day": DAY.isoformat(),
            "start_time": "09:00",
            "slot_minutes": 30,
            "slot_count": 3,
            "break_minutes": 0,
        },
    )
    assert session.status_code == 201
    slots = session.json()["slots"]
    assert [s["local"][-11:] for s in slots] == ["09:00–09:30", "09:30–10:00", "10:00–10:30"]
    tables = _post(signed_in(sec), f"/api/v1/events/{eid}/tables", {"names": ["Coral", "Lagoon"]})
    assert [t["name"] for t in tables.json()] == ["Coral", "Lagoon"]
    assert (
        _post(signed_in(sec), f"/api/v1/events/{eid}/status", {"status": "published", "reason": "go"}).json()[
            "status"
        ]
        == "published"
    )
    # Open registration: Fiji's focal point applies (pending), the secretariat registers directly.
    applied = _post(
        signed_in(other), f"/api/v1/events/{eid}/participants", {"kind": "delegation", "country": "FJI"}
    )
    assert applied.status_code == 201 and applied.json()["status"] == "pending"
    assert applied.json()["unavailable_slots"] == []  # the applicant acts for it
    org = factories.organization("Pacific Islands Forum", "XI-PIF")
    direct = _post(
        signed_in(sec),
        f"/api/v1/events/{eid}/participants",
        {"kind": "provider", "organization": "XI-PIF", "register_now": True, "max_meetings": 9},
    )
    assert direct.json()["status"] == "registered" and direct.json()["effective_max_meetings"] == 4
    assert direct.json()["organization_id"] == org.pk
    listed = Client().get(f"/api/v1/events/{eid}").json()
    assert [p["name"] for p in listed["participants"]] == [
        "Pacific Islands Forum"
    ]  # pending ones are not public
    assert listed["participants"][0]["unavailable_slots"] is None
    moderated = _post(
        signed_in(sec),
        f"/api/v1/events/{eid}/participants/{applied.json()['id']}/status",
        {"status": "registered", "reason": "ok"},
    )
    assert moderated.json()["status"] == "registered"
    nope = _post(
        signed_in(other),
        f"/api/v1/events/{eid}/participants/{direct.json()['id']}/status",
        {"status": "withdrawn"},
    )
    assert nope.status_code == 403


def test_requests_schedule_agenda_cancel_reschedule_and_outcome_through_the_api() -> None:
    s = build_event(slots=2, tables=1)
    eid = s.event.pk
    ken, itu = signed_in(s.users["KEN"]), signed_in(s.users["ITU Academy"])
    sent = _post(
        ken,
        f"/api/v1/events/{eid}/requests",
        {"requester": s.parts["KEN"].pk, "recipient": s.parts["ITU Academy"].pk, "preference": "must"},
    )
    assert sent.status_code == 201 and sent.json()["status"] == "pending" and sent.json()["weight"] == 5
    rid = sent.json()["id"]
    forged = _post(
        itu,
        f"/api/v1/events/{eid}/requests",
        {"requester": s.parts["KEN"].pk, "recipient": s.parts["GIZ Digital"].pk, "preference": "must"},
    )
    assert forged.status_code == 403
    wrong_side = _post(ken, f"/api/v1/events/{eid}/requests/{rid}/respond", {"answer": "accept"})
    assert wrong_side.status_code == 403
    accepted = _post(
        itu, f"/api/v1/events/{eid}/requests/{rid}/respond", {"answer": "accept", "interest": "must"}
    )
    assert accepted.json()["mutual"] and accepted.json()["weight"] == 12
    mine = itu.get(f"/api/v1/events/{eid}/requests").json()
    assert [r["id"] for r in mine] == [rid]
    second = ask(s, "NER", "ITU Academy")
    third = ask(s, "BGD", "ITU Academy")
    # "No thanks" is final: a 400 with the reason when asked again.
    nt = ask(s, "NPL", "GIZ Digital", accept=None)
    _post(
        signed_in(s.users["GIZ Digital"]),
        f"/api/v1/events/{eid}/requests/{nt.pk}/respond",
        {"answer": "no_thanks"},
    )
    again = _post(
        signed_in(s.users["NPL"]),
        f"/api/v1/events/{eid}/requests",
        {"requester": s.parts["NPL"].pk, "recipient": s.parts["GIZ Digital"].pk, "preference": "must"},
    )
    assert again.status_code == 400 and "no thanks" in again.json()["error"]["message"]

    sec = signed_in(s.sec)
    assert _post(ken, f"/api/v1/events/{eid}/schedule", {"time_limit": 1}).status_code == 403
    run = _post(sec, f"/api/v1/events/{eid}/schedule", {"time_limit": 2}).json()
    assert (run["kind"], run["status"], run["objective"], run["bound"]) == ("schedule", "optimal", 13.0, 13.0)
    assert (run["added"], run["kept"], run["moved"]) == (2, 0, 0)
    schedule = sec.get(f"/api/v1/events/{eid}/schedule").json()
    assert {m["request"] for m in schedule["meetings"]} == {rid, second.pk}
    assert schedule["unplaced_requests"] == [third.pk] and schedule["conflicts"] == 0
    assert ken.get(f"/api/v1/events/{eid}/schedule").status_code == 403

    agenda = ken.get(f"/api/v1/events/{eid}/agenda").json()
    (item,) = agenda["meetings"]
    assert (item["other"], item["status"], agenda["time_zone"]) == (
        "ITU Academy",
        "scheduled",
        "Africa/Nairobi",
    )
    assert agenda["ics"].endswith(f"/events/{eid}/agenda.ics?as={s.parts['KEN'].pk}")
    assert ken.get(agenda["ics"].split("testserver")[1]).status_code == 200
    refused = ken.get(f"/api/v1/events/{eid}/agenda?participant={s.parts['NER'].pk}")
    assert refused.status_code == 403
    assert (
        f"you do not act for participant {s.parts['NER'].pk} of this event"
        in refused.json()["error"]["message"]
    )

    mid = item["meeting"]
    assert (
        _post(
            signed_in(s.users["NPL"]), f"/api/v1/events/{eid}/meetings/{mid}/cancel", {"reason": "x"}
        ).status_code
        == 404
    )
    no_reason = _post(ken, f"/api/v1/events/{eid}/meetings/{mid}/cancel", {"reason": ""})
    assert no_reason.status_code == 400
    cancelled = _post(ken, f"/api/v1/events/{eid}/meetings/{mid}/cancel", {"reason": "travel"})
    assert cancelled.json()["status"] == "cancelled"
    rerun = _post(sec, f"/api/v1/events/{eid}/schedule", {"time_limit": 2, "reason": "cancellation"}).json()
    assert rerun["from_scratch"] is False
    assert (rerun["kind"], rerun["kept"], rerun["moved"], rerun["added"], rerun["dropped"]) == (
        "reschedule",
        1,
        0,
        1,
        0,
    )
    assert Meeting.objects.get(request=third).status == MeetingStatus.SCHEDULED

    services.change_event_status(s.sec, eid, "finished", "over")
    niger = Meeting.objects.get(request=second)
    out = _post(
        signed_in(s.users["NER"]),
        f"/api/v1/events/{eid}/meetings/{niger.pk}/outcome",
        {"kind": "follow_up_agreed", "note": "visit in June"},
    )
    assert out.status_code == 200 and out.json()["kind"] == "follow_up_agreed"
    bad = _post(
        signed_in(s.users["NER"]), f"/api/v1/events/{eid}/meetings/{niger.pk}/outcome", {"kind": "lunch"}
    )
    assert bad.status_code == 400


def test_lists_suggestions_and_availability() -> None:
    s = build_event()
    eid = s.event.pk
    page = Client().get("/api/v1/events?limit=1").json()
    assert page["count"] == 1 and page["results"][0]["registered"] == 7
    sugg = signed_in(s.users["KEN"]).get(f"/api/v1/events/{eid}/suggestions").json()
    assert sugg and all(x["delegation_name"] == "Kenya" for x in sugg)
    assert any("Weakest Gap Index pillars of Kenya" in line for x in sugg for line in x["explanation"])
    assert Client().get(f"/api/v1/events/{eid}/suggestions").status_code == 401
    slots = Client().get(f"/api/v1/events/{eid}").json()["sessions"][0]["slots"]
    put = signed_in(s.users["KEN"]).put(
        f"/api/v1/events/{eid}/participants/{s.parts['KEN'].pk}/availability",
        {"unavailable_slots": [slots[1]["id"]]},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["unavailable_slots"] == [slots[1]["id"]]
    foreign = signed_in(s.users["NER"]).put(
        f"/api/v1/events/{eid}/participants/{s.parts['KEN'].pk}/availability",
        {"unavailable_slots": []},
        content_type="application/json",
    )
    assert foreign.status_code == 403
