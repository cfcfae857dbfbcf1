"""The match lifecycle as data.

suggested → contacted → accepted / declined; accepted → project started (linked to an IATI activity)
→ completed. A suggestion may also be declined or accepted straight away; a declined match can be
reopened as contacted.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from django.utils.translation import gettext as _


class MatchStatus(StrEnum):
    SUGGESTED = "suggested"
    CONTACTED = "contacted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    PROJECT_STARTED = "project_started"
    COMPLETED = "completed"


S = MatchStatus

TRANSITIONS: Final[dict[MatchStatus, frozenset[MatchStatus]]] = {
    S.SUGGESTED: frozenset({S.CONTACTED, S.ACCEPTED, S.DECLINED}),
    S.CONTACTED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.PROJECT_STARTED, S.DECLINED}),
    S.DECLINED: frozenset({S.CONTACTED}),
    S.PROJECT_STARTED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
}

#: Matches that hold one of the offer's places.
TAKES_CAPACITY: Final[frozenset[MatchStatus]] = frozenset({S.ACCEPTED, S.PROJECT_STARTED, S.COMPLETED})
#: Matches still open (they count in the provider's load, the matcher's spread term).
OPEN: Final[frozenset[MatchStatus]] = frozenset({S.SUGGESTED, S.CONTACTED, S.ACCEPTED, S.PROJECT_STARTED})
#: Matches shown to the public.
PUBLIC: Final[frozenset[MatchStatus]] = frozenset({S.ACCEPTED, S.PROJECT_STARTED, S.COMPLETED})


class TransitionError(ValueError):
    """A move the lifecycle does not allow; the message names both states."""


def check_move(current: str, target: str) -> tuple[MatchStatus, MatchStatus]:
    try:
        frm, to = MatchStatus(current), MatchStatus(target)
    except ValueError:
        raise TransitionError(
            _("unknown match status %(status)s; expected one of %(expected)s")
            % {"status": repr(target), "expected": ", ".join(s.value for s in MatchStatus)}
        ) from None
    if frm == to:
        raise TransitionError(_("the match is already %(status)s") % {"status": frm.value})
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[frm])) or _("none (final)")
        raise TransitionError(
            _("a match cannot go from %(from)s to %(to)s; from %(from)s: %(allowed)s")
            % {"from": frm.value, "to": to.value, "allowed": allowed}
        )
    return frm, to
