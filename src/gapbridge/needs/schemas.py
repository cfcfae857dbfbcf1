"""API schemas of needs (separate In and Out). Indicative needs say so in `origin` and `label`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext
from ninja import Field, Schema

from gapbridge.api import limits
from gapbridge.audit.public import public_actor
from gapbridge.needs.models import Need, NeedStatusChange
from gapbridge.offers import content
from gapbridge.offers.choices import FocusArea, labels

#: A budget as its column holds it: anything else is refused, naming the field and the limit.
Budget = Annotated[Decimal, limits.amount_in(Need, "budget_usd")]

INDICATIVE_LABEL = "Indicative need derived from data (Gap Index), not a request from the country"


class NeedIn(Schema):
    country: str
    title: str
    description: str
    language: str = "en"
    translations: dict[str, dict[str, str]] = {}
    requesting_organization: int | None = None
    requester_type: str = "government"
    focus_areas: list[str]
    kinds: list[str] = []
    priority: str = "medium"
    start_by: dt.date | None = None
    end_by: dt.date | None = None
    languages: list[str] = []
    budget_usd: Budget | None = None


class NeedPatchIn(Schema):
    title: str | None = None
    description: str | None = None
    language: str | None = None
    translations: dict[str, dict[str, str]] | None = None
    requesting_organization: int | None = None
    requester_type: str | None = None
    focus_areas: list[str] | None = None
    kinds: list[str] | None = None
    priority: str | None = None
    start_by: dt.date | None = None
    end_by: dt.date | None = None
    languages: list[str] | None = None
    budget_usd: Budget | None = None
    reason: str = ""


class NeedItemOut(Schema):
    id: int
    title: str = Field(description="in `language`: the reader's language when translated, else the original")
    language: str = Field(description="language of the title and description served")
    language_fallback: bool = Field(description="true when no version exists in the reader's language")
    country: str
    country_name: str
    focus_areas: list[str]
    focus_area_labels: list[str]
    kinds: list[str]
    priority: str
    status: str = Field(
        description="lifecycle status; an indicative need (`origin` = derived) has no lifecycle and is "
        "stored as `validated` only so that it is public"
    )
    origin: str
    label: str
    url: str


class NeedOut(NeedItemOut):
    description: str
    requested_language: str = Field(description="the reader's language (Accept-Language or site choice)")
    original_language: str = Field(description="language the text was written in")
    language_note: str | None = Field(description='e.g. "Shown in English; no French version."')
    translations: dict[str, Any]
    requesting_organization: str | None
    requester_type: str
    start_by: dt.date | None
    end_by: dt.date | None
    languages: list[str]
    budget_usd: Decimal | None
    derived_from: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class NeedPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[NeedItemOut]


def _title_in_language(n: Need) -> dict[str, Any]:
    fields = content.api_fields(n)
    return {k: fields[k] for k in ("title", "language", "language_fallback")}


def item_out(n: Need) -> dict[str, Any]:
    return {
        "id": n.pk,
        **_title_in_language(n),
        "country": n.country.iso3,
        "country_name": n.country.name,
        "focus_areas": list(n.focus_areas),
        "focus_area_labels": labels(list(n.focus_areas), FocusArea),
        "kinds": list(n.kinds),
        "priority": n.priority,
        "status": n.status,
        "origin": n.origin,
        "label": gettext(INDICATIVE_LABEL) if n.is_indicative else "",
        "url": n.get_absolute_url(),
    }


def detail_out(n: Need) -> dict[str, Any]:
    return item_out(n) | {
        **content.api_fields(n),
        "translations": n.translations,
        "requesting_organization": n.requesting_organization.name if n.requesting_organization else None,
        "requester_type": n.requester_type,
        "start_by": n.start_by,
        "end_by": n.end_by,
        "languages": list(n.languages),
        "budget_usd": n.budget_usd,
        "derived_from": dict(n.derived_from),
        "created_at": n.created_at,
        "updated_at": n.updated_at,
    }


def history_out(h: NeedStatusChange) -> dict[str, Any]:
    return {
        "from_status": h.from_status,
        "to_status": h.to_status,
        "at": h.at,
        "by": public_actor(h.actor_id),
        "reason": h.reason,
    }


class TransitionIn(Schema):
    to: str
    reason: str


class HistoryOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    by: str
    reason: str
