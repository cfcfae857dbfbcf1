"""The allocation advisor: the optimum is checked by its optimality (KKT) conditions, against closed forms,
against a generic solver and against random feasible alternatives; infeasible problems are reported."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from gapbridge.domain.allocation import (
    Allocation,
    Bounds,
    InfeasibleError,
    InvalidProblemError,
    Problem,
    Status,
    Unit,
    scale_weights,
    sensitivity,
    solve,
    utility,
)

REL = 1e-7


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-6)


def check_kkt(problem: Problem, result: Allocation) -> None:
    """The conditions that make an allocation optimal for the stated concave utility."""
    amounts = {u.key: u.amount for u in result.units}
    # feasibility: non-negative, bounds, budget
    assert all(a >= -1e-9 for a in amounts.values())
    assert close(sum(amounts.values()), problem.budget)
    by_group = {g.group: g for g in result.groups}
    for group in result.groups:
        bounds = problem.bounds_of(group.group)
        assert group.amount >= bounds.floor - 1e-6 * max(1.0, bounds.floor)
        assert group.amount <= bounds.ceiling + 1e-6 * max(1.0, group.amount)
    # within a group: every funded unit has marginal benefit = the group's level, unfunded ones ≤ it
    for unit in result.units:
        level = by_group[unit.group].level
        if unit.status is Status.NO_NEED:
            continue
        if unit.amount > 1e-6:
            assert close(unit.marginal, level, 1e-6), (unit, level)
        else:
            assert unit.marginal <= level * (1 + 1e-6), (unit, level)
    # across groups: interior = λ, at floor ≤ λ, at ceiling ≥ λ, unfunded ≤ λ
    lam = result.level
    for group in result.groups:
        if group.status is Status.FUNDED:
            assert close(group.level, lam, 1e-6), group
        elif group.status is Status.AT_FLOOR:
            assert group.level <= lam * (1 + 1e-6), group
        elif group.status is Status.AT_CEILING:
            assert group.level >= lam * (1 - 1e-6), group
        elif group.status is Status.NOT_FUNDED:
            assert group.amount == 0
            best = max(u.marginal for u in result.units if u.group == group.group)
            assert best <= lam * (1 + 1e-6), group


def test_two_interior_units_match_the_closed_form() -> None:
    # w/(c + x) equal for both: x1 = w1 (B + c1 + c2)/(w1 + w2) - c1
    problem = Problem.build(1000.0, [Unit("A", "A", 3.0, 0.0, 100.0), Unit("B", "B", 1.0, 50.0, 100.0)])
    result = solve(problem)
    expected_a = 3.0 * (1000.0 + 100.0 + 150.0) / 4.0 - 100.0
    assert close(result.unit("A").amount, expected_a)
    assert close(result.unit("B").amount, 1000.0 - expected_a)
    assert close(result.level, 3.0 / (100.0 + expected_a))
    assert close(result.objective, utility(problem, {"A": expected_a, "B": 1000.0 - expected_a}))
    assert result.objective > result.baseline
    check_kkt(problem, result)


def test_well_funded_unit_gets_nothing_and_says_so() -> None:
    problem = Problem.build(100.0, [Unit("A", "A", 1.0, 0.0, 10.0), Unit("B", "B", 1.0, 10_000.0, 10.0)])
    result = solve(problem)
    assert close(result.unit("A").amount, 100.0)
    assert result.unit("B").amount == 0
    assert result.group("B").status is Status.NOT_FUNDED
    check_kkt(problem, result)


def test_floor_binds_and_lowers_that_country_level() -> None:
    units = [Unit("A", "A", 5.0, 0.0, 10.0), Unit("B", "B", 1.0, 0.0, 10.0)]
    free = solve(Problem.build(100.0, units))
    problem = Problem.build(100.0, units, {"B": Bounds(floor=60.0)})
    result = solve(problem)
    assert free.group("B").amount < 60
    assert close(result.group("B").amount, 60.0)
    assert result.group("B").status is Status.AT_FLOOR
    assert result.group("B").level < result.level
    check_kkt(problem, result)


def test_ceiling_binds_and_the_rest_flows_elsewhere() -> None:
    units = [Unit("A", "A", 5.0, 0.0, 10.0), Unit("B", "B", 1.0, 0.0, 10.0), Unit("C", "C", 1.0, 0.0, 10.0)]
    problem = Problem.build(300.0, units, {"A": Bounds(ceiling=50.0)})
    result = solve(problem)
    assert close(result.group("A").amount, 50.0)
    assert result.group("A").status is Status.AT_CEILING
    assert result.group("A").level > result.level
    assert close(result.group("B").amount, 125.0) and close(result.group("C").amount, 125.0)
    check_kkt(problem, result)


def test_units_of_a_capped_country_share_its_ceiling_at_equal_marginal_benefit() -> None:
    units = [
        Unit("NER/skills", "NER", 4.0, 0.0, 10.0),
        Unit("NER/connectivity", "NER", 2.0, 5.0, 10.0),
        Unit("MLI/skills", "MLI", 1.0, 0.0, 10.0),
    ]
    problem = Problem.build(500.0, units, {"NER": Bounds(ceiling=100.0)})
    result = solve(problem)
    a, b = result.unit("NER/skills"), result.unit("NER/connectivity")
    assert close(a.amount + b.amount, 100.0)
    assert close(a.marginal, b.marginal)
    check_kkt(problem, result)


def test_budget_exactly_at_the_floors() -> None:
    units = [Unit("A", "A", 5.0, 0.0, 10.0), Unit("B", "B", 1.0, 0.0, 10.0)]
    problem = Problem.build(30.0, units, {"A": Bounds(floor=10.0), "B": Bounds(floor=20.0)})
    result = solve(problem)
    assert close(result.group("A").amount, 10.0) and close(result.group("B").amount, 20.0)
    check_kkt(problem, result)


def test_zero_budget_allocates_nothing() -> None:
    problem = Problem.build(0.0, [Unit("A", "A", 1.0, 0.0, 1.0), Unit("B", "B", 2.0, 0.0, 1.0)])
    result = solve(problem)
    assert all(u.amount == 0 for u in result.units)
    check_kkt(problem, result)


def test_zero_need_country_only_gets_its_floor() -> None:
    units = [Unit("A", "A", 1.0, 0.0, 10.0), Unit("Z", "Z", 0.0, 0.0, 10.0)]
    problem = Problem.build(100.0, units, {"Z": Bounds(floor=15.0)})
    result = solve(problem)
    assert close(result.group("Z").amount, 15.0)
    assert result.group("Z").status is Status.NO_NEED
    assert close(result.group("A").amount, 85.0)


def test_zero_need_countries_take_what_capped_countries_cannot() -> None:
    units = [Unit("A", "A", 1.0, 0.0, 10.0), Unit("Y", "Y", 0.0, 0.0, 10.0), Unit("Z", "Z", 0.0, 0.0, 10.0)]
    problem = Problem.build(100.0, units, {"A": Bounds(ceiling=40.0)})
    result = solve(problem)
    assert close(result.group("A").amount, 40.0)
    assert close(result.group("Y").amount, 30.0) and close(result.group("Z").amount, 30.0)
    assert close(sum(u.amount for u in result.units), 100.0)


@pytest.mark.parametrize(
    ("budget", "bounds", "code"),
    [
        (100.0, {"A": Bounds(floor=70.0), "B": Bounds(floor=40.0)}, "floors-exceed-budget"),
        (100.0, {"A": Bounds(ceiling=30.0), "B": Bounds(ceiling=30.0)}, "ceilings-below-budget"),
        (100.0, {"A": Bounds(floor=50.0, ceiling=20.0)}, "floor-above-ceiling"),
    ],
)
def test_infeasible_problems_are_reported_clearly(
    budget: float, bounds: dict[str, Bounds], code: str
) -> None:
    units = [Unit("A", "A", 1.0, 0.0, 10.0), Unit("B", "B", 1.0, 0.0, 10.0)]
    with pytest.raises(InfeasibleError) as caught:
        solve(Problem.build(budget, units, bounds))
    assert caught.value.code == code
    message = str(caught.value)
    assert ("floor" in message) or ("ceiling" in message)
    if code == "floor-above-ceiling":
        assert caught.value.groups == ("A",) and "A:" in message


@pytest.mark.parametrize(
    "problem",
    [
        Problem.build(-1.0, [Unit("A", "A", 1.0, 0.0, 1.0)]),
        Problem.build(1.0, []),
        Problem.build(1.0, [Unit("A", "A", -1.0, 0.0, 1.0)]),
        Problem.build(1.0, [Unit("A", "A", 1.0, 0.0, 0.0)]),
        Problem.build(1.0, [Unit("A", "A", 1.0, math.nan, 1.0)]),
        Problem.build(1.0, [Unit("A", "A", 1.0, 0.0, 1.0), Unit("A", "B", 1.0, 0.0, 1.0)]),
        Problem.build(1.0, [Unit("A", "A", 1.0, 0.0, 1.0)], {"Q": Bounds(floor=1.0)}),
    ],
)
def test_invalid_inputs_are_refused(problem: Problem) -> None:
    with pytest.raises(InvalidProblemError):
        solve(problem)


def test_sensitivity_moves_with_the_weight() -> None:
    units = [Unit("A", "A", 2.0, 0.0, 10.0), Unit("B", "B", 1.0, 0.0, 10.0), Unit("C", "C", 1.0, 50.0, 10.0)]
    problem = Problem.build(200.0, units)
    rows = {s.group: s for s in sensitivity(problem, 0.2)}
    for row in rows.values():
        assert row.lower <= row.base <= row.upper
    assert rows["A"].upper > rows["A"].base > rows["A"].lower
    assert rows["A"].elasticity > 0
    # the reported "upper" is what a re-solve with the scaled weight gives
    assert close(rows["B"].upper, solve(scale_weights(problem, "B", 1.2)).group("B").amount)


def test_matches_a_generic_convex_solver() -> None:
    rng = np.random.default_rng(7)
    units = [
        Unit(
            f"U{i}",
            f"G{i % 4}",
            float(rng.uniform(0.1, 5)),
            float(rng.uniform(0, 50)),
            float(rng.uniform(1, 30)),
        )
        for i in range(10)
    ]
    bounds = {"G0": Bounds(floor=40.0), "G1": Bounds(ceiling=20.0)}
    problem = Problem.build(250.0, units, bounds)
    result = solve(problem)
    check_kkt(problem, result)
    w = np.array([u.weight for u in units])
    c = np.array([u.scale + u.existing for u in units])
    groups = np.array([int(u.group[1]) for u in units])
    constraints = [{"type": "eq", "fun": lambda x: x.sum() - 250.0}]
    constraints.append({"type": "ineq", "fun": lambda x: x[groups == 0].sum() - 40.0})
    constraints.append({"type": "ineq", "fun": lambda x: 20.0 - x[groups == 1].sum()})
    found = minimize(
        lambda x: -float((w * np.log(c + x)).sum()),
        np.full(10, 25.0),
        jac=lambda x: -w / (c + x),
        bounds=[(0, None)] * 10,
        constraints=constraints,
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 500},
    )
    generic = {u.key: float(v) for u, v in zip(units, found.x, strict=True)}
    assert result.objective >= utility(problem, generic) - 1e-7
    for u in units:
        assert abs(result.unit(u.key).amount - generic[u.key]) < 1e-2


unit_strategy = st.tuples(st.floats(0.0, 10.0), st.floats(0.0, 1e4), st.floats(0.5, 1e4))


@settings(max_examples=150, deadline=None)
@given(
    specs=st.lists(unit_strategy, min_size=1, max_size=12),
    n_groups=st.integers(1, 5),
    budget=st.floats(0.0, 1e5),
    floors=st.lists(st.floats(0.0, 2e4), min_size=5, max_size=5),
    ceilings=st.lists(st.one_of(st.none(), st.floats(0.0, 5e4)), min_size=5, max_size=5),
)
def test_kkt_conditions_hold_on_random_problems(
    specs: list[tuple[float, float, float]],
    n_groups: int,
    budget: float,
    floors: list[float],
    ceilings: list[float | None],
) -> None:
    units = [Unit(f"u{i}", f"g{i % n_groups}", w, e, s) for i, (w, e, s) in enumerate(specs)]
    present = sorted({u.group for u in units})
    bounds = {}
    for i, group in enumerate(present):
        given_ceiling = ceilings[i]
        ceiling = math.inf if given_ceiling is None else given_ceiling
        bounds[group] = Bounds(min(floors[i], ceiling), ceiling)
    problem = Problem.build(budget, units, bounds)
    floor_sum = sum(b.floor for b in bounds.values())
    ceiling_sum = sum(b.ceiling for b in bounds.values())
    if floor_sum > budget or ceiling_sum < budget:
        with pytest.raises(InfeasibleError):
            solve(problem)
        return
    result = solve(problem)
    check_kkt(problem, result)
    # no feasible perturbation does better: move money between two funded units of unbounded groups
    funded = [u for u in result.units if u.amount > 1.0 and result.group(u.group).status is Status.FUNDED]
    if len(funded) >= 2 and funded[0].group != funded[1].group:
        amounts = {u.key: u.amount for u in result.units}
        amounts[funded[0].key] -= 0.5
        amounts[funded[1].key] += 0.5
        assert utility(problem, amounts) <= result.objective + 1e-9 * max(1.0, abs(result.objective))


def test_the_worked_example_of_docs_analytics() -> None:
    # docs/analytics.md: A (need 0.8, 10M people, US$1M already), B (need 0.4, 20M people), US$6M, r = 0.2
    units = [
        Unit("A", "A", 0.8 * 10e6, 1e6, 0.2 * 10e6),
        Unit("B", "B", 0.4 * 20e6, 0.0, 0.2 * 20e6),
    ]
    result = solve(Problem.build(6e6, units))
    assert close(result.unit("A").amount, 3.5e6) and close(result.unit("B").amount, 2.5e6)
    assert close(result.level, 8e6 / 6.5e6)
