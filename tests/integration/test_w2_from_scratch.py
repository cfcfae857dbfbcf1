"""QA finding: "re-optimise from scratch" right after an optimal run moves nobody for nothing."""

from __future__ import annotations

import pytest

from gapbridge.events import planner
from gapbridge.events.models import Meeting, Notification, Slot
from tests.integration.test_events_services import ask, build_event, scheduled

pytestmark = pytest.mark.django_db


def test_from_scratch_after_an_optimal_run_keeps_every_meeting_in_place() -> None:
    s = build_event(slots=4, tables=2)
    for frm, to in (
        ("KEN", "ITU Academy"),
        ("NER", "GIZ Digital"),
        ("BGD", "UNCTAD eTrade"),
        ("NPL", "ITU Academy"),
        ("KEN", "GIZ Digital"),
        ("NER", "UNCTAD eTrade"),
    ):
        ask(s, frm, to)
    # The event's places, then a different optimum put in place by hand (as an earlier run could leave it).
    first = planner.run_schedule(s.sec, s.event.pk, time_limit=2)
    assert first.status == "optimal"
    slots = list(Slot.objects.filter(event=s.event).order_by("starts_at"))
    mirror = dict(zip(slots, reversed(slots), strict=True))
    meetings = list(Meeting.objects.filter(event=s.event, status="scheduled"))
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(status="unscheduled", slot=None)
    for meeting in meetings:
        Meeting.objects.filter(pk=meeting.pk).update(status="scheduled", slot=mirror[meeting.slot])  # type: ignore[index]
    before = scheduled(s.event)
    notes = Notification.objects.count()
    again = planner.run_schedule(s.sec, s.event.pk, time_limit=2, keep=False)
    assert again.objective == first.objective
    assert (again.moved, again.kept) == (0, len(before))
    assert scheduled(s.event) == before
    assert Notification.objects.count() == notes
