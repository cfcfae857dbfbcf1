"""The events services' broken rules and refusals in the reader's language: on the pages (messages and 403
pages), in the API's error envelope; the English text stays what it was."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from gapbridge.events import services
from gapbridge.events.models import Meeting, MeetingChange
from tests.integration.test_events_services import DAY, ask, build_event
from tests.web.pages import page_text, signed_in

pytestmark = pytest.mark.django_db

EVENTS = Path(services.__file__).resolve().parent


def _session(day: dt.date, start: str = "09:00") -> dict[str, Any]:
    """The organiser's session form (the API takes the same fields)."""
    return {
        "title": "Extra",
        "day": day.isoformat(),
        "start_time": start,
        "slot_minutes": 20,
        "break_minutes": 0,
        "slot_count": 2,
    }


LATER, LAST = DAY + dt.timedelta(days=5), DAY + dt.timedelta(days=1)  # a day after the event; its last day


def test_a_broken_rule_on_a_page_is_shown_in_the_readers_language() -> None:
    s = build_event()
    ask(s, "KEN", "ITU Academy", accept=None)  # pending: asking again breaks a rule
    expected = {
        "fr": "Kenya a déjà demandé un rendez-vous à ITU Academy (En attente de réponse)",
        "en": "Kenya already asked ITU Academy for a meeting (Awaiting an answer)",
    }
    for lang, message in expected.items():
        page = signed_in(s.users["KEN"]).post(
            f"/events/{s.event.pk}/requests/send/",
            {"as": s.parts["KEN"].pk, "recipient": s.parts["ITU Academy"].pk, "preference": "must"},
            HTTP_ACCEPT_LANGUAGE=lang,
            follow=True,
        )
        assert page.status_code == 200 and message in page_text(page), lang
    # the organiser's page: the field is named by its label (the API keeps its name), the rest is French
    organise = page_text(
        signed_in(s.sec).post(
            f"/events/{s.event.pk}/sessions/", _session(LATER), HTTP_ACCEPT_LANGUAGE="fr", follow=True
        )
    )
    assert re.search(
        f"Jour[\u00a0 ]?: le {LATER} est en dehors de l'événement \\(du {DAY} au {LAST}\\)", organise
    )
    assert not re.search(r"\bday\s?:", organise)


def test_the_api_answers_a_broken_rule_in_arabic() -> None:
    s = build_event()
    url, sec = f"/api/v1/events/{s.event.pk}/sessions", signed_in(s.sec)
    ar = sec.post(url, _session(LATER), content_type="application/json", HTTP_ACCEPT_LANGUAGE="ar")
    assert ar.status_code == 400 and ar.json()["error"]["code"] == "bad_request"
    assert ar.json()["error"]["message"] == f"day: اليوم {LATER} خارج مدة الفعالية (من {DAY} إلى {LAST})"
    en = sec.post(url, _session(LATER), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["error"]["message"] == f"day: {LATER} is outside the event ({DAY} to {LAST})"
    # a rule with a status (translated too) in it: an accepted request cannot be declined
    req = ask(s, "KEN", "ITU Academy")
    again = signed_in(s.users["ITU Academy"]).post(
        f"/api/v1/events/{s.event.pk}/requests/{req.pk}/respond",
        {"answer": "decline"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "حالة هذا الطلب: مقبول؛ لا يمكن الرد عليه بـ decline"


def test_a_refusal_is_in_spanish_on_the_page_and_in_the_api() -> None:
    s = build_event()
    ken = signed_in(s.users["KEN"])
    url = f"/events/{s.event.pk}/sessions/"
    page = ken.post(url, _session(DAY, "15:00"), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 403 and "solo la secretaría puede añadir sesiones" in page_text(page)
    english = ken.post(url, _session(DAY, "15:00"), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 403 and "only the secretariat may add sessions" in page_text(english)
    # Kenya's focal point answers its own request to ITU, which only ITU's people may answer
    req = ask(s, "KEN", "ITU Academy", accept=None)
    denied = ken.post(
        f"/api/v1/events/{s.event.pk}/requests/{req.pk}/respond",
        {"answer": "accept"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    assert denied.json()["error"]["message"] == (
        "fp-ken no puede responder a solicitudes de reunión en nombre de ITU Academy"
    )


#: Messages left as they are: a field name before another module's message, and errors no reader meets
#: (the command line's misuse of register(), a solver result the scheduler checks by construction).
NOT_TRANSLATED = {
    "f'focus_areas: {exc}'",
    "f'time_zone: {exc}'",
    "'registration is made by a person; the secretariat uses invite()'",
    "f'the scheduler returned an invalid schedule: {problems[0]}'",
}
ERRORS = {"EventError", "ScheduleChangedError", "LinkError", "PermissionDenied"}


def test_the_events_modules_raise_no_bare_english_message() -> None:
    bare = []
    for name in ("services.py", "planner.py", "outcomes.py"):
        for node in ast.walk(ast.parse((EVENTS / name).read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            message = node.args[0]
            literal = isinstance(message, ast.JoinedStr) or (
                isinstance(message, ast.Constant) and isinstance(message.value, str)
            )
            if node.func.id in ERRORS and literal and ast.unparse(message) not in NOT_TRANSLATED:
                bare.append(f"{name}:{node.lineno}: {ast.unparse(message)}")
    assert not bare, "mark these with gettext and named placeholders:\n" + "\n".join(bare)


def test_the_schedulers_reasons_are_shown_in_the_readers_language_whoever_ran_it() -> None:
    """The organiser schedules in French; what moved, and why, reads in English to an English reader (and
    in French to a French one) on the grid and on the meeting's history."""
    s = build_event(slots=4, tables=2)
    itu = ask(s, "KEN", "ITU Academy")
    ask(s, "NER", "GIZ Digital")
    sec = signed_in(s.sec)
    schedule = f"/events/{s.event.pk}/schedule/"
    assert sec.post(schedule, {"time_limit": 2}, HTTP_ACCEPT_LANGUAGE="fr").status_code == 302
    meeting = Meeting.objects.get(request=itu)
    services.set_availability(
        s.users["ITU Academy"], s.parts["ITU Academy"].pk, [meeting.slot_id], "flight changed"
    )
    assert sec.post(schedule, {"time_limit": 2}, HTTP_ACCEPT_LANGUAGE="fr").status_code == 302
    grid, page = f"/events/{s.event.pk}/grid/", f"/events/{s.event.pk}/meetings/{meeting.pk}/"
    english = {"grid": page_text(sec.get(grid, HTTP_ACCEPT_LANGUAGE="en"))}
    english["page"] = page_text(sec.get(page, HTTP_ACCEPT_LANGUAGE="en"))
    french = {"grid": page_text(sec.get(grid, HTTP_ACCEPT_LANGUAGE="fr"))}
    french["page"] = page_text(sec.get(page, HTTP_ACCEPT_LANGUAGE="fr"))
    for where in ("grid", "page"):
        assert re.search(r"ITU Academy is not available in \S", english[where]), where
        assert "n’est pas disponible" not in english[where], where
        assert re.search(r"ITU Academy n’est pas disponible à \S", french[where]), where
    assert "placed by the scheduler" in english["page"]
    assert "placé par le planificateur" not in english["page"]
    assert "placé par le planificateur" in french["page"]
    # the stored text stays in the language of whoever ran it: a record, and what older rows show
    change = MeetingChange.objects.filter(meeting=meeting).order_by("id").first()
    assert change is not None and change.reason == "placé par le planificateur"
    # the API gives the same reasons in the request's language, without the stored message key
    api = (("en", "ITU Academy is not available in"), ("fr", "ITU Academy n’est pas disponible à"))
    for lang, said in api:
        body = sec.get(f"/api/v1/events/{s.event.pk}/schedule", HTTP_ACCEPT_LANGUAGE=lang).json()
        (moved,) = body["last_run"]["moved_meetings"]
        assert said in moved["reason"] and "said" not in moved, lang
