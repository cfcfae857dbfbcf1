"""Fixes to matchmaking events after QA: only those who act for a party may apply for it, and a refusal
never locks a party out; notifications in each reader's language; form and service errors named by field
labels on pages; providers found by name; the solver's status and the suggestions' numbers localised."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import translation

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.countries.models import Economy
from gapbridge.events import forms, notifications, planner, services, suggestions
from gapbridge.events.models import (
    EventStatus,
    LinkKind,
    Meeting,
    Notification,
    Participant,
    ParticipantMember,
    ParticipantStatus,
    ScheduleRun,
)
from tests import factories
from tests.integration.test_events_services import Setup, ask, build_event
from tests.web.pages import page_text, signed_in, top_messages

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: dict[str, Any], lang: str = "en") -> Any:
    return client.post(path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)


def _named(iso3: str, lang: str) -> str:
    with translation.override(lang):
        return Economy.objects.get(iso3=iso3).name


# --------------------------------------------------------------------------------------------------
# 1. Open registration: only the party's own people apply; a refusal does not lock the party out


def _open_event() -> tuple[Setup, Any, Any]:
    """An open event, Uganda's focal point and the editor of SDC (CH-4), neither yet on its list."""
    s = build_event(registration="open")
    sdc = factories.organization("Swiss Agency for Development and Cooperation", "CH-4")
    fp_uga = factories.user("fp-uga", Role.FOCAL_POINT, iso3="UGA")
    ed_sdc = factories.user("ed-sdc", Role.ORG_EDITOR, organization=sdc)
    return s, fp_uga, ed_sdc


def test_the_api_refuses_an_application_for_someone_elses_party() -> None:
    s, fp_uga, ed_sdc = _open_event()
    url = f"/api/v1/events/{s.event.pk}/participants"
    nobody = factories.user("plain")  # signed in, no role
    other_editor = s.users["GIZ Digital"]  # another organization's editor
    for who, body in (
        (nobody, {"kind": "delegation", "country": "UGA"}),
        (other_editor, {"kind": "delegation", "country": "UGA"}),
        (nobody, {"kind": "provider", "organization": "CH-4"}),
        (other_editor, {"kind": "provider", "organization": "CH-4"}),
        (fp_uga, {"kind": "provider", "organization": "CH-4"}),
        (ed_sdc, {"kind": "delegation", "country": "UGA"}),
    ):
        refused = _post(signed_in(who), url, body)
        assert refused.status_code == 403, (who, body)
        assert refused.json()["error"]["code"] == "forbidden"
    assert not Participant.objects.filter(event=s.event, economy__iso3="UGA").exists()
    assert not Participant.objects.filter(event=s.event, organization__iati_ref="CH-4").exists()
    message = _post(signed_in(nobody), url, {"kind": "delegation", "country": "UGA"}).json()["error"][
        "message"
    ]
    assert message == "plain may not apply for Uganda: only its focal points may"
    # the real focal point and editor are not blocked by anything the others tried
    uganda = _post(signed_in(fp_uga), url, {"kind": "delegation", "country": "UGA"})
    sdc = _post(signed_in(ed_sdc), url, {"kind": "provider", "organization": "CH-4"})
    assert (uganda.status_code, uganda.json()["status"]) == (201, "pending")
    assert (sdc.status_code, sdc.json()["status"]) == (201, "pending")


def test_the_register_page_refuses_an_application_for_someone_elses_party() -> None:
    s, fp_uga, ed_sdc = _open_event()
    url = f"/events/{s.event.pk}/register/"
    nobody = signed_in(factories.user("plain"))
    assert nobody.post(url, {"kind": "delegation", "country": "UGA"}).status_code == 403
    assert nobody.post(url, {"kind": "provider", "organization": "CH-4"}).status_code == 403
    editor = signed_in(s.users["ITU Academy"])
    assert editor.post(url, {"kind": "provider", "organization": "CH-4"}).status_code == 403
    assert not Participant.objects.filter(event=s.event).exclude(status=ParticipantStatus.REGISTERED)
    assert signed_in(fp_uga).post(url, {"kind": "delegation", "country": "UGA"}).status_code == 302
    assert signed_in(ed_sdc).post(url, {"kind": "provider", "organization": "ch-4"}).status_code == 302
    assert sorted(
        Participant.objects.filter(event=s.event, status=ParticipantStatus.PENDING).values_list(
            "members__user__username", flat=True
        )
    ) == ["ed-sdc", "fp-uga"]
    # the secretariat may apply for anyone (it usually invites)
    assert signed_in(s.sec).post(url, {"kind": "delegation", "country": "TZA"}).status_code == 302


def test_a_rejected_or_withdrawn_party_may_apply_again_through_the_api() -> None:
    s, fp_uga, _ed = _open_event()
    url = f"/api/v1/events/{s.event.pk}/participants"
    first = _post(signed_in(fp_uga), url, {"kind": "delegation", "country": "UGA"}).json()
    services.change_participant_status(s.sec, first["id"], "rejected", "incomplete")
    again = _post(signed_in(fp_uga), url, {"kind": "delegation", "country": "UGA", "max_meetings": 3})
    assert again.status_code == 201
    assert (again.json()["id"], again.json()["status"], again.json()["max_meetings"]) == (
        first["id"],
        "pending",
        3,
    )
    uganda = Participant.objects.get(pk=first["id"])
    assert [(h.from_status, h.to_status, h.reason) for h in uganda.history.all()] == [
        ("", "pending", "applied"),
        ("pending", "rejected", "incomplete"),
        ("rejected", "pending", "applied"),
    ]
    # a party that withdrew may apply again too; one that is on the list may not apply twice
    services.change_participant_status(fp_uga, uganda.pk, "withdrawn", "cannot travel")
    assert _post(signed_in(fp_uga), url, {"kind": "delegation", "country": "UGA"}).status_code == 201
    twice = _post(signed_in(fp_uga), url, {"kind": "delegation", "country": "UGA"})
    assert twice.status_code == 400 and "already on this event's list" in twice.json()["error"]["message"]
    services.change_participant_status(s.sec, uganda.pk, "registered", "ok")
    with pytest.raises(services.EventError, match="already on this event's list"):
        services.register(fp_uga, s.event.pk, kind="delegation", party="UGA")


def test_an_impostors_refused_application_does_not_lock_the_real_party_out_on_the_page() -> None:
    """An application made before the check (by someone with no right to act for Uganda) is rejected; the
    focal point applies from the page: the same row is opened again and the impostor is no member of it."""
    s, fp_uga, _ed = _open_event()
    impostor = factories.user("plain")
    uganda = Participant.objects.create(
        event=s.event,
        kind="delegation",
        economy=Economy.objects.get(iso3="UGA"),
        status=ParticipantStatus.PENDING,
    )
    ParticipantMember.objects.create(participant=uganda, user=impostor, name="plain")
    ParticipantMember.objects.create(participant=uganda, name="Spy", email="spy@example.org")
    services.change_participant_status(s.sec, uganda.pk, "rejected", "not the mission")
    page = signed_in(fp_uga).post(
        f"/events/{s.event.pk}/register/", {"kind": "delegation", "country": "UGA", "note": "we come"}
    )
    assert page.status_code == 302
    uganda.refresh_from_db()
    assert (uganda.status, uganda.note) == (ParticipantStatus.PENDING, "we come")
    assert list(uganda.members.values_list("user__username", flat=True)) == ["fp-uga"]
    assert not services.can_act(impostor, uganda)
    assert Participant.objects.filter(event=s.event, economy__iso3="UGA").count() == 1


def test_register_refuses_before_it_looks_at_the_list() -> None:
    """An impostor learns nothing about the party's application: the refusal comes first."""
    s, fp_uga, _ed = _open_event()
    services.register(fp_uga, s.event.pk, kind="delegation", party="UGA")
    with pytest.raises(PermissionDenied):
        services.register(factories.user("plain"), s.event.pk, kind="delegation", party="UGA")


# --------------------------------------------------------------------------------------------------
# 2. Notifications in the reader's language, whoever caused the change


def test_a_change_by_an_english_actor_reads_in_french_and_in_arabic() -> None:
    s = build_event()
    with translation.override("en"):
        ask(s, "KEN", "ITU Academy", "must")  # ITU (in English) accepts Kenya's request
    ken = s.users["KEN"]
    english = page_text(signed_in(ken).get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "ITU Academy accepted the meeting with Kenya." in english
    french = page_text(signed_in(ken).get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "ITU Academy a accepté le rendez-vous avec Kenya." in french
    assert "accepted the meeting" not in french
    arabic = page_text(signed_in(ken).get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert f"قبل ITU Academy الاجتماع مع {_named('KEN', 'ar')}." in arabic
    assert "accepted the meeting" not in arabic
    # ITU's own notification names the preference in the reader's language
    itu = page_text(
        signed_in(s.users["ITU Academy"]).get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    )
    assert "Kenya demande un rendez-vous à ITU Academy (Doit rencontrer)." in itu


def test_the_schedulers_notifications_and_a_cancellation_read_in_the_readers_language() -> None:
    s = build_event()
    req = ask(s, "KEN", "ITU Academy")
    with translation.override("en"):
        planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    meeting = Meeting.objects.get(request=req)
    agenda = f"/events/{s.event.pk}/agenda/?as={s.parts['KEN'].pk}"
    french = page_text(signed_in(s.users["KEN"]).get(agenda, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Vos rendez-vous à Digital trade matchmaking, Nairobi sont planifiés" in french
    assert re.search(f"Rendez-vous {meeting.ref} avec ITU Academy[\u00a0 ]:", french)
    arabic = page_text(
        signed_in(s.users["ITU Academy"]).get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="ar")
    )
    assert f"الاجتماع {meeting.ref} مع {_named('KEN', 'ar')}:" in arabic
    # Kenya (in English) withdraws the request: ITU reads the cancellation and its reason in French
    with translation.override("en"):
        services.withdraw_request(s.users["KEN"], req.pk)
    itu = page_text(
        signed_in(s.users["ITU Academy"]).get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    )
    with translation.override("fr"):
        reason = translation.gettext("the request was withdrawn")
    assert reason != "the request was withdrawn" and reason in itu


def test_notifications_stored_as_text_keep_showing() -> None:
    s = build_event()
    member = s.p("KEN").members.get()
    Notification.objects.create(
        member=member, event=s.event, key="legacy:1", subject="Old subject", message="Old text, as stored"
    )
    page = page_text(signed_in(s.users["KEN"]).get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Old subject" in page and "Old text, as stored" in page
    # parameters no longer understood (a text key since removed) fall back to the stored text too
    Notification.objects.create(
        member=member,
        event=s.event,
        key="legacy:2",
        subject="Kept subject",
        message="Kept text",
        message_key="gone",
        params={"subject": {"t": "gone", "p": {}}, "lines": []},
    )
    assert "Kept subject" in page_text(signed_in(s.users["KEN"]).get("/events/notifications/"))


def test_emails_are_written_in_the_recipients_language_not_the_actors(
    django_capture_on_commit_callbacks: Any,
) -> None:
    s = build_event()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), translation.override("fr"):
        ask(s, "KEN", "ITU Academy", accept=None)  # Kenya's focal point works in French
    # no language is stored for users: the site's default language (LANGUAGE_CODE, English)
    [message] = mail.outbox
    assert message.subject == "Kenya asks ITU Academy for a meeting (Would like to meet)."
    assert "You receive this because you take part in" in message.body
    mail.outbox.clear()
    with (
        override_settings(LANGUAGE_CODE="fr"),
        django_capture_on_commit_callbacks(execute=True),
        translation.override("en"),
    ):
        services.respond(s.users["ITU Academy"], _kenyas_request(s).pk, "accept")
    [message] = mail.outbox
    assert message.subject == "ITU Academy a accepté le rendez-vous avec Kenya."
    assert "Vous recevez ce message parce que vous participez à" in message.body


def _kenyas_request(s: Setup) -> Any:
    return s.p("ITU Academy").requests_received.get(requester=s.p("KEN"))


# --------------------------------------------------------------------------------------------------
# 3. Errors on pages: field labels, no field codes, translated kinds


def test_form_errors_name_fields_by_their_labels() -> None:
    s = build_event()
    organise = f"/events/{s.event.pk}/organise/"
    body = {"title": "", "day": s.event.starts_on.isoformat(), "start_time": "09:00", "slot_minutes": 1}
    page = signed_in(s.sec).post(
        f"/events/{s.event.pk}/sessions/", body | {"next": organise}, HTTP_ACCEPT_LANGUAGE="fr", follow=True
    )
    flash = top_messages(page)
    with translation.override("fr"):
        labels = [
            str(forms.SessionForm.base_fields[n].label) for n in ("title", "slot_minutes", "slot_count")
        ]
    for label in labels:
        assert re.search(re.escape(label) + r"[\u00a0 ]?:", flash), (label, flash)
    for code in ("title:", "slot_minutes", "slot_count"):
        assert code not in flash


def test_service_errors_on_pages_show_labels_and_kind_names_but_the_api_keeps_field_names() -> None:
    s = build_event()
    req = ask(s, "KEN", "ITU Academy")
    planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    services.change_event_status(s.sec, s.event.pk, EventStatus.FINISHED, "done")
    meeting = Meeting.objects.get(request=req)
    big = "99999999999999999999"
    page = signed_in(s.users["KEN"]).post(
        f"/events/{s.event.pk}/meetings/{meeting.pk}/outcome/",
        {"kind": "follow_up_agreed", "link_kind": "need", "link_id": big},
        HTTP_ACCEPT_LANGUAGE="ar",
        follow=True,
    )
    flash = top_messages(page)
    with translation.override("ar"):
        its_number = str(forms.OutcomeForm.base_fields["link_id"].label)
        need = str(LinkKind.NEED.label)
    assert flash.startswith(its_number) and need in flash and big in flash, flash
    assert "link_id" not in flash and f"'{big}'" not in flash and " need " not in flash
    api = _post(
        signed_in(s.users["KEN"]),
        f"/api/v1/events/{s.event.pk}/meetings/{meeting.pk}/outcome",
        {"kind": "follow_up_agreed", "link_kind": "need", "link_id": big},
    )
    assert api.status_code == 400
    assert api.json()["error"]["message"] == f"link_id: Need for assistance number {big} does not exist"


def test_page_message_replaces_or_drops_field_names() -> None:
    form = forms.SessionForm()
    assert services_text("slot_count: too many", form) == "Number of slots: too many"
    assert services_text("day\u00a0: hors de l'événement", form) == "Day: hors de l'événement"
    assert services_text("starts_on/ends_on: a session falls outside", None) == (
        "First day / Last day: a session falls outside"
    )
    assert services_text("answer: expected one of accept", None) == "expected one of accept"
    assert services_text("title: required; day: required", form) == "Session: required; Day: required"
    assert services_text("the event is full; try: later", None) == "the event is full; try: later"


def services_text(text: str, form: Any) -> str:
    from gapbridge.events.views import page_message

    return page_message(text, form)


# --------------------------------------------------------------------------------------------------
# 4. Providers found by their name


def test_the_organiser_invites_a_provider_by_its_name() -> None:
    s = build_event()
    dimagi = factories.organization("Dimagi")  # no IATI identifier
    c = signed_in(s.sec)
    invited = c.post(
        f"/events/{s.event.pk}/invite/", {"kind": "provider", "organization": "  dimagi "}, follow=True
    )
    assert Participant.objects.filter(event=s.event, organization=dimagi).exists()
    assert f"(no. {dimagi.pk})" in page_text(invited)  # its number is shown on the organise page
    twins = [factories.organization("Code for All"), factories.organization("CODE FOR ALL")]
    page = c.post(
        f"/events/{s.event.pk}/invite/", {"kind": "provider", "organization": "code for all"}, follow=True
    )
    flash = top_messages(page)
    assert all(f"(no. {o.pk})" in flash for o in twins) and "organization:" not in flash
    assert not Participant.objects.filter(event=s.event, organization__in=twins).exists()
    by_number = {"kind": "provider", "organization": str(twins[1].pk)}
    assert c.post(f"/events/{s.event.pk}/invite/", by_number).status_code == 302
    assert Participant.objects.filter(event=s.event, organization=twins[1]).exists()
    unknown = top_messages(
        c.post(f"/events/{s.event.pk}/invite/", {"kind": "provider", "organization": "Nobody"}, follow=True)
    )
    assert "Nobody" in unknown and "'Nobody'" not in unknown
    assert "name" in str(forms.PartyForm.base_fields["organization"].help_text)


# --------------------------------------------------------------------------------------------------
# 5. The solver's status and the suggestions' numbers


def test_the_grid_shows_the_solver_status_as_a_label() -> None:
    s = build_event()
    ask(s, "KEN", "ITU Academy")
    run = planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    ScheduleRun.objects.filter(pk=run.pk).update(status="feasible")
    page = page_text(signed_in(s.sec).get(f"/events/{s.event.pk}/grid/"))
    assert "Status feasible, not proven optimal:" in page
    assert run.status_label == "optimal"


def test_suggestion_contributions_use_the_locales_number_format() -> None:
    component = SimpleNamespace(message="m", params={}, contribution=0.3)
    fake = SimpleNamespace(components=[component], checks=[])
    with translation.override("fr"):
        assert suggestions._lines(fake, lambda _message, _params: "Besoin") == ["Besoin (+0,30)"]
    with translation.override("en"):
        assert suggestions._lines(fake, lambda _message, _params: "Need") == ["Need (+0.30)"]


def test_notification_parts_are_checked_when_made() -> None:
    with pytest.raises(KeyError):
        notifications.text("no.such.text")
    with pytest.raises(KeyError):
        notifications.choice("colour", "red")
