"""Computes the Gap Index from stored observations (pure domain code) and stores the results for reading."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gapbridge.countries.models import (
    CountryGroup,
    CountryScore,
    Economy,
    GroupMembership,
    IndicatorValue,
    Observation,
    PeerAhead,
    PillarScore,
)
from gapbridge.domain import gapindex


def contexts() -> list[gapindex.CountryContext]:
    today = timezone.localdate()
    tags: dict[int, set[str]] = {}
    for m in GroupMembership.objects.filter(group__kind=CountryGroup.Kind.UN).select_related("group"):
        if m.active_on(today):
            tags.setdefault(m.economy_id, set()).add(m.group.code)
    return [
        gapindex.CountryContext(
            iso3=e.iso3,
            name=e.name_en,
            region=e.region or e.wb_region,
            income_group=e.income_group,
            population=e.latest_population,
            groups=frozenset(tags.get(e.pk, set())),
        )
        for e in Economy.objects.all()
    ]


def compute() -> tuple[gapindex.GapIndex, list[gapindex.CountryContext]]:
    rows = Observation.objects.values_list("indicator__code", "economy__iso3", "year", "value", "source")
    observations = [
        gapindex.Observation(code, iso3, year, value, source) for code, iso3, year, value, source in rows
    ]
    ctx = contexts()
    index = gapindex.compute_index(
        observations, ctx, ref_year=settings.GAPINDEX_REFERENCE_YEAR, window=settings.GAPINDEX_WINDOW_YEARS
    )
    return index, ctx


@transaction.atomic
def recompute_index() -> int:
    """Replace the stored scores, values and peers; returns how many economies have an overall score."""
    index, ctx = compute()
    ids = dict(Economy.objects.values_list("iso3", "id"))
    CountryScore.objects.all().delete()
    PillarScore.objects.all().delete()
    IndicatorValue.objects.all().delete()
    PeerAhead.objects.all().delete()
    scores, pillars, values, peers = [], [], [], []
    for iso3, result in index.countries.items():
        economy_id = ids[iso3]
        scores.append(
            CountryScore(
                economy_id=economy_id,
                overall=result.overall,
                overall_coverage=result.overall_coverage,
                rank=result.rank_overall,
            )
        )
        position = 0
        for p_index, pillar in enumerate(result.pillars):
            pillars.append(
                PillarScore(
                    economy_id=economy_id,
                    pillar=pillar.code,
                    position=p_index,
                    name=pillar.name,
                    score=pillar.score,
                    coverage=pillar.coverage,
                    status=str(pillar.status),
                    rank=result.pillar_ranks.get(pillar.code),
                )
            )
            for value in pillar.indicators:
                values.append(
                    IndicatorValue(
                        economy_id=economy_id,
                        pillar=pillar.code,
                        code=value.code,
                        position=position,
                        name=value.name,
                        unit=value.unit,
                        value=value.value,
                        year=value.year,
                        source=value.source or "",
                        normalised=value.normalised,
                        gap_reason=value.gap_reason or "",
                    )
                )
                position += 1
            if pillar.score is None:
                continue
            for rank, peer in enumerate(gapindex.peers_further_ahead(index, ctx, iso3, pillar.code)):
                peers.append(
                    PeerAhead(
                        economy_id=economy_id,
                        pillar=pillar.code,
                        peer_id=ids[peer.iso3],
                        position=rank,
                        peer_score=peer.score,
                        score_gap=peer.score_gap,
                        differences=[list(d) for d in peer.differences],
                    )
                )
    CountryScore.objects.bulk_create(scores, batch_size=1000)
    PillarScore.objects.bulk_create(pillars, batch_size=1000)
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    PeerAhead.objects.bulk_create(peers, batch_size=2000)
    return sum(1 for s in scores if s.overall is not None)
