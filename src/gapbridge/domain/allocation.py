"""The allocation advisor: split a budget to maximise need-weighted benefit with diminishing returns.

Pure (numpy only; no Django, no I/O). docs/analytics.md states the model with a worked example.

**The problem.** Money goes to *units* (a country, or a country × focus area); each unit belongs to one
*group* (its country), and floors and ceilings apply to groups::

    maximise   U(x) = Σ_u  w_u · ln(1 + (e_u + x_u) / s_u)
    subject to x_u ≥ 0,   floor_g ≤ Σ_{u in g} x_u ≤ ceiling_g,   Σ_u x_u = budget

``w_u ≥ 0`` is the unit's need weight, ``e_u ≥ 0`` the funding it already has and ``s_u > 0`` a scale (the
funding at which its benefit has grown by ln 2). ``U`` is concave and each term strictly concave when
``w_u > 0``: every extra dollar is worth less than the one before, so money spreads instead of piling up.
GapBridge uses ``w = need × population`` and ``s = r × population`` (``r`` a reference amount per person);
then the marginal benefit of a dollar, ``w/(s + e + x)``, is ``need / (r + funding per person)``.

**The solution is exact** (no iterative tolerance). The Karush-Kuhn-Tucker conditions say there is a
level ``λ`` such that every unit that receives money has marginal benefit ``λ`` and every unit that
receives none has marginal benefit at most ``λ``; a group held at its floor has its own level ``≤ λ``,
one held at its ceiling ``≥ λ``. With ``t = 1/λ`` a unit asks for ``d_u(t) = max(0, w_u·t − s_u − e_u)``,
a group gets ``A_g(t) = clip(Σ_{u in g} d_u(t), floor_g, ceiling_g)``, and ``Σ_g A_g(t)`` is continuous,
non-decreasing and piecewise linear in ``t``. Its breakpoints are known in closed form, so ``t`` is
found by a binary search over them and one linear interpolation ("water-filling"); a group held at a
bound is split among its units the same way at its own level. The objective is concave, so the KKT
point is the global optimum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
_NEGLIGIBLE = 1e-250


class AllocationError(Exception):
    """Base class of the allocation advisor's errors."""


class InvalidProblemError(AllocationError, ValueError):
    """An input is out of range (negative budget, scale not positive, duplicate unit ...)."""


class InfeasibleError(AllocationError):
    """No allocation satisfies the floors, the ceilings and the budget together; the message says why."""

    def __init__(self, message: str, *, code: str, groups: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.groups = tuple(groups)


@dataclass(frozen=True, slots=True)
class Unit:
    """Something money can go to. ``key`` is unique; ``group`` is the country the bounds apply to."""

    key: str
    group: str
    weight: float
    existing: float
    scale: float


@dataclass(frozen=True, slots=True)
class Bounds:
    floor: float = 0.0
    ceiling: float = math.inf


@dataclass(frozen=True, slots=True)
class Problem:
    budget: float
    units: tuple[Unit, ...]
    #: per group; a group without an entry has floor 0 and no ceiling
    bounds: tuple[tuple[str, Bounds], ...] = ()

    @classmethod
    def build(
        cls, budget: float, units: Iterable[Unit], bounds: Mapping[str, Bounds] | None = None
    ) -> Problem:
        return cls(float(budget), tuple(units), tuple(sorted((bounds or {}).items())))

    def bounds_of(self, group: str) -> Bounds:
        return dict(self.bounds).get(group, Bounds())


class Status(StrEnum):
    """Why a group (or unit) got what it got."""

    FUNDED = "funded"  # its marginal benefit equals the common level λ
    NOT_FUNDED = "not-funded"  # existing funding already beyond the level its need justifies at λ
    AT_FLOOR = "at-floor"  # held up by its floor: its own level is below λ
    AT_CEILING = "at-ceiling"  # held down by its ceiling: its own level is above λ
    NO_NEED = "no-need"  # weight 0: receives money only to meet a floor or when all others are capped


@dataclass(frozen=True, slots=True)
class UnitResult:
    key: str
    group: str
    amount: float
    #: marginal benefit of one more dollar at the solution, w/(s + e + x)
    marginal: float
    status: Status


@dataclass(frozen=True, slots=True)
class GroupResult:
    group: str
    amount: float
    floor: float
    ceiling: float
    status: Status
    #: the group's own level λ_g: the marginal benefit of its funded units (λ unless held at a bound)
    level: float
    #: the group's demand at the common level, Σ d_u(1/λ): what it would get without floor/ceiling
    unconstrained: float


@dataclass(frozen=True, slots=True)
class Allocation:
    budget: float
    units: tuple[UnitResult, ...]
    groups: tuple[GroupResult, ...]
    #: the common level λ: the marginal benefit of the last dollar in every freely funded unit
    level: float
    #: U at the solution
    objective: float
    #: U with no new money (the existing funding only); ``objective - baseline`` is the gain
    baseline: float

    def group(self, key: str) -> GroupResult:
        for result in self.groups:
            if result.group == key:
                return result
        raise KeyError(key)

    def unit(self, key: str) -> UnitResult:
        for result in self.units:
            if result.key == key:
                return result
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """A group's amount when its need weights are scaled by ``1 - relative`` and ``1 + relative``."""

    group: str
    relative: float
    lower: float
    base: float
    upper: float

    @property
    def elasticity(self) -> float:
        """Relative change of the amount per relative change of the weight (central difference)."""
        if self.base <= 0:
            return 0.0
        return (self.upper - self.lower) / (2 * self.relative * self.base)


# -- validation -------------------------------------------------------------------------------------------
def _finite(name: str, value: float, *, minimum: float = 0.0, strict: bool = False) -> None:
    if not math.isfinite(value) or value < minimum or (strict and value <= minimum):
        relation = ">" if strict else "≥"
        raise InvalidProblemError(f"{name} must be a finite number {relation} {minimum:g}; got {value!r}")


def _validate(problem: Problem) -> dict[str, int]:
    """Group key -> index, in order of first appearance."""
    _finite("budget", problem.budget)
    if not problem.units:
        raise InvalidProblemError("there is nothing to allocate to: no country or focus area is eligible")
    seen: set[str] = set()
    groups: dict[str, int] = {}
    for unit in problem.units:
        if unit.key in seen:
            raise InvalidProblemError(f"unit {unit.key!r} is listed twice")
        seen.add(unit.key)
        _finite(f"{unit.key}: need weight", unit.weight)
        _finite(f"{unit.key}: existing funding", unit.existing)
        _finite(f"{unit.key}: scale", unit.scale, strict=True)
        groups.setdefault(unit.group, len(groups))
    for group, bounds in problem.bounds:
        if group not in groups:
            raise InvalidProblemError(f"floor/ceiling given for {group!r}, which is not eligible")
        _finite(f"{group}: floor", bounds.floor)
        if math.isnan(bounds.ceiling) or bounds.ceiling < 0:
            raise InvalidProblemError(f"{group}: ceiling must be ≥ 0; got {bounds.ceiling!r}")
        if bounds.floor > bounds.ceiling:
            raise InfeasibleError(
                f"{group}: floor {bounds.floor:,.0f} is above its ceiling {bounds.ceiling:,.0f}",
                code="floor-above-ceiling",
                groups=[group],
            )
    return groups


# -- the level equation -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Arrays:
    """The problem as arrays: units (w, c = s + e, group index) and groups (floor, ceiling, members)."""

    budget: float
    groups: tuple[str, ...]
    w: FloatArray
    c: FloatArray
    g: NDArray[np.intp]
    lo: FloatArray
    hi: FloatArray
    members: tuple[NDArray[np.intp], ...]

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def demand(self, t: float) -> FloatArray:
        """Σ_{u in g} max(0, w_u t - c_u) for every group."""
        d = np.maximum(0.0, self.w * t - self.c)
        return np.bincount(self.g, weights=d, minlength=self.n_groups).astype(np.float64)

    def total(self, t: float, active: NDArray[np.bool_]) -> float:
        return float(np.clip(self.demand(t), self.lo, self.hi)[active].sum())

    def with_weights(self, w: FloatArray) -> _Arrays:
        return replace(self, w=w)


def _prepare(problem: Problem) -> _Arrays:
    index = _validate(problem)
    groups = tuple(index)
    bounds = dict(problem.bounds)
    lo = np.array([bounds.get(k, Bounds()).floor for k in groups], dtype=np.float64)
    hi = np.array([bounds.get(k, Bounds()).ceiling for k in groups], dtype=np.float64)
    budget = problem.budget
    if lo.sum() > budget * (1 + 1e-12):
        raise InfeasibleError(
            f"the floors add up to {lo.sum():,.0f}, more than the budget of {budget:,.0f}",
            code="floors-exceed-budget",
            groups=[k for k, f in zip(groups, lo, strict=True) if f > 0],
        )
    if hi.sum() < budget * (1 - 1e-12):
        raise InfeasibleError(
            f"the ceilings add up to {hi.sum():,.0f}, less than the budget of {budget:,.0f}",
            code="ceilings-below-budget",
        )
    units = problem.units
    c = np.array([u.scale + u.existing for u in units], dtype=np.float64)
    w = np.array([u.weight for u in units], dtype=np.float64)
    # a weight so small that c/w overflows cannot make a unit worth funding: it counts as no need
    w = np.where(w > c * _NEGLIGIBLE, w, 0.0)
    g = np.array([index[u.group] for u in units], dtype=np.intp)
    order = np.argsort(g, kind="stable")
    starts = np.searchsorted(g[order], np.arange(len(groups) + 1))
    members = tuple(order[starts[i] : starts[i + 1]] for i in range(len(groups)))
    return _Arrays(budget, groups, w, c, g, lo, hi, members)


def _inverse(w: FloatArray, c: FloatArray, amount: float) -> float:
    """The level t at which Σ max(0, w t - c) = amount, for units with w > 0 (exact)."""
    order = np.argsort(c / w, kind="stable")
    w_sorted, c_sorted = w[order], c[order]
    breaks = c_sorted / w_sorted
    if amount <= 0:
        return float(breaks[0])
    cw = np.cumsum(w_sorted)
    cc = np.cumsum(c_sorted)
    # on [breaks[k], breaks[k+1]] the first k+1 units ask: D(t) = cw[k] t - cc[k]; D at each segment's end:
    ends = cw[:-1] * breaks[1:] - cc[:-1]
    k = int(np.searchsorted(ends, amount, side="left"))
    return float((amount + cc[k]) / cw[k])


def _bound_points(arrays: _Arrays) -> list[FloatArray]:
    """Per group, the levels at which its demand reaches its floor and its ceiling (when they bind)."""
    found = []
    for group, members in enumerate(arrays.members):
        members = members[arrays.w[members] > 0]
        w, c = arrays.w[members], arrays.c[members]
        levels = [
            _inverse(w, c, float(bound))
            for bound in (arrays.lo[group], arrays.hi[group])
            if members.size and 0 < bound < math.inf
        ]
        found.append(np.asarray(levels, dtype=np.float64))
    return found


def _solve_level(
    arrays: _Arrays, active: NDArray[np.bool_], target: float, bound_points: list[FloatArray] | None = None
) -> float:
    """The level t with Σ_{active g} clip(D_g(t), lo_g, hi_g) = target (exact, piecewise linear)."""
    positive = arrays.w > 0
    per_group = bound_points if bound_points is not None else _bound_points(arrays)
    points = [arrays.c[positive] / arrays.w[positive]]
    points.extend(per_group[group] for group in np.flatnonzero(active))
    breaks = np.unique(np.concatenate(points))
    totals: dict[int, float] = {}

    def total_at(index: int) -> float:
        if index not in totals:
            totals[index] = arrays.total(float(breaks[index]), active)
        return totals[index]

    if total_at(0) >= target:
        return float(breaks[0])
    lo_i, hi_i = 0, len(breaks) - 1
    if total_at(hi_i) <= target:
        # beyond the last breakpoint every unit asks and no bound changes state, so the total is linear
        # (its slope is measured over a step rather than read off the bounds: rounding makes those ambiguous)
        t_last = float(breaks[hi_i])
        step = max(1.0, t_last)
        slope = (arrays.total(t_last + step, active) - total_at(hi_i)) / step
        if slope <= 0:
            return t_last
        return t_last + (target - total_at(hi_i)) / slope
    while hi_i - lo_i > 1:  # invariant: total(lo) < target < total(hi)
        mid = (lo_i + hi_i) // 2
        if total_at(mid) <= target:
            lo_i = mid
        else:
            hi_i = mid
    t0, t1 = float(breaks[lo_i]), float(breaks[hi_i])
    f0, f1 = total_at(lo_i), total_at(hi_i)
    return t0 if f1 == f0 else t0 + (target - f0) * (t1 - t0) / (f1 - f0)


def _fill_equally(room: list[float], amount: float) -> list[float]:
    """Spread ``amount`` as evenly as possible over slots with the given room (water-filling, equal)."""
    given = [0.0] * len(room)
    left = amount
    open_slots = [i for i, r in enumerate(room) if r > 0]
    while left > 1e-9 * max(1.0, amount) and open_slots:
        share = left / len(open_slots)
        next_open = []
        for i in open_slots:
            take = min(share, room[i] - given[i])
            given[i] += take
            left -= take
            if room[i] - given[i] > 1e-12:
                next_open.append(i)
        open_slots = next_open
    return given


@dataclass(frozen=True, slots=True)
class _GroupSolution:
    t: float  # the common level 1/λ (inf when every group with a need is capped)
    amounts: FloatArray
    unconstrained: FloatArray
    statuses: list[Status]


def _group_amounts(arrays: _Arrays, bound_points: list[FloatArray] | None = None) -> _GroupSolution:
    """How much each group gets (the outer water-filling over groups)."""
    n = arrays.n_groups
    lo, hi, budget = arrays.lo, arrays.hi, arrays.budget
    needy = np.bincount(arrays.g, weights=arrays.w, minlength=n) > 0
    zero = ~needy
    capacity = float(hi[needy].sum() + lo[zero].sum())
    if needy.any() and budget < capacity:
        t = _solve_level(arrays, needy, budget - float(lo[zero].sum()), bound_points)
        unconstrained = arrays.demand(t)
        amounts = np.where(needy, np.clip(unconstrained, lo, hi), lo)
        statuses = []
        for i in range(n):
            if zero[i]:
                statuses.append(Status.NO_NEED)
            elif unconstrained[i] < lo[i] and lo[i] > 0:
                statuses.append(Status.AT_FLOOR)
            elif unconstrained[i] > hi[i]:
                statuses.append(Status.AT_CEILING)
            else:
                statuses.append(Status.FUNDED)
        return _GroupSolution(t, amounts, unconstrained, statuses)
    # every group with a need is at its ceiling; the rest goes, evenly, to groups without a measured need
    amounts = np.where(needy, hi, lo)
    room = [float(hi[i] - lo[i]) if zero[i] else 0.0 for i in range(n)]
    amounts = amounts + np.array(_fill_equally(room, budget - float(amounts.sum())))
    statuses = [Status.AT_CEILING if needy[i] else Status.NO_NEED for i in range(n)]
    return _GroupSolution(math.inf, amounts, np.full(n, math.inf), statuses)


# -- solving ----------------------------------------------------------------------------------------------
def solve(problem: Problem) -> Allocation:
    """The allocation maximising ``U`` under the floors, ceilings and budget (see module docstring).

    Raises :class:`InfeasibleError` when floors exceed the budget, ceilings fall short of it, or a floor
    is above its ceiling; :class:`InvalidProblemError` for inputs out of range.
    """
    arrays = _prepare(problem)
    outer = _group_amounts(arrays)
    t, statuses = outer.t, list(outer.statuses)
    # split each group's amount among its units at the group's own level
    x = np.zeros(len(problem.units))
    group_levels = np.zeros(arrays.n_groups)
    for i, members in enumerate(arrays.members):
        w, c = arrays.w[members], arrays.c[members]
        positive = w > 0
        amount = float(outer.amounts[i])
        if not positive.any():
            x[members] = _fill_equally([math.inf] * len(members), amount)
            continue
        if statuses[i] in (Status.AT_FLOOR, Status.AT_CEILING) or not math.isfinite(t):
            t_g = _inverse(w[positive], c[positive], amount)
        else:
            t_g = t
        share = np.where(positive, np.maximum(0.0, w * t_g - c), 0.0)
        total = share.sum()
        if total > 0:
            share = share * (amount / total)  # removes floating-point drift; exact in real arithmetic
        x[members] = share
        group_levels[i] = 1.0 / t_g if t_g > 0 else math.inf
    drift = arrays.budget - float(x.sum())
    if x.size and drift != 0:
        x[int(np.argmax(x))] += drift
    group_amounts = np.bincount(arrays.g, weights=x, minlength=arrays.n_groups)
    for i in range(arrays.n_groups):  # the final amounts decide funded / not funded (rounding moves crumbs)
        if statuses[i] in (Status.FUNDED, Status.NOT_FUNDED):
            statuses[i] = Status.FUNDED if group_amounts[i] > 0 else Status.NOT_FUNDED
    marginal = arrays.w / (arrays.c + x)
    level = 1.0 / t if math.isfinite(t) and t > 0 else 0.0
    scales = np.array([u.scale for u in problem.units], dtype=np.float64)
    existing = arrays.c - scales
    objective = float((arrays.w * np.log1p((existing + x) / scales)).sum())
    baseline = float((arrays.w * np.log1p(existing / scales)).sum())
    unit_results = tuple(
        UnitResult(
            u.key,
            u.group,
            float(x[k]),
            float(marginal[k]),
            Status.NO_NEED if arrays.w[k] <= 0 else Status.FUNDED if x[k] > 0 else Status.NOT_FUNDED,
        )
        for k, u in enumerate(problem.units)
    )
    group_results = tuple(
        GroupResult(
            key,
            float(group_amounts[i]),
            float(arrays.lo[i]),
            float(arrays.hi[i]),
            statuses[i],
            float(group_levels[i]),
            float(outer.unconstrained[i]),
        )
        for i, key in enumerate(arrays.groups)
    )
    return Allocation(arrays.budget, unit_results, group_results, level, objective, baseline)


def scale_weights(problem: Problem, group: str, factor: float) -> Problem:
    """The same problem with the need weights of ``group``'s units multiplied by ``factor``."""
    units = tuple(replace(u, weight=u.weight * factor) if u.group == group else u for u in problem.units)
    return replace(problem, units=units)


def sensitivity(problem: Problem, relative: float = 0.1, base: Allocation | None = None) -> list[Sensitivity]:
    """For each group: its amount when its need weights are ``relative`` lower and higher, re-solved.

    Only the group level is re-solved (a group's amount does not depend on how it is split inside), so
    this costs two level solves per group, not two full solves.
    """
    if not 0 < relative < 1:
        raise InvalidProblemError(f"relative change must be between 0 and 1; got {relative!r}")
    arrays = _prepare(problem)
    base_amounts = (
        {g.group: g.amount for g in base.groups}
        if base is not None
        else dict(zip(arrays.groups, _group_amounts(arrays).amounts.tolist(), strict=True))
    )
    # scaling a group's weights by f scales its breakpoints by 1/f: D_f(t) = D(f t); no need to recompute
    points = _bound_points(arrays)
    results = []
    for i, group in enumerate(arrays.groups):
        scaled = []
        for factor in (1 - relative, 1 + relative):
            w = arrays.w.copy()
            w[arrays.members[i]] *= factor
            moved = list(points)
            moved[i] = points[i] / factor
            scaled.append(float(_group_amounts(arrays.with_weights(w), moved).amounts[i]))
        results.append(Sensitivity(group, relative, scaled[0], base_amounts[group], scaled[1]))
    return results


def utility(problem: Problem, amounts: Mapping[str, float]) -> float:
    """``U`` for any allocation (unit key -> amount); used to check optimality against alternatives."""
    return float(
        sum(u.weight * math.log1p((u.existing + amounts.get(u.key, 0.0)) / u.scale) for u in problem.units)
    )
