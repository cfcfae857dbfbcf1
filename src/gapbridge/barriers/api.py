"""/api/v1 endpoints of the barrier register: list, detail, related, report, moderate, link, follow.

Reads are public (moderated barriers, public fields); writes take a bearer token with the `write` scope or
the session, and go through `gapbridge.barriers.services`. A rule a write breaks comes back as 400 with
the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gapbridge.accounts.permissions import is_secretariat
from gapbridge.api.auth import READ_AUTH, WRITE_AUTH
from gapbridge.api.pagination import csv_response, page
from gapbridge.barriers import opendata, queries, schemas, services
from gapbridge.barriers.lifecycle import allowed_targets
from gapbridge.barriers.links import resolve_links
from gapbridge.barriers.models import Barrier, BarrierLink, BarrierNotification, BarrierSubscription
from gapbridge.countries.queries import QueryError

router = Router()

CSV_HEADER = [
    "id",
    "title",
    "country",
    "group",
    "category",
    "focus_areas",
    "status",
    "priority",
    "impact",
    "measure_title",
    "measure_reference",
    "measure_url",
    "measure_date",
    "reporter",
    "origin",
    "source_name",
    "source_date",
    "created_at",
    "status_changed_at",
]


@contextmanager
def _rules() -> Iterator[None]:
    """A broken rule (BarrierError) becomes a 400 with its message."""
    try:
        yield
    except services.BarrierError as exc:
        raise QueryError(str(exc)) from None


class BarrierFilters(Schema):
    q: str = ""
    country: str = ""
    group: str = ""
    region: str = ""
    category: str = ""
    status: str = ""
    focus_area: str = ""
    origin: str = ""
    sort: str = "-created"
    limit: int = 50
    offset: int = 0
    format: str = "json"


def _csv_row(v: queries.BarrierView) -> list[object]:
    return [
        v.id,
        v.title,
        v.country_iso3,
        v.group_code,
        v.category,
        ";".join(v.focus_areas),
        v.status,
        v.priority,
        v.impact,
        v.measure_title,
        v.measure_reference,
        v.measure_url,
        v.measure_date,
        v.reporter if v.reporter is not None else "(withheld)",
        v.origin,
        v.source_name,
        v.source_date,
        v.created_at.isoformat(),
        v.status_changed_at.isoformat() if v.status_changed_at else "",
    ]


@router.get(
    "/barriers",
    response=schemas.BarrierPageOut,
    summary="List barriers",
    description="Moderated barriers (signed-in users also see their own). Filters: `country` (ISO3; includes "
    "barriers of groups the country belongs to), `group`, `region`, `category`, `status` (comma-separated), "
    "`focus_area`, `origin` (reported | derived), `q`; `sort`; `format=csv` for every match as CSV.",
)
def list_barriers(
    request: HttpRequest, filters: Query[BarrierFilters]
) -> HttpResponse | schemas.BarrierPageOut:
    qs = queries.barriers(
        request.user,
        queries.BarrierFilter(
            q=filters.q,
            country=filters.country,
            group=filters.group,
            region=filters.region,
            category=filters.category,
            status=filters.status,
            focus_area=filters.focus_area,
            origin=filters.origin,
            sort=filters.sort,
        ),
    )
    if filters.format == "csv":
        return csv_response("barriers.csv", CSV_HEADER, (_csv_row(queries.view(request.user, b)) for b in qs))
    if filters.format != "json":
        raise QueryError(_("format must be json or csv; got %(value)s") % {"value": repr(filters.format)})
    count, items, next_url = page(request, qs, filters.limit, filters.offset)
    return schemas.BarrierPageOut(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        next=next_url,
        results=[schemas.barrier_out(queries.view(request.user, b)) for b in items],
    )


def _detail(request: HttpRequest, barrier_id: int) -> schemas.BarrierDetailOut:
    actor = request.user
    b = queries.get_visible(actor, barrier_id)
    base = schemas.barrier_out(queries.view(actor, b))
    hidden = queries.hidden_reporter(actor, b)
    links = [link for kind in queries.chain(b, actor).values() for link in kind]
    moves = allowed_targets(
        b.status, moderator=is_secretariat(actor), responsible=services.is_responsible(actor, b)
    )
    return schemas.BarrierDetailOut(
        **base.model_dump(),
        history=[schemas.change_out(c, hidden) for c in queries.history(b)],
        updates=[schemas.update_out(u, hidden) for u in queries.updates(actor, b)],
        links=[schemas.link_out(r) for r in links],
        allowed_moves=[m.value for m in moves],
    )


@router.get(
    "/barriers/{barrier_id}",
    response=schemas.BarrierDetailOut,
    summary="A barrier with its history, progress and links",
    description="Status history (from, to, who, when, why), progress updates, and the needs, offers, matches "
    "and projects linked to it. Fields withheld from you are null.",
)
def barrier_detail(request: HttpRequest, barrier_id: int) -> schemas.BarrierDetailOut:
    return _detail(request, barrier_id)


@router.get(
    "/barriers/{barrier_id}/related",
    response=list[schemas.RelatedOut],
    summary="Barriers similar to this one",
    description="By text similarity across English, French, Spanish and Arabic; `possible_duplicate` marks "
    "close ones in the same place and category.",
)
def barrier_related(request: HttpRequest, barrier_id: int, limit: int = 8) -> list[schemas.RelatedOut]:
    if not 1 <= limit <= 50:
        raise QueryError(
            _("limit must be between 1 and %(max)s; got %(value)s") % {"max": 50, "value": limit}
        )
    b = queries.get_visible(request.user, barrier_id)
    return [schemas.related_out(r) for r in queries.related(request.user, b, limit=limit)]


@router.post(
    "/barriers", response={201: schemas.BarrierDetailOut}, auth=WRITE_AUTH, summary="Report a barrier"
)
def report(request: HttpRequest, payload: schemas.BarrierIn) -> Status[schemas.BarrierDetailOut]:
    fields = payload.model_dump()
    if fields["country"] is None:
        del fields["country"]
    if fields["group"] is None:
        del fields["group"]
    if fields["reporter_organization"] is None:
        del fields["reporter_organization"]
    with _rules():
        barrier = services.report_barrier(request.user, **fields)
    return Status(201, _detail(request, barrier.pk))


@router.patch(
    "/barriers/{barrier_id}", response=schemas.BarrierDetailOut, auth=WRITE_AUTH, summary="Edit a barrier"
)
def edit(request: HttpRequest, barrier_id: int, payload: schemas.BarrierPatchIn) -> schemas.BarrierDetailOut:
    changes = payload.model_dump(exclude_unset=True)
    with _rules():
        services.update_barrier(request.user, barrier_id, **changes)
    return _detail(request, barrier_id)


@router.post(
    "/barriers/{barrier_id}/transitions",
    response=schemas.BarrierDetailOut,
    auth=WRITE_AUTH,
    summary="Change a barrier's status",
    description="Moderation by the secretariat; progress moves (being addressed, resolved) also by the "
    "barrier's focal points and reporting organization. A reason is required.",
)
def transition(
    request: HttpRequest, barrier_id: int, payload: schemas.TransitionIn
) -> schemas.BarrierDetailOut:
    with _rules():
        services.change_status(request.user, barrier_id, payload.to, payload.reason)
    return _detail(request, barrier_id)


@router.post(
    "/barriers/{barrier_id}/updates",
    response={201: schemas.UpdateOut},
    auth=WRITE_AUTH,
    summary="Post a progress update",
)
def post_update(
    request: HttpRequest, barrier_id: int, payload: schemas.UpdateIn
) -> Status[schemas.UpdateOut]:
    with _rules():
        update = services.add_update(request.user, barrier_id, payload.text, is_public=payload.public)
    return Status(201, schemas.update_out(update))


@router.post(
    "/barriers/{barrier_id}/links",
    response={201: schemas.LinkOut},
    auth=WRITE_AUTH,
    summary="Link a need, offer, match or project to a barrier",
)
def add_link(request: HttpRequest, barrier_id: int, payload: schemas.LinkIn) -> Status[schemas.LinkOut]:
    with _rules():
        created = services.link(request.user, barrier_id, payload.kind, payload.object_id, payload.note)
    resolved = resolve_links([created])[0]
    return Status(201, schemas.link_out(resolved))


@router.delete(
    "/barriers/{barrier_id}/links/{link_id}", response={204: None}, auth=WRITE_AUTH, summary="Remove a link"
)
def remove_link(request: HttpRequest, barrier_id: int, link_id: int) -> Status[None]:
    queries.get_visible(request.user, barrier_id)
    BarrierLink.objects.get(pk=link_id, barrier_id=barrier_id)
    services.unlink(request.user, link_id)
    return Status(204, None)


@router.post(
    "/barriers/{barrier_id}/raise-need",
    response={201: schemas.BarrierDetailOut},
    auth=WRITE_AUTH,
    summary="Raise a barrier as a need for assistance",
    description="Creates a draft need of the barrier's country (in the needs app) from the barrier, and "
    "links it. Any field given overrides the barrier's. For a barrier of a group, `country` says which "
    "member.",
)
def raise_need(
    request: HttpRequest, barrier_id: int, payload: schemas.RaiseNeedIn
) -> Status[schemas.BarrierDetailOut]:
    queries.get_visible(request.user, barrier_id)
    fields = payload.model_dump(exclude_none=True)
    with _rules():
        services.raise_as_need(request.user, barrier_id, **fields)
    return Status(201, _detail(request, barrier_id))


@router.post(
    "/barriers/{barrier_id}/merge",
    response=schemas.BarrierDetailOut,
    auth=WRITE_AUTH,
    summary="Merge a duplicate into another barrier (secretariat)",
)
def merge(request: HttpRequest, barrier_id: int, payload: schemas.MergeIn) -> schemas.BarrierDetailOut:
    with _rules():
        survivor = services.merge(request.user, barrier_id, payload.into, payload.reason)
    return _detail(request, survivor.pk)


@router.get(
    "/barrier-subscriptions",
    response=list[schemas.SubscriptionOut],
    auth=READ_AUTH,
    summary="What I follow",
)
def my_subscriptions(request: HttpRequest) -> list[schemas.SubscriptionOut]:
    subs = BarrierSubscription.objects.filter(user_id=int(request.user.pk or 0)).select_related("country")
    return [schemas.subscription_out(s) for s in subs]


@router.post(
    "/barrier-subscriptions",
    response={201: schemas.SubscriptionOut},
    auth=WRITE_AUTH,
    summary="Follow barriers of a country and/or category",
)
def follow(request: HttpRequest, payload: schemas.SubscriptionIn) -> Status[schemas.SubscriptionOut]:
    with _rules():
        sub = services.subscribe(
            request.user, country=payload.country or None, category=payload.category, email=payload.email
        )
    return Status(201, schemas.subscription_out(sub))


@router.delete(
    "/barrier-subscriptions/{subscription_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Stop following",
)
def unfollow(request: HttpRequest, subscription_id: int) -> Status[None]:
    services.unsubscribe(request.user, subscription_id)
    return Status(204, None)


@router.get(
    "/barrier-notifications",
    response=list[schemas.NotificationOut],
    auth=READ_AUTH,
    summary="My barrier notifications (newest first)",
)
def my_notifications(
    request: HttpRequest, unread: bool = False, limit: int = 50
) -> list[schemas.NotificationOut]:
    if not 1 <= limit <= 500:
        raise QueryError(
            _("limit must be between 1 and %(max)s; got %(value)s") % {"max": 500, "value": limit}
        )
    qs = BarrierNotification.objects.filter(user_id=int(request.user.pk or 0)).select_related(
        "barrier", "barrier__country", "barrier__group", "status_change"
    )
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [schemas.notification_out(n) for n in qs[:limit]]


@router.post(
    "/barrier-notifications/read",
    response=dict[str, int],
    auth=WRITE_AUTH,
    summary="Mark notifications read",
)
def read_notifications(request: HttpRequest, payload: schemas.ReadIn) -> dict[str, int]:
    return {"marked": services.mark_read(request.user, payload.ids)}


# --- Open data -------------------------------------------------------------------------------------------


@router.get(
    "/open-data",
    response=dict[str, Any],
    summary="The open-data catalogue (a Frictionless data package)",
    description="Licence statement, as-of timestamp, and every open-data file with its fields: barriers, "
    "barrier history and progress, offers, needs, matches, pledges, pledge flows and history, "
    "as CSV and JSON.",
    tags=["open data"],
)
def open_data_catalogue(request: HttpRequest) -> dict[str, Any]:
    return opendata.descriptor(timezone.now().replace(microsecond=0), path_prefix="/api/v1/open-data/")


@router.get(
    "/open-data/{filename}",
    response={200: dict[str, Any]},
    summary="One open-data file, e.g. barriers.csv or pledges.json",
    description="The same files `gapbridge export-open-data` writes. CSV files carry the licence and "
    "as-of time "
    "in the `X-Licence` and `X-As-Of` headers; JSON files carry them in the body.",
    tags=["open data"],
)
def open_data_file(request: HttpRequest, filename: str) -> HttpResponse:
    name, _dot, ext = filename.rpartition(".")
    try:
        d = opendata.dataset(name)
    except KeyError:
        raise Barrier.DoesNotExist(
            _("no open-data file %(name)s; see /api/v1/open-data for the list") % {"name": repr(filename)}
        ) from None
    as_of = timezone.now().replace(microsecond=0)
    if ext == "csv":
        response = HttpResponse(opendata.render_csv(d), content_type="text/csv; charset=utf-8")
    elif ext == "json":
        response = HttpResponse(
            opendata.render_json(d, as_of), content_type="application/json; charset=utf-8"
        )
    else:
        raise QueryError(_("open-data files are .csv or .json, not %(name)s") % {"name": repr(filename)})
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Licence"] = opendata.LICENCE["name"]
    response["X-As-Of"] = opendata._cell(as_of)
    return response
