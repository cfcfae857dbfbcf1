"""QA finding: an outcome left without a link says why on the page, in the reader's language, and a need
identified at an event without focus areas takes the participants' (or the provider's offers') areas."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.events import planner, services
from gapbridge.events.models import Event, Meeting, MeetingOutcome
from gapbridge.needs.models import Need
from tests import factories
from tests.integration.test_events_services import Setup, ask, build_event
from tests.web.pages import top_messages

pytestmark = pytest.mark.django_db


def _held(s: Setup) -> Meeting:
    req = ask(s, "KEN", "ITU Academy")
    planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    services.change_event_status(s.sec, s.event.pk, "finished", "closed")
    return Meeting.objects.get(request=req)


def _record(user: Any, s: Setup, meeting: Meeting, kind: str, lang: str = "en", **extra: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(
        f"/events/{s.event.pk}/meetings/{meeting.pk}/outcome/",
        {"kind": kind, "note": "Train customs officers", **extra},
        HTTP_ACCEPT_LANGUAGE=lang,
        follow=True,
    )


def _no_event_areas(s: Setup) -> None:
    Event.objects.filter(pk=s.event.pk).update(focus_areas=[])


def test_a_need_at_an_event_without_focus_areas_takes_the_participants_areas() -> None:
    s = build_event()
    _no_event_areas(s)
    meeting = _held(s)
    focal = factories.user("fp-kenya", Role.FOCAL_POINT, iso3="KEN")
    response = _record(focal, s, meeting, "need_identified")
    outcome = MeetingOutcome.objects.get(meeting=meeting)
    assert outcome.link_kind == "need", top_messages(response)
    need = Need.objects.get(pk=int(outcome.link_id))
    # ITU Academy registered for digital skills and connectivity; Kenya gave none: the need takes ITU's.
    assert need.focus_areas == ["connectivity-infrastructure", "digital-skills"]
    assert "Not linked" not in top_messages(response)


def test_without_any_focus_area_the_page_says_why_and_what_to_do() -> None:
    s = build_event()
    _no_event_areas(s)
    meeting = _held(s)
    s.p("ITU Academy").__class__.objects.filter(event=s.event).update(focus_areas=[])
    focal = factories.user("fp-kenya", Role.FOCAL_POINT, iso3="KEN")
    response = _record(focal, s, meeting, "need_identified")
    flash = top_messages(response)
    assert "Outcome recorded." in flash
    assert "Not linked to a need: no focus area to give it" in flash
    assert MeetingOutcome.objects.get(meeting=meeting).link_kind == ""


def test_a_providers_editor_is_told_who_may_create_the_need() -> None:
    s = build_event()
    meeting = _held(s)
    response = _record(s.users["ITU Academy"], s, meeting, "need_identified")
    flash = top_messages(response)
    assert "Not linked to a need:" in flash and "may not create needs for Kenya" in flash
    assert "A focal point of Kenya or the secretariat can record this outcome again" in flash
    assert not Need.objects.exists()


def test_support_agreed_before_the_need_is_validated_says_so() -> None:
    from gapbridge.countries.models import Economy
    from gapbridge.needs import services as need_services

    s = build_event()
    need = need_services.create_need(
        s.sec,
        Economy.objects.get(iso3="KEN"),
        title="Digital skills training for ministry staff",
        description="Train ministry staff.",
        focus_areas=["digital-skills"],
    )
    need_services.change_status(s.sec, need.pk, "submitted", "ready")
    draft = need_services.create_need(
        s.sec,
        Economy.objects.get(iso3="KEN"),
        title="Restructure customs IT (confidential draft)",
        description="Not yet public.",
        focus_areas=["digital-skills"],
    )
    meeting = _held(s)
    response = _record(s.sec, s, meeting, "match_agreed")
    flash = top_messages(response)
    assert "Kenya has no validated need for assistance yet" in flash
    assert need.title in flash
    assert draft.title not in flash  # a draft stays with its country, never named to the other side
    # The API says the same in its own field.
    client = Client()
    client.force_login(s.sec)
    body = client.post(
        f"/api/v1/events/{s.event.pk}/meetings/{meeting.pk}/outcome",
        {"kind": "match_agreed"},
        content_type="application/json",
    ).json()
    assert body["link_id"] == "" and "no validated need" in body["warning"]


def test_the_warning_is_in_the_readers_language() -> None:
    from django.utils import translation

    from gapbridge.audit import services as audit

    s = build_event()
    meeting = _held(s)
    response = _record(s.users["ITU Academy"], s, meeting, "need_identified", lang="fr")
    with translation.override("fr"):
        refusal = translation.gettext("%(actor)s may not create needs for %(country)s") % {
            "actor": audit.actor_label(s.users["ITU Academy"]),
            "country": s.p("KEN").economy.name,  # type: ignore[union-attr]
        }
    assert "may not create" not in refusal  # the catalogue has it in French
    assert refusal.rstrip(".") in top_messages(response)
