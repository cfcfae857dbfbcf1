"""Pledge fulfilment arithmetic, pure (no Django): money in US dollars, cumulative by year, in percent.

Only converted amounts are added; an amount that could not be converted to dollars is counted apart by
the caller and never treated as dollars. Commitments and disbursements are kept apart (a disbursement
usually follows a commitment of the same money, so adding them would count it twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class FlowKind(StrEnum):
    COMMITMENT = "commitment"
    DISBURSEMENT = "disbursement"


@dataclass(frozen=True, slots=True)
class FlowIn:
    kind: FlowKind | str
    on: date
    usd: Decimal | None  # None = could not be converted


@dataclass(frozen=True, slots=True)
class Totals:
    pledged_usd: Decimal | None
    committed_usd: Decimal
    disbursed_usd: Decimal
    committed_pct: float | None
    disbursed_pct: float | None
    unconverted_flows: int


@dataclass(frozen=True, slots=True)
class YearPoint:
    year: int
    committed_usd: Decimal  # cumulative to the end of the year
    disbursed_usd: Decimal
    committed_pct: float | None
    disbursed_pct: float | None


def pct(part: Decimal, whole: Decimal | None) -> float | None:
    if whole is None or whole <= 0:
        return None
    return float(part / whole * 100)


def totals(pledged_usd: Decimal | None, flows: Iterable[FlowIn]) -> Totals:
    committed = disbursed = ZERO
    unconverted = 0
    for flow in flows:
        if flow.usd is None:
            unconverted += 1
        elif flow.kind == FlowKind.COMMITMENT:
            committed += flow.usd
        else:
            disbursed += flow.usd
    return Totals(
        pledged_usd=pledged_usd,
        committed_usd=committed,
        disbursed_usd=disbursed,
        committed_pct=pct(committed, pledged_usd),
        disbursed_pct=pct(disbursed, pledged_usd),
        unconverted_flows=unconverted,
    )


def by_year(pledged_usd: Decimal | None, flows: Iterable[FlowIn], first: int, last: int) -> list[YearPoint]:
    """Cumulative committed and disbursed dollars at the end of each year from `first` to `last`.

    Flows dated before `first` count from the first year; flows after `last` are not shown yet.
    """
    if last < first:
        return []
    per_year: dict[tuple[str, int], Decimal] = {}
    for flow in flows:
        if flow.usd is None:
            continue
        year = max(flow.on.year, first)
        kind = FlowKind.COMMITMENT if flow.kind == FlowKind.COMMITMENT else FlowKind.DISBURSEMENT
        per_year[(kind, year)] = per_year.get((kind, year), ZERO) + flow.usd
    points = []
    committed = disbursed = ZERO
    for year in range(first, last + 1):
        committed += per_year.get((FlowKind.COMMITMENT, year), ZERO)
        disbursed += per_year.get((FlowKind.DISBURSEMENT, year), ZERO)
        points.append(
            YearPoint(year, committed, disbursed, pct(committed, pledged_usd), pct(disbursed, pledged_usd))
        )
    return points
