"""Builds the country profile (the API's and the CLI's JSON) from the stored index and reference data."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from gapbridge.countries import labels, queries
from gapbridge.countries.models import (
    CountryScore,
    Economy,
    GroupMembership,
    IncomeGroup,
    LegalArea,
    LegalStatus,
    ReferenceLoad,
)
from gapbridge.countries.schemas import (
    CountryProfileOut,
    CountrySummaryOut,
    GapIndexOut,
    GroupAverageOut,
    IncomeGroupOut,
    IndicatorValueOut,
    LawOut,
    LegalOut,
    MembershipOut,
    PeerDifferenceOut,
    PeerOut,
    PillarOut,
    headcount,
)

METHOD = "GapBridge Gap Index v1: docs/methodology.md"


def income_out(economy: Economy) -> IncomeGroupOut | None:
    if not economy.income_group:
        return None
    return IncomeGroupOut(code=economy.income_group, label=str(IncomeGroup(economy.income_group).label))


def membership_out(m: GroupMembership) -> MembershipOut:
    return MembershipOut(
        code=m.group.code,
        name=m.group.name,
        label=labels.group_name(m.group.code, m.group.name),
        status=m.status,
        start_date=m.start_date,
        end_date=m.end_date,
        source=m.source,
    )


def summary_out(economy: Economy) -> CountrySummaryOut:
    score: CountryScore | None = getattr(economy, "score", None)
    return CountrySummaryOut(
        iso3=economy.iso3,
        iso2=economy.iso2,
        m49=economy.m49,
        name=economy.name,
        region=economy.region,
        sub_region=economy.sub_region,
        income_group=income_out(economy),
        overall_score=_round(score.overall) if score else None,
        overall_coverage=_round(score.overall_coverage) if score else None,
        rank=score.rank if score else None,
        population=headcount(economy.latest_population),
    )


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def legal_out(status: LegalStatus) -> LegalOut:
    return LegalOut(
        area=status.area,
        label=str(LegalArea(status.area).label),
        status=status.status,
        status_label=str(LegalStatus.Status(status.status).label),
        laws=[LawOut(url=url, title=title) for url, title in status.laws],
        source=status.source,
    )


def build_profile(economy: Economy, on: dt.date | None = None) -> CountryProfileOut:
    """`economy` must come from `queries.profile_queryset()` so its related rows are prefetched."""
    on = on or queries.today()
    score: CountryScore | None = getattr(economy, "score", None)
    values = list(economy.indicator_values.all())
    scored, scored_by_pillar = queries.scored_counts()
    pillars = [
        PillarOut(
            code=p.pillar,
            name=p.name,
            label=labels.pillar_name(p.pillar, p.name),
            score=_round(p.score),
            coverage=round(p.coverage, 3),
            status=p.status,
            rank=p.rank,
            scored_countries=scored_by_pillar.get(p.pillar, 0),
            indicators=[
                IndicatorValueOut(
                    code=v.code,
                    name=v.name,
                    label=labels.indicator_name(v.code, v.name),
                    unit=v.unit,
                    value=v.value,
                    year=v.year,
                    source=v.source,
                    normalised=_round(v.normalised, 3),
                    data_gap=v.gap_reason or None,
                )
                for v in values
                if v.pillar == p.pillar
            ],
        )
        for p in economy.pillar_scores.all()
    ]
    gaps = [f"{v.name}: {v.gap_reason}" for v in values if v.value is None]
    peers = [
        PeerOut(
            pillar=p.pillar,
            iso3=p.peer.iso3,
            name=p.peer.name,
            score=round(p.peer_score, 1),
            score_gap=round(p.score_gap, 1),
            differences=[PeerDifferenceOut(indicator=d[0], text=d[1]) for d in p.differences],
        )
        for p in economy.peers_ahead.all()
    ]
    averages = [
        GroupAverageOut(
            code=a.code,
            name=a.name,
            label=labels.group_name(a.code, a.name),
            members_scored=a.members_scored,
            overall=_round(a.overall),
            pillars={k: _round(v) for k, v in a.pillars.items()},
        )
        for a in queries.peer_group_averages(economy, on)
    ]
    return CountryProfileOut(
        iso3=economy.iso3,
        iso2=economy.iso2,
        m49=economy.m49,
        name=economy.name,
        names={"en": economy.name_en, "fr": economy.name_fr, "es": economy.name_es, "ar": economy.name_ar},
        region=economy.region,
        sub_region=economy.sub_region,
        world_bank_region=economy.wb_region,
        income_group=income_out(economy),
        population=headcount(economy.latest_population),
        groups=[membership_out(m) for m in queries.groups_of(economy, on)],
        gap_index=GapIndexOut(
            overall=_round(score.overall) if score else None,
            coverage=round(score.overall_coverage, 3) if score else 0.0,
            rank=score.rank if score else None,
            scored_countries=scored,
            method=METHOD,
            pillars=pillars,
        ),
        data_gaps=gaps,
        legal_framework=[legal_out(s) for s in economy.legal_statuses.all()],
        peers_further_ahead=peers,
        group_averages=averages,
    )


PROFILE_CACHE_SECONDS = 3600


def reference_version() -> str:
    """A token that changes whenever what a profile shows can change.

    The latest reference load, the latest and the number of group memberships (the secretariat edits them),
    and the latest score computation: one cheap query, so every process (web workers, CLI) agrees without
    messaging.
    """
    tables = [m._meta.db_table for m in (ReferenceLoad, GroupMembership, CountryScore)]
    sql = (
        f"SELECT (SELECT MAX(id) FROM {tables[0]}), (SELECT MAX(updated_at) FROM {tables[1]}), "  # noqa: S608
        f"(SELECT COUNT(*) FROM {tables[1]}), (SELECT MAX(computed_at) FROM {tables[2]})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]


def cached_profile(iso3: str, on: dt.date | None = None) -> CountryProfileOut:
    """`build_profile` of the economy `iso3`, kept in the cache until the reference data changes.

    Raises `Economy.DoesNotExist` for an unknown code. Keyed by date and language too (names and group
    membership depend on them). The cache stores a pickled copy and every read unpickles a new one, so a
    caller may localise what it gets in place.
    """
    if not (len(iso3) == 3 and iso3.isascii() and iso3.isalpha()):
        raise Economy.DoesNotExist(iso3)  # never a cache key made of whatever the URL held
    on = on or queries.today()
    key = f"gapbridge:profile:{iso3.upper()}:{on.isoformat()}:{get_language()}:{reference_version()}"
    profile: CountryProfileOut | None = cache.get(key)
    if profile is None:
        profile = build_profile(queries.get_profile(iso3), on)
        cache.set(key, profile, PROFILE_CACHE_SECONDS)
    return profile
