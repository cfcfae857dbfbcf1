"""Reads of the analytics app: the funding cube, funding against need with the neglect ranking, the
provider × country matrix, concentration (HHI) and coordination alerts. No writes here.

Every money figure is offered both ways — ``gross_usd`` (everything reported, added up) and
``dedup_usd`` (money counted once, rule in :mod:`gapbridge.domain.dedup`) — and every function that
returns one value per cell takes a ``basis`` saying which.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from gapbridge.analytics import source
from gapbridge.analytics.models import (
    AlertStatus,
    AlertTier,
    Basis,
    CoordinationAlert,
    CoordinationAlertQuerySet,
    FundingRow,
    Measure,
)
from gapbridge.analytics.need import CountryNeed, check_focus_area, eligible_economies, needs
from gapbridge.api.limits import check_id
from gapbridge.countries.queries import QueryError
from gapbridge.organizations.queries import provider_names

GROUP_FIELDS = {
    "country": "iso3",
    "focus_area": "focus_area",
    "year": "year",
    "provider": "provider_key",
    "measure": "measure",
}
DIGITAL = "digital"  # every GapBridge focus area together


def check_basis(basis: str) -> str:
    if basis not in Basis.values:
        raise QueryError(
            _("basis: %(value)s is not one of %(known)s")
            % {"value": repr(basis), "known": ", ".join(Basis.values)}
        )
    return basis


def check_measure(measure: str | None) -> str | None:
    if measure and measure not in Measure.values:
        raise QueryError(
            _("measure: %(value)s is not one of %(known)s")
            % {"value": repr(measure), "known": ", ".join(Measure.values)}
        )
    return measure or None


def value_field(basis: str) -> str:
    return "dedup_usd" if check_basis(basis) == Basis.DEDUPLICATED else "gross_usd"


@dataclass(frozen=True)
class FundingFilter:
    iso3: Sequence[str] = ()
    focus_area: str = ""  # "" any (incl. outside the focus areas); "digital" any focus area; or a slug
    measure: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    provider: str = ""

    def apply(self, qs: QuerySet[FundingRow]) -> QuerySet[FundingRow]:
        if self.iso3:
            qs = qs.filter(iso3__in=[c.upper() for c in self.iso3])
        if self.focus_area == DIGITAL:
            qs = qs.exclude(focus_area="")
        elif self.focus_area:
            qs = qs.filter(focus_area=check_focus_area(self.focus_area))
        if check_measure(self.measure):
            qs = qs.filter(measure=self.measure)
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise QueryError(
                _("year_from %(start)s is after year_to %(end)s")
                % {"start": self.year_from, "end": self.year_to}
            )
        if self.year_from is not None:
            qs = qs.filter(year__gte=self.year_from)
        if self.year_to is not None:
            qs = qs.filter(year__lte=self.year_to)
        if self.provider:
            qs = qs.filter(provider_key=self.provider)
        return qs


def funding_cube(group_by: Sequence[str], filters: FundingFilter | None = None) -> list[dict[str, Any]]:
    """Sums of gross and de-duplicated USD (and unconvertible facts) grouped by the given dimensions."""
    unknown = [g for g in group_by if g not in GROUP_FIELDS]
    if unknown:
        raise QueryError(
            _("group_by: unknown %(unknown)s (use %(known)s)")
            % {"unknown": ", ".join(unknown), "known": ", ".join(GROUP_FIELDS)}
        )
    if len(set(group_by)) != len(group_by):
        raise QueryError(_("group_by: a dimension is listed twice"))
    fields = [GROUP_FIELDS[g] for g in group_by]
    qs = (filters or FundingFilter()).apply(FundingRow.objects.all())
    rows = qs.values(*fields).annotate(
        gross=Sum("gross_usd"), dedup=Sum("dedup_usd"), unconverted_facts=Sum("unconverted")
    )
    if fields:
        rows = rows.order_by(*fields)
    out = []
    names = _provider_names() if "provider" in group_by else {}
    for row in rows:
        item: dict[str, Any] = {g: row[GROUP_FIELDS[g]] for g in group_by}
        if "provider" in group_by:
            item["provider_name"] = names.get(row["provider_key"], "")
        item["gross_usd"] = round(float(row["gross"] or 0), 2)
        item["dedup_usd"] = round(float(row["dedup"] or 0), 2)
        item["unconverted_facts"] = int(row["unconverted_facts"] or 0)
        out.append(item)
    return out


def totals_by_measure(filters: FundingFilter | None = None) -> dict[str, dict[str, float]]:
    """Gross and de-duplicated USD per measure, summed exactly in the database and rounded once (the cells
    of `funding_cube` are rounded to the cent, so adding them up drifts by a few cents with `group_by`)."""
    qs = (filters or FundingFilter()).apply(FundingRow.objects.all())
    rows = qs.values("measure").annotate(gross=Sum("gross_usd"), dedup=Sum("dedup_usd")).order_by("measure")
    return {
        row["measure"]: {
            "gross_usd": round(float(row["gross"] or 0), 2),
            "dedup_usd": round(float(row["dedup"] or 0), 2),
        }
        for row in rows
    }


def _provider_names() -> dict[str, str]:
    """One read of the rows: each key, with the first name published with its money."""
    published: dict[str, str] = {}
    keys: set[str] = set()
    for key, name in FundingRow.objects.exclude(provider_key="").values_list("provider_key", "provider_name"):
        keys.add(key)
        if name:
            published.setdefault(key, name)
    return provider_names(published, keys)


def totals(filters: FundingFilter | None = None) -> dict[str, dict[str, float]]:
    """{measure: {"gross_usd", "dedup_usd", "unconverted_facts"}} under the filters."""
    found: dict[str, dict[str, float]] = {
        m: {"gross_usd": 0.0, "dedup_usd": 0.0, "unconverted_facts": 0} for m in Measure.values
    }
    for row in funding_cube(["measure"], filters):
        found[row["measure"]] = {k: row[k] for k in ("gross_usd", "dedup_usd", "unconverted_facts")}
    return found


# -- funding against need ---------------------------------------------------------------------------------
@dataclass
class NeedRow:
    iso3: str
    name: str
    focus_area: str  # "" = all focus areas together (country level)
    need: float | None
    population: float | None
    commitments_gross: float = 0.0
    commitments_dedup: float = 0.0
    disbursements_gross: float = 0.0
    disbursements_dedup: float = 0.0
    #: the measure the ranking uses, de-duplicated
    funding: float = 0.0
    per_capita: float | None = None
    fair_share: float | None = None
    coverage: float | None = None
    neglect_rank: int | None = None
    note: str = ""
    pillars: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class NeedTable:
    rows: list[NeedRow]
    measure: str
    focus_area: str
    group: str
    year_from: int | None
    year_to: int | None
    total_funding: float
    excluded: list[NeedRow]


def _funding_by(
    iso3s: Iterable[str], focus_area: str, by_area: bool, year_from: int | None, year_to: int | None
) -> dict[tuple[str, str], dict[str, float]]:
    filters = FundingFilter(
        iso3=list(iso3s), focus_area=focus_area or DIGITAL, year_from=year_from, year_to=year_to
    )
    group = ["country", "focus_area", "measure"] if by_area else ["country", "measure"]
    found: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in funding_cube(group, filters):
        key = (row["country"], row.get("focus_area", "") if by_area else "")
        prefix = "commitments" if row["measure"] == Measure.COMMITMENT else "disbursements"
        found[key][f"{prefix}_gross"] += row["gross_usd"]
        found[key][f"{prefix}_dedup"] += row["dedup_usd"]
    return found


def need_table(
    *,
    focus_area: str = "",
    by_area: bool = False,
    group: str = "",
    iso3: Sequence[str] | None = None,
    measure: str = Measure.DISBURSEMENT,
    year_from: int | None = None,
    year_to: int | None = None,
) -> NeedTable:
    """Need, funding (gross and de-duplicated) and the neglect ranking per country (× focus area).

    The ranking compares each place's de-duplicated funding with a *need-proportional share* of all the
    funding in the table: ``fair = total × need·population / Σ need·population``. ``coverage =
    funding / fair``; the most neglected place has the lowest coverage (ties: higher need, then more
    people). Places without a need figure or a population are listed apart, not ranked.
    """
    focus_area = check_focus_area(focus_area)
    measure = check_measure(measure) or Measure.DISBURSEMENT
    economies = eligible_economies(group or None, iso3)
    found_needs = needs(economies)
    areas = [focus_area] if focus_area else [slug for slug, _ in source.focus_areas()] if by_area else [""]
    funding = _funding_by(found_needs, focus_area, bool(focus_area) or by_area, year_from, year_to)
    rows: list[NeedRow] = []
    excluded: list[NeedRow] = []
    for iso3_code, need in found_needs.items():
        for area in areas:
            rows_or_excluded = _need_row(need, area, funding.get((iso3_code, area), {}), measure)
            (rows if rows_or_excluded.note == "" else excluded).append(rows_or_excluded)
    total = sum(r.funding for r in rows)
    mass = sum((r.need or 0) * (r.population or 0) for r in rows)
    for r in rows:
        assert r.need is not None and r.population
        r.fair_share = total * r.need * r.population / mass if mass > 0 else 0.0
        r.coverage = r.funding / r.fair_share if r.fair_share else None
    ranked = sorted(
        rows,
        key=lambda r: (
            r.coverage if r.coverage is not None else (0.0 if r.need else math.inf),
            -(r.need or 0),
            -(r.population or 0),
            r.iso3,
            r.focus_area,
        ),
    )
    for position, r in enumerate(ranked, start=1):
        r.neglect_rank = position
    return NeedTable(ranked, measure, focus_area, group, year_from, year_to, total, excluded)


def _need_row(need: CountryNeed, area: str, money: dict[str, float], measure: str) -> NeedRow:
    row = NeedRow(
        need.iso3,
        need.name,
        area,
        need.area(area),
        need.population,
        commitments_gross=money.get("commitments_gross", 0.0),
        commitments_dedup=money.get("commitments_dedup", 0.0),
        disbursements_gross=money.get("disbursements_gross", 0.0),
        disbursements_dedup=money.get("disbursements_dedup", 0.0),
        pillars=need.pillars_of(area),
    )
    row.funding = row.commitments_dedup if measure == Measure.COMMITMENT else row.disbursements_dedup
    if row.population:
        row.per_capita = row.funding / row.population
    if row.need is None:
        row.note = _("no Gap Index score for this area")
    elif not row.population:
        row.note = _("no population figure")
    return row


# -- providers --------------------------------------------------------------------------------------------
@dataclass
class Matrix:
    providers: list[tuple[str, str, float]]  # key, name, total
    countries: list[tuple[str, float]]  # iso3, total
    cells: dict[tuple[str, str], float]
    basis: str
    total: float


def provider_matrix(
    filters: FundingFilter, *, basis: str = Basis.DEDUPLICATED, providers: int = 15, countries: int = 20
) -> Matrix:
    """The largest providers × the most funded countries (values on ``basis``); the CSV has them all."""
    column = "dedup_usd" if check_basis(basis) == Basis.DEDUPLICATED else "gross_usd"
    cells: dict[tuple[str, str], float] = defaultdict(float)
    by_provider: dict[str, float] = defaultdict(float)
    by_country: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for row in funding_cube(["provider", "country"], filters):
        if not row["country"]:
            continue
        value = row[column]
        cells[row["provider"], row["country"]] += value
        by_provider[row["provider"]] += value
        by_country[row["country"]] += value
        names.setdefault(row["provider"], row.get("provider_name", ""))
    top_p = sorted(by_provider.items(), key=lambda kv: (-kv[1], kv[0]))
    top_c = sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))
    if providers:
        top_p = top_p[:providers]
    if countries:
        top_c = top_c[:countries]
    return Matrix(
        [(k, names.get(k) or k or "(not stated)", v) for k, v in top_p],
        top_c,
        dict(cells),
        basis,
        sum(by_country.values()),
    )


@dataclass
class Concentration:
    iso3: str
    total: float
    providers: int
    hhi: float  # 0..1: Σ share²
    top_provider: str
    top_share: float


def concentration(filters: FundingFilter, *, basis: str = Basis.DEDUPLICATED) -> list[Concentration]:
    """Per country: how concentrated its funding is among providers (Herfindahl-Hirschman index, 0–1).

    HHI = Σ (provider's share)²: 1 when one provider gives everything, 1/n for n equal providers.
    Providers with a negative or zero total (reversals) are left out of the shares.
    """
    column = "dedup_usd" if check_basis(basis) == Basis.DEDUPLICATED else "gross_usd"
    per: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    names: dict[str, str] = {}
    for row in funding_cube(["country", "provider"], filters):
        if row["country"]:
            per[row["country"]][row["provider"]] += row[column]
            names.setdefault(row["provider"], row.get("provider_name", ""))
    out = []
    for iso3, providers in per.items():
        positive = {k: v for k, v in providers.items() if v > 0}
        total = sum(positive.values())
        if total <= 0:
            continue
        shares = {k: v / total for k, v in positive.items()}
        top = max(shares, key=lambda k: (shares[k], k))
        out.append(
            Concentration(
                iso3,
                total,
                len(shares),
                sum(s * s for s in shares.values()),
                names.get(top) or top or "(not stated)",
                shares[top],
            )
        )
    return sorted(out, key=lambda c: (-c.hhi, -c.total, c.iso3))


# -- alerts -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AlertFilter:
    status: str = ""
    tier: str = ""
    country: str = ""
    organization: int | None = None
    q: str = ""
    include_stale: bool = False


def alerts(filters: AlertFilter) -> CoordinationAlertQuerySet:
    qs: CoordinationAlertQuerySet = CoordinationAlert.objects.all()
    if not filters.include_stale:
        qs = qs.current()
    if filters.status:
        if filters.status not in AlertStatus.values:
            raise QueryError(
                _("status: %(value)s is not one of %(known)s")
                % {"value": repr(filters.status), "known": ", ".join(AlertStatus.values)}
            )
        qs = qs.filter(status=filters.status)
    if filters.tier:
        if filters.tier not in AlertTier.values:
            raise QueryError(
                _("tier: %(value)s is not one of %(known)s")
                % {"value": repr(filters.tier), "known": ", ".join(AlertTier.values)}
            )
        qs = qs.filter(tier=filters.tier)
    if filters.country:
        qs = qs.in_country(filters.country)
    if filters.organization is not None:
        qs = qs.involving_organizations({check_id("organization", filters.organization)})
    if filters.q:
        for word in filters.q.split()[:6]:
            qs = qs.filter(
                Q(a_title__icontains=word)
                | Q(b_title__icontains=word)
                | Q(a_identifier__icontains=word)
                | Q(b_identifier__icontains=word)
            )
    strongest_first = Case(
        *(When(tier=t, then=Value(i)) for i, t in enumerate(AlertTier.values)), output_field=IntegerField()
    )
    return qs.annotate(tier_rank=strongest_first).order_by("tier_rank", "-score", "id")


def tier_order(tier: str) -> int:
    return AlertTier.values.index(tier) if tier in AlertTier.values else len(AlertTier.values)
