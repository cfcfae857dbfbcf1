"""Project results from the registry, mapped to `gapbridge.domain.results` for pages, API and roll-ups.

Only primary activities count (the same activity published by two organizations is counted once). An
indicator's countries are its activity's recipient countries (activity level, ISO3); its focus areas are
the activity's focus-area facets. Indicators are keyed by the activity's IATI identifier.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch
from django.utils.translation import gettext, gettext_noop

from gapbridge.domain.results import (
    IndicatorIn,
    IndicatorProgress,
    PeriodIn,
    RollupKey,
    RollupReport,
    comparability,
    indicator_progress,
    roll_up,
)
from gapbridge.projects.models import Activity, ActivityFacet, IndicatorPeriod, Result, ResultIndicator
from gapbridge.projects.models.activity import pick

RESULT_TYPES = {
    "1": gettext_noop("Output"),
    "2": gettext_noop("Outcome"),
    "3": gettext_noop("Impact"),
    "9": gettext_noop("Other"),
}

#: The roll-up's reasons and notes (gapbridge.domain.results writes them in English; pages show them
#: translated). Every text the domain can give is listed here, so the catalogue has it.
DOMAIN_TEXTS = (
    gettext_noop("the publisher marks this indicator as not suitable for aggregation"),
    gettext_noop("nominal measure: values cannot be added or averaged"),
    gettext_noop("ordinal measure: values cannot be added or averaged"),
    gettext_noop("qualitative measure: values cannot be added or averaged"),
    gettext_noop("unknown measure: values cannot be added or averaged"),
    gettext_noop("a unit measure whose unit cannot be told from its title (not a 'number of …')"),
    gettext_noop("no recipient country"),
    gettext_noop("multi-country project: results are not attributed to one country"),
    gettext_noop("no focus area"),
    gettext_noop("same unit reported twice by one project"),
    gettext_noop("A project in several focus areas counts in each; do not add totals across focus areas."),
    gettext_noop("Multi-country projects are not attributed to a single country."),
)


def _periods(indicator: ResultIndicator) -> tuple[PeriodIn, ...]:
    out = []
    for period in indicator.periods.all():
        values = list(period.values.all())
        out.append(
            PeriodIn(
                start=period.period_start,
                end=period.period_end,
                targets=tuple(v.value for v in values if v.kind == "target"),
                actuals=tuple(v.value for v in values if v.kind == "actual"),
            )
        )
    return tuple(out)


def _indicator_in(
    activity: Activity, indicator: ResultIndicator, countries: tuple[str, ...], areas: tuple[str, ...]
) -> IndicatorIn:
    baselines = list(indicator.baselines.all())
    first = baselines[0] if baselines else None
    return IndicatorIn(
        project=activity.iati_identifier,
        title=pick(indicator.title) or "",
        measure=indicator.measure or None,
        countries=countries,
        focus_areas=areas,
        ascending=indicator.ascending,
        aggregation_status=indicator.aggregation_status,
        baseline=first.value if first else None,
        baseline_year=first.year if first else None,
        periods=_periods(indicator),
    )


def _results_prefetch() -> Prefetch:
    return Prefetch(
        "results",
        queryset=Result.objects.order_by("position").prefetch_related(
            Prefetch(
                "indicators",
                queryset=ResultIndicator.objects.order_by("position").prefetch_related(
                    "baselines",
                    Prefetch(
                        "periods",
                        queryset=IndicatorPeriod.objects.order_by("position").prefetch_related("values"),
                    ),
                ),
            )
        ),
    )


def _facets(activity_ids: list[int]) -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
    countries: dict[int, list[str]] = defaultdict(list)
    from gapbridge.projects.models import RecipientCountry

    for aid, iso3 in (
        RecipientCountry.objects.filter(activity_id__in=activity_ids)
        .exclude(iso3="")
        .order_by("activity_id", "position")
        .values_list("activity_id", "iso3")
    ):
        countries[aid].append(iso3)
    areas: dict[int, list[str]] = defaultdict(list)
    for aid, value in ActivityFacet.objects.filter(
        activity_id__in=activity_ids, kind=ActivityFacet.Kind.FOCUS_AREA
    ).values_list("activity_id", "value"):
        areas[aid].append(value)
    return (
        {k: tuple(dict.fromkeys(v)) for k, v in countries.items()},
        {k: tuple(sorted(set(v))) for k, v in areas.items()},
    )


@dataclass(frozen=True)
class IndicatorRow:
    title: str
    measure: str | None
    measure_label: str
    ascending: bool | None
    progress: IndicatorProgress
    key: RollupKey | None
    not_comparable: str


@dataclass(frozen=True)
class ResultRow:
    title: str
    type: str
    indicators: list[IndicatorRow]


MEASURES = {
    "1": gettext_noop("unit"),
    "2": gettext_noop("percentage"),
    "3": gettext_noop("nominal"),
    "4": gettext_noop("ordinal"),
    "5": gettext_noop("qualitative"),
}


def project_results(activity: Activity) -> list[ResultRow]:
    """One activity's results: per indicator baseline, targets and actuals per period, and progress."""
    activity = Activity.objects.prefetch_related(_results_prefetch()).get(pk=activity.pk)
    countries, areas = _facets([activity.pk])
    rows = []
    for result in activity.results.all():
        indicators = []
        for ind in result.indicators.all():
            data = _indicator_in(activity, ind, countries.get(activity.pk, ()), areas.get(activity.pk, ()))
            key, why = comparability(data)
            indicators.append(
                IndicatorRow(
                    title=data.title,
                    measure=data.measure,
                    measure_label=gettext(MEASURES[data.measure]) if data.measure in MEASURES else "",
                    ascending=ind.ascending,
                    progress=indicator_progress(data),
                    key=key,
                    not_comparable=gettext(why) if why else "",
                )
            )
        rows.append(
            ResultRow(
                title=pick(result.title) or "",
                type=gettext(RESULT_TYPES[result.type]) if result.type in RESULT_TYPES else result.type,
                indicators=indicators,
            )
        )
    return rows


def all_indicators(*, country: str = "", focus_area: str = "") -> list[IndicatorIn]:
    qs: Any = Activity.objects.primary().filter(results__isnull=False).distinct()
    if country:
        qs = qs.filter(recipient_countries__iso3=country.upper())
    if focus_area:
        qs = qs.in_focus_area(focus_area)
    activities = list(qs.prefetch_related(_results_prefetch()))
    countries, areas = _facets([a.pk for a in activities])
    out = []
    for activity in activities:
        for result in activity.results.all():
            for ind in result.indicators.all():
                out.append(
                    _indicator_in(activity, ind, countries.get(activity.pk, ()), areas.get(activity.pk, ()))
                )
    return out


def rollup(by: str, *, country: str = "", focus_area: str = "") -> RollupReport:
    """Comparable indicators rolled up by country or focus area; cached until the registry changes."""
    stats = Activity.objects.aggregate(n=Count("id"), last=Max("imported_at"))
    raw = f"{by}|{country}|{focus_area}|{stats['n']}|{stats['last']}"
    key = "results-rollup:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    cached: RollupReport | None = cache.get(key)
    if cached is not None:
        return cached
    report = roll_up(all_indicators(country=country, focus_area=focus_area), by)  # type: ignore[arg-type]
    if country:
        report = RollupReport(
            report.dimension,
            tuple(r for r in report.rollups if by != "country" or r.group == country.upper()),
            report.excluded,
            report.note,
            report.reasons,
        )
    cache.set(key, report, 600)
    return report
