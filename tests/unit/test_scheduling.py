"""The meeting scheduler, checked against an independent validator and brute-force optima."""

from __future__ import annotations

import contextlib
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gapbridge.domain import scheduling
from gapbridge.domain.scheduling import (
    DroppedFixed,
    Fixed,
    Instance,
    InvalidInstanceError,
    Meeting,
    Participant,
    Request,
    Schedule,
    Slot,
    Status,
    Table,
    check_schedule,
    greedy,
    reschedule_diff,
    solve,
)

# --------------------------------------------------------------------------------------------------
# Helpers written independently of the solver


def violations(inst: Instance, meetings: tuple[Meeting, ...]) -> list[str]:
    """Every broken constraint, computed from scratch (not with the module's own check_schedule)."""
    order = {s.id: i for i, s in enumerate(inst.slots)}
    tables = {t.id for t in inst.tables}
    person = {p.id: p for p in inst.participants}
    req = {r.id: r for r in inst.requests}
    out = []
    per_request = Counter(m.request for m in meetings)
    out += [f"{r} twice" for r, n in per_request.items() if n > 1]
    per_table = Counter((m.slot, m.table) for m in meetings)
    out += [f"{k} double-booked" for k, n in per_table.items() if n > 1]
    slots_of: dict[str, list[int]] = defaultdict(list)
    for m in meetings:
        assert m.request in req and m.slot in order and m.table in tables, m
        r = req[m.request]
        assert r.a != r.b
        for p in (r.a, r.b):
            if m.slot in person[p].unavailable:
                out.append(f"{p} unavailable in {m.slot}")
            slots_of[p].append(order[m.slot])
    for p, used in slots_of.items():
        limit = person[p].max_meetings
        if limit is not None and len(used) > limit:
            out.append(f"{p} over max")
        for x, y in itertools.combinations(used, 2):
            if abs(x - y) <= inst.buffer:
                out.append(f"{p} in slots {x} and {y}")
    return out


def value(inst: Instance, meetings: tuple[Meeting, ...]) -> float:
    w = {r.id: r.weight for r in inst.requests}
    return sum(w[m.request] for m in meetings)


def brute_force(inst: Instance) -> float:
    """Best objective over every request -> slot-or-nothing assignment (tables are interchangeable).

    A fixed meeting is forced into its slot when it can stay there on its own (the instances here
    have at most one fixed meeting, so there are no conflicts among fixed meetings to resolve).
    """
    person = {p.id: p for p in inst.participants}
    req = {r.id: r for r in inst.requests}
    forced = {
        f.request: f.slot
        for f in inst.fixed
        if all(
            f.slot not in person[p].unavailable and person[p].max_meetings != 0
            for p in (req[f.request].a, req[f.request].b)
        )
    }
    options = [
        [forced[r.id]] if r.id in forced else [None, *(s.id for s in inst.slots)] for r in inst.requests
    ]
    best = 0.0
    for choice in itertools.product(*options):
        placed = [(r, s) for r, s in zip(inst.requests, choice, strict=True) if s is not None]
        if any(n > len(inst.tables) for n in Counter(s for _, s in placed).values()):
            continue
        fake = tuple(Meeting(r.id, s, f"{s}-{i}") for i, (r, s) in enumerate(placed))
        probe = Instance(
            inst.slots,
            tuple(Table(m.table) for m in fake),
            inst.participants,
            inst.requests,
            buffer=inst.buffer,
        )
        if not violations(probe, fake):
            best = max(best, sum(r.weight for r, _ in placed))
    return best


def assert_valid(inst: Instance, sched: Schedule) -> None:
    assert violations(inst, sched.meetings) == []
    assert check_schedule(inst, sched.meetings) == []
    assert sched.objective == pytest.approx(value(inst, sched.meetings))
    assert sched.objective <= sched.bound + 1e-9
    assert (sched.status is Status.OPTIMAL) == (sched.objective >= sched.bound - 1e-9)


def make(
    slots: int,
    tables: int,
    people: dict[str, tuple[set[int], int | None]] | list[str],
    requests: Sequence[tuple[str, str, float]],
    fixed: Sequence[tuple[int, int, int]] = (),
    buffer: int = 0,
) -> Instance:
    """Compact builder: slot k is 's{k}', table k is 't{k}', request k is 'r{k}'."""
    if isinstance(people, list):
        people = {p: (set(), None) for p in people}
    return Instance(
        slots=tuple(Slot(f"s{k}") for k in range(slots)),
        tables=tuple(Table(f"t{k}") for k in range(tables)),
        participants=tuple(
            Participant(p, frozenset(f"s{k}" for k in away), limit) for p, (away, limit) in people.items()
        ),
        requests=tuple(Request(f"r{k}", a, b, w) for k, (a, b, w) in enumerate(requests)),
        fixed=tuple(Fixed(f"r{r}", f"s{s}", f"t{t}") for r, s, t in fixed),
        buffer=buffer,
    )


def where(sched: Schedule) -> dict[str, tuple[str, str]]:
    return {m.request: (m.slot, m.table) for m in sched.meetings}


# --------------------------------------------------------------------------------------------------
# Known optima and each constraint


def test_triangle_needs_more_than_the_lp_bound() -> None:
    # Three people, each may meet once: the LP says 1.5 meetings; only one fits.
    inst = make(1, 5, {p: (set(), 1) for p in "abc"}, [("a", "b", 1), ("b", "c", 1), ("a", "c", 1)])
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert sched.objective == 1 == brute_force(inst)
    assert sched.status is Status.OPTIMAL and sched.bound == 1


def test_availability_is_respected() -> None:
    inst = make(
        3, 1, {"a": ({0, 1}, None), "b": ({2}, None), "c": (set(), None)}, [("a", "b", 5), ("a", "c", 1)]
    )
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert where(sched) == {"r1": ("s2", "t0")}  # a and b share no slot
    assert sched.objective == 1 == brute_force(inst)


def test_table_capacity_keeps_the_heaviest() -> None:
    inst = make(1, 2, list("abcdef"), [("a", "b", 1), ("c", "d", 3), ("e", "f", 2)])
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert set(where(sched)) == {"r1", "r2"}
    assert {t for _, t in where(sched).values()} == {"t0", "t1"}


def test_participant_maximum() -> None:
    inst = make(4, 4, {"hub": (set(), 2), "x": (set(), None), "y": (set(), None), "z": (set(), None)},
                [("hub", "x", 1), ("hub", "y", 4), ("hub", "z", 2)])  # fmt: skip
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert set(where(sched)) == {"r1", "r2"} and sched.objective == 6 == brute_force(inst)


def test_one_meeting_per_participant_per_slot() -> None:
    inst = make(2, 9, list("abc"), [("a", "b", 1), ("a", "c", 1), ("b", "c", 1)])
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert sched.objective == 2 == brute_force(inst)


@pytest.mark.parametrize(("n_slots", "expected"), [(2, 1), (3, 2), (5, 3)])
def test_buffer_between_meetings(n_slots: int, expected: int) -> None:
    inst = make(n_slots, 3, ["a", "b", "c", "d"], [("a", "b", 1), ("a", "c", 1), ("a", "d", 1)], buffer=1)
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert sched.objective == expected == brute_force(inst)
    assert sched.status is Status.OPTIMAL


def test_slots_follow_the_given_order_for_the_buffer() -> None:
    inst = make(3, 3, ["a", "b", "c"], [("a", "b", 1), ("a", "c", 1)], buffer=1)
    reordered = Instance(tuple(reversed(inst.slots)), inst.tables, inst.participants, inst.requests, buffer=1)
    for case in (inst, reordered):
        sched = solve(case, time_limit=5)
        assert_valid(case, sched)
        assert {s for s, _ in where(sched).values()} == {"s0", "s2"}


def test_float_weights() -> None:
    inst = make(1, 1, list("abcd"), [("a", "b", 0.25), ("c", "d", 0.3)])
    sched = solve(inst, time_limit=5)
    assert set(where(sched)) == {"r1"} and sched.objective == pytest.approx(0.3)
    assert sched.status is Status.OPTIMAL


def test_empty_and_unschedulable_instances() -> None:
    assert solve(make(0, 0, [], []), time_limit=1).meetings == ()
    inst = make(2, 0, ["a", "b"], [("a", "b", 3)])  # no tables at all
    sched = solve(inst, time_limit=1)
    assert sched.meetings == () and sched.objective == 0 == sched.bound and sched.status is Status.OPTIMAL


@pytest.mark.parametrize(
    ("bad", "where_", "text"),
    [
        (lambda: make(1, 1, ["a"], [("a", "a", 1)]), "requests[0]", "cannot meet themselves"),
        (lambda: make(1, 1, ["a", "b"], [("a", "zz", 1)]), "requests[0].b", "unknown participant 'zz'"),
        (lambda: make(1, 1, ["a", "b"], [("a", "b", -1)]), "requests[0].weight", "finite number >= 0"),
        (lambda: make(1, 1, ["a", "b"], [("a", "b", float("nan"))]), "requests[0].weight", ">= 0"),
        (
            lambda: Instance((), (), (Participant("a"), Participant("a")), ()),
            "participants[1].id",
            "duplicate id",
        ),
        (lambda: make(1, 1, ["a", "b"], [], fixed=[(4, 0, 0)]), "fixed[0].request", "unknown request 'r4'"),
    ],
)
def test_invalid_instances_are_rejected(bad: object, where_: str, text: str) -> None:
    with pytest.raises(InvalidInstanceError) as info:
        bad()  # type: ignore[operator]
    assert info.value.where == where_ and text in str(info.value)


# --------------------------------------------------------------------------------------------------
# Fixed meetings and rescheduling


def test_fixed_meetings_stay_even_when_not_optimal() -> None:
    # Fixing r0 in s0 costs the heavier r1 (b is unavailable in s1); the fixed meeting wins.
    inst = make(2, 1, {"a": (set(), None), "b": ({1}, None), "c": (set(), None)},
                [("a", "c", 1), ("b", "c", 5)], fixed=[(0, 0, 0)])  # fmt: skip
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert where(sched) == {"r0": ("s0", "t0")} and sched.dropped_fixed == ()
    assert sched.objective == 1 == brute_force(inst)


def test_fixed_meeting_keeps_its_table() -> None:
    inst = make(1, 3, list("abcd"), [("a", "b", 1), ("c", "d", 1)], fixed=[(1, 0, 2)])
    sched = solve(inst, time_limit=5)
    assert where(sched) == {"r0": ("s0", "t0"), "r1": ("s0", "t2")}


def test_infeasible_fixed_meetings_are_dropped_with_a_reason() -> None:
    inst = Instance(
        slots=(Slot("s0"), Slot("s1")),
        tables=(Table("t0"),),
        participants=(
            Participant("a", frozenset({"s1"})),
            Participant("b"),
            Participant("c", max_meetings=1),
        ),
        requests=(Request("r0", "a", "b", 1), Request("r1", "b", "c", 2), Request("r2", "a", "c", 3)),
        fixed=(
            Fixed("r0", "s1", "t0"),  # a is now unavailable in s1
            Fixed("r1", "s0", "gone"),  # the table was removed
            Fixed("r2", "s0", "t0"),
        ),
    )
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    reasons = {d.fixed.request: d.reason for d in sched.dropped_fixed}
    assert reasons == {
        "r0": "participant 'a' is unavailable in slot 's1'",
        "r1": "table 'gone' no longer exists",
    }
    assert where(sched)["r2"] == ("s0", "t0")


def test_conflicting_fixed_meetings_keep_the_largest_compatible_set() -> None:
    # r0 clashes with both r1 (same table) and r2 (same person a); dropping r0 alone keeps two.
    inst = make(2, 2, list("abcde"), [("a", "b", 5), ("c", "d", 1), ("a", "e", 1)],
                fixed=[(0, 0, 0), (1, 0, 0), (2, 0, 1)])  # fmt: skip
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert [d.fixed.request for d in sched.dropped_fixed] == ["r0"]
    assert "table 't0' in slot 's0' is taken" in sched.dropped_fixed[0].reason
    assert where(sched)["r1"] == ("s0", "t0") and where(sched)["r2"] == ("s0", "t1")


def test_fixed_over_a_lowered_maximum_keeps_the_heaviest() -> None:
    inst = make(3, 3, {"a": (set(), 1), "b": (set(), None), "c": (set(), None)},
                [("a", "b", 1), ("a", "c", 4)], fixed=[(0, 0, 0), (1, 1, 0)])  # fmt: skip
    sched = solve(inst, time_limit=5)
    assert where(sched) == {"r1": ("s1", "t0")}
    assert sched.dropped_fixed == (
        DroppedFixed(Fixed("r0", "s0", "t0"), "participant 'a' would exceed max_meetings 1"),
    )


def random_instance(
    seed: int, people: int = 24, requests: int = 80, slots: int = 6, tables: int = 5, buffer: int = 0
) -> Instance:
    rng = random.Random(seed)
    names = [f"p{i}" for i in range(people)]
    away = {p: {k for k in range(slots) if rng.random() < 0.2} for p in names}
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < requests:
        a, b = rng.sample(names[: people // 3], 1)[0], rng.choice(names[people // 3 :])
        pairs.add((a, b))
    reqs = [(a, b, float(rng.randint(1, 9))) for a, b in sorted(pairs)]
    return make(slots, tables, {p: (away[p], rng.randint(2, 4)) for p in names}, reqs, buffer=buffer)


def test_reschedule_after_a_cancellation_keeps_everything_else_in_place() -> None:
    inst = random_instance(7)
    first = solve(inst, time_limit=5)
    assert_valid(inst, first)
    cancelled = first.meetings[len(first.meetings) // 2]
    remaining = tuple(r for r in inst.requests if r.id != cancelled.request)
    again = Instance(
        inst.slots,
        inst.tables,
        inst.participants,
        remaining,
        fixed=tuple(Fixed(m.request, m.slot, m.table) for m in first.meetings if m != cancelled),
    )
    second = solve(again, time_limit=5)
    assert_valid(again, second)
    diff = reschedule_diff(first, second)
    assert diff.moved == () and diff.dropped == (cancelled,)
    assert set(diff.kept) == set(first.meetings) - {cancelled}
    assert set(diff.added) == set(second.meetings) - set(first.meetings)
    assert second.objective >= first.objective - cancelled_weight(inst, cancelled)


def cancelled_weight(inst: Instance, m: Meeting) -> float:
    return next(r.weight for r in inst.requests if r.id == m.request)


def test_reschedule_diff_reports_moves_additions_and_drops() -> None:
    old = (Meeting("r1", "s1", "t1"), Meeting("r2", "s1", "t2"), Meeting("r3", "s2", "t1"))
    new = (Meeting("r1", "s1", "t1"), Meeting("r2", "s3", "t2"), Meeting("r4", "s2", "t1"))
    diff = reschedule_diff(old, new)
    assert diff.kept == (Meeting("r1", "s1", "t1"),)
    assert diff.moved == ((Meeting("r2", "s1", "t2"), Meeting("r2", "s3", "t2")),)
    assert diff.added == (Meeting("r4", "s2", "t1"),)
    assert diff.dropped == (Meeting("r3", "s2", "t1"),)


def test_ids_are_stable_and_tables_deterministic() -> None:
    inst = random_instance(3)
    a, b = greedy(inst), greedy(inst)
    assert a.meetings == b.meetings
    ids = {r.id for r in inst.requests}
    assert all(m.request in ids and m.slot.startswith("s") and m.table.startswith("t") for m in a.meetings)
    # Re-solving with the whole schedule fixed changes nothing.
    sched = solve(inst, time_limit=5)
    fixed = Instance(inst.slots, inst.tables, inst.participants, inst.requests,
                     fixed=tuple(Fixed(m.request, m.slot, m.table) for m in sched.meetings))  # fmt: skip
    again = solve(fixed, time_limit=5)
    assert set(sched.meetings) <= set(again.meetings)


# --------------------------------------------------------------------------------------------------
# Quality, time limits, properties


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_brute_force_on_tiny_instances(seed: int) -> None:
    inst = random_instance(seed, people=6, requests=6, slots=3, tables=2)
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert sched.objective == brute_force(inst)
    assert sched.status is Status.OPTIMAL


def test_tiny_time_limit_still_returns_a_valid_schedule() -> None:
    inst = random_instance(11, people=60, requests=400, slots=8, tables=6)
    sched = solve(inst, time_limit=0.0)
    assert_valid(inst, sched)
    assert sched.objective >= (sched.greedy_objective or 0) > 0
    assert sched.gap == pytest.approx((sched.bound - sched.objective) / sched.bound)


def test_neighbourhood_search_improves_and_stays_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduling, "_FULL_MODEL_MAX_VARS", 0)  # force the large-instance path
    inst = random_instance(4, people=40, requests=300, slots=8, tables=3, buffer=1)
    sched = solve(inst, time_limit=3)
    assert_valid(inst, sched)
    assert int(sched.stats["lns_rounds"]) >= 1
    assert sched.greedy_objective is not None and sched.objective > sched.greedy_objective


def test_fallbacks_when_cp_sat_finds_nothing_and_the_lp_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def lp_fails(_prob: object) -> None:
        raise scheduling.SchedulingError("LP bound failed: test")

    monkeypatch.setattr(scheduling, "_lp_bound", lp_fails)
    monkeypatch.setattr(scheduling, "_solve_full", lambda *_args: (None, None))
    monkeypatch.setattr(scheduling, "_lns", lambda *_args: 0)
    inst = random_instance(4, people=40, requests=300, slots=8, tables=3, buffer=1)
    sched = solve(inst, time_limit=1)
    assert_valid(inst, sched)
    assert sched.objective >= (sched.greedy_objective or 0) > 0 and sched.bound >= sched.objective


def test_beats_or_matches_greedy_and_closes_the_gap() -> None:
    inst = random_instance(5, people=60, requests=400, slots=8, tables=6)
    sched = solve(inst, time_limit=5)
    base = greedy(inst)
    assert_valid(inst, sched)
    assert_valid(inst, base)
    assert sched.objective >= base.objective
    assert sched.objective >= 0.98 * sched.bound


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    n_slots = draw(st.integers(1, 3))
    n_people = draw(st.integers(2, 5))
    people = {
        f"p{i}": (
            draw(st.sets(st.integers(0, n_slots - 1), max_size=n_slots)),
            draw(st.none() | st.integers(0, 3)),
        )
        for i in range(n_people)
    }
    # b = a + 1 + offset (mod n) is never a: no self-meetings, no rejected draws
    pairs = st.tuples(st.integers(0, n_people - 1), st.integers(0, n_people - 2)).map(
        lambda t: (t[0], (t[0] + 1 + t[1]) % n_people)
    )
    reqs: list[tuple[str, str, float]] = [
        (f"p{a}", f"p{b}", w) for (a, b), w in draw(st.lists(st.tuples(pairs, st.integers(0, 9)), max_size=5))
    ]
    fixed: list[tuple[int, int, int]] = []
    with_fixed: bool = draw(st.booleans())
    if reqs and with_fixed:
        fixed = [(0, draw(st.integers(0, n_slots - 1)), 0)]
    return make(n_slots, draw(st.integers(1, 3)), people, reqs, fixed=fixed, buffer=draw(st.integers(0, 1)))


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_any_small_instance_gets_a_valid_optimal_schedule(inst: Instance) -> None:
    sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert sched.objective == brute_force(inst)
    kept = {d.fixed.request for d in sched.dropped_fixed}
    for f in inst.fixed:
        assert f.request in kept or where(sched).get(f.request) == (f.slot, f.table)


@contextlib.contextmanager
def cp_sat_only() -> Iterator[None]:
    """Without the LP the constructions prove nothing, so CP-SAT on the whole model must do the work."""

    def lp_fails(_prob: object) -> None:
        raise scheduling.SchedulingError("LP bound failed: test")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scheduling, "_lp_bound", lp_fails)
        mp.setattr(scheduling, "_simple_bound", lambda prob: prob.fixed_value + 1000.0)
        mp.setattr(scheduling, "_local_search", lambda *_args: None)
        mp.setattr(scheduling, "_lns", lambda *_args: 0)
        yield


def test_cp_sat_respects_table_capacity() -> None:
    # r0 and r1 can only be in s0 (one table); greedy takes r2 (heaviest) into s0 first.
    people: dict[str, tuple[set[int], int | None]] = {"a": ({1}, None), "c": ({1}, None)}
    people |= {p: (set(), None) for p in "bde"}
    inst = make(2, 1, people, [("a", "b", 2), ("c", "d", 2), ("e", "b", 3)])
    with cp_sat_only():
        sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert sched.objective == 5 == brute_force(inst) and sched.status is Status.OPTIMAL


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_cp_sat_alone_finds_and_proves_the_optimum(inst: Instance) -> None:
    with cp_sat_only():
        sched = solve(inst, time_limit=5)
    assert_valid(inst, sched)
    assert sched.objective == brute_force(inst)
    assert sched.status is Status.OPTIMAL and sched.bound == sched.objective
