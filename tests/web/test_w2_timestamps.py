"""QA finding: change times were shown in UTC without a label on pages whose times are local to the event,
and a meeting's history listed the meeting's rows, then the request's, out of time order."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from gapbridge.events import planner
from gapbridge.events.models import Meeting, Notification, RequestStatusChange
from tests.integration.test_events_services import ask, build_event
from tests.web.pages import page_text, signed_in

pytestmark = pytest.mark.django_db


def test_notification_times_are_in_the_events_zone_and_labelled() -> None:
    s = build_event(tz="Africa/Nairobi")  # UTC+3 all year
    ask(s, "KEN", "ITU Academy")
    at = dt.datetime(2026, 3, 1, 21, 30, tzinfo=dt.UTC)
    Notification.objects.update(created_at=at)
    ken = signed_in(s.users["ITU Academy"])
    page = page_text(ken.get("/events/notifications/"))
    assert "2026-03-02 00:30" in page and "2026-03-01 21:30" not in page
    assert "Africa/Nairobi" in page
    agenda = page_text(ken.get(f"/events/{s.event.pk}/agenda/?as={s.parts['ITU Academy'].pk}"))
    assert "2026-03-02 00:30" in agenda and "2026-03-01 21:30" not in agenda


def test_a_meetings_history_is_in_time_order() -> None:
    s = build_event()
    req = ask(s, "KEN", "ITU Academy")
    planner.run_schedule(s.sec, s.event.pk, time_limit=1)
    meeting = Meeting.objects.get(request=req)
    # the request was asked and accepted well before the meeting was placed, and answered again later
    now = timezone.now()
    rows = list(RequestStatusChange.objects.filter(request=req).order_by("pk"))
    RequestStatusChange.objects.filter(pk=rows[0].pk).update(at=now - dt.timedelta(days=2))
    RequestStatusChange.objects.filter(pk=rows[1].pk).update(at=now + dt.timedelta(days=1))
    page = page_text(signed_in(s.sec).get(f"/events/{s.event.pk}/meetings/{meeting.pk}/"))
    history = page[page.index("<tbody>", page.index('id="history"') if 'id="history"' in page else 0) :]
    stamps = re.findall(r'<td><bdi dir="ltr">(\d{4}-\d{2}-\d{2} \d{2}:\d{2})</bdi></td>', history)
    assert len(stamps) >= 3 and stamps == sorted(stamps)
    assert history.index("request:") < history.index("placed by the scheduler") < history.rindex("request:")
