"""Reads of the matchmaking: ranked offers of a need, ranked needs of an offer, providers with a track
record, peers further ahead, matches a viewer may see, and what the dashboards show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gapbridge.accounts.permissions import Actor, country_ids, is_secretariat, organization_ids
from gapbridge.countries.models import PeerAhead
from gapbridge.domain.matching import FOCUS_PILLARS, ProviderQuery, ProviderSuggestion, Suggestion, rank_needs
from gapbridge.matches import engine
from gapbridge.matches.models import Match, Notification, SavedSearch
from gapbridge.needs.models import Need
from gapbridge.offers.models import Offer


@dataclass
class RankedOffer:
    offer: Offer
    suggestion: Suggestion
    match: Match | None


@dataclass
class RankedNeed:
    need: Need
    suggestion: Suggestion
    match: Match | None


def ranked_offers(need: Need, *, limit: int = 10) -> list[RankedOffer]:
    """Eligible published offers for ``need``, best first, each explained, with any match already made."""
    matcher = engine.matcher()
    suggestions = matcher.rank_offers(engine.need_profile(need), limit=limit)
    offers = Offer.objects.select_related("provider").in_bulk([int(s.offer) for s in suggestions])
    existing = {m.offer_id: m for m in Match.objects.filter(need=need, offer_id__in=list(offers))}
    return [RankedOffer(offers[int(s.offer)], s, existing.get(int(s.offer))) for s in suggestions]


def ranked_needs(offer: Offer, *, limit: int = 10) -> list[RankedNeed]:
    """Where an offer fits best: open needs (requested and indicative) ranked for it."""
    needs, profiles, vectors, matcher = engine.open_need_profiles()
    if not needs:
        return []
    profile = engine.offer_profiles([offer])[0]
    suggestions = rank_needs(
        profile,
        profiles,
        on=timezone.localdate(),
        limit=limit,
        track_records=engine.tracks(),
        provider_load=engine.provider_load(),
        text_space=matcher.text_space,
        need_vectors=vectors,
    )
    by_id = {n.pk: n for n in needs}
    existing = {
        m.need_id: m
        for m in Match.objects.filter(offer=offer, need_id__in=[int(s.need) for s in suggestions])
    }
    return [RankedNeed(by_id[int(s.need)], s, existing.get(int(s.need))) for s in suggestions]


def providers_for(need: Need, *, limit: int = 10) -> list[ProviderSuggestion]:
    """Organisations with a track record fitting the need, offer or not ([] until the registry has data)."""
    index = engine.provider_index()
    if index is None:
        return []
    query = ProviderQuery(
        countries=frozenset([need.country.iso3]),
        regions=frozenset([need.country.sub_region]) if need.country.sub_region else frozenset(),
        focus_areas=frozenset(need.focus_areas or ()),
        text=need.matching_text(),
    )
    return index.rank(query, limit=limit)


def peers_for(need: Need) -> list[PeerAhead]:
    """Similar countries further ahead in the pillars of the need's focus areas."""
    pillars = {p for area in need.focus_areas or () for p in FOCUS_PILLARS.get(area, ())}
    return list(
        PeerAhead.objects.filter(economy_id=need.country_id, pillar__in=pillars)
        .select_related("peer")
        .order_by("pillar", "position")
    )


def visible_matches(actor: Actor) -> Any:
    """Public matches, plus every match of the viewer's organizations and countries."""
    qs = Match.objects.select_related("need", "need__country", "offer", "offer__provider")
    if is_secretariat(actor):
        return qs
    from gapbridge.matches.lifecycle import PUBLIC

    return qs.filter(
        Q(status__in=[s.value for s in PUBLIC])
        | Q(offer__provider_id__in=organization_ids(actor))
        | Q(need__country_id__in=country_ids(actor))
        | Q(need__requesting_organization_id__in=organization_ids(actor))
    )


def get_visible_match(actor: Actor, match_id: int) -> Match:
    result: Match = visible_matches(actor).get(pk=match_id)
    return result


def notifications_of(actor: Actor) -> Any:
    user_id = int(getattr(actor, "pk", 0) or 0)
    return Notification.objects.filter(user_id=user_id).select_related("search")


def searches_of(actor: Actor) -> Any:
    user_id = int(getattr(actor, "pk", 0) or 0)
    return SavedSearch.objects.filter(user_id=user_id).select_related("country")
