"""The need lifecycle as data.

draft → submitted → validated → matching → matched → in implementation → fulfilled, and closed from any
open state. A submitted need can be sent back to draft; a need whose match fell through goes back to
matching. Validation is for the country's focal points and the secretariat (the requester may not
validate their own need).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from django.utils.translation import gettext as _


class NeedStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    MATCHING = "matching"
    MATCHED = "matched"
    IN_IMPLEMENTATION = "in_implementation"
    FULFILLED = "fulfilled"
    CLOSED = "closed"


S = NeedStatus

TRANSITIONS: Final[dict[NeedStatus, frozenset[NeedStatus]]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CLOSED}),
    S.SUBMITTED: frozenset({S.DRAFT, S.VALIDATED, S.CLOSED}),
    S.VALIDATED: frozenset({S.MATCHING, S.MATCHED, S.CLOSED}),
    S.MATCHING: frozenset({S.MATCHED, S.VALIDATED, S.CLOSED}),
    S.MATCHED: frozenset({S.IN_IMPLEMENTATION, S.MATCHING, S.CLOSED}),
    S.IN_IMPLEMENTATION: frozenset({S.FULFILLED, S.CLOSED}),
    S.FULFILLED: frozenset(),
    S.CLOSED: frozenset({S.DRAFT}),
}

#: Moves that only the country's focal points or the secretariat may make (not the requester).
VALIDATION_MOVES: Final[frozenset[tuple[NeedStatus, NeedStatus]]] = frozenset(
    {(S.SUBMITTED, S.VALIDATED), (S.VALIDATED, S.MATCHING)}
)

#: States in which offers are suggested for the need.
MATCHABLE: Final[frozenset[NeedStatus]] = frozenset({S.SUBMITTED, S.VALIDATED, S.MATCHING})
#: States shown to the public (a draft is private to its authors).
PUBLIC: Final[frozenset[NeedStatus]] = frozenset(set(NeedStatus) - {S.DRAFT})


class TransitionError(ValueError):
    """A move the lifecycle does not allow; the message names both states."""


def check_move(current: str, target: str) -> tuple[NeedStatus, NeedStatus]:
    try:
        frm, to = NeedStatus(current), NeedStatus(target)
    except ValueError:
        raise TransitionError(
            _("unknown need status %(status)s; expected one of %(expected)s")
            % {"status": repr(target), "expected": ", ".join(s.value for s in NeedStatus)}
        ) from None
    if frm == to:
        raise TransitionError(_("the need is already %(status)s") % {"status": frm.value})
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[frm])) or _("none (final)")
        raise TransitionError(
            _("a need cannot go from %(from)s to %(to)s; from %(from)s: %(allowed)s")
            % {"from": frm.value, "to": to.value, "allowed": allowed}
        )
    return frm, to
