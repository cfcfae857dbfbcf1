"""QA finding: invalid scheduler and participation forms were silently ignored (the scheduler ran with the
default limit and said it succeeded; the participation form saved nothing and said nothing)."""

from __future__ import annotations

import pytest

from gapbridge.events.models import Participant, ScheduleRun
from tests.integration.test_events_services import ask, build_event
from tests.web.pages import signed_in, top_messages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("limit", ["0", "999", "abc", ""])
def test_an_invalid_time_limit_runs_nothing_and_says_why(limit: str) -> None:
    s = build_event()
    ask(s, "KEN", "ITU Academy")
    client = signed_in(s.sec)
    body = {"time_limit": limit, "reason": "test", "from_scratch": "on"}
    response = client.post(f"/events/{s.event.pk}/schedule/", body, follow=True)
    flash = top_messages(response)
    assert "Time limit (seconds):" in flash, flash
    assert not ScheduleRun.objects.filter(event=s.event).exists()
    htmx = client.post(f"/events/{s.event.pk}/schedule/", body, HTTP_HX_REQUEST="true")
    assert "Time limit (seconds):" in top_messages(htmx)
    assert not ScheduleRun.objects.filter(event=s.event).exists()


def test_a_valid_form_keeps_its_reason_and_from_scratch() -> None:
    s = build_event()
    ask(s, "KEN", "ITU Academy")
    client = signed_in(s.sec)
    client.post(f"/events/{s.event.pk}/schedule/", {"time_limit": "2", "reason": "first"})
    client.post(
        f"/events/{s.event.pk}/schedule/", {"time_limit": "2", "reason": "again", "from_scratch": "on"}
    )
    run = ScheduleRun.objects.filter(event=s.event).order_by("-pk").first()
    assert run is not None and run.details.get("from_scratch") is True


@pytest.mark.parametrize("value", ["-1", "1.5"])
def test_an_invalid_maximum_saves_nothing_and_says_why(value: str) -> None:
    s = build_event()
    ken = s.p("KEN")
    response = signed_in(s.users["KEN"]).post(
        f"/events/{s.event.pk}/participation/update/",
        {"as": ken.pk, "max_meetings": value, "note": "changed"},
        follow=True,
    )
    assert "Maximum number of meetings:" in top_messages(response)
    again = Participant.objects.get(pk=ken.pk)
    assert (again.max_meetings, again.note) == (ken.max_meetings, ken.note)
