"""The offer lifecycle as data: draft → published → closed (a closed offer may be reopened as a draft)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


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
            f"unknown offer status {target!r}; expected one of {', '.join(s.value for s in OfferStatus)}"
        ) from None
    if frm == to:
        raise TransitionError(f"the offer is already {frm.value}")
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[frm]))
        raise TransitionError(
            f"an offer cannot go from {frm.value} to {to.value}; from {frm.value}: {allowed}"
        )
    return frm, to
