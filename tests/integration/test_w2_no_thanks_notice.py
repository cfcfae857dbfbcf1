"""QA finding: "No thanks" was announced as "declined"; it has its own text (it is final)."""

from __future__ import annotations

import pytest

from gapbridge.events import notifications, services
from gapbridge.events.models import Notification
from tests.integration.test_events_services import ask, build_event

pytestmark = pytest.mark.django_db


def _said(user_pk: int) -> list[str]:
    return [n.message for n in notifications.for_user(user_pk)]


def test_no_thanks_is_announced_as_no_thanks_and_decline_as_declined() -> None:
    s = build_event()
    req = ask(s, "KEN", "ITU Academy", accept=None)
    services.respond(s.users["ITU Academy"], req.pk, "no_thanks")
    said = _said(s.users["KEN"].pk)
    assert any("ITU Academy said no thanks to a meeting with Kenya" in m for m in said), said
    assert not any("declined" in m for m in said)
    assert Notification.objects.filter(message_key="request.no_thanks").exists()
    other = ask(s, "NER", "GIZ Digital", accept=None)
    services.respond(s.users["GIZ Digital"], other.pk, "decline")
    assert any("GIZ Digital declined the meeting with Niger" in m for m in _said(s.users["NER"].pk))
