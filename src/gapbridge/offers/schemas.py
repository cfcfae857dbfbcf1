"""API schemas of offers (separate In and Out)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from gapbridge.api import limits
from gapbridge.audit.public import public_actor
from gapbridge.offers import content, queries
from gapbridge.offers.choices import FocusArea, SupportKind, labels
from gapbridge.offers.models import Offer, OfferStatusChange

#: Places and budgets as their columns hold them: anything else is refused, naming the field and the limit.
Places = Annotated[int, limits.integer_in(Offer, "capacity")]
Budget = Annotated[Decimal, limits.amount_in(Offer, "budget_usd")]


class OfferIn(Schema):
    provider_id: int
    title: str
    description: str
    language: str = "en"
    translations: dict[str, dict[str, str]] = {}
    kind: str
    focus_areas: list[str]
    eligible_countries: list[str] = []
    eligible_regions: list[str] = []
    eligible_groups: list[str] = []
    requester_types: list[str] = []
    languages: list[str] = []
    modality: str = ""
    capacity: Places | None = None
    budget_usd: Budget | None = None
    opens: dt.date | None = None
    closes: dt.date | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_url: str = ""


class OfferPatchIn(Schema):
    title: str | None = None
    description: str | None = None
    language: str | None = None
    translations: dict[str, dict[str, str]] | None = None
    kind: str | None = None
    focus_areas: list[str] | None = None
    eligible_countries: list[str] | None = None
    eligible_regions: list[str] | None = None
    eligible_groups: list[str] | None = None
    requester_types: list[str] | None = None
    languages: list[str] | None = None
    modality: str | None = None
    capacity: Places | None = None
    budget_usd: Budget | None = None
    opens: dt.date | None = None
    closes: dt.date | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_url: str | None = None
    reason: str = ""


class TransitionIn(Schema):
    to: str
    reason: str


class HistoryOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    by: str
    reason: str


class ProviderOut(Schema):
    id: int
    name: str
    iati_ref: str | None


class OfferItemOut(Schema):
    id: int
    title: str = Field(description="in `language`: the reader's language when translated, else the original")
    language: str = Field(description="language of the title and description served")
    language_fallback: bool = Field(description="true when no version exists in the reader's language")
    provider: ProviderOut
    kind: str
    kind_label: str
    focus_areas: list[str]
    focus_area_labels: list[str]
    status: str
    origin: str
    capacity: int | None
    opens: dt.date | None
    closes: dt.date | None
    url: str


class OfferOut(OfferItemOut):
    description: str
    requested_language: str = Field(description="the reader's language (Accept-Language or site choice)")
    original_language: str = Field(description="language the text was written in")
    language_note: str | None = Field(description='e.g. "Shown in English; no French version."')
    translations: dict[str, Any]
    eligible_countries: list[str]
    eligible_regions: list[str]
    eligible_groups: list[str]
    requester_types: list[str]
    languages: list[str]
    modality: str
    remaining_places: int | None
    budget_usd: Decimal | None
    contact_name: str
    contact_email: str
    contact_url: str
    source_url: str
    source_note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class OfferPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[OfferItemOut]


def _title_in_language(o: Offer) -> dict[str, Any]:
    fields = content.api_fields(o)
    return {k: fields[k] for k in ("title", "language", "language_fallback")}


def item_out(o: Offer) -> dict[str, Any]:
    return {
        "id": o.pk,
        **_title_in_language(o),
        "provider": {"id": o.provider_id, "name": o.provider.name, "iati_ref": o.provider.iati_ref},
        "kind": o.kind,
        "kind_label": labels([o.kind], SupportKind)[0],
        "focus_areas": list(o.focus_areas),
        "focus_area_labels": labels(list(o.focus_areas), FocusArea),
        "status": o.status,
        "origin": o.origin,
        "capacity": o.capacity,
        "opens": o.opens,
        "closes": o.closes,
        "url": o.get_absolute_url(),
    }


def detail_out(o: Offer) -> dict[str, Any]:
    return item_out(o) | {
        **content.api_fields(o),
        "translations": o.translations,
        "eligible_countries": [e.iso3 for e in o.eligible_countries.all()],
        "eligible_regions": list(o.eligible_regions),
        "eligible_groups": [g.code for g in o.eligible_groups.all()],
        "requester_types": list(o.requester_types),
        "languages": list(o.languages),
        "modality": o.modality,
        "remaining_places": queries.remaining(o),
        "budget_usd": o.budget_usd,
        "contact_name": o.contact_name,
        "contact_email": o.contact_email,
        "contact_url": o.contact_url,
        "source_url": o.source_url,
        "source_note": o.source_note,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    }


def history_out(h: OfferStatusChange) -> dict[str, Any]:
    return {
        "from_status": h.from_status,
        "to_status": h.to_status,
        "at": h.at,
        "by": public_actor(h.actor_id),
        "reason": h.reason,
    }
