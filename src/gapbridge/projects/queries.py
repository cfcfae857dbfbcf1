"""Read-side queries of the registry, shared by the pages, the API and the CLI: activity search, funding
totals (from the precomputed cube, or from the facts while the cube is being rebuilt), data quality."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pycountry
from django.db.models import Count, Max, QuerySet, Sum
from django.utils.translation import gettext as _

from gapbridge.countries.models import Economy
from gapbridge.countries.queries import QueryError
from gapbridge.organizations.queries import provider_names
from gapbridge.projects.focus import load_focus_map
from gapbridge.projects.models import (
    Activity,
    ActivityQuerySet,
    Finding,
    FundingCube,
    FundingFact,
    RegistryState,
    SourceFile,
)

__all__ = ["QueryError"]

FUNDING_TYPES = {"2": "commitments", "3": "disbursements", "4": "expenditure"}
#: group_by name -> column (same name in the cube and the facts)
DIMENSIONS = {
    "country": "iso3",
    "focus_area": "focus_area",
    "provider": "provider_key",
    "year": "year",
    "region": "region",
}
MAX_YEAR = 2100


@dataclass(frozen=True)
class ActivityFilter:
    q: str = ""
    country: str = ""
    focus_area: str = ""
    sector: str = ""
    publisher: str = ""
    status: str = ""
    year: int | None = None
    identifier: str = ""


def check_focus_area(slug: str) -> None:
    if slug and slug not in load_focus_map().by_slug:
        raise QueryError(
            _("unknown focus_area %(slug)s; one of: %(known)s")
            % {"slug": repr(slug), "known": ", ".join(load_focus_map().by_slug)}
        )


def check_country(code: str) -> str:
    """An ISO3 country filter, upper-cased: an economy of the reference data, an ISO 3166 country, or a
    country the registry's money goes to; anything else is refused rather than answered with zeros."""
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise QueryError(_("country takes an ISO3 code such as KEN, not %(value)s") % {"value": repr(code)})
    iso3 = code.upper()
    known = (
        pycountry.countries.get(alpha_3=iso3) is not None
        or Economy.objects.filter(iso3=iso3).exists()
        or FundingFact.objects.filter(iso3=iso3).exists()
    )
    if not known:
        raise QueryError(_("country: no country with ISO3 code %(code)s") % {"code": repr(code)})
    return iso3


def parse_year(text: str | int | None) -> int | None:
    if text in (None, ""):
        return None
    try:
        year = int(text)
    except ValueError:
        raise QueryError(
            _("year must be a number like 2021, not %(value)s") % {"value": repr(text)}
        ) from None
    if not 1900 <= year <= MAX_YEAR:
        raise QueryError(_("year %(year)s is out of range (1900-%(max)s)") % {"year": year, "max": MAX_YEAR})
    return year


def activities(filters: ActivityFilter) -> ActivityQuerySet:
    """Activities matching every given filter (see :class:`ActivityFilter`)."""
    qs: ActivityQuerySet = Activity.objects.all()
    if filters.country:
        qs = qs.in_country(check_country(filters.country))
    if filters.focus_area:
        check_focus_area(filters.focus_area)
        qs = qs.in_focus_area(filters.focus_area)
    if filters.sector:
        qs = qs.with_sector(filters.sector)
    if filters.publisher:
        qs = qs.by_publisher(filters.publisher)
    if filters.status:
        qs = qs.with_status(filters.status)
    if filters.year is not None:
        qs = qs.active_in(filters.year)
    if filters.identifier:
        qs = qs.filter(iati_identifier=filters.identifier)
    if filters.q.strip():
        qs = qs.search(filters.q)
    return qs


# -- funding -----------------------------------------------------------------------------------------------
@dataclass
class Unconvertible:
    transactions: int = 0
    values: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "transactions": self.transactions,
            "values": [{"currency": c or None, "value": float(v)} for c, v in sorted(self.values.items())],
        }


@dataclass
class FundingRow:
    key: dict[str, Any]
    usd: dict[str, Decimal] = field(default_factory=lambda: {t: Decimal(0) for t in FUNDING_TYPES.values()})
    transactions: int = 0
    unconvertible: Unconvertible = field(default_factory=Unconvertible)
    provider_name: str = ""


@dataclass
class Funding:
    group_by: list[str]
    rows: list[FundingRow]
    source: str  # "cube" or "facts"

    def totals(self) -> FundingRow:
        total = FundingRow({})
        for row in self.rows:
            for name, value in row.usd.items():
                total.usd[name] += value
            total.transactions += row.transactions
            total.unconvertible.transactions += row.unconvertible.transactions
            for currency, value in row.unconvertible.values.items():
                total.unconvertible.values[currency] = (
                    total.unconvertible.values.get(currency, Decimal(0)) + value
                )
        return total


def parse_group_by(text: str | Sequence[str]) -> list[str]:
    names = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if p.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise QueryError(
            _("group_by: unknown %(unknown)s; use any of %(known)s")
            % {"unknown": ", ".join(unknown), "known": ", ".join(DIMENSIONS)}
        )
    return list(dict.fromkeys(names))


def cube_is_current() -> bool:
    state = RegistryState.objects.filter(pk=1).first()
    return state is not None and not state.cube_dirty


def funding(
    group_by: Sequence[str],
    *,
    country: str = "",
    focus_area: str = "",
    provider: str = "",
    year: int | None = None,
    publisher: str = "",
    types: Iterable[str] = tuple(FUNDING_TYPES),
) -> Funding:
    """USD commitments, disbursements and expenditure grouped by ``group_by``; values that could not be
    converted are reported per group in their own currency (never added to the dollars).

    Only primary copies of activities count (an identifier published by two organisations counts once).
    """
    dims = [DIMENSIONS[g] for g in group_by]
    check_focus_area(focus_area)
    wanted = [t for t in types if t in FUNDING_TYPES]
    use_cube = not publisher and cube_is_current()
    qs: QuerySet[Any]
    if use_cube:
        qs = FundingCube.objects.filter(transaction_type__in=wanted)
        currency_col, original_col = "unconverted_currency", "unconverted_value"
    else:
        qs = FundingFact.objects.filter(transaction_type__in=wanted, activity__is_primary=True)
        if publisher:
            qs = qs.filter(activity__publisher_ref=publisher)
        currency_col, original_col = "currency", "value"
    if country:
        qs = qs.filter(iso3=country.upper())
    if focus_area:
        qs = qs.filter(focus_area=focus_area)
    if provider:
        qs = qs.filter(provider_key=provider)
    if year is not None:
        qs = qs.filter(year=year)
    rows: dict[tuple[Any, ...], FundingRow] = {}

    def row_for(values: dict[str, Any]) -> FundingRow:
        key = tuple(values[d] for d in dims)
        found = rows.get(key)
        if found is None:
            found = rows[key] = FundingRow({g: values[DIMENSIONS[g]] for g in group_by})
        return found

    names = [*dims, "transaction_type"]
    if "provider_key" in dims:
        converted = (
            qs.filter(value_usd__isnull=False)
            .values(*names)
            .annotate(usd=Sum("value_usd"), n=Sum("transactions"), name=Max("provider_name"))
        )
    else:
        converted = (
            qs.filter(value_usd__isnull=False)
            .values(*names)
            .annotate(usd=Sum("value_usd"), n=Sum("transactions"))
        )
    for values in converted:
        row = row_for(values)
        row.usd[FUNDING_TYPES[values["transaction_type"]]] += Decimal(str(values["usd"] or 0))
        row.transactions += values["n"] or 0
        if values.get("name"):
            row.provider_name = values["name"]
    lost = (
        qs.filter(value_usd__isnull=True)
        .values(*dims, currency_col)
        .annotate(original=Sum(original_col), n=Sum("transactions"))
    )
    for values in lost:
        row = row_for(values)
        row.transactions += values["n"] or 0
        row.unconvertible.transactions += values["n"] or 0
        currency = values[currency_col] or ""
        row.unconvertible.values[currency] = row.unconvertible.values.get(currency, Decimal(0)) + Decimal(
            str(values["original"] or 0)
        )
    if "provider_key" in dims:
        labels = provider_names(
            {r.key["provider"]: r.provider_name for r in rows.values() if r.provider_name},
            (r.key["provider"] for r in rows.values()),
        )
        for r in rows.values():
            r.provider_name = labels.get(r.key["provider"], r.provider_name)
    ordered = sorted(rows.values(), key=lambda r: tuple(_sort_key(r.key.get(g)) for g in group_by))
    return Funding(list(group_by), ordered, "cube" if use_cube else "facts")


def _sort_key(value: Any) -> tuple[int, Any]:
    return (1, "") if value in (None, "") else (0, value)


# -- data quality ------------------------------------------------------------------------------------------
@dataclass
class QualityReport:
    activities: int
    with_errors: int
    by_code: list[dict[str, Any]]
    files: list[dict[str, Any]]


def quality_report(publisher_ref: str) -> QualityReport:
    """Findings of a publisher's activities by severity and code, and per source file."""
    findings = Finding.objects.filter(activity__publisher_ref=publisher_ref)
    grouped: Any = (
        findings.values("severity", "code")
        .annotate(count=Count("id"), activities=Count("activity", distinct=True))
        .order_by("severity", "-count", "code")
    )
    by_code: list[dict[str, Any]] = list(grouped)
    per_file: dict[int | None, dict[str, int]] = defaultdict(lambda: {"error": 0, "warning": 0, "info": 0})
    for values in findings.values("source_file", "severity").annotate(count=Count("id")):
        per_file[values["source_file"]][values["severity"]] = values["count"]
    acts = Activity.objects.filter(publisher_ref=publisher_ref)
    counts = dict(acts.values_list("source_file").annotate(n=Count("id")).values_list("source_file", "n"))
    files = []
    for source in SourceFile.objects.filter(pk__in=[k for k in counts if k is not None]).order_by("name"):
        files.append({"file": source, "activities": counts.get(source.pk, 0), **per_file.get(source.pk, {})})
    with_errors = acts.filter(findings__severity="error").distinct().count()
    return QualityReport(acts.count(), with_errors, by_code, files)


def file_report(source: SourceFile) -> dict[str, Any]:
    findings = Finding.objects.filter(source_file=source)
    return {
        "by_code": list(
            findings.values("severity", "code")
            .annotate(count=Count("id"))
            .order_by("severity", "-count", "code")
        ),
        "skipped": list(findings.filter(activity__isnull=True).order_by("line")[:200]),
        "activities": Activity.objects.filter(source_file=source).count(),
        "publishers": list(
            Activity.objects.filter(source_file=source)
            .values("publisher_ref")
            .annotate(n=Count("id"))
            .order_by("-n", "publisher_ref")
        ),
    }


def publishers() -> list[dict[str, Any]]:
    rows: Any = (
        Activity.objects.values("publisher_ref")
        .annotate(
            activities=Count("id"),
            name=Max("reporting_org__name"),
            last_updated=Max("last_updated_datetime"),
        )
        .order_by("-activities", "publisher_ref")
    )
    return list(rows)


def years_with_funding(country: str) -> list[int]:
    qs = FundingCube.objects if cube_is_current() else FundingFact.objects
    years = qs.filter(iso3=country.upper(), year__isnull=False).values_list("year", flat=True).distinct()
    return sorted(y for y in years if y is not None)
