"""The offer lifecycle as data: draft → published → closed (a closed offer may be reopened as a draft)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from django.utils.translation import gettext as _


class OfferStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


TRANSITIONS: Final[dict[OfferStatus, frozenset[OfferStatus]]] = {
    OfferStatus.DRAFT: frozenset({OfferStatus.PUBLISHED, OfferStatus.CLOSED}),
    OfferStatus.PUBLISHED: frozenset({OfferStatus.CLOSED, OfferStatus.DRAFT}),
    OfferStatus.CLOSED: frozenset({OfferStatus.DRAFT, OfferStatus.PUBLISHED}),
}


class TransitionError(ValueError):
    """A move the lifecycle does not allow; the message names both states."""


def check_move(current: str, target: str) -> tuple[OfferStatus, OfferStatus]:
    try:
        frm, to = OfferStatus(current), OfferStatus(target)
    except ValueError:
        raise TransitionError(
            _("unknown offer status %(status)s; expected one of %(expected)s")
            % {"status": repr(target), "expected": ", ".join(s.value for s in OfferStatus)}
        ) from None
    if frm == to:
        raise TransitionError(_("the offer is already %(status)s") % {"status": frm.value})
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[frm]))
        raise TransitionError(
            _("an offer cannot go from %(from)s to %(to)s; from %(from)s: %(allowed)s")
            % {"from": frm.value, "to": to.value, "allowed": allowed}
        )
    return frm, to
