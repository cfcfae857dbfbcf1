"""The barrier lifecycle table (pure): allowed moves, who may make them, errors that name both states."""

from __future__ import annotations

import itertools

import pytest

from gapbridge.barriers.lifecycle import (
    OPEN,
    PROGRESS_MOVES,
    PUBLIC,
    TRANSITIONS,
    Status,
    TransitionError,
    allowed_targets,
    check_move,
    is_progress_move,
)


def test_every_state_has_moves_and_every_target_is_a_state() -> None:
    assert set(TRANSITIONS) == set(Status)
    for frm, targets in TRANSITIONS.items():
        assert targets, frm
        assert frm not in targets
    # Every state can be reached from "reported".
    seen, todo = {Status.REPORTED}, [Status.REPORTED]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)


def test_the_main_path_and_side_exits() -> None:
    path = ["reported", "under_review", "verified", "being_addressed", "resolved_in_part", "resolved_in_full"]
    for frm, to in itertools.pairwise(path):
        check_move(frm, to)
    for frm in ("reported", "under_review", "verified", "being_addressed", "resolved_in_part"):
        check_move(frm, "dormant")
        check_move(frm, "archived")
    check_move("archived", "under_review")


@pytest.mark.parametrize(
    ("frm", "to", "message"),
    [
        ("reported", "resolved_in_full", "cannot go from reported to resolved_in_full"),
        ("verified", "verified", "already verified"),
        ("archived", "verified", "from archived: under_review"),
        ("verified", "flying", "unknown barrier status 'flying'"),
    ],
)
def test_refused_moves_say_why(frm: str, to: str, message: str) -> None:
    with pytest.raises(TransitionError, match=message):
        check_move(frm, to)


def test_progress_moves_are_a_subset_of_allowed_moves_and_exclude_moderation() -> None:
    for frm, to in PROGRESS_MOVES:
        assert to in TRANSITIONS[frm]
        assert to not in {Status.ARCHIVED, Status.DORMANT, Status.VERIFIED, Status.UNDER_REVIEW}
    assert is_progress_move("verified", "being_addressed")
    assert not is_progress_move("reported", "verified")


def test_allowed_targets_depend_on_the_role() -> None:
    assert allowed_targets("reported", moderator=False, responsible=True) == []
    assert allowed_targets("verified", moderator=False, responsible=True) == [
        Status.BEING_ADDRESSED,
        Status.RESOLVED_IN_PART,
        Status.RESOLVED_IN_FULL,
    ]
    assert Status.ARCHIVED in allowed_targets("verified", moderator=True, responsible=False)
    assert allowed_targets("verified", moderator=False, responsible=False) == []


def test_public_and_open_states() -> None:
    assert (
        Status.REPORTED not in PUBLIC and Status.UNDER_REVIEW not in PUBLIC and Status.ARCHIVED not in PUBLIC
    )
    assert Status.VERIFIED in PUBLIC and Status.RESOLVED_IN_FULL in PUBLIC
    assert Status.RESOLVED_IN_PART not in OPEN and Status.BEING_ADDRESSED in OPEN
