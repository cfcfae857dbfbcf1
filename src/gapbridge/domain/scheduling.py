"""Bilateral meeting scheduling for matchmaking events (pure: no Django, no I/O).

A meeting request between two participants is placed in a (slot, table) so that the total weight of
the scheduled requests is as large as possible. See docs/scheduling.md for the model and guarantees.
OR-Tools and SciPy are imported inside the functions that use them, so that code needing only the
dataclasses (services, views) does not pay for loading them.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# --------------------------------------------------------------------------------------------------
# Public model


class SchedulingError(Exception):
    """Base exception of the scheduler."""


class InvalidInstanceError(SchedulingError, ValueError):
    """The instance is malformed; `where` names the offending field (e.g. `requests[3].b`)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"


@dataclass(frozen=True, slots=True)
class Slot:
    id: str


@dataclass(frozen=True, slots=True)
class Table:
    id: str


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    unavailable: frozenset[str] = frozenset()
    max_meetings: int | None = None


@dataclass(frozen=True, slots=True)
class Request:
    id: str
    a: str
    b: str
    weight: float = 1


@dataclass(frozen=True, slots=True)
class Fixed:
    """A meeting carried over from a previous schedule, to be kept where it is when still feasible."""

    request: str
    slot: str
    table: str


@dataclass(frozen=True, slots=True)
class Meeting:
    request: str
    slot: str
    table: str


@dataclass(frozen=True, slots=True)
class DroppedFixed:
    fixed: Fixed
    reason: str


@dataclass(frozen=True)
class Instance:
    """A scheduling problem. Slots are ordered as given (the order matters for `buffer`).

    `buffer` is the number of empty slots a participant needs between two of their meetings.
    """

    slots: tuple[Slot, ...]
    tables: tuple[Table, ...]
    participants: tuple[Participant, ...]
    requests: tuple[Request, ...]
    fixed: tuple[Fixed, ...] = ()
    buffer: int = 0

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class Schedule:
    """A valid schedule. `bound` is a proven upper bound on the objective of any schedule that keeps the
    same fixed meetings; `status` is optimal exactly when the objective reaches it."""

    meetings: tuple[Meeting, ...]
    objective: float
    bound: float
    status: Status
    gap: float
    greedy_objective: float | None = None
    dropped_fixed: tuple[DroppedFixed, ...] = ()
    stats: dict[str, float | str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ScheduleDiff:
    kept: tuple[Meeting, ...]
    moved: tuple[tuple[Meeting, Meeting], ...]  # (old, new)
    added: tuple[Meeting, ...]
    dropped: tuple[Meeting, ...]


def _dupes(kind: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            raise InvalidInstanceError(f"{kind}[{i}].id", f"duplicate id {ident!r}")
        seen.add(ident)


def _validate(inst: Instance) -> None:
    _dupes("slots", (s.id for s in inst.slots))
    _dupes("tables", (t.id for t in inst.tables))
    _dupes("participants", (p.id for p in inst.participants))
    _dupes("requests", (r.id for r in inst.requests))
    if inst.buffer < 0:
        raise InvalidInstanceError("buffer", f"must be >= 0, got {inst.buffer}")
    slot_ids = {s.id for s in inst.slots}
    for i, p in enumerate(inst.participants):
        for s in sorted(p.unavailable - slot_ids):
            raise InvalidInstanceError(f"participants[{i}].unavailable", f"unknown slot {s!r}")
        if p.max_meetings is not None and p.max_meetings < 0:
            raise InvalidInstanceError(f"participants[{i}].max_meetings", "must be >= 0")
    people = {p.id for p in inst.participants}
    for i, r in enumerate(inst.requests):
        for end in ("a", "b"):
            if getattr(r, end) not in people:
                raise InvalidInstanceError(f"requests[{i}].{end}", f"unknown participant {getattr(r, end)!r}")
        if r.a == r.b:
            raise InvalidInstanceError(f"requests[{i}]", f"participant {r.a!r} cannot meet themselves")
        weight_ok = isinstance(r.weight, int | float) and not isinstance(r.weight, bool)
        if not (weight_ok and math.isfinite(r.weight) and r.weight >= 0):
            raise InvalidInstanceError(
                f"requests[{i}].weight", f"must be a finite number >= 0, got {r.weight!r}"
            )
    requests = {r.id for r in inst.requests}
    fixed_seen: dict[str, int] = {}
    for i, f in enumerate(inst.fixed):
        if f.request not in requests:
            raise InvalidInstanceError(f"fixed[{i}].request", f"unknown request {f.request!r}")
        if f.request in fixed_seen:
            raise InvalidInstanceError(
                f"fixed[{i}].request",
                f"request {f.request!r} already fixed at fixed[{fixed_seen[f.request]}]",
            )
        fixed_seen[f.request] = i


# --------------------------------------------------------------------------------------------------
# Compiled, index-based form of an instance, once the fixed meetings are settled


@dataclass
class _Problem:
    n_slots: int
    n_tables: int
    n_people: int
    a: list[int]
    b: list[int]
    w: list[float]
    buffer: int
    slot_cap: list[int]  # tables left per slot once the kept fixed meetings are placed
    pcap: list[int]  # meetings left per participant
    cand: dict[int, list[int]]  # schedulable free request -> its possible slots, in slot order
    kept: list[tuple[int, int, int]]  # kept fixed meetings as (request, slot, table)
    dropped: list[DroppedFixed]

    @property
    def fixed_value(self) -> float:
        return sum(self.w[r] for r, _s, _t in self.kept)


def _windows(n_slots: int, buffer: int) -> list[range]:
    """Slot windows such that two slots are within `buffer` of each other iff they share a window."""
    return [range(i, min(n_slots, i + buffer + 1)) for i in range(max(1, n_slots - buffer))]


def _compile(inst: Instance) -> _Problem:
    slot_ix = {s.id: i for i, s in enumerate(inst.slots)}
    person_ix = {p.id: i for i, p in enumerate(inst.participants)}
    n_slots, buf = len(inst.slots), inst.buffer
    avail = [[s.id not in p.unavailable for s in inst.slots] for p in inst.participants]
    a = [person_ix[r.a] for r in inst.requests]
    b = [person_ix[r.b] for r in inst.requests]
    w = [float(r.weight) for r in inst.requests]
    limit = [n_slots if p.max_meetings is None else p.max_meetings for p in inst.participants]
    kept, dropped = _settle_fixed(inst, slot_ix, a, b, avail, limit)

    slot_cap = [len(inst.tables)] * n_slots
    pcap = list(limit)
    free_slots = [list(row) for row in avail]
    for r, s, _t in kept:
        slot_cap[s] -= 1
        for p in (a[r], b[r]):
            pcap[p] -= 1
            for s2 in range(max(0, s - buf), min(n_slots, s + buf + 1)):
                free_slots[p][s2] = False
    fixed_requests = {r for r, _s, _t in kept}
    cand: dict[int, list[int]] = {}  # a request is schedulable in a slot both participants can use
    for r in range(len(inst.requests)):
        if r in fixed_requests or pcap[a[r]] <= 0 or pcap[b[r]] <= 0:
            continue
        fa, fb = free_slots[a[r]], free_slots[b[r]]
        slots = [s for s in range(n_slots) if fa[s] and fb[s] and slot_cap[s] > 0]
        if slots:
            cand[r] = slots
    return _Problem(
        n_slots, len(inst.tables), len(inst.participants), a, b, w, buf, slot_cap, pcap, cand, kept, dropped
    )


def _settle_fixed(
    inst: Instance,
    slot_ix: dict[str, int],
    a: list[int],
    b: list[int],
    avail: list[list[bool]],
    limit: list[int],
) -> tuple[list[tuple[int, int, int]], list[DroppedFixed]]:
    """Keep the largest possible set of fixed meetings; drop (and say why) those that cannot stay.

    A fixed meeting is dropped on its own when its slot or table is gone or one of its participants is
    now unavailable in its slot. Conflicts among the rest (same table and slot, a participant twice
    within the buffer, more than a participant's maximum) only arise when the instance changed; they
    are resolved by keeping a maximum-cardinality (then maximum-weight) compatible subset.
    """
    table_ix = {t.id: i for i, t in enumerate(inst.tables)}
    req_ix = {r.id: i for i, r in enumerate(inst.requests)}
    dropped: list[DroppedFixed] = []
    ok: list[tuple[Fixed, int, int, int]] = []
    for f in inst.fixed:
        r = req_ix[f.request]
        if f.slot not in slot_ix:
            dropped.append(DroppedFixed(f, f"slot {f.slot!r} no longer exists"))
            continue
        if f.table not in table_ix:
            dropped.append(DroppedFixed(f, f"table {f.table!r} no longer exists"))
            continue
        s = slot_ix[f.slot]
        away = [inst.participants[p].id for p in (a[r], b[r]) if not avail[p][s]]
        if away:
            dropped.append(DroppedFixed(f, f"participant {away[0]!r} is unavailable in slot {f.slot!r}"))
            continue
        ok.append((f, r, s, table_ix[f.table]))

    groups: list[list[int]] = []  # at most one of each group may be kept
    by_table: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_person: dict[int, list[int]] = defaultdict(list)
    for i, (_f, r, s, t) in enumerate(ok):
        by_table[s, t].append(i)
        by_person[a[r]].append(i)
        by_person[b[r]].append(i)
    groups.extend(g for g in by_table.values() if len(g) > 1)
    for items in by_person.values():
        for window in _windows(len(inst.slots), inst.buffer):
            g = [i for i in items if ok[i][2] in window]
            if len(g) > 1:
                groups.append(g)
    over = [(p, items) for p, items in by_person.items() if len(items) > limit[p]]
    keep = set(range(len(ok)))
    if groups or over:
        weights = [float(inst.requests[r].weight) for _f, r, _s, _t in ok]
        keep = _max_compatible(weights, groups, [(items, limit[p]) for p, items in over])
    kept = [(r, s, t) for i, (_f, r, s, t) in enumerate(ok) if i in keep]
    for i, item in enumerate(ok):
        if i not in keep:
            dropped.append(DroppedFixed(item[0], _conflict_reason(inst, item, kept, a, b, limit)))
    return kept, dropped


def _max_compatible(
    weights: list[float], groups: list[list[int]], caps: list[tuple[list[int], int]]
) -> set[int]:
    """Largest (then heaviest) subset taking at most one item per group and at most `cap` per cap list."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"k{i}") for i in range(len(weights))]
    for g in groups:
        model.add_at_most_one(x[i] for i in g)
    for items, cap in caps:
        model.add(sum(x[i] for i in items) <= cap)
    count = sum(x)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    model.maximize(count)
    if solver.solve(model) == cp_model.OPTIMAL:
        model.add(count >= round(solver.objective_value))
        scaled, _scale = _integer_weights(weights)
        model.maximize(sum(c * v for c, v in zip(scaled, x, strict=True)))
        if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return {i for i, v in enumerate(x) if solver.value(v)}
    # Fallback (never seen in practice: these models are tiny): first fit in input order.
    keep: set[int] = set()
    for i in range(len(weights)):
        trial = keep | {i}
        if all(len(trial.intersection(g)) <= 1 for g in groups) and all(
            len(trial.intersection(items)) <= cap for items, cap in caps
        ):
            keep = trial
    return keep


def _conflict_reason(
    inst: Instance,
    item: tuple[Fixed, int, int, int],
    kept: list[tuple[int, int, int]],
    a: list[int],
    b: list[int],
    limit: list[int],
) -> str:
    _f, r, s, t = item
    for r2, s2, t2 in kept:
        if (s2, t2) == (s, t):
            return (
                f"table {inst.tables[t].id!r} in slot {inst.slots[s].id!r} is taken by kept fixed "
                f"meeting {inst.requests[r2].id!r}"
            )
    for p in (a[r], b[r]):
        mine = [(r2, s2) for r2, s2, _t2 in kept if p in (a[r2], b[r2])]
        for r2, s2 in mine:
            if abs(s2 - s) <= inst.buffer:
                return (
                    f"participant {inst.participants[p].id!r} has kept fixed meeting "
                    f"{inst.requests[r2].id!r} in slot {inst.slots[s2].id!r}"
                )
        if len(mine) >= limit[p]:
            return f"participant {inst.participants[p].id!r} would exceed max_meetings {limit[p]}"
    return "conflicts with other fixed meetings"


def _integer_weights(weights: Sequence[float]) -> tuple[list[int], int | None]:
    """Weights as integers for CP-SAT, and the scale if exact (at most 6 decimals), else None (rounded)."""
    for k in range(7):
        scale = 10**k
        ints = [round(w * scale) for w in weights]
        if all(abs(i - w * scale) <= 1e-9 * max(1.0, w * scale) for i, w in zip(ints, weights, strict=True)):
            return ints, scale
    return [round(w * 10**6) for w in weights], None


# --------------------------------------------------------------------------------------------------
# Heuristic: greedy first fit by weight, then local search


class _State:
    """A partial assignment request -> slot with the bookkeeping for O(1) feasibility checks."""

    def __init__(self, prob: _Problem) -> None:
        self.prob = prob
        self.load = list(prob.slot_cap)  # tables still free per slot
        self.left = list(prob.pcap)  # meetings a participant may still have
        # busy[p][s] > 0 when participant p has a meeting within `buffer` slots of s
        self.busy = [[0] * prob.n_slots for _ in range(prob.n_people)]
        self.mine: list[dict[int, int]] = [{} for _ in range(prob.n_people)]  # p -> {request: slot}
        self.slot_of: dict[int, int] = {}
        self.at_slot: list[dict[int, None]] = [{} for _ in range(prob.n_slots)]  # ordered sets
        self.value = 0.0
        self.journal: list[tuple[int, int]] = []  # (request, slot it was removed from or -1 if placed)

    def fits(self, r: int, s: int) -> bool:
        prob = self.prob
        return self.load[s] > 0 and not self.busy[prob.a[r]][s] and not self.busy[prob.b[r]][s]

    def place(self, r: int, s: int) -> None:
        prob = self.prob
        self.slot_of[r] = s
        self.at_slot[s][r] = None
        self.journal.append((r, -1))
        self.load[s] -= 1
        self.value += prob.w[r]
        lo, hi = max(0, s - prob.buffer), min(prob.n_slots, s + prob.buffer + 1)
        for p in (prob.a[r], prob.b[r]):
            self.left[p] -= 1
            self.mine[p][r] = s
            row = self.busy[p]
            for s2 in range(lo, hi):
                row[s2] += 1

    def remove(self, r: int) -> int:
        prob = self.prob
        s = self.slot_of.pop(r)
        del self.at_slot[s][r]
        self.journal.append((r, s))
        self.load[s] += 1
        self.value -= prob.w[r]
        lo, hi = max(0, s - prob.buffer), min(prob.n_slots, s + prob.buffer + 1)
        for p in (prob.a[r], prob.b[r]):
            self.left[p] += 1
            del self.mine[p][r]
            row = self.busy[p]
            for s2 in range(lo, hi):
                row[s2] -= 1
        return s

    def first_fit(self, r: int, avoid: int = -1) -> int:
        for s in self.prob.cand[r]:
            if s != avoid and self.fits(r, s):
                return s
        return -1

    def undo(self, mark: int) -> None:
        """Revert every change made since `len(self.journal)` was `mark`."""
        while len(self.journal) > mark:
            r, s = self.journal.pop()
            if s < 0:
                self.remove(r)
            else:
                self.place(r, s)
            self.journal.pop()  # the entry the revert itself just logged


def _by_weight(prob: _Problem) -> list[int]:
    return sorted(prob.cand, key=lambda r: (-prob.w[r], r))


def _greedy(prob: _Problem) -> _State:
    """Requests by decreasing weight, each in the first slot where it fits."""
    st = _State(prob)
    for r in _by_weight(prob):
        if st.left[prob.a[r]] > 0 and st.left[prob.b[r]] > 0:
            s = st.first_fit(r)
            if s >= 0:
                st.place(r, s)
    return st


_RELOCATE_TRIES = 12  # meetings tried when freeing a table in a full slot


def _try_insert(st: _State, r: int) -> bool:
    """Place r directly, or after moving the (at most two) meetings in its way, or one out of a full slot."""
    s = st.first_fit(r)
    if s >= 0:
        st.place(r, s)
        return True
    prob = st.prob
    a, b, buf = prob.a[r], prob.b[r], prob.buffer
    for s in prob.cand[r]:
        mark = len(st.journal)
        blockers = list(
            dict.fromkeys(r2 for p in (a, b) for r2, s2 in st.mine[p].items() if abs(s2 - s) <= buf)
        )
        if len(blockers) > 2:
            continue
        for r2 in blockers:
            st.remove(r2)
        if st.load[s] == 0:
            for m in list(st.at_slot[s])[:_RELOCATE_TRIES]:
                s2 = st.first_fit(m, avoid=s)
                if s2 >= 0:
                    st.remove(m)
                    st.place(m, s2)
                    break
        if st.fits(r, s):
            st.place(r, s)
            ok = True
            for r2 in blockers:
                s2 = st.first_fit(r2)
                if s2 < 0:
                    ok = False
                    break
                st.place(r2, s2)
            if ok:
                return True
        st.undo(mark)
    return False


def _try_swap(st: _State, r: int) -> bool:
    """Make room for r at a participant's maximum by dropping their lightest meeting, if r weighs more."""
    prob = st.prob
    victims = list(
        dict.fromkeys(
            min(st.mine[p], key=lambda m: (prob.w[m], -m)) for p in (prob.a[r], prob.b[r]) if st.left[p] <= 0
        )
    )
    if not victims or sum(prob.w[v] for v in victims) >= prob.w[r]:
        return False
    mark = len(st.journal)
    for v in victims:
        st.remove(v)
    if _try_insert(st, r):
        return True
    st.undo(mark)
    return False


def _local_search(st: _State, deadline: float) -> None:
    """Insert (with small repairs) or swap in unscheduled requests, heaviest first, until no gain."""
    prob = st.prob
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for i, r in enumerate(_by_weight(prob)):
            if r in st.slot_of:
                continue
            if i % 256 == 0 and time.monotonic() > deadline:
                break
            if st.left[prob.a[r]] > 0 and st.left[prob.b[r]] > 0:
                if _try_insert(st, r):
                    improved = True
            elif _try_swap(st, r):
                improved = True
        st.journal.clear()


# --------------------------------------------------------------------------------------------------
# Upper bounds


def _person_caps(prob: _Problem) -> list[int]:
    """Per participant: remaining maximum, capped by how many buffer-separated slots they can use."""
    usable = [set[int]() for _ in range(prob.n_people)]
    for r, cand in prob.cand.items():
        usable[prob.a[r]].update(cand)
        usable[prob.b[r]].update(cand)
    caps = []
    for p, slots in enumerate(usable):
        n, last = 0, -(10**9)
        for s in sorted(slots):  # earliest-first is optimal for points on a line with a min gap
            if s - last > prob.buffer:
                n, last = n + 1, s
        caps.append(min(prob.pcap[p], n))
    return caps


def _simple_bound(prob: _Problem) -> float:
    """Each participant's best `cap` request weights, halved (every meeting has two ends)."""
    caps = _person_caps(prob)
    per_person: list[list[float]] = [[] for _ in range(prob.n_people)]
    for r in prob.cand:
        per_person[prob.a[r]].append(prob.w[r])
        per_person[prob.b[r]].append(prob.w[r])
    halves = sum(sum(sorted(ws, reverse=True)[: caps[p]]) for p, ws in enumerate(per_person)) / 2
    total = sum(sorted((prob.w[r] for r in prob.cand), reverse=True)[: sum(prob.slot_cap)])
    return prob.fixed_value + min(halves, total)


def _lp_bound(prob: _Problem) -> tuple[float, list[float]]:
    """LP relaxation of the aggregated model (which requests, not when); returns (bound, y)."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    reqs = list(prob.cand)
    if not reqs:
        return prob.fixed_value, []
    caps = _person_caps(prob)
    n = len(reqs)
    cols = np.arange(n)
    rows = np.concatenate(
        [np.array([prob.a[r] for r in reqs]), np.array([prob.b[r] for r in reqs]), np.full(n, prob.n_people)]
    )
    matrix = csr_array(
        (np.ones(3 * n), (rows, np.concatenate([cols, cols, cols]))), shape=(prob.n_people + 1, n)
    )
    rhs = np.array([*caps, sum(prob.slot_cap)], dtype=float)
    res = linprog(-np.array([prob.w[r] for r in reqs]), A_ub=matrix, b_ub=rhs, bounds=(0, 1), method="highs")
    if res.status != 0:
        raise SchedulingError(f"LP bound failed: {res.message}")
    return prob.fixed_value - float(res.fun), [float(v) for v in res.x]


# --------------------------------------------------------------------------------------------------
# CP-SAT on the time-indexed model


def _light_solver(time_limit: float, workers: int, seed: int) -> Any:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.05, time_limit)
    params.num_workers = workers
    params.random_seed = seed
    # Probing and symmetry detection cost seconds on these models and buy little: the hint is good.
    params.cp_model_probing_level = 0
    params.symmetry_level = 0
    params.max_presolve_iterations = 1
    return solver


def _add_constraints(
    model: Any, prob: _Problem, x: dict[tuple[int, int], Any], load: Sequence[int], left: Sequence[int]
) -> None:
    """The constraints of the time-indexed model over the variables x[request, slot]."""
    by_req: dict[int, list[Any]] = defaultdict(list)
    by_slot: dict[int, list[Any]] = defaultdict(list)
    by_person: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for (r, s), v in x.items():
        by_req[r].append(v)
        by_slot[s].append(v)
        by_person[prob.a[r]][s].append(v)
        by_person[prob.b[r]][s].append(v)
    for vs in by_req.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for s, vs in by_slot.items():
        if len(vs) > load[s]:
            model.add(sum(vs) <= load[s])
    windows = _windows(prob.n_slots, prob.buffer)
    for p, per_slot in by_person.items():
        for window in windows:
            vs = [v for s in window for v in per_slot.get(s, ())]
            if len(vs) > 1:
                model.add_at_most_one(vs)
        every = [v for vs in per_slot.values() for v in vs]
        if len(every) > left[p]:
            model.add(sum(every) <= left[p])


def _solve_full(
    prob: _Problem, hint: dict[int, int], time_limit: float, workers: int, seed: int
) -> tuple[dict[int, int] | None, float | None]:
    """CP-SAT on the whole time-indexed model; returns (assignment or None, proven bound or None)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = {(r, s): model.new_bool_var("") for r, slots in prob.cand.items() for s in slots}
    _add_constraints(model, prob, x, prob.slot_cap, prob.pcap)
    keys = list(x)
    scaled, scale = _integer_weights([prob.w[r] for r, _s in keys])
    model.maximize(cp_model.LinearExpr.weighted_sum([x[k] for k in keys], scaled))
    for (r, s), v in x.items():
        model.add_hint(v, hint.get(r) == s)
    solver = _light_solver(time_limit, workers, seed)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None
    # With rounded weights CP-SAT's bound is not a bound on the true objective: ignore it then.
    bound = None if scale is None else float(solver.best_objective_bound) / scale
    return {r: s for (r, s), v in x.items() if solver.boolean_value(v)}, bound


# --------------------------------------------------------------------------------------------------
# Large-neighbourhood search: free part of the schedule, re-solve that part exactly with CP-SAT

_LNS_MAX_VARS = 8_000  # sub-models this size solve to optimality in about a second
_LNS_ROUND_SECONDS = 3.0


def _resolve_part(
    st: _State,
    released: list[int],
    slots: Sequence[int],
    extra: Iterable[int],
    time_limit: float,
    workers: int,
    seed: int,
) -> bool:
    """Remove `released`, then re-place the best subset of released + `extra` in `slots`. True if better."""
    from ortools.sat.python import cp_model

    prob = st.prob
    mark = len(st.journal)
    before = sum(prob.w[r] for r in released)
    for r in released:
        st.remove(r)
    open_slots = set(slots)
    x: dict[tuple[int, int], Any] = {}
    model = cp_model.CpModel()
    for r in dict.fromkeys([*released, *extra]):
        if r in st.slot_of or st.left[prob.a[r]] <= 0 or st.left[prob.b[r]] <= 0:
            continue
        ba, bb = st.busy[prob.a[r]], st.busy[prob.b[r]]
        own = [s for s in prob.cand[r] if s in open_slots and st.load[s] > 0 and not ba[s] and not bb[s]]
        if len(x) + len(own) > _LNS_MAX_VARS:
            break
        for s in own:
            x[r, s] = model.new_bool_var("")
    _add_constraints(model, prob, x, st.load, st.left)
    keys = list(x)
    scaled, _scale = _integer_weights([prob.w[r] for r, _s in keys])
    model.maximize(cp_model.LinearExpr.weighted_sum([x[k] for k in keys], scaled))
    was = dict(st.journal[mark:])  # released request -> its slot
    for (r, s), v in x.items():
        model.add_hint(v, was.get(r) == s)
    solver = _light_solver(time_limit, workers, seed)
    if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [(r, s) for (r, s), v in x.items() if solver.boolean_value(v)]
        if sum(prob.w[r] for r, _s in chosen) > before + 1e-9:
            for r, s in chosen:
                st.place(r, s)
            st.journal.clear()
            return True
    st.undo(mark)
    return False


def _lns(
    st: _State, deadline: float, target: float, workers: int, seed: int, log: Callable[[str], None]
) -> int:
    """Alternate slot-window and participant-cluster neighbourhoods until the deadline or the target."""
    prob = st.prob
    rng = random.Random(seed)
    width = min(prob.n_slots, 2 + prob.buffer)
    all_slots = range(prob.n_slots)
    order = _by_weight(prob)
    requests_of: dict[int, list[int]] = defaultdict(list)
    for r in order:
        requests_of[prob.a[r]].append(r)
        requests_of[prob.b[r]].append(r)
    rounds = 0
    # Stop early enough for building a sub-model, CP-SAT's own overshoot and the table assignment.
    while deadline - time.monotonic() > 1.0 and st.value < target - 1e-9:
        rounds += 1
        budget = min(_LNS_ROUND_SECONDS, deadline - time.monotonic() - 0.7)
        sub_seed = rng.randrange(1 << 30)
        if rounds % 2:
            start = rng.randrange(prob.n_slots - width + 1)
            window = range(start, start + width)
            released = [r for s in window for r in st.at_slot[s]]
            extra = (r for r in order if r not in st.slot_of)
            better = _resolve_part(st, released, window, extra, budget, workers, sub_seed)
        else:
            missed = [r for r in order if r not in st.slot_of]
            if not missed:
                continue
            first = rng.choice(missed[: max(1, len(missed) // 4)])  # among the heavier missed requests
            people = {prob.a[first], prob.b[first]}
            frontier = list(people)
            while frontier and sum(len(st.mine[p]) for p in people) < 120:
                p = frontier.pop(rng.randrange(len(frontier)))
                for r in st.mine[p]:
                    for q in (prob.a[r], prob.b[r]):
                        if q not in people:
                            people.add(q)
                            frontier.append(q)
            released = list(dict.fromkeys(r for p in people for r in st.mine[p]))
            extra = (r for p in people for r in requests_of[p])
            better = _resolve_part(st, released, all_slots, extra, budget, workers, sub_seed)
        if better:
            log(f"improved to {prob.fixed_value + st.value:.10g} (search round {rounds})")
    return rounds


# --------------------------------------------------------------------------------------------------
# Public entry points

_FULL_MODEL_MAX_VARS = 20_000  # below this, CP-SAT on the whole model usually proves optimality fast


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    prefer: Iterable[Meeting] = (),
) -> Schedule:
    """Schedule as much weight as possible; see docs/scheduling.md for the method and guarantees.

    The greedy start and the LP bound always run (about a second on 20,000 requests); `time_limit`
    caps the whole call beyond that. Kept fixed meetings never move; dropped ones are reported.
    `prefer` (e.g. the current meetings when re-optimising from scratch) breaks ties: among schedules
    worth as much as the one found, the time left goes to keeping the most of them in their slot and table.
    """
    deadline = time.monotonic() + time_limit
    log = progress or (lambda _msg: None)
    workers = max(1, min(workers, 2))
    prob = _compile(instance)
    integral = all(w == int(w) for w in prob.w)
    stats: dict[str, float | str] = {"requests": len(prob.cand)}

    best = _greedy(prob)
    greedy_value = prob.fixed_value + best.value
    log(f"greedy {greedy_value:.10g}")
    bound = _simple_bound(prob)
    try:
        lp_value, y = _lp_bound(prob)
    except SchedulingError as exc:  # keep going with the weaker bound
        log(str(exc))
        y = []
    else:
        bound = min(bound, lp_value)
        by_lp = [r for r, v in zip(prob.cand, y, strict=True) if v > 0.5]
        for order in (_by_weight_in(prob, by_lp), _by_degree(prob, by_lp)):
            st = _construct(prob, order)
            if st.value > best.value + 1e-9:
                best = st
    bound = _round_bound(bound, integral)
    log(f"start {prob.fixed_value + best.value:.10g}, bound {bound:.10g}")

    def proven() -> bool:
        return prob.fixed_value + best.value >= bound - 1e-9

    best.journal.clear()
    if not proven():
        _local_search(best, min(deadline, time.monotonic() + 0.1 * max(0.0, deadline - time.monotonic())))
    n_vars = sum(len(slots) for slots in prob.cand.values())
    if not proven() and n_vars <= _FULL_MODEL_MAX_VARS and time.monotonic() < deadline:
        assign, cp_bound = _solve_full(
            prob, dict(best.slot_of), 0.5 * (deadline - time.monotonic()), workers, seed
        )
        if cp_bound is not None:
            bound = min(bound, _round_bound(prob.fixed_value + cp_bound, integral))
        if assign is not None and sum(prob.w[r] for r in assign) > best.value + 1e-9:
            best = _State(prob)
            for r, s in assign.items():
                best.place(r, s)
            best.journal.clear()
        stats["full_model"] = "yes"
    if not proven() and time.monotonic() < deadline:
        target = bound - prob.fixed_value
        stats["lns_rounds"] = _lns(best, deadline, target, workers, seed, log)

    preferred = _preferred(instance, prob, prefer)
    # The tie-break gets what is left of the limit, less the second kept for building its model and for
    # CP-SAT's overshoot (as the search above), and at most STAY_PUT_SECONDS: one worker, so deterministic.
    budget = min(deadline - time.monotonic() - 1.0, STAY_PUT_SECONDS)
    if preferred and budget > 0.05:
        best = _stay_put(prob, best, preferred, budget, 1, seed, stats, log)

    objective = prob.fixed_value + best.value
    bound = max(bound, objective)  # guards float noise; a valid bound is never below a solution
    gap = 0.0 if bound <= 0 else (bound - objective) / bound
    status = Status.OPTIMAL if objective >= bound - 1e-9 else Status.FEASIBLE
    log(f"{status}: objective {objective:.10g}, bound {bound:.10g}")
    return Schedule(
        meetings=_with_tables(instance, prob, best.slot_of, preferred),
        objective=objective,
        bound=bound,
        status=status,
        gap=gap,
        greedy_objective=greedy_value,
        dropped_fixed=tuple(prob.dropped),
        stats=stats,
    )


#: The most the "stay in place" tie-break may take (it runs after the optimum has been found).
STAY_PUT_SECONDS = 5.0


def _preferred(instance: Instance, prob: _Problem, prefer: Iterable[Meeting]) -> dict[int, tuple[int, int]]:
    """The preferred (slot, table) of each free request that could still take its preferred slot."""
    req_ix = {r.id: i for i, r in enumerate(instance.requests)}
    slot_ix = {s.id: i for i, s in enumerate(instance.slots)}
    table_ix = {t.id: i for i, t in enumerate(instance.tables)}
    out: dict[int, tuple[int, int]] = {}
    for m in prefer:
        r, s, t = req_ix.get(m.request), slot_ix.get(m.slot), table_ix.get(m.table)
        if r is not None and s is not None and t is not None and s in prob.cand.get(r, ()):
            out[r] = (s, t)
    return out


def _stay_put(
    prob: _Problem,
    best: _State,
    preferred: dict[int, tuple[int, int]],
    time_limit: float,
    workers: int,
    seed: int,
    stats: dict[str, float | str],
    log: Callable[[str], None],
) -> _State:
    """Second phase: among schedules worth at least `best` (a hard constraint, so the primary objective can
    never get worse), one with the most requests in their preferred slot. CP-SAT on the whole model, hinted
    with `best`, within `time_limit`; `best` stands when the model is too large, the weights are not exact
    integers after scaling, or nothing better is found in time."""
    from ortools.sat.python import cp_model

    def in_place(slot_of: dict[int, int]) -> int:
        return sum(1 for r, (s, _t) in preferred.items() if slot_of.get(r) == s)

    before = in_place(best.slot_of)
    n_vars = sum(len(slots) for slots in prob.cand.values())
    if before == len(preferred) or n_vars > _FULL_MODEL_MAX_VARS or time_limit <= 0.05:
        return best
    model = cp_model.CpModel()
    x = {(r, s): model.new_bool_var("") for r, slots in prob.cand.items() for s in slots}
    _add_constraints(model, prob, x, prob.slot_cap, prob.pcap)
    keys = list(x)
    scaled, scale = _integer_weights([prob.w[r] for r, _s in keys])
    if scale is None:  # rounded weights could trade real value for places: keep the primary optimum
        return best
    weight = {r: round(prob.w[r] * scale) for r in prob.cand}
    floor = sum(weight[r] for r in best.slot_of)
    model.add(cp_model.LinearExpr.weighted_sum([x[k] for k in keys], scaled) >= floor)
    model.maximize(sum(x[r, s] for r, (s, _t) in preferred.items() if (r, s) in x))
    for (r, s), v in x.items():
        model.add_hint(v, best.slot_of.get(r) == s)
    solver = _light_solver(time_limit, workers, seed)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return best
    assign = {r: s for (r, s), v in x.items() if solver.boolean_value(v)}
    if in_place(assign) <= before or sum(weight[r] for r in assign) < floor:
        return best
    kept = _State(prob)
    for r, s in assign.items():
        kept.place(r, s)
    kept.journal.clear()
    stats["kept_in_place"] = f"{in_place(assign)}/{len(preferred)}"
    log(f"same value, {in_place(assign)} of {len(preferred)} meetings in their place (was {before})")
    return kept


def greedy(instance: Instance) -> Schedule:
    """The baseline: requests by decreasing weight, each in the first slot where it fits."""
    prob = _compile(instance)
    st = _greedy(prob)
    objective = prob.fixed_value + st.value
    bound = _round_bound(_simple_bound(prob), all(w == int(w) for w in prob.w))
    bound = max(bound, objective)
    return Schedule(
        meetings=_with_tables(instance, prob, st.slot_of),
        objective=objective,
        bound=bound,
        status=Status.OPTIMAL if objective >= bound - 1e-9 else Status.FEASIBLE,
        gap=0.0 if bound <= 0 else (bound - objective) / bound,
        greedy_objective=objective,
        dropped_fixed=tuple(prob.dropped),
    )


def _round_bound(bound: float, integral: bool) -> float:
    """With integer weights the objective is an integer: round the bound down (minus solver tolerance)."""
    return float(math.floor(bound + 1e-6 * max(1.0, abs(bound)))) if integral else bound


def _by_weight_in(prob: _Problem, reqs: Iterable[int]) -> list[int]:
    return sorted(reqs, key=lambda r: (-prob.w[r], r))


def _by_degree(prob: _Problem, reqs: Sequence[int]) -> list[int]:
    """Requests whose participants are the busiest first: they are the hardest to fit in."""
    degree = [0] * prob.n_people
    for r in reqs:
        degree[prob.a[r]] += 1
        degree[prob.b[r]] += 1
    return sorted(reqs, key=lambda r: (-degree[prob.a[r]] - degree[prob.b[r]], len(prob.cand[r]), r))


def _construct(prob: _Problem, first: Sequence[int]) -> _State:
    """First fit of `first` (the LP's choice), then of every other request by decreasing weight."""
    st = _State(prob)
    for r in [*first, *_by_weight(prob)]:
        if r not in st.slot_of and st.left[prob.a[r]] > 0 and st.left[prob.b[r]] > 0:
            s = st.first_fit(r)
            if s >= 0:
                st.place(r, s)
    return st


def _with_tables(
    instance: Instance,
    prob: _Problem,
    slot_of: dict[int, int],
    preferred: dict[int, tuple[int, int]] | None = None,
) -> tuple[Meeting, ...]:
    """Kept fixed meetings keep their table; a meeting in its preferred slot gets its preferred table when
    free; the others take the free tables in order (deterministic)."""
    taken: dict[int, set[int]] = defaultdict(set)
    placed: list[tuple[int, int, int]] = []
    for r, s, t in prob.kept:
        taken[s].add(t)
        placed.append((s, t, r))
    by_slot: dict[int, list[int]] = defaultdict(list)
    for r, s in slot_of.items():
        by_slot[s].append(r)
    for s, reqs in by_slot.items():
        rest = []
        for r in sorted(reqs):
            slot, table = (preferred or {}).get(r, (-1, -1))
            if slot == s and table not in taken[s]:
                taken[s].add(table)
                placed.append((s, table, r))
            else:
                rest.append(r)
        free = (t for t in range(prob.n_tables) if t not in taken[s])
        for r, t in zip(rest, free, strict=False):
            placed.append((s, t, r))
    if len(placed) != len(prob.kept) + len(slot_of):
        raise SchedulingError("internal error: more meetings than tables in a slot")
    return tuple(
        Meeting(instance.requests[r].id, instance.slots[s].id, instance.tables[t].id)
        for s, t, r in sorted(placed)
    )


def reschedule_diff(old: Schedule | Iterable[Meeting], new: Schedule | Iterable[Meeting]) -> ScheduleDiff:
    """What happened to each request between two schedules (matched by request id)."""
    before = {m.request: m for m in (old.meetings if isinstance(old, Schedule) else old)}
    after = {m.request: m for m in (new.meetings if isinstance(new, Schedule) else new)}
    return ScheduleDiff(
        kept=tuple(m for r, m in after.items() if before.get(r) == m),
        moved=tuple((before[r], m) for r, m in after.items() if r in before and before[r] != m),
        added=tuple(m for r, m in after.items() if r not in before),
        dropped=tuple(m for r, m in before.items() if r not in after),
    )


def check_schedule(instance: Instance, meetings: Iterable[Meeting]) -> list[str]:
    """Every constraint the schedule breaks, as messages; empty when the schedule is valid."""
    slot_ix = {s.id: i for i, s in enumerate(instance.slots)}
    tables = {t.id for t in instance.tables}
    people = {p.id: p for p in instance.participants}
    requests = {r.id: r for r in instance.requests}
    problems: list[str] = []
    seen_req: set[str] = set()
    seen_table: set[tuple[str, str]] = set()
    times: dict[str, list[int]] = defaultdict(list)
    for m in meetings:
        req = requests.get(m.request)
        if req is None or m.slot not in slot_ix or m.table not in tables:
            problems.append(f"{m}: unknown request, slot or table")
            continue
        if m.request in seen_req:
            problems.append(f"request {m.request!r} is scheduled twice")
        seen_req.add(m.request)
        if (m.slot, m.table) in seen_table:
            problems.append(f"table {m.table!r} is used twice in slot {m.slot!r}")
        seen_table.add((m.slot, m.table))
        for pid in (req.a, req.b):
            if m.slot in people[pid].unavailable:
                problems.append(f"participant {pid!r} is unavailable in slot {m.slot!r} ({m.request!r})")
            times[pid].append(slot_ix[m.slot])
    for pid, slots in times.items():
        limit = people[pid].max_meetings
        if limit is not None and len(slots) > limit:
            problems.append(f"participant {pid!r} has {len(slots)} meetings, more than {limit}")
        ordered = sorted(slots)
        for s1, s2 in itertools.pairwise(ordered):
            if s2 - s1 <= instance.buffer:
                first, second = instance.slots[s1].id, instance.slots[s2].id
                problems.append(f"participant {pid!r} meets in slots {first!r} and {second!r}")
    return problems
