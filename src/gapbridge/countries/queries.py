"""Read-side queries shared by the pages, the API and the CLI: listings, profiles, group averages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Prefetch, Q
from django.utils import timezone

from gapbridge.countries.models import (
    CountryGroup,
    Economy,
    EconomyQuerySet,
    GroupMembership,
    IncomeGroup,
    IndicatorValue,
    LegalStatus,
    PeerAhead,
    PillarScore,
)

SORTS = {
    "name": "name_en",
    "-name": "-name_en",
    "iso3": "iso3",
    "score": "score__overall",
    "-score": "-score__overall",
    "rank": "score__rank",
    "region": "region",
    "income": "income_group",
    "population": "latest_population",
    "-population": "-latest_population",
}


class QueryError(ValueError):
    """A filter or sort the listing does not understand; the message names it."""


def today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class CountryFilter:
    q: str = ""
    region: str = ""
    income_group: str = ""
    group: str = ""
    on: dt.date | None = None
    sort: str = "name"


def economies(filters: CountryFilter) -> EconomyQuerySet:
    qs: EconomyQuerySet = Economy.objects.select_related("score")
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(name_en__icontains=q) | Q(name_fr__icontains=q) | Q(name_es__icontains=q) | Q(name_ar__icontains=q)
            | Q(iso3__iexact=q) | Q(iso2__iexact=q)
        )
    if filters.region:
        qs = qs.filter(Q(region__iexact=filters.region) | Q(sub_region__iexact=filters.region)
                       | Q(wb_region__iexact=filters.region))
    if filters.income_group:
        if filters.income_group not in IncomeGroup.values:
            raise QueryError(f"income_group must be one of L, LM, UM, H; got {filters.income_group!r}")
        qs = qs.filter(income_group=filters.income_group)
    if filters.group:
        if not CountryGroup.objects.filter(code=filters.group).exists():
            raise QueryError(f"unknown group {filters.group!r}")
        qs = qs.in_group_on(filters.group, filters.on or today())
    if filters.sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}; got {filters.sort!r}")
    return qs.order_by(SORTS[filters.sort], "iso3")


def regions() -> list[str]:
    return sorted(r for r in Economy.objects.values_list("region", flat=True).distinct() if r)


def groups_of(economy: Economy, on: dt.date | None = None) -> list[GroupMembership]:
    on = on or today()
    return [
        m for m in GroupMembership.objects.filter(economy=economy).select_related("group")
        if m.active_on(on)
    ]


def memberships_history(economy: Economy) -> list[GroupMembership]:
    return list(GroupMembership.objects.filter(economy=economy).select_related("group"))


@dataclass
class GroupAverage:
    code: str
    name: str
    members_scored: int
    pillars: dict[str, float | None] = field(default_factory=dict)
    overall: float | None = None


def group_average(code: str, name: str, members: EconomyQuerySet) -> GroupAverage:
    ids = list(members.values_list("id", flat=True))
    rows = (
        PillarScore.objects.filter(economy_id__in=ids, score__isnull=False)
        .values("pillar").annotate(avg=Avg("score"), n=Count("id"))
    )
    overall = Economy.objects.filter(id__in=ids, score__overall__isnull=False).aggregate(
        avg=Avg("score__overall"), n=Count("id")
    )
    return GroupAverage(
        code=code, name=name, members_scored=overall["n"] or 0,
        pillars={r["pillar"]: r["avg"] for r in rows}, overall=overall["avg"],
    )


def peer_group_averages(economy: Economy, on: dt.date | None = None) -> list[GroupAverage]:
    """Averages for the groups a profile compares against: region, income group and the economy's UN groups."""
    on = on or today()
    result: list[GroupAverage] = []
    if economy.region:
        result.append(group_average(f"region:{economy.region}", economy.region,
                                    Economy.objects.filter(region=economy.region)))
    if economy.income_group:
        label = IncomeGroup(economy.income_group).label
        result.append(group_average(f"income:{economy.income_group}", str(label),
                                    Economy.objects.filter(income_group=economy.income_group)))
    for membership in groups_of(economy, on):
        if membership.group.kind in {CountryGroup.Kind.UN, CountryGroup.Kind.MEMBERSHIP}:
            result.append(group_average(membership.group.code, membership.group.name,
                                        membership.group.members_on(on)))
    return result


def all_group_averages(on: dt.date | None = None) -> list[GroupAverage]:
    on = on or today()
    return [group_average(g.code, g.name, g.members_on(on)) for g in CountryGroup.objects.all()]


def profile_queryset() -> EconomyQuerySet:
    return Economy.objects.select_related("score").prefetch_related(
        Prefetch("pillar_scores", queryset=PillarScore.objects.order_by("position")),
        Prefetch("indicator_values", queryset=IndicatorValue.objects.order_by("position")),
        Prefetch("legal_statuses", queryset=LegalStatus.objects.order_by("area")),
        Prefetch("peers_ahead", queryset=PeerAhead.objects.select_related("peer").order_by("pillar", "position")),
    )


def get_profile(iso3: str) -> Economy:
    return profile_queryset().get(iso3=iso3.upper())
