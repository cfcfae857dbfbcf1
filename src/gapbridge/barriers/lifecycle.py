"""The barrier lifecycle as data: states, allowed moves and who may make them. Pure Python, no Django.

reported → under review → verified → being addressed → resolved in part → resolved in full, with
dormant and archived reachable from the working states. Moderation (review, verification, archiving,
dormancy, reopening) is the secretariat's; the people responsible for a barrier (its country's focal
points, the reporting organization's editors) report progress along the "addressing" path.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Status(StrEnum):
    REPORTED = "reported"
    UNDER_REVIEW = "under_review"
    VERIFIED = "verified"
    BEING_ADDRESSED = "being_addressed"
    RESOLVED_IN_PART = "resolved_in_part"
    RESOLVED_IN_FULL = "resolved_in_full"
    DORMANT = "dormant"
    ARCHIVED = "archived"


S = Status

TRANSITIONS: Final[dict[Status, frozenset[Status]]] = {
    S.REPORTED: frozenset({S.UNDER_REVIEW, S.VERIFIED, S.DORMANT, S.ARCHIVED}),
    S.UNDER_REVIEW: frozenset({S.REPORTED, S.VERIFIED, S.DORMANT, S.ARCHIVED}),
    S.VERIFIED: frozenset({S.BEING_ADDRESSED, S.RESOLVED_IN_PART, S.RESOLVED_IN_FULL, S.DORMANT, S.ARCHIVED}),
    S.BEING_ADDRESSED: frozenset({S.RESOLVED_IN_PART, S.RESOLVED_IN_FULL, S.DORMANT, S.ARCHIVED}),
    S.RESOLVED_IN_PART: frozenset({S.BEING_ADDRESSED, S.RESOLVED_IN_FULL, S.DORMANT, S.ARCHIVED}),
    S.RESOLVED_IN_FULL: frozenset({S.BEING_ADDRESSED, S.ARCHIVED}),
    S.DORMANT: frozenset({S.UNDER_REVIEW, S.VERIFIED, S.BEING_ADDRESSED, S.ARCHIVED}),
    S.ARCHIVED: frozenset({S.UNDER_REVIEW}),
}

#: Moves the people responsible for a barrier may make themselves; every other move is moderation.
PROGRESS_MOVES: Final[frozenset[tuple[Status, Status]]] = frozenset(
    {
        (S.VERIFIED, S.BEING_ADDRESSED),
        (S.VERIFIED, S.RESOLVED_IN_PART),
        (S.VERIFIED, S.RESOLVED_IN_FULL),
        (S.BEING_ADDRESSED, S.RESOLVED_IN_PART),
        (S.BEING_ADDRESSED, S.RESOLVED_IN_FULL),
        (S.RESOLVED_IN_PART, S.BEING_ADDRESSED),
        (S.RESOLVED_IN_PART, S.RESOLVED_IN_FULL),
    }
)

#: States in which a barrier is shown to the public (moderated, not withdrawn).
PUBLIC: Final[frozenset[Status]] = frozenset(
    {S.VERIFIED, S.BEING_ADDRESSED, S.RESOLVED_IN_PART, S.RESOLVED_IN_FULL, S.DORMANT}
)

#: States in which the barrier still stands in the way.
OPEN: Final[frozenset[Status]] = frozenset({S.REPORTED, S.UNDER_REVIEW, S.VERIFIED, S.BEING_ADDRESSED})


class TransitionError(ValueError):
    """A move the lifecycle does not allow; the message names both states."""


def check_move(current: str, target: str) -> tuple[Status, Status]:
    try:
        frm, to = Status(current), Status(target)
    except ValueError:
        raise TransitionError(
            f"unknown barrier status {target!r}; expected one of {', '.join(s.value for s in Status)}"
        ) from None
    if to == frm:
        raise TransitionError(f"the barrier is already {frm.value}")
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[frm]))
        raise TransitionError(
            f"a barrier cannot go from {frm.value} to {to.value}; from {frm.value}: {allowed}"
        )
    return frm, to


def is_progress_move(current: str, target: str) -> bool:
    return (Status(current), Status(target)) in PROGRESS_MOVES


def allowed_targets(current: str, *, moderator: bool, responsible: bool) -> list[Status]:
    """The moves this actor may make from `current`, in lifecycle order."""
    frm = Status(current)
    out = []
    for to in Status:
        if to not in TRANSITIONS[frm]:
            continue
        if moderator or (responsible and (frm, to) in PROGRESS_MOVES):
            out.append(to)
    return out
