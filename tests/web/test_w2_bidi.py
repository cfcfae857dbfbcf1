"""QA finding: in Arabic (right to left) dates, times and time spans stay left-to-right runs: on pages
(isolated with <bdi dir="ltr">), inside notification texts and reasons (Unicode isolates), never in
English e-mails or in the PDF (which lays out runs itself)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from gapbridge.events import pdf, planner, services, times
from gapbridge.events.models import Meeting
from tests.integration.test_events_services import ask, build_event
from tests.web.pages import signed_in

pytestmark = pytest.mark.django_db

SPAN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}–\d{2}:\d{2}"


def test_isolate_dates_wraps_each_date_and_span_once() -> None:
    text = "الاجتماع M1 نُقل من 2027-03-27 10:00–10:25, Table 1 إلى 2027-03-27 10:30–10:55"
    done = times.isolate_dates(text)
    assert done.count(times.LRI) == 2 and done.count(times.PDI) == 2
    assert f"{times.LRI}2027-03-27 10:00–10:25{times.PDI}" in done
    assert times.isolate_dates(done) == done  # idempotent
    assert times.plain(done) == text


def test_agenda_grid_and_notifications_isolate_times_in_arabic_only(
    django_capture_on_commit_callbacks: Any,
) -> None:
    s = build_event()
    req = ask(s, "KEN", "ITU Academy")
    with django_capture_on_commit_callbacks(execute=True):
        planner.run_schedule(s.sec, s.event.pk, time_limit=1)
        meeting = Meeting.objects.get(request=req)
        services.cancel_meeting(s.sec, meeting.pk, "flight cancelled")
    ken = signed_in(s.users["KEN"])
    agenda = html.unescape(
        ken.get(
            f"/events/{s.event.pk}/agenda/?as={s.parts['KEN'].pk}", HTTP_ACCEPT_LANGUAGE="ar"
        ).content.decode()
    )
    assert re.search(rf'<bdi dir="ltr">{SPAN}</bdi>', agenda)
    grid = html.unescape(
        signed_in(s.sec).get(f"/events/{s.event.pk}/grid/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    )
    assert re.search(rf'<th scope="row"><bdi dir="ltr">{SPAN}</bdi></th>', grid)
    notes = ken.get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert re.search(rf"{times.LRI}{SPAN}{times.PDI}", notes)  # inside "… cancelled (date time–time)"
    english = ken.get("/events/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(SPAN, english) and times.LRI not in english
    assert mail.outbox and all(times.LRI not in m.body and times.LRI not in m.subject for m in mail.outbox)


def test_the_pdf_strips_isolates_and_keeps_the_header_range_in_order() -> None:
    agenda = pdf.PdfAgenda(
        title="Matchmaking",
        participant="جدول أعمال كينيا",
        facts=["2027-03-27 – 2027-03-29", times.isolate("2027-03-27 10:00–10:25")],
        headers=("متى", "الاجتماع مع", "الطاولة أو القاعة", "المرجع"),
        rows=[pdf.PdfRow(times.isolate("2027-03-27 10:00–10:25"), "Dimagi", "Table 1", "M1")],
        empty="",
        footer="GapBridge",
        rtl=True,
    )
    data = pdf.render(agenda)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    shown = text.decode()
    assert "2027-03-27 – 2027-03-29" in shown
    assert times.LRI not in shown and times.PDI not in shown
    assert "10:00–10:25" in shown


def test_the_api_gives_the_schedulers_reasons_without_direction_marks() -> None:
    """Pages isolate dates in Arabic; the API's text is for scripts and carries no invisible marks."""
    s = build_event(slots=4, tables=2)
    itu = ask(s, "KEN", "ITU Academy")
    planner.run_schedule(s.sec, s.event.pk, time_limit=2)
    meeting = Meeting.objects.get(request=itu)
    services.set_availability(s.users["ITU Academy"], s.parts["ITU Academy"].pk, [meeting.slot_id], "away")
    planner.run_schedule(s.sec, s.event.pk, time_limit=2)
    client = Client()
    client.force_login(s.sec)
    body = client.get(f"/api/v1/events/{s.event.pk}/schedule", HTTP_ACCEPT_LANGUAGE="ar").json()
    (moved,) = body["last_run"]["moved_meetings"]
    assert moved["reason"] and not any(c in moved["reason"] for c in "\u2066\u2067\u2068\u2069")
