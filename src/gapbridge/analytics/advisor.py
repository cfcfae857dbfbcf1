"""The allocation advisor as a service: eligible places, need and existing funding in; the optimal
allocation with a reason per place, sensitivity to the weights and CSV rows out. Read-only.

The model (stated in docs/analytics.md and :mod:`gapbridge.domain.allocation`): for each eligible
country × focus area ``u`` with need ``n_u`` (0–1, from the Gap Index), population ``P`` and existing
de-duplicated funding ``e_u`` (USD, in the chosen years and measure), maximise

    Σ_u  n_u · P · ln(1 + (e_u + x_u) / (r · P))

over new money ``x_u ≥ 0`` with ``Σ x_u = budget`` and each country's total between its floor and its
ceiling. ``r`` (USD per person) sets where returns diminish: taking a place from 0 to ``r`` per person is
worth as much as taking it from ``r`` to ``3r``. By default ``r`` is the *even share*, the budget divided by
the eligible population, so returns diminish at the scale of the decision being made. At the optimum
every funded place has the same ``n_u / (r + funding per person)``: funding per person rises with need.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gapbridge.analytics.models import Measure
from gapbridge.analytics.queries import NeedRow, need_table
from gapbridge.countries.queries import QueryError
from gapbridge.domain import allocation as alloc
from gapbridge.web.i18n import local_number

DEFAULT_SENSITIVITY = 0.2


class AdviceError(ValueError):
    """The request cannot be answered (infeasible bounds, nothing eligible ...); the message says why."""


@dataclass(frozen=True)
class AdviceRequest:
    budget: float
    focus_area: str = ""  # "" = every focus area (one unit per country × area)
    group: str = ""
    iso3: tuple[str, ...] = ()
    floor: float = 0.0
    ceiling: float | None = None
    #: per-country (floor, ceiling) replacing the uniform ones
    bounds: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)
    #: USD per person; None = the even share: budget / eligible population
    reference_per_capita: float | None = None
    measure: str = Measure.DISBURSEMENT
    year_from: int | None = None
    year_to: int | None = None
    sensitivity: float = DEFAULT_SENSITIVITY


@dataclass(frozen=True)
class AdvisedUnit:
    iso3: str
    name: str
    focus_area: str
    amount: float
    status: str
    reason: str
    need: float
    population: float
    existing: float
    existing_per_capita: float
    after_per_capita: float
    marginal: float


@dataclass(frozen=True)
class AdvisedCountry:
    iso3: str
    name: str
    amount: float
    status: str
    floor: float
    ceiling: float | None
    unconstrained: float | None
    lower: float | None = None  # amount with its need weights (1 - sensitivity) ×
    upper: float | None = None  # amount with its need weights (1 + sensitivity) ×


@dataclass(frozen=True)
class Advice:
    request: AdviceRequest
    units: list[AdvisedUnit]
    countries: list[AdvisedCountry]
    objective: float
    baseline: float
    level: float
    excluded: list[NeedRow]
    #: the reference amount per person used (r)
    reference_per_capita: float

    def as_json(self) -> dict[str, Any]:
        """The shape `gapbridge allocate --json` prints (kept exactly as the issue gives it)."""
        return {
            "allocations": [
                {"country": u.iso3, "focus_area": u.focus_area, "amount": u.amount, "reason": u.reason}
                for u in self.units
                if u.amount > 0
            ],
            "budget": self.request.budget,
            "objective": round(self.objective, 6),
        }


def _usd(value: float) -> str:
    return _("US$%(value)s") % {"value": local_number(value, 0)}


def _per_person(value: float) -> str:
    return _("US$%(value)s") % {"value": local_number(value, 3 if value < 0.1 else 2)}


def to_cents(amounts: Sequence[float], budget: float) -> list[float]:
    """Round to cents so that the rounded amounts add up exactly to the budget (largest remainders)."""
    target = round(budget * 100)
    scaled = [max(0.0, a) * 100 for a in amounts]
    floors = [math.floor(s) for s in scaled]
    short = target - sum(floors)
    order = sorted(range(len(scaled)), key=lambda i: (-(scaled[i] - floors[i]), -scaled[i], i))
    for i in order[: max(0, short)]:
        floors[i] += 1
    for i in reversed(
        order[: max(0, -short)]
    ):  # only if rounding went over (never by more than one cent each)
        floors[i] -= 1
    return [f / 100 for f in floors]


def _bounds(request: AdviceRequest, countries: Sequence[str]) -> dict[str, alloc.Bounds]:
    found = {}
    for iso3 in countries:
        floor, ceiling = request.bounds.get(iso3, (None, None))
        found[iso3] = alloc.Bounds(
            request.floor if floor is None else floor,
            (request.ceiling if request.ceiling is not None else math.inf) if ceiling is None else ceiling,
        )
    return found


def _reason(
    unit: alloc.UnitResult, group: alloc.GroupResult, row: NeedRow, after_pc: float, measure_label: str
) -> str:
    pillars = ", ".join(f"{name} {gap * 100:.0f}/100" for name, gap in row.pillars[:2])
    need = _("need %(need)s (gap: %(pillars)s)") % {
        "need": local_number(row.need or 0, 2),
        "pillars": pillars or "—",
    }
    existing_pc = (row.funding / row.population) if row.population else 0.0
    has = _("existing de-duplicated %(measure)s %(pc)s per person") % {
        "measure": measure_label,
        "pc": _per_person(existing_pc),
    }
    if group.status is alloc.Status.AT_FLOOR:
        return _("%(need)s; %(has)s; raised to the country floor of %(floor)s (on need alone: %(alone)s)") % {
            "need": need,
            "has": has,
            "floor": _usd(group.floor),
            "alone": _usd(group.unconstrained),
        }
    if group.status is alloc.Status.AT_CEILING:
        return _(
            "%(need)s; %(has)s; held at the country ceiling of %(ceiling)s (on need alone: %(alone)s)"
        ) % {
            "need": need,
            "has": has,
            "ceiling": _usd(group.ceiling),
            "alone": _usd(group.unconstrained),
        }
    if unit.status is alloc.Status.NO_NEED:
        return _("no measured gap in this area; receives money only to meet a floor") % {}
    if unit.amount <= 0:
        return _("%(need)s; %(has)s — already more than its need justifies at this budget") % {
            "need": need,
            "has": has,
        }
    return _(
        "%(need)s; %(has)s; brought to %(after)s per person, where one more dollar does as much good as "
        "in every other funded place"
    ) % {"need": need, "has": has, "after": _per_person(after_pc)}


def advise(request: AdviceRequest) -> Advice:
    """Solve the allocation for the request (see module docstring). Raises :class:`AdviceError`."""
    if not math.isfinite(request.budget) or request.budget <= 0:
        raise AdviceError(
            _("budget must be a positive amount of US dollars; got %(value)s")
            % {"value": repr(request.budget)}
        )
    reference = request.reference_per_capita
    if reference is not None and (not math.isfinite(reference) or reference <= 0):
        raise AdviceError(_("reference per capita must be > 0; got %(value)s") % {"value": repr(reference)})
    if not 0 < request.sensitivity < 1:
        raise AdviceError(
            _("sensitivity must be between 0 and 1; got %(value)s") % {"value": repr(request.sensitivity)}
        )
    table = need_table(
        focus_area=request.focus_area,
        by_area=not request.focus_area,
        group=request.group,
        iso3=list(request.iso3) or None,
        measure=request.measure,
        year_from=request.year_from,
        year_to=request.year_to,
    )
    rows = sorted(table.rows, key=lambda r: (r.iso3, r.focus_area))
    if not rows:
        raise AdviceError(_("no eligible country has both a Gap Index need and a population"))
    unknown = sorted(set(request.bounds) - {r.iso3 for r in rows})
    if unknown:
        raise AdviceError(
            _("floor/ceiling given for %(countries)s, not eligible (or without a need figure)")
            % {"countries": ", ".join(unknown)}
        )
    by_key = {f"{r.iso3}/{r.focus_area}": r for r in rows}
    if reference is None:
        people = sum({r.iso3: float(r.population or 0) for r in rows}.values())
        reference = request.budget / people
    units = [
        alloc.Unit(
            key,
            r.iso3,
            float(r.need or 0) * float(r.population or 0),
            max(0.0, r.funding),
            reference * float(r.population or 1),
        )
        for key, r in by_key.items()
    ]
    problem = alloc.Problem.build(request.budget, units, _bounds(request, sorted({r.iso3 for r in rows})))
    try:
        solution = alloc.solve(problem)
        spread = alloc.sensitivity(problem, request.sensitivity, solution)
    except alloc.AllocationError as exc:
        raise AdviceError(str(exc)) from exc
    # round countries to cents first (so a country at its floor stays there), then its places within it
    group_cents = dict(
        zip(
            [g.group for g in solution.groups],
            to_cents([g.amount for g in solution.groups], request.budget),
            strict=True,
        )
    )
    cents_by_key: dict[str, float] = {}
    for group, total in group_cents.items():
        members = [u for u in solution.units if u.group == group]
        for member, value in zip(members, to_cents([u.amount for u in members], total), strict=True):
            cents_by_key[member.key] = value
    cents = [cents_by_key[u.key] for u in solution.units]
    measure_label = _("commitments") if table.measure == Measure.COMMITMENT else _("disbursements")
    groups = {g.group: g for g in solution.groups}
    advised = []
    for unit, amount in zip(solution.units, cents, strict=True):
        row = by_key[unit.key]
        population = float(row.population or 0)
        after = (row.funding + amount) / population if population else 0.0
        advised.append(
            AdvisedUnit(
                row.iso3,
                row.name,
                row.focus_area,
                amount,
                groups[unit.group].status.value if unit.amount > 0 else unit.status.value,
                _reason(unit, groups[unit.group], row, after, measure_label),
                float(row.need or 0),
                population,
                row.funding,
                row.funding / population if population else 0.0,
                after,
                unit.marginal,
            )
        )
    advised.sort(key=lambda u: (-u.amount, u.iso3, u.focus_area))
    names = {r.iso3: r.name for r in rows}
    per_country: dict[str, float] = {}
    for u in advised:
        per_country[u.iso3] = per_country.get(u.iso3, 0.0) + u.amount
    sensitivity = {s.group: s for s in spread}
    countries = [
        AdvisedCountry(
            g.group,
            names[g.group],
            round(per_country.get(g.group, 0.0), 2),
            g.status.value,
            g.floor,
            None if math.isinf(g.ceiling) else g.ceiling,
            None if math.isinf(g.unconstrained) else g.unconstrained,
            sensitivity[g.group].lower,
            sensitivity[g.group].upper,
        )
        for g in solution.groups
    ]
    countries.sort(key=lambda c: (-c.amount, c.iso3))
    return Advice(
        request,
        advised,
        countries,
        solution.objective,
        solution.baseline,
        solution.level,
        table.excluded,
        reference,
    )


def parse_bounds(text: str) -> dict[str, tuple[float | None, float | None]]:
    """``"NER:100000:5000000, MLI::2000000"`` -> {ISO3: (floor, ceiling)}; empty parts keep the default."""
    found: dict[str, tuple[float | None, float | None]] = {}
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        pieces = part.split(":")
        if len(pieces) != 3 or len(pieces[0].strip()) != 3:
            raise QueryError(
                _("bounds: %(part)s is not ISO3:floor:ceiling (e.g. NER:100000:5000000)")
                % {"part": repr(part)}
            )
        try:
            floor = float(pieces[1]) if pieces[1].strip() else None
            ceiling = float(pieces[2]) if pieces[2].strip() else None
        except ValueError:
            raise QueryError(
                _("bounds: %(part)s has an amount that is not a number") % {"part": repr(part)}
            ) from None
        found[pieces[0].strip().upper()] = (floor, ceiling)
    return found


CSV_HEADER = (
    "country",
    "name",
    "focus_area",
    "amount_usd",
    "status",
    "need",
    "population",
    "existing_dedup_usd",
    "existing_per_capita",
    "after_per_capita",
    "marginal_benefit",
    "reason",
)


def csv_rows(advice: Advice) -> list[tuple[Any, ...]]:
    return [
        (
            u.iso3,
            u.name,
            u.focus_area,
            f"{u.amount:.2f}",
            u.status,
            f"{u.need:.4f}",
            f"{u.population:.0f}",
            f"{u.existing:.2f}",
            f"{u.existing_per_capita:.6f}",
            f"{u.after_per_capita:.6f}",
            f"{u.marginal:.6g}",
            u.reason,
        )
        for u in advice.units
    ]
