"""Read-side queries shared by the pages, the API and the CLI: listings, profiles, group averages."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Max, Prefetch, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gapbridge.countries.models import (
    CountryGroup,
    CountryScore,
    Economy,
    EconomyQuerySet,
    GroupMembership,
    IncomeGroup,
    IndicatorValue,
    LegalStatus,
    PeerAhead,
    PillarScore,
    ReferenceLoad,
)

SORTS = {
    "name": "name_en",
    "-name": "-name_en",
    "iso3": "iso3",
    "score": "score__overall",
    "-score": "-score__overall",
    "rank": "score__rank",
    "region": "region",
    "income": "income_level",  # low to high (L, LM, UM, H), not the codes' alphabetical order
    "-income": "-income_level",
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


def fold(text: str) -> str:
    """Accents (and Arabic vowel marks) removed, case folded: "Égypte" and "egypte" match, and sort with
    the E's."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _names_matching(q: str) -> list[int]:
    """Ids of the economies whose name in any language contains ``q``, accents and case ignored (a couple of
    hundred rows: matched here, as SQL ``LIKE`` cannot ignore accents on every database)."""
    wanted = fold(q)
    rows = Economy.objects.values_list("pk", "name_en", "name_fr", "name_es", "name_ar")
    return [pk for pk, *names in rows if any(wanted in fold(name) for name in names if name)]


def economies(filters: CountryFilter) -> EconomyQuerySet:
    qs: EconomyQuerySet = Economy.objects.select_related("score")
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(pk__in=_names_matching(q)) | Q(iso3__iexact=q) | Q(iso2__iexact=q))
    if filters.region:
        qs = qs.filter(
            Q(region__iexact=filters.region)
            | Q(sub_region__iexact=filters.region)
            | Q(wb_region__iexact=filters.region)
        )
    if filters.income_group:
        if filters.income_group not in IncomeGroup.values:
            raise QueryError(
                _("income_group must be one of L, LM, UM, H; got %(value)s")
                % {"value": repr(filters.income_group)}
            )
        qs = qs.filter(income_group=filters.income_group)
    if filters.group:
        if not CountryGroup.objects.filter(code=filters.group).exists():
            raise QueryError(_("unknown group %(value)s") % {"value": repr(filters.group)})
        qs = qs.in_group_on(filters.group, filters.on or today())
    if filters.sort not in SORTS:
        raise QueryError(
            _("sort must be one of %(allowed)s; got %(value)s")
            % {"allowed": ", ".join(SORTS), "value": repr(filters.sort)}
        )
    key = SORTS[filters.sort]
    field: Any = F(key.lstrip("-"))
    if key.lstrip("-") == "income_level":
        field = Case(
            *(When(income_group=code, then=Value(i)) for i, code in enumerate(("L", "LM", "UM", "H"))),
            default=None,
            output_field=IntegerField(),
        )
    # Economies without a score sort last in both directions, on SQLite and PostgreSQL alike.
    ordering = field.desc(nulls_last=True) if key.startswith("-") else field.asc(nulls_last=True)
    return qs.order_by(ordering, "iso3")


def scored_counts() -> tuple[int, dict[str, int]]:
    """What the ranks run over: economies with an overall score, and with a score in each pillar.

    A pillar can be scored for more economies than the overall score, which needs enough pillars.
    """
    overall = CountryScore.objects.filter(overall__isnull=False).count()
    pillars = dict(
        PillarScore.objects.filter(score__isnull=False)
        .values_list("pillar")
        .annotate(n=Count("id"))
        .values_list("pillar", "n")
    )
    return overall, pillars


def regions() -> list[str]:
    return sorted(r for r in Economy.objects.values_list("region", flat=True).distinct() if r)


def groups_of(economy: Economy, on: dt.date | None = None) -> list[GroupMembership]:
    on = on or today()
    return [
        m for m in GroupMembership.objects.filter(economy=economy).select_related("group") if m.active_on(on)
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


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _average(
    code: str,
    name: str,
    members: set[int],
    overall: dict[int, float | None],
    pillars: dict[int, dict[str, float | None]],
) -> GroupAverage:
    scored = [overall[m] for m in members if overall.get(m) is not None]
    codes = sorted({c for m in members for c in pillars.get(m, {})})
    return GroupAverage(
        code=code,
        name=name,
        members_scored=len(scored),
        overall=_mean([v for v in scored if v is not None]),
        pillars={
            c: _mean([v for m in members if (v := pillars.get(m, {}).get(c)) is not None]) for c in codes
        },
    )


def _data_version(on: dt.date) -> str:
    latest_load = ReferenceLoad.objects.values_list("id", flat=True).first()
    edits = GroupMembership.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    version = f"{latest_load}|{edits['n']}|{edits['changed']}|{on.isoformat()}"
    return "group-averages-" + hashlib.sha256(version.encode()).hexdigest()[:32]


def all_averages(on: dt.date | None = None) -> dict[str, GroupAverage]:
    """Pillar and overall averages of every group, region and income group, in one pass and cached.

    The cache key changes with every reference load and every membership edit, so it is never stale.
    """
    on = on or today()
    key = _data_version(on)
    cached: dict[str, GroupAverage] | None = cache.get(key)
    if cached is not None:
        return cached
    overall = dict(CountryScore.objects.values_list("economy_id", "overall"))
    pillars: dict[int, dict[str, float | None]] = {}
    for economy_id, pillar, score in PillarScore.objects.values_list("economy_id", "pillar", "score"):
        pillars.setdefault(economy_id, {})[pillar] = score
    result: dict[str, GroupAverage] = {}
    by_region: dict[str, set[int]] = {}
    by_income: dict[str, set[int]] = {}
    for economy_id, region, income in Economy.objects.values_list("id", "region", "income_group"):
        if region:
            by_region.setdefault(region, set()).add(economy_id)
        if income:
            by_income.setdefault(income, set()).add(economy_id)
    for region, members in by_region.items():
        result[f"region:{region}"] = _average(f"region:{region}", region, members, overall, pillars)
    for income, members in by_income.items():
        # Cached for every language: the stored name is English, like the groups' (labels.group_name
        # gives the reader's language).
        with translation.override("en"):
            label = str(IncomeGroup(income).label)
        result[f"income:{income}"] = _average(f"income:{income}", label, members, overall, pillars)
    group_members: dict[int, set[int]] = {}
    for m in GroupMembership.objects.all():
        if m.active_on(on):
            group_members.setdefault(m.group_id, set()).add(m.economy_id)
    for group in CountryGroup.objects.all():
        result[group.code] = _average(
            group.code, group.name, group_members.get(group.pk, set()), overall, pillars
        )
    cache.set(key, result, timeout=3600)
    return result


def peer_group_averages(economy: Economy, on: dt.date | None = None) -> list[GroupAverage]:
    """Averages for the groups a profile compares with: region, income group and the economy's UN groups."""
    on = on or today()
    averages = all_averages(on)
    keys = []
    if economy.region:
        keys.append(f"region:{economy.region}")
    if economy.income_group:
        keys.append(f"income:{economy.income_group}")
    keys.extend(
        m.group.code
        for m in groups_of(economy, on)
        if m.group.kind in {CountryGroup.Kind.UN, CountryGroup.Kind.MEMBERSHIP}
    )
    return [averages[k] for k in keys if k in averages]


def profile_queryset() -> EconomyQuerySet:
    return Economy.objects.select_related("score").prefetch_related(
        Prefetch("pillar_scores", queryset=PillarScore.objects.order_by("position")),
        Prefetch("indicator_values", queryset=IndicatorValue.objects.order_by("position")),
        Prefetch("legal_statuses", queryset=LegalStatus.objects.order_by("area")),
        Prefetch(
            "peers_ahead", queryset=PeerAhead.objects.select_related("peer").order_by("pillar", "position")
        ),
    )


def get_profile(iso3: str) -> Economy:
    return profile_queryset().get(iso3=iso3.upper())
