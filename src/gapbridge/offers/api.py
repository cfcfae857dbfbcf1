"""/api/v1 endpoints of offers: catalogue, detail, create, edit, lifecycle, history, where an offer fits.

Reads are public for published offers (a provider also sees its drafts); writes use the session and go
through `gapbridge.offers.services`. A broken rule comes back as 400 with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gapbridge.api.auth import WRITE_AUTH
from gapbridge.api.pagination import csv_response, page
from gapbridge.countries.queries import QueryError
from gapbridge.matches import queries as match_queries
from gapbridge.matches.schemas import RankedNeedOut, ranked_need_out
from gapbridge.offers import queries, schemas, services
from gapbridge.organizations.models import Organization

router = Router()


@contextmanager
def _rules() -> Iterator[None]:
    try:
        yield
    except services.OfferError as exc:
        raise QueryError(str(exc)) from None


class OfferFilters(Schema):
    q: str = ""
    focus_area: str = ""
    kind: str = ""
    country: str = ""
    provider: int | None = None
    language: str = ""
    status: str = ""
    origin: str = ""
    limit: int = 50
    offset: int = 0
    format: str = "json"


@router.get(
    "/offers",
    response=schemas.OfferPageOut,
    summary="Offer catalogue",
    description="Published offers (a provider's editors also see its drafts). Filters: `q` (title, "
    "description, provider), `focus_area`, `kind`, `country` (ISO3: offers open to every country or listing "
    "it), `provider` (organization id), `language`, `status`, `origin` (provider, dpg-registry, iati). "
    "`format=csv` returns every match as CSV.",
)
def list_offers(request: HttpRequest, filters: Query[OfferFilters]) -> HttpResponse | schemas.OfferPageOut:
    qs = queries.search(
        request.user,
        queries.OfferFilter(
            q=filters.q,
            focus_area=filters.focus_area,
            kind=filters.kind,
            country=filters.country,
            provider=filters.provider,
            language=filters.language,
            status=filters.status,
            origin=filters.origin,
        ),
    )
    if filters.format == "csv":
        header = [
            "id",
            "title",
            "provider",
            "kind",
            "focus_areas",
            "status",
            "origin",
            "capacity",
            "opens",
            "closes",
        ]
        rows = (
            [
                o.pk,
                o.title,
                o.provider.name,
                o.kind,
                ";".join(o.focus_areas),
                o.status,
                o.origin,
                o.capacity,
                o.opens,
                o.closes,
            ]
            for o in qs.iterator()
        )
        return csv_response("offers.csv", header, rows)
    count, items, next_url = page(request, qs, filters.limit, filters.offset)
    results: list[Any] = [schemas.item_out(o) for o in items]
    return schemas.OfferPageOut(
        count=count, limit=filters.limit, offset=filters.offset, next=next_url, results=results
    )


@router.get("/offers/{offer_id}", response=schemas.OfferOut, summary="An offer")
def get_offer(request: HttpRequest, offer_id: int) -> schemas.OfferOut:
    return schemas.OfferOut(**schemas.detail_out(queries.get_visible(request.user, offer_id)))


@router.get(
    "/offers/{offer_id}/history", response=list[schemas.HistoryOut], summary="An offer's status history"
)
def offer_history(request: HttpRequest, offer_id: int) -> list[schemas.HistoryOut]:
    offer = queries.get_visible(request.user, offer_id)
    return [schemas.HistoryOut(**schemas.history_out(h)) for h in offer.history.all()]


@router.get(
    "/offers/{offer_id}/needs",
    response=list[RankedNeedOut],
    summary="Where an offer fits best",
    description="Open needs (requested, and indicative needs derived from data: see `origin`) the offer is "
    "open to, best first, each with every score component's contribution and every constraint checked.",
)
def offer_needs(request: HttpRequest, offer_id: int, limit: int = 10) -> list[dict[str, Any]]:
    if not 1 <= limit <= 50:
        raise QueryError(_("limit must be between 1 and 50; got %(value)s") % {"value": limit})
    offer = queries.get_visible(request.user, offer_id)
    return [ranked_need_out(r) for r in match_queries.ranked_needs(offer, limit=limit)]


@router.post("/offers", response={201: schemas.OfferOut}, auth=WRITE_AUTH, summary="Create an offer (draft)")
def create_offer(request: HttpRequest, payload: schemas.OfferIn) -> Status[schemas.OfferOut]:
    data = payload.model_dump()
    provider = Organization.objects.get(pk=data.pop("provider_id"))
    with _rules():
        offer = services.create_offer(request.user, provider, **data)
    return Status(201, schemas.OfferOut(**schemas.detail_out(queries.get_visible(request.user, offer.pk))))


@router.patch("/offers/{offer_id}", response=schemas.OfferOut, auth=WRITE_AUTH, summary="Edit an offer")
def edit_offer(request: HttpRequest, offer_id: int, payload: schemas.OfferPatchIn) -> schemas.OfferOut:
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    with _rules():
        services.update_offer(request.user, offer_id, reason=reason, **changes)
    return schemas.OfferOut(**schemas.detail_out(queries.get_visible(request.user, offer_id)))


@router.post(
    "/offers/{offer_id}/transitions",
    response=schemas.OfferOut,
    auth=WRITE_AUTH,
    summary="Publish, close or reopen an offer",
    description="`to`: draft, published or closed; a reason is required. Publishing alerts saved searches.",
)
def offer_transition(request: HttpRequest, offer_id: int, payload: schemas.TransitionIn) -> schemas.OfferOut:
    with _rules():
        services.change_status(request.user, offer_id, payload.to, payload.reason)
    return schemas.OfferOut(**schemas.detail_out(queries.get_visible(request.user, offer_id)))
