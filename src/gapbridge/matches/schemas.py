"""API schemas of matches, ranked suggestions, providers, peers, saved searches and notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from gapbridge.audit.public import public_actor
from gapbridge.matches import explain
from gapbridge.matches.models import Match, Notification, SavedSearch
from gapbridge.matches.queries import RankedNeed, RankedOffer
from gapbridge.offers import content


class ComponentOut(Schema):
    code: str
    name: str
    value: float
    weight: float
    contribution: float
    text: str


class CheckOut(Schema):
    code: str
    name: str
    passed: bool
    text: str


class RankedOfferOut(Schema):
    offer_id: int
    title: str
    language: str = Field(description="language of the title served (the reader's when translated)")
    provider: str
    kind: str
    score: float
    components: list[ComponentOut]
    checks: list[CheckOut]
    match_id: int | None
    match_status: str | None
    url: str


class RankedNeedOut(Schema):
    need_id: int
    title: str
    language: str = Field(description="language of the title served (the reader's when translated)")
    country: str
    origin: str
    score: float
    components: list[ComponentOut]
    checks: list[CheckOut]
    match_id: int | None
    match_status: str | None
    url: str


class ProviderSuggestionOut(Schema):
    provider: str
    name: str
    score: float
    components: list[dict[str, Any]]


class PeerOut(Schema):
    pillar: str
    iso3: str
    name: str
    peer_score: float
    score_gap: float


class MatchIn(Schema):
    need_id: int
    offer_id: int
    contact: bool = False
    reason: str = ""


class MatchTransitionIn(Schema):
    to: str
    reason: str
    iati_identifier: str = ""


class MatchOut(Schema):
    id: int
    need_id: int
    need_title: str
    country: str
    offer_id: int
    offer_title: str
    provider: str
    score: float
    status: str
    origin: str
    iati_identifier: str
    explanation: dict[str, Any]
    history: list[dict[str, Any]]
    url: str


class MatchPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[MatchOut]


class BatchIn(Schema):
    min_score: float = 0.35


class BatchOut(Schema):
    needs: int
    matched: int
    unmatched: int
    created: int
    unmatched_reasons: dict[str, str]
    seconds: float


class SavedSearchIn(Schema):
    name: str
    country: str = ""
    focus_area: str = ""
    kind: str = ""
    target: str = "offers"
    threshold: float = 0.4
    frequency: str = "instant"


class SavedSearchOut(Schema):
    id: int
    name: str
    country: str | None
    focus_area: str
    kind: str
    target: str
    threshold: float
    frequency: str
    created_at: dt.datetime


class NotificationOut(Schema):
    id: int
    search: str
    subject: str
    object_id: int
    title: str
    url: str
    score: float
    reasons: list[str]
    created_at: dt.datetime
    emailed_at: dt.datetime | None
    read_at: dt.datetime | None


def _title(obj: content.Translatable) -> dict[str, Any]:
    """Title in the reader's language when translated, and the language served."""
    version = content.shown(obj)
    return {"title": version.fields["title"], "language": version.lang}


def ranked_offer_out(r: RankedOffer) -> dict[str, Any]:
    return {
        "offer_id": r.offer.pk,
        **_title(r.offer),
        "provider": r.offer.provider.name,
        "kind": r.offer.kind,
        "score": round(r.suggestion.score, 4),
        "components": explain.component_rows(r.suggestion.components),
        "checks": explain.check_rows(r.suggestion.checks),
        "match_id": r.match.pk if r.match else None,
        "match_status": r.match.status if r.match else None,
        "url": r.offer.get_absolute_url(),
    }


def ranked_need_out(r: RankedNeed) -> dict[str, Any]:
    return {
        "need_id": r.need.pk,
        **_title(r.need),
        "country": r.need.country.iso3,
        "origin": r.need.origin,
        "score": round(r.suggestion.score, 4),
        "components": explain.component_rows(r.suggestion.components),
        "checks": explain.check_rows(r.suggestion.checks),
        "match_id": r.match.pk if r.match else None,
        "match_status": r.match.status if r.match else None,
        "url": r.need.get_absolute_url(),
    }


def match_out(m: Match) -> dict[str, Any]:
    return {
        "id": m.pk,
        "need_id": m.need_id,
        "need_title": content.shown(m.need).fields["title"],
        "country": m.need.country.iso3,
        "offer_id": m.offer_id,
        "offer_title": content.shown(m.offer).fields["title"],
        "provider": m.offer.provider.name,
        "score": round(m.score, 4),
        "status": m.status,
        "origin": m.origin,
        "iati_identifier": m.iati_identifier,
        "explanation": explain.stored_rows(m.explanation),
        "history": [
            {
                "from_status": h.from_status,
                "to_status": h.to_status,
                "at": h.at.isoformat(),
                "by": public_actor(h.actor_id),
                "reason": h.reason,
            }
            for h in m.history.all()
        ],
        "url": m.get_absolute_url(),
    }


def search_out(s: SavedSearch) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "country": s.country.iso3 if s.country else None,
        "focus_area": s.focus_area,
        "kind": s.kind,
        "target": s.target,
        "threshold": s.threshold,
        "frequency": s.frequency,
        "created_at": s.created_at,
    }


def notification_out(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "search": n.search.name,
        "subject": n.subject,
        "object_id": n.object_id,
        "title": n.title,
        "url": n.url,
        "score": n.score,
        "reasons": list(n.reasons),
        "created_at": n.created_at,
        "emailed_at": n.emailed_at,
        "read_at": n.read_at,
    }
