"""QA finding: errors named the wrong field ("Contact person" on the members form) or sat above the form
without their unit ("… is 364")."""

from __future__ import annotations

import datetime as dt

import pytest

from gapbridge.events.models import ParticipantMember
from tests.integration.test_events_services import build_event
from tests.web.pages import signed_in, top_messages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({}, "Name: each member needs a name or a user account"),
        ({"username": "ghost"}, "User name (if they have an account): no user 'ghost'"),
    ],
)
def test_adding_a_member_names_the_members_forms_fields(body: dict[str, str], said: str) -> None:
    s = build_event()
    ken = s.p("KEN")
    count = ParticipantMember.objects.filter(participant=ken).count()
    response = signed_in(s.users["KEN"]).post(
        f"/events/{s.event.pk}/participation/members/", {"as": ken.pk, **body}, follow=True
    )
    flash = top_messages(response)
    assert said in flash and "Contact person" not in flash
    assert ParticipantMember.objects.filter(participant=ken).count() == count


def test_an_event_too_long_is_said_on_the_last_day_field_in_days() -> None:
    s = build_event()
    start = dt.date(2026, 9, 10)
    body = {
        "title": "Too long",
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=363)).isoformat(),
        "time_zone": "UTC",
        "registration": "invitation",
        "buffer_slots": "0",
    }
    response = signed_in(s.sec).post("/events/new/", body)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["ends_on"] == ["an event lasts at most 92 days; 2026-09-10 to 2027-09-08 is 364 days"]
    assert not form.non_field_errors()
