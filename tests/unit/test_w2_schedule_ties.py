"""QA finding: re-optimising from scratch right after an optimal schedule moved every meeting for the same
value. Among schedules of equal value the solver now keeps the preferred (current) places."""

from __future__ import annotations

from gapbridge.domain.scheduling import (
    Instance,
    Meeting,
    Participant,
    Request,
    Slot,
    Table,
    check_schedule,
    reschedule_diff,
    solve,
)


def _instance() -> Instance:
    """Six independent pairs, four slots, two tables: many schedules place all six (value 6)."""
    people = tuple(Participant(f"p{i}") for i in range(12))
    requests = tuple(Request(f"r{i}", f"p{2 * i}", f"p{2 * i + 1}", 1 + i % 3) for i in range(6))
    return Instance(
        slots=tuple(Slot(f"s{i}") for i in range(4)),
        tables=(Table("t0"), Table("t1")),
        participants=people,
        requests=requests,
    )


#: An optimal schedule the construction would not make on its own: late slots, second table first.
CURRENT = (
    Meeting("r0", "s3", "t1"),
    Meeting("r1", "s3", "t0"),
    Meeting("r2", "s2", "t1"),
    Meeting("r3", "s2", "t0"),
    Meeting("r4", "s1", "t1"),
    Meeting("r5", "s1", "t0"),
)


def test_equal_value_keeps_the_preferred_places() -> None:
    inst = _instance()
    plain = solve(inst, time_limit=5)
    assert reschedule_diff(CURRENT, plain).moved  # without a preference the solver moves them
    kept = solve(inst, time_limit=5, prefer=CURRENT)
    assert kept.objective == plain.objective == kept.bound
    assert check_schedule(inst, kept.meetings) == []
    diff = reschedule_diff(CURRENT, kept)
    assert not diff.moved and len(diff.kept) == 6


def test_the_preference_never_costs_value() -> None:
    """A preferred place that blocks a heavier meeting is given up: the primary optimum comes first."""
    inst = Instance(
        slots=(Slot("s0"),),
        tables=(Table("t0"),),
        participants=(Participant("a"), Participant("b"), Participant("c")),
        requests=(Request("light", "a", "b", 1), Request("heavy", "a", "c", 5)),
    )
    result = solve(inst, time_limit=2, prefer=(Meeting("light", "s0", "t0"),))
    assert result.objective == 5 and [m.request for m in result.meetings] == ["heavy"]


def test_a_zero_time_limit_is_honoured_with_a_preference() -> None:
    inst = _instance()
    result = solve(inst, time_limit=0, prefer=CURRENT)
    assert check_schedule(inst, result.meetings) == [] and result.objective == 12
