"""/api/v1 endpoints of needs: board, detail, create, edit, lifecycle, history, ranked offers, providers
with a track record, peers further ahead. Indicative needs say they are derived from data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gapbridge.api.auth import WRITE_AUTH
from gapbridge.api.pagination import csv_response, page
from gapbridge.countries.models import Economy
from gapbridge.countries.queries import QueryError
from gapbridge.matches import queries as match_queries
from gapbridge.matches.schemas import PeerOut, ProviderSuggestionOut, RankedOfferOut, ranked_offer_out
from gapbridge.needs import queries, schemas, services

router = Router()


@contextmanager
def _rules() -> Iterator[None]:
    try:
        yield
    except services.NeedError as exc:
        raise QueryError(str(exc)) from None


class NeedFilters(Schema):
    q: str = ""
    country: str = ""
    focus_area: str = ""
    kind: str = ""
    status: str = ""
    origin: str = ""
    limit: int = 50
    offset: int = 0
    format: str = "json"


@router.get(
    "/needs",
    response=schemas.NeedPageOut,
    summary="Need board",
    description="Needs past draft (a country's focal points also see its drafts). Filters: `q`, `country` "
    "(ISO3), `focus_area`, `kind`, `status`, `origin` (`requested`, or `derived` for indicative needs "
    "computed from the Gap Index, which are never a country's request). `format=csv` for CSV.",
)
def list_needs(request: HttpRequest, filters: Query[NeedFilters]) -> HttpResponse | schemas.NeedPageOut:
    qs = queries.search(
        request.user,
        queries.NeedFilter(
            q=filters.q,
            country=filters.country,
            focus_area=filters.focus_area,
            kind=filters.kind,
            status=filters.status,
            origin=filters.origin,
        ),
    )
    if filters.format == "csv":
        header = ["id", "title", "country", "focus_areas", "kinds", "priority", "status", "origin"]
        rows = (
            [
                n.pk,
                n.title,
                n.country.iso3,
                ";".join(n.focus_areas),
                ";".join(n.kinds),
                n.priority,
                n.status,
                n.origin,
            ]
            for n in qs.iterator()
        )
        return csv_response("needs.csv", header, rows)
    count, items, next_url = page(request, qs, filters.limit, filters.offset)
    results: list[Any] = [schemas.item_out(n) for n in items]
    return schemas.NeedPageOut(
        count=count, limit=filters.limit, offset=filters.offset, next=next_url, results=results
    )


@router.get("/needs/{need_id}", response=schemas.NeedOut, summary="A need")
def get_need(request: HttpRequest, need_id: int) -> schemas.NeedOut:
    return schemas.NeedOut(**schemas.detail_out(queries.get_visible(request.user, need_id)))


@router.get("/needs/{need_id}/history", response=list[schemas.HistoryOut], summary="A need's status history")
def need_history(request: HttpRequest, need_id: int) -> list[schemas.HistoryOut]:
    need = queries.get_visible(request.user, need_id)
    return [schemas.HistoryOut(**schemas.history_out(h)) for h in need.history.all()]


@router.get(
    "/needs/{need_id}/offers",
    response=list[RankedOfferOut],
    summary="Ranked, explained offers for a need",
    description="Published offers the need is eligible for, best first. Each carries its score, every "
    "component's contribution (focus-area fit, kind, text similarity, gap severity, provider track record, "
    "spread) and every constraint checked, in words; and the match already made, if any.",
)
def need_offers(request: HttpRequest, need_id: int, limit: int = 10) -> list[dict[str, Any]]:
    if not 1 <= limit <= 50:
        raise QueryError(_("limit must be between 1 and 50; got %(value)s") % {"value": limit})
    need = queries.get_visible(request.user, need_id)
    return [ranked_offer_out(r) for r in match_queries.ranked_offers(need, limit=limit)]


@router.get(
    "/needs/{need_id}/providers",
    response=list[ProviderSuggestionOut],
    summary="Providers with a track record for a need",
    description="Organisations whose IATI activities fit the need (country, region, focus area, wording), "
    "whether or not they publish an offer. Empty until IATI activities are imported.",
)
def need_providers(request: HttpRequest, need_id: int, limit: int = 10) -> list[ProviderSuggestionOut]:
    need = queries.get_visible(request.user, need_id)
    return [
        ProviderSuggestionOut(
            provider=p.provider,
            name=p.name,
            score=round(p.score, 4),
            components=[
                {"code": c.code, "contribution": round(c.contribution, 4), "text": c.text}
                for c in p.components
            ],
        )
        for p in match_queries.providers_for(need, limit=limit)
    ]


@router.get(
    "/needs/{need_id}/peers",
    response=list[PeerOut],
    summary="Peer countries further ahead in the need's pillars",
)
def need_peers(request: HttpRequest, need_id: int) -> list[PeerOut]:
    need = queries.get_visible(request.user, need_id)
    return [
        PeerOut(
            pillar=p.pillar,
            iso3=p.peer.iso3,
            name=p.peer.name,
            peer_score=p.peer_score,
            score_gap=p.score_gap,
        )
        for p in match_queries.peers_for(need)
    ]


@router.post("/needs", response={201: schemas.NeedOut}, auth=WRITE_AUTH, summary="Create a need (draft)")
def create_need(request: HttpRequest, payload: schemas.NeedIn) -> Status[schemas.NeedOut]:
    data = payload.model_dump()
    country = Economy.objects.get(iso3=data.pop("country").upper())
    with _rules():
        need = services.create_need(request.user, country, **data)
    return Status(201, schemas.NeedOut(**schemas.detail_out(queries.get_visible(request.user, need.pk))))


@router.patch("/needs/{need_id}", response=schemas.NeedOut, auth=WRITE_AUTH, summary="Edit a need")
def edit_need(request: HttpRequest, need_id: int, payload: schemas.NeedPatchIn) -> schemas.NeedOut:
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    with _rules():
        services.update_need(request.user, need_id, reason=reason, **changes)
    return schemas.NeedOut(**schemas.detail_out(queries.get_visible(request.user, need_id)))


@router.post(
    "/needs/{need_id}/transitions",
    response=schemas.NeedOut,
    auth=WRITE_AUTH,
    summary="Move a need along its lifecycle",
    description="`to`: submitted, validated, matching, matched, in_implementation, fulfilled, closed or "
    "draft; "
    "a reason is required. Validation is for the country's focal points and the secretariat.",
)
def need_transition(request: HttpRequest, need_id: int, payload: schemas.TransitionIn) -> schemas.NeedOut:
    with _rules():
        services.change_status(request.user, need_id, payload.to, payload.reason)
    return schemas.NeedOut(**schemas.detail_out(queries.get_visible(request.user, need_id)))
