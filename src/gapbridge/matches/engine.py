"""Rows to matcher inputs and back: offer and need profiles, provider load, and a cached matcher.

The matcher (:mod:`gapbridge.domain.matching`) is pure; this module reads what it needs from the
database. Building it for 10,000 offers takes seconds (the text vectors above all), so one is kept per
process and rebuilt only when offers, matches or the project registry change: the text space and offer
vectors are kept while the offers' text is unchanged, the rest (capacity, load, track records) is cheap.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Max, Q
from django.utils import timezone
from scipy import sparse

from gapbridge.countries.models import Economy, GroupMembership, PillarScore
from gapbridge.domain.matching import (
    Eligibility,
    Matcher,
    NeedProfile,
    OfferProfile,
    ProviderIndex,
    TextSpace,
    TrackRecord,
)
from gapbridge.matches import track_record
from gapbridge.matches.lifecycle import OPEN, TAKES_CAPACITY
from gapbridge.matches.models import Match
from gapbridge.needs.models import Need
from gapbridge.offers.models import Offer, OfferStatus
from gapbridge.organizations.models import Organization


def provider_key(org: Organization | None, org_id: int | None = None, iati_ref: str | None = None) -> str:
    """How the matcher names a provider: its IATI identifier (to meet its track record), else its id."""
    if org is not None:
        return org.iati_ref or f"org:{org.pk}"
    return iati_ref or f"org:{org_id}"


def taken_places() -> dict[int, int]:
    rows = (
        Match.objects.filter(status__in=[s.value for s in TAKES_CAPACITY])
        .values("offer_id")
        .annotate(n=Count("id"))
    )
    return {r["offer_id"]: r["n"] for r in rows}


def provider_load() -> dict[str, int]:
    """Open matches per provider (the spread term)."""
    rows = (
        Match.objects.filter(status__in=[s.value for s in OPEN])
        .values("offer__provider_id", "offer__provider__iati_ref")
        .annotate(n=Count("id"))
    )
    return {provider_key(None, r["offer__provider_id"], r["offer__provider__iati_ref"]): r["n"] for r in rows}


FIELDS = (
    "pk",
    "title",
    "description",
    "translations",
    "kind",
    "focus_areas",
    "eligible_regions",
    "requester_types",
    "languages",
    "status",
    "opens",
    "closes",
    "capacity",
    "provider_id",
    "provider__name",
    "provider__iati_ref",
)


def offer_profiles(offers: list[Offer] | None = None) -> list[OfferProfile]:
    """Profiles of ``offers`` (default: every published offer) with their remaining places.

    Read with plain value queries (no model instances): 10,000 offers take a fraction of a second.
    """
    if offers is not None:
        ids = [o.pk for o in offers]
        rows = list(Offer.objects.filter(pk__in=ids).values(*FIELDS))
        order = {pk: i for i, pk in enumerate(ids)}
        rows.sort(key=lambda r: order[r["pk"]])
    else:
        rows = list(Offer.objects.filter(status=OfferStatus.PUBLISHED).order_by("pk").values(*FIELDS))
    ids = [r["pk"] for r in rows]
    countries: dict[int, set[str]] = defaultdict(set)
    through_c = Offer.eligible_countries.through
    for offer_id, iso3 in through_c.objects.filter(offer_id__in=ids).values_list("offer_id", "economy__iso3"):
        countries[offer_id].add(iso3)
    groups: dict[int, set[str]] = defaultdict(set)
    through_g = Offer.eligible_groups.through
    for offer_id, code in through_g.objects.filter(offer_id__in=ids).values_list(
        "offer_id", "countrygroup__code"
    ):
        groups[offer_id].add(code)
    taken = taken_places()
    out: list[OfferProfile] = []
    for r in rows:
        texts = [r["description"]]
        for value in (r["translations"] or {}).values():
            if isinstance(value, dict):
                texts += [str(value.get("title", "")), str(value.get("description", ""))]
        capacity = r["capacity"]
        remaining = None if capacity is None else max(capacity - taken.get(r["pk"], 0), 0)
        out.append(
            OfferProfile(
                key=str(r["pk"]),
                provider=provider_key(None, r["provider_id"], r["provider__iati_ref"]),
                provider_name=r["provider__name"],
                title=r["title"],
                text="\n".join(t for t in texts if t),
                focus_areas=frozenset(r["focus_areas"] or ()),
                kinds=frozenset([r["kind"]]) if r["kind"] else frozenset(),
                eligibility=Eligibility(
                    countries=frozenset(countries[r["pk"]]),
                    regions=frozenset(r["eligible_regions"] or ()),
                    groups=frozenset(groups[r["pk"]]),
                    requester_types=frozenset(r["requester_types"] or ()),
                ),
                languages=frozenset(r["languages"] or ()),
                published=r["status"] == OfferStatus.PUBLISHED,
                opens=r["opens"],
                closes=r["closes"],
                capacity=remaining,
            )
        )
    return out


def need_date(need: Need) -> dt.date:
    """The date group membership is read on: when the need was made."""
    created = need.created_at or timezone.now()
    return timezone.localdate(created) if timezone.is_aware(created) else created.date()


def _need_text(need: Need) -> str:
    """The description and every translation of the need (the matcher compares across languages)."""
    texts = [need.description]
    for value in (need.translations or {}).values():
        if isinstance(value, dict):
            texts += [str(value.get("title", "")), str(value.get("description", ""))]
    return "\n".join(t for t in texts if t)


def need_profiles(needs: list[Need]) -> list[NeedProfile]:
    economy_ids = {n.country_id for n in needs}
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    for ps in PillarScore.objects.filter(economy_id__in=economy_ids):
        scores[ps.economy_id][ps.pillar] = ps.score
    memberships: dict[int, list[GroupMembership]] = defaultdict(list)
    for m in GroupMembership.objects.filter(economy_id__in=economy_ids).select_related("group"):
        memberships[m.economy_id].append(m)
    economies = {e.pk: e for e in Economy.objects.filter(pk__in=economy_ids)}
    out: list[NeedProfile] = []
    for need in needs:
        economy = economies[need.country_id]
        on = need_date(need)
        groups = {m.group.code: m.group.name for m in memberships[need.country_id] if m.active_on(on)}
        out.append(
            NeedProfile(
                key=str(need.pk),
                country=economy.iso3,
                country_name=economy.name,
                title=need.title,
                text=_need_text(need),
                focus_areas=frozenset(need.focus_areas or ()),
                kinds=frozenset(need.kinds or ()),
                languages=frozenset(need.languages or ()),
                region=economy.sub_region,
                groups=frozenset(groups),
                group_names=groups,
                requester_type=need.requester_type,
                pillar_scores=dict(scores[need.country_id]),
            )
        )
    return out


def country_groups(economy_id: int, on: dt.date) -> dict[str, str]:
    """Codes and names of the groups a country belongs to on ``on``."""
    return {
        m.group.code: m.group.name
        for m in GroupMembership.objects.filter(economy_id=economy_id).select_related("group")
        if m.active_on(on)
    }


def need_profile(need: Need) -> NeedProfile:
    return need_profiles([need])[0]


# -- the cached matcher ---------------------------------------------------------------------------------


@dataclass
class _TextCache:
    space: TextSpace
    #: number of offers the space was fitted on (refitted when the catalogue grows by a quarter)
    fitted_on: int
    texts: list[str]
    vectors: sparse.csr_matrix


#: Refit the text space (vocabulary and weights) when the catalogue has grown by this factor since.
REFIT_GROWTH = 1.25


def _offer_vectors(texts: list[str]) -> tuple[TextSpace, sparse.csr_matrix]:
    """Vectors of the offers' texts: only new or changed texts are vectorised; the space is kept."""
    global _text
    cache = _text
    if cache is None or not cache.fitted_on or len(texts) > REFIT_GROWTH * cache.fitted_on:
        space = TextSpace(texts)
        _text = _TextCache(space, len(texts), list(texts), space.corpus_vectors)
        return space, space.corpus_vectors
    known = {text: i for i, text in enumerate(cache.texts)}
    take = np.array([known.get(t, -1) for t in texts], dtype=np.int64)
    missing = np.nonzero(take < 0)[0]
    if missing.size == 0 and len(texts) == len(cache.texts) and (take == np.arange(len(texts))).all():
        return cache.space, cache.vectors
    hits = np.nonzero(take >= 0)[0]
    fresh = cache.space.vectors([texts[i] for i in missing])
    stacked = sparse.vstack([cache.vectors[take[hits]], fresh], format="csr")
    where = np.empty(len(texts), dtype=np.int64)
    where[hits] = np.arange(hits.size)
    where[missing] = hits.size + np.arange(missing.size)
    vectors = sparse.csr_matrix(stacked[where], dtype=np.float32)
    _text = _TextCache(cache.space, cache.fitted_on, list(texts), vectors)
    return cache.space, vectors


@dataclass
class _MatcherCache:
    key: str
    matcher: Matcher


#: Seconds during which a process trusts its cached matcher without asking the database whether offers,
#: matches or the registry changed. Writes in this process invalidate at once (``invalidate``); other
#: processes (gunicorn workers) see a change within this delay.
VERSION_TTL = 2.0

_lock = threading.Lock()
_checked_at = 0.0
_text: _TextCache | None = None
_matcher: _MatcherCache | None = None
_tracks: tuple[str, dict[str, TrackRecord]] | None = None
_providers: tuple[str, ProviderIndex | None] | None = None


def _offers_version() -> str:
    state = Offer.objects.filter(status=OfferStatus.PUBLISHED).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    return f"{state['n']}:{state['last']}"


def _matches_version() -> str:
    state = Match.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{state['n']}:{state['last']}"


def tracks() -> dict[str, TrackRecord]:
    global _tracks
    key = track_record.version()
    if _tracks is None or _tracks[0] != key:
        _tracks = (key, track_record.track_records() if key else {})
    return _tracks[1]


def provider_index() -> ProviderIndex | None:
    """Organisations with a track record in the registry (need → providers); None while it is empty."""
    global _providers
    key = track_record.version()
    if _providers is None or _providers[0] != key:
        records = track_record.history_records() if key else []
        _providers = (key, ProviderIndex(records) if records else None)
    return _providers[1]


def invalidate() -> None:
    """Make the next ``matcher()`` call check the database (services call this after a write)."""
    global _checked_at
    _checked_at = 0.0


def matcher(on: dt.date | None = None) -> Matcher:
    """A matcher over every published offer, as of ``on`` (default today), from the cache when current."""
    global _text, _matcher, _checked_at
    on = on or timezone.localdate()
    with _lock:
        now = time.monotonic()
        if _matcher is not None and now - _checked_at < VERSION_TTL and _matcher.key.endswith(on.isoformat()):
            return _matcher.matcher
        _checked_at = now
        offers_key = _offers_version()
        key = f"{offers_key}|{_matches_version()}|{track_record.version()}|{on.isoformat()}"
        if _matcher is not None and _matcher.key == key:
            return _matcher.matcher
        profiles = offer_profiles()
        space, vectors = _offer_vectors([p.title + "\n" + p.text for p in profiles])
        built = Matcher(
            profiles,
            on=on,
            track_records=tracks(),
            provider_load=provider_load(),
            text_space=space,
            offer_vectors=vectors,
        )
        _matcher = _MatcherCache(key, built)
        return built


def clear_cache() -> None:
    global _text, _matcher, _tracks, _providers, _needs, _checked_at
    _checked_at = 0.0
    with _lock:
        _text = _matcher = None
        _tracks = _providers = None
        _needs = None


def matches_by_offer(need: Need) -> dict[int, Match]:
    return {m.offer_id: m for m in Match.objects.filter(need=need)}


def offer_counts_by_status(org_ids: set[int]) -> dict[str, int]:
    rows = Match.objects.filter(offer__provider_id__in=org_ids).values("status").annotate(n=Count("id"))
    return Counter({r["status"]: r["n"] for r in rows})


def open_needs() -> Any:
    from gapbridge.needs.lifecycle import MATCHABLE

    return Need.objects.filter(Q(status__in=[s.value for s in MATCHABLE]))


@dataclass
class _NeedsCache:
    key: str
    needs: list[Need]
    profiles: list[NeedProfile]
    vectors: sparse.csr_matrix


_needs: _NeedsCache | None = None


def open_need_profiles() -> tuple[list[Need], list[NeedProfile], sparse.csr_matrix, Matcher]:
    """Open needs (requested and indicative), their profiles and text vectors in the offers' text space."""
    global _needs
    current = matcher()
    qs = open_needs().select_related("country").order_by("pk")
    state = qs.aggregate(n=Count("pk"), last=Max("updated_at"))
    key = f"{state['n']}:{state['last']}|{id(current.text_space)}"
    with _lock:
        if _needs is None or _needs.key != key:
            needs = list(qs)
            profiles = need_profiles(needs)
            vectors = current.text_space.vectors([p.title + "\n" + p.text for p in profiles])
            _needs = _NeedsCache(key, needs, profiles, vectors)
        return _needs.needs, _needs.profiles, _needs.vectors, current
