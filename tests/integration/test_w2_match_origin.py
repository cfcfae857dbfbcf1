"""QA finding: a match created by a meeting's outcome said "Chosen on the need's page"."""

from __future__ import annotations

import pytest

from gapbridge.events import services
from gapbridge.matches.models import Match, MatchOrigin
from tests.integration.test_events_services import _finished_meeting, _need_and_offer, build_event

pytestmark = pytest.mark.django_db


def test_a_match_made_by_a_meeting_outcome_says_so() -> None:
    s = build_event()
    _need_and_offer(s)
    meeting = _finished_meeting(s)
    outcome = services.record_outcome(s.sec, meeting.pk, "follow_up_agreed", note="call in May")
    match = Match.objects.get(pk=int(outcome.link_id))
    assert match.origin == MatchOrigin.EVENT_MEETING == "event-meeting"
    assert match.get_origin_display() == "Agreed at a matchmaking event meeting"
