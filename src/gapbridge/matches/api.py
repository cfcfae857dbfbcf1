"""/api/v1 endpoints of matches (suggest, contact, accept, decline, start, complete; batch assignment) and
of alerts (saved searches, notifications)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gapbridge.api.auth import READ_AUTH, WRITE_AUTH
from gapbridge.api.limits import check_id
from gapbridge.api.pagination import page
from gapbridge.countries.queries import QueryError
from gapbridge.matches import alerts, queries, schemas, services
from gapbridge.matches.models import MatchOrigin, MatchStatus

router = Router()


@contextmanager
def _rules() -> Iterator[None]:
    try:
        yield
    except (services.MatchError, alerts.AlertError) as exc:
        raise QueryError(str(exc)) from None


class MatchFilters(Schema):
    status: str = ""
    need: int | None = None
    offer: int | None = None
    limit: int = 50
    offset: int = 0


@router.get(
    "/matches",
    response=schemas.MatchPageOut,
    summary="Matches",
    description="Accepted, started and completed matches are public; both sides also see their suggestions. "
    "Filters: `status`, `need`, `offer`.",
)
def list_matches(request: HttpRequest, filters: Query[MatchFilters]) -> schemas.MatchPageOut:
    qs = queries.visible_matches(request.user).prefetch_related("history")
    if filters.status:
        if filters.status not in MatchStatus.values:
            raise QueryError(
                _("unknown %(field)s %(value)s; expected one of %(expected)s")
                % {
                    "field": "status",
                    "value": repr(filters.status),
                    "expected": ", ".join(MatchStatus.values),
                }
            )
        qs = qs.filter(status=filters.status)
    need, offer = check_id("need", filters.need), check_id("offer", filters.offer)
    if need:
        qs = qs.filter(need_id=need)
    if offer:
        qs = qs.filter(offer_id=offer)
    count, items, next_url = page(request, qs.order_by("-updated_at", "-id"), filters.limit, filters.offset)
    results: list[Any] = [schemas.match_out(m) for m in items]
    return schemas.MatchPageOut(
        count=count, limit=filters.limit, offset=filters.offset, next=next_url, results=results
    )


@router.post(
    "/matches/batch",
    response=schemas.BatchOut,
    auth=WRITE_AUTH,
    summary="Assign open needs to offers within capacity (secretariat)",
    description="Solves the assignment exactly (min-cost flow): as many needs as possible, then the highest "
    "total score, no offer over its places; stores the suggestions and says why each other need stays "
    "unmatched.",
)
def batch(request: HttpRequest, payload: schemas.BatchIn) -> schemas.BatchOut:
    return schemas.BatchOut(**services.run_batch(request.user, min_score=payload.min_score))


@router.get("/matches/{match_id}", response=schemas.MatchOut, summary="A match, its explanation and history")
def get_match(request: HttpRequest, match_id: int) -> schemas.MatchOut:
    return schemas.MatchOut(**schemas.match_out(queries.get_visible_match(request.user, match_id)))


@router.post(
    "/matches",
    response={201: schemas.MatchOut},
    auth=WRITE_AUTH,
    summary="Suggest (or contact) an offer for a need",
    description="Stores the pair with its score and explanation; with `contact: true` it moves straight to "
    "contacted. For either side of the pair (the need's focal points or requester, the provider).",
)
def create_match(request: HttpRequest, payload: schemas.MatchIn) -> Status[schemas.MatchOut]:
    with _rules():
        if payload.contact:
            match = services.contact(
                request.user, payload.need_id, payload.offer_id, payload.reason, origin=MatchOrigin.API
            )
        else:
            match = services.suggest(request.user, payload.need_id, payload.offer_id, origin=MatchOrigin.API)
    return Status(
        201, schemas.MatchOut(**schemas.match_out(queries.get_visible_match(request.user, match.pk)))
    )


@router.post(
    "/matches/{match_id}/transitions",
    response=schemas.MatchOut,
    auth=WRITE_AUTH,
    summary="Contact, accept, decline, start or complete a match",
    description="`to`: contacted, accepted, declined, project_started (give `iati_identifier`) or completed; "
    "a reason is required. The need follows (matched, in implementation, fulfilled).",
)
def match_transition(
    request: HttpRequest, match_id: int, payload: schemas.MatchTransitionIn
) -> schemas.MatchOut:
    with _rules():
        services.change_status(
            request.user, match_id, payload.to, payload.reason, iati_identifier=payload.iati_identifier
        )
    return schemas.MatchOut(**schemas.match_out(queries.get_visible_match(request.user, match_id)))


@router.get(
    "/saved-searches", response=list[schemas.SavedSearchOut], auth=READ_AUTH, summary="My saved searches"
)
def my_searches(request: HttpRequest) -> list[schemas.SavedSearchOut]:
    return [schemas.SavedSearchOut(**schemas.search_out(s)) for s in queries.searches_of(request.user)]


@router.post(
    "/saved-searches", response={201: schemas.SavedSearchOut}, auth=WRITE_AUTH, summary="Save a search"
)
def save_search(request: HttpRequest, payload: schemas.SavedSearchIn) -> Status[schemas.SavedSearchOut]:
    with _rules():
        search = alerts.save_search(
            request.user,
            name=payload.name,
            country_iso3=payload.country,
            focus_area=payload.focus_area,
            kind=payload.kind,
            target=payload.target,
            threshold=payload.threshold,
            frequency=payload.frequency,
        )
    return Status(201, schemas.SavedSearchOut(**schemas.search_out(search)))


@router.delete(
    "/saved-searches/{search_id}", response={204: None}, auth=WRITE_AUTH, summary="Delete a saved search"
)
def delete_search(request: HttpRequest, search_id: int) -> Status[None]:
    alerts.delete_search(request.user, search_id)
    return Status(204, None)


@router.get(
    "/notifications", response=list[schemas.NotificationOut], auth=READ_AUTH, summary="My notifications"
)
def my_notifications(request: HttpRequest, unread: bool = False) -> list[schemas.NotificationOut]:
    qs = queries.notifications_of(request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [schemas.NotificationOut(**schemas.notification_out(n)) for n in qs[:200]]


class ReadIn(Schema):
    ids: list[int] | None = None


@router.post(
    "/notifications/read", response=dict[str, int], auth=WRITE_AUTH, summary="Mark notifications read"
)
def read_notifications(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    return {"marked": alerts.mark_read(request.user, payload.ids)}
