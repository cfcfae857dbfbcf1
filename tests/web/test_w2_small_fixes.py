"""QA findings, small: a plural for tables added, countries sorted by name whatever the accents, a limit on
a meeting request's message, file names cut at a word, the availability help's wording."""

from __future__ import annotations

import pytest

from gapbridge.events import forms, services, views
from gapbridge.events.models import Event, MeetingRequest
from tests.integration.test_events_services import build_event
from tests.web.pages import signed_in, top_messages

pytestmark = pytest.mark.django_db


def test_one_table_added_is_singular() -> None:
    s = build_event()
    response = signed_in(s.sec).post(
        f"/events/{s.event.pk}/tables/", {"count": "1", "name_prefix": "Room"}, follow=True
    )
    assert "1 table added." in top_messages(response)


def test_countries_sort_by_name_ignoring_accents() -> None:
    codes = [code for code, _name in forms._countries()[1:]]
    assert codes.index("CRI") < codes.index("CIV") < codes.index("CZE")  # Costa Rica, Côte d'Ivoire, Czechia


def test_a_meeting_request_message_has_a_limit_in_form_and_service() -> None:
    s = build_event()
    ken = s.p("KEN")
    long = "x" * (services.MAX_REQUEST_MESSAGE + 1)
    response = signed_in(s.users["KEN"]).post(
        f"/events/{s.event.pk}/requests/send/",
        {"as": ken.pk, "recipient": s.parts["ITU Academy"].pk, "preference": "would_like", "message": long},
        follow=True,
    )
    assert "Message:" in top_messages(response)
    assert not MeetingRequest.objects.exists()
    with pytest.raises(services.EventError, match="message: at most 1000 characters; this one has 1001"):
        services.send_request(s.users["KEN"], ken.pk, s.parts["ITU Academy"].pk, "would_like", message=long)
    ok = services.send_request(
        s.users["KEN"], ken.pk, s.parts["ITU Academy"].pk, "would_like", message="x" * 1000
    )
    assert len(ok.message) == 1000


def test_file_names_are_cut_at_a_word() -> None:
    s = build_event()
    Event.objects.filter(pk=s.event.pk).update(
        title="Digital Cooperation Matchmaking for Small Island States 2026"
    )
    event = Event.objects.get(pk=s.event.pk)
    name = views._filename(event, s.p("KEN"), "pdf")
    assert name == "digital-cooperation-matchmaking-for-kenya.pdf"
    assert views._cut("a" * 50) == "a" * 40


def test_the_availability_help_says_tick() -> None:
    s = build_event()
    page = signed_in(s.users["KEN"]).get(f"/events/{s.event.pk}/participation/?as={s.parts['KEN'].pk}")
    assert "A scheduled meeting in a slot you tick stays" in page.content.decode()
