"""API schemas of the barrier register (In and Out kept apart)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from gapbridge.audit.public import by
from gapbridge.barriers import notifications, queries
from gapbridge.barriers.links import ResolvedLink
from gapbridge.barriers.models import (
    BarrierNotification,
    BarrierStatusChange,
    BarrierSubscription,
    BarrierUpdate,
)


class Schema(BaseModel):
    pass


# --- Out ------------------------------------------------------------------------------------------------


class BarrierOut(Schema):
    id: int
    title: str
    description: str
    language: str
    country: str | None = Field(description="ISO3 code, or null for a group of countries")
    country_name: str | None
    group: str | None
    group_name: str | None
    category: str
    category_label: str
    focus_areas: list[str]
    measure_title: str
    measure_reference: str
    measure_url: str
    measure_date: dt.date | None
    reporter: str | None = Field(description="null when the reporter's identity is withheld from you")
    reporter_organization: str | None
    evidence: str
    evidence_url: str
    impact: str
    impact_note: str
    priority: str
    status: str
    status_changed_at: dt.datetime | None
    origin: str = Field(description="reported, or derived from a data source")
    source_name: str
    source_url: str
    source_date: dt.date | None
    merged_into: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    restricted_notes: str | None = Field(None, description="only for moderators and those responsible")
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, description='the barrier in other languages: {"fr": {"title", "description"}}'
    )


class BarrierPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[BarrierOut]


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    by: str
    reason: str


class UpdateOut(Schema):
    id: int
    at: dt.datetime
    by: str
    text: str
    public: bool


class LinkOut(Schema):
    id: int | None = Field(description="null for a link that follows from a linked need (see `via`)")
    kind: str
    object_id: str
    label: str
    url: str
    note: str
    exists: bool
    via: str = ""


class RelatedOut(Schema):
    id: int
    title: str
    country: str | None
    category: str
    status: str
    score: float
    same_place: bool
    possible_duplicate: bool


class BarrierDetailOut(BarrierOut):
    history: list[StatusChangeOut]
    updates: list[UpdateOut]
    links: list[LinkOut]
    allowed_moves: list[str]


class SubscriptionOut(Schema):
    id: int
    country: str | None
    category: str
    email: bool
    created_at: dt.datetime


class NotificationOut(Schema):
    id: int
    barrier: int
    event: str
    message: str = Field(description="What happened, in the language of the request")
    created_at: dt.datetime
    read: bool


# --- In -------------------------------------------------------------------------------------------------


class BarrierIn(Schema):
    title: str = Field(max_length=300)
    description: str
    language: str = "en"
    country: str | None = Field(None, description="ISO3 code; give a country or a group")
    group: str | None = Field(None, description="country group code, e.g. ldc")
    category: str
    focus_areas: list[str] = []
    measure_title: str = ""
    measure_reference: str = ""
    measure_url: str = ""
    measure_date: dt.date | None = None
    reporter_name: str = ""
    reporter_organization: int | None = Field(
        None, description="organization id (you must be one of its editors)"
    )
    reporter_is_public: bool = False
    evidence: str = ""
    evidence_url: str = ""
    impact: str = ""
    impact_note: str = ""
    priority: str = "medium"
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, description='the barrier in other languages: {"fr": {"title", "description"}}'
    )


class BarrierPatchIn(Schema):
    title: str | None = Field(None, max_length=300)
    description: str | None = None
    language: str | None = None
    category: str | None = None
    focus_areas: list[str] | None = None
    measure_title: str | None = None
    measure_reference: str | None = None
    measure_url: str | None = None
    measure_date: dt.date | None = None
    reporter_name: str | None = None
    reporter_is_public: bool | None = None
    evidence: str | None = None
    evidence_url: str | None = None
    impact: str | None = None
    impact_note: str | None = None
    priority: str | None = None
    restricted_notes: str | None = None
    translations: dict[str, dict[str, str]] | None = Field(
        None, description="replaces every translation; {} removes them"
    )


class TransitionIn(Schema):
    to: str = Field(description="the new status, e.g. verified")
    reason: str


class UpdateIn(Schema):
    text: str
    public: bool = True


class LinkIn(Schema):
    kind: str = Field(description="need, offer, match or project")
    object_id: str
    note: str = ""


class RaiseNeedIn(Schema):
    country: str | None = Field(None, description="ISO3 member country, for a barrier of a group")
    title: str | None = None
    description: str | None = None
    focus_areas: list[str] | None = None
    kinds: list[str] | None = Field(None, description="kinds of support sought (the needs app's vocabulary)")
    requesting_organization: int | None = None


class MergeIn(Schema):
    into: int = Field(description="the barrier that remains")
    reason: str


class SubscriptionIn(Schema):
    country: str | None = Field(None, description="ISO3 code; empty = any country")
    category: str = Field("", description="barrier category; empty = any category")
    email: bool = True


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="notification ids; omit to mark all read")


# --- Mapping --------------------------------------------------------------------------------------------


def barrier_out(v: queries.BarrierView) -> BarrierOut:
    return BarrierOut(
        id=v.id,
        title=v.title,
        description=v.description,
        language=v.language,
        country=v.country_iso3,
        country_name=v.country_name,
        group=v.group_code,
        group_name=v.group_name,
        category=v.category,
        category_label=v.category_label,
        focus_areas=v.focus_areas,
        measure_title=v.measure_title,
        measure_reference=v.measure_reference,
        measure_url=v.measure_url,
        measure_date=v.measure_date,
        reporter=v.reporter,
        reporter_organization=v.reporter_organization,
        evidence=v.evidence,
        evidence_url=v.evidence_url,
        impact=v.impact,
        impact_note=v.impact_note,
        priority=v.priority,
        status=v.status,
        status_changed_at=v.status_changed_at,
        origin=v.origin,
        source_name=v.source_name,
        source_url=v.source_url,
        source_date=v.source_date,
        merged_into=v.merged_into,
        created_at=v.created_at,
        updated_at=v.updated_at,
        restricted_notes=v.restricted_notes,
        translations=v.translations,
    )


def change_out(c: BarrierStatusChange, hidden_reporter: frozenset[int] = frozenset()) -> StatusChangeOut:
    return StatusChangeOut(
        from_status=c.from_status, to_status=c.to_status, at=c.at, by=by(c, hidden_reporter), reason=c.reason
    )


def update_out(u: BarrierUpdate, hidden_reporter: frozenset[int] = frozenset()) -> UpdateOut:
    return UpdateOut(id=u.pk, at=u.at, by=by(u, hidden_reporter), text=u.text, public=u.is_public)


def link_out(r: ResolvedLink) -> LinkOut:
    return LinkOut(
        id=r.id,
        kind=r.kind,
        object_id=r.object_id,
        label=r.label,
        url=r.url,
        note=r.note,
        exists=r.exists,
        via=r.via,
    )


def related_out(r: queries.Related) -> RelatedOut:
    b = r.barrier
    return RelatedOut(
        id=b.pk,
        title=b.title,
        country=b.country.iso3 if b.country else None,
        category=b.category,
        status=b.status,
        score=r.score,
        same_place=r.same_place,
        possible_duplicate=r.possible_duplicate,
    )


def subscription_out(s: BarrierSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=s.pk,
        country=s.country.iso3 if s.country else None,
        category=s.category,
        email=s.email,
        created_at=s.created_at,
    )


def notification_out(n: BarrierNotification) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        barrier=n.barrier_id,
        event=n.event,
        message=notifications.describe(n),
        created_at=n.created_at,
        read=n.read_at is not None,
    )
