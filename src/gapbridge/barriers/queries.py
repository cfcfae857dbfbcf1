"""Read side of the barrier register: filtered listings, what each viewer may see, and related barriers.

`visible` decides which barriers a viewer sees (the public sees moderated ones; the secretariat all;
reporters and the people responsible also their own); `view` decides which fields (a withheld reporter
identity, restricted notes and restricted progress notes are left out for everyone else). Pages, the API
and the open-data export all go through these two, so the rules live in one place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gapbridge.accounts.models import Role, RoleAssignment
from gapbridge.accounts.permissions import Actor, can_edit, country_ids, is_secretariat, organization_ids
from gapbridge.barriers import links as link_targets
from gapbridge.barriers.focus import focus_labels, focus_slugs
from gapbridge.barriers.lifecycle import PUBLIC
from gapbridge.barriers.models import (
    Barrier,
    BarrierCategory,
    BarrierQuerySet,
    BarrierStatus,
    BarrierStatusChange,
    BarrierUpdate,
    Level,
    Origin,
)
from gapbridge.barriers.services import sees_reporter
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.countries.queries import QueryError
from gapbridge.domain import textsim
from gapbridge.web.content_language import Shown, pick_translation

SORTS = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "country": ("country__name_en", "group__name", "id"),
    "priority": ("priority", "-created_at"),
    "status": ("status", "-created_at"),
}


@dataclass(frozen=True)
class BarrierFilter:
    q: str = ""
    country: str = ""  # ISO3
    group: str = ""
    region: str = ""
    category: str = ""
    status: str = ""
    focus_area: str = ""
    origin: str = ""
    sort: str = "-created"


def visible(actor: Actor) -> BarrierQuerySet:
    qs: BarrierQuerySet = Barrier.objects.all()
    if is_secretariat(actor):
        return qs
    public = Q(status__in=[s.value for s in PUBLIC], merged_into__isnull=True)
    if actor is None or not actor.is_authenticated:
        return qs.filter(public)
    own = Q(reported_by_id=actor.pk)
    countries = country_ids(actor)
    orgs = organization_ids(actor)
    if countries:
        own |= Q(country_id__in=countries)
    if orgs:
        own |= Q(reporter_organization_id__in=orgs)
    return qs.filter(public | own)


def barriers(actor: Actor, filters: BarrierFilter) -> BarrierQuerySet:
    qs = visible(actor).select_related("country", "group", "reporter_organization")
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(measure_title__icontains=q))
    if filters.country:
        economy = Economy.objects.filter(iso3=filters.country.upper()).first()
        if economy is None:
            raise QueryError(
                _("country: no economy with ISO3 code %(code)s") % {"code": repr(filters.country)}
            )
        qs = qs.for_country(economy.pk)
    if filters.group:
        if not CountryGroup.objects.filter(code=filters.group).exists():
            raise QueryError(_("group: unknown country group %(code)s") % {"code": repr(filters.group)})
        qs = qs.filter(
            Q(group__code=filters.group) | Q(country__memberships__group__code=filters.group)
        ).distinct()
    if filters.region:
        r = filters.region
        qs = qs.filter(
            Q(country__region__iexact=r) | Q(country__sub_region__iexact=r) | Q(country__wb_region__iexact=r)
        )
    if filters.category:
        if filters.category not in BarrierCategory.values:
            raise QueryError(
                _("category: unknown barrier category %(code)s") % {"code": repr(filters.category)}
            )
        qs = qs.filter(category=filters.category)
    if filters.status:
        wanted = [s for s in filters.status.split(",") if s]
        unknown = [s for s in wanted if s not in BarrierStatus.values]
        if unknown:
            raise QueryError(_("status: unknown barrier status %(status)s") % {"status": ", ".join(unknown)})
        qs = qs.filter(status__in=wanted)
    if filters.focus_area:
        if filters.focus_area not in focus_slugs():
            raise QueryError(
                _("focus_area: unknown focus area %(code)s") % {"code": repr(filters.focus_area)}
            )
        # JSON containment is not portable to SQLite; the list is short, so match the quoted slug.
        qs = qs.filter(focus_areas__icontains=f'"{filters.focus_area}"')
    if filters.origin:
        if filters.origin not in Origin.values:
            raise QueryError(
                _("origin: expected reported or derived, not %(value)s") % {"value": repr(filters.origin)}
            )
        qs = qs.filter(origin=filters.origin)
    if filters.sort not in SORTS:
        raise QueryError(
            _("sort: expected one of %(known)s; got %(value)s")
            % {"known": ", ".join(SORTS), "value": repr(filters.sort)}
        )
    return qs.order_by(*SORTS[filters.sort])


def get_visible(actor: Actor, barrier_id: int) -> Barrier:
    """The barrier if this viewer may see it; Barrier.DoesNotExist otherwise (never reveal hidden ones)."""
    try:
        return (
            visible(actor)
            .select_related("country", "group", "reporter_organization", "merged_into")
            .get(pk=barrier_id)
        )
    except Barrier.DoesNotExist:
        raise Barrier.DoesNotExist(_("no barrier #%(id)s") % {"id": barrier_id}) from None


def sees_restricted(actor: Actor, barrier: Barrier) -> bool:
    """Moderators and the people responsible see restricted fields; so does the reporter of their own."""
    if is_secretariat(actor) or can_edit(actor, barrier):
        return True
    return actor is not None and actor.is_authenticated and barrier.reported_by_id == actor.pk


@dataclass(frozen=True)
class BarrierView:
    """A barrier as one viewer may see it."""

    id: int
    title: str
    description: str
    language: str
    country_iso3: str | None
    country_name: str | None
    group_code: str | None
    group_name: str | None
    category: str
    category_label: str
    focus_areas: list[str]
    focus_area_labels: list[str]
    measure_title: str
    measure_reference: str
    measure_url: str
    measure_date: Any
    reporter: str | None  # None = withheld from this viewer
    reporter_organization: str | None
    evidence: str
    evidence_url: str
    impact: str
    impact_note: str
    priority: str
    status: str
    status_label: str
    status_changed_at: Any
    origin: str
    source_name: str
    source_url: str
    source_date: Any
    merged_into: int | None
    created_at: Any
    updated_at: Any
    restricted_notes: str | None = None
    restricted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def shown(self) -> Shown:
        """Title and description in the active language where a translation exists, else as written
        (`shown.fallback` then says so; pages render `{% fallback_notice v.shown %}`)."""
        return pick_translation(
            {"title": self.title, "description": self.description},
            self.language,
            self.translations,
            get_language() or "en",
        )

    @property
    def priority_label(self) -> str:
        return str(Level(self.priority).label) if self.priority in Level.values else self.priority

    @property
    def impact_label(self) -> str:
        return str(Level(self.impact).label) if self.impact in Level.values else self.impact


def view(actor: Actor, b: Barrier) -> BarrierView:
    restricted = sees_restricted(actor, b)
    show_reporter = sees_reporter(actor, b)
    return BarrierView(
        id=b.pk,
        title=b.title,
        description=b.description,
        language=b.language,
        country_iso3=b.country.iso3 if b.country else None,
        country_name=b.country.name if b.country else None,
        group_code=b.group.code if b.group else None,
        group_name=b.group.name if b.group else None,
        category=b.category,
        category_label=str(b.get_category_display()),
        focus_areas=list(b.focus_areas),
        focus_area_labels=focus_labels(list(b.focus_areas)),
        measure_title=b.measure_title,
        measure_reference=b.measure_reference,
        measure_url=b.measure_url,
        measure_date=b.measure_date,
        reporter=b.reporter_name if show_reporter else None,
        reporter_organization=(b.reporter_organization.name if b.reporter_organization else "")
        if show_reporter
        else None,
        evidence=b.evidence,
        evidence_url=b.evidence_url,
        impact=b.impact,
        impact_note=b.impact_note,
        priority=b.priority,
        status=b.status,
        status_label=str(b.get_status_display()),
        status_changed_at=b.status_changed_at,
        origin=b.origin,
        source_name=b.source_name,
        source_url=b.source_url,
        source_date=b.source_date,
        merged_into=b.merged_into_id,
        created_at=b.created_at,
        updated_at=b.updated_at,
        restricted_notes=b.restricted_notes if restricted else None,
        restricted=restricted,
        translations=dict(b.translations or {}),
    )


def hidden_reporter(actor: Actor, barrier: Barrier) -> frozenset[int]:
    """When the reporter's identity is withheld from `actor`: the reporting account and the editors of the
    reporting organization (their rows would name it), whose history rows and updates say "the reporter"."""
    if sees_reporter(actor, barrier):
        return frozenset()
    hidden = {barrier.reported_by_id} if barrier.reported_by_id else set()
    if barrier.reporter_organization_id:
        hidden |= set(
            RoleAssignment.objects.filter(
                role=Role.ORG_EDITOR, organization_id=barrier.reporter_organization_id
            ).values_list("user_id", flat=True)
        )
    return frozenset(hidden)


def history(barrier: Barrier) -> list[BarrierStatusChange]:
    return list(barrier.history.all())


def updates(actor: Actor, barrier: Barrier) -> list[BarrierUpdate]:
    qs = barrier.updates.all()
    if not sees_restricted(actor, barrier):
        qs = qs.filter(is_public=True)
    return list(qs)


def chain(barrier: Barrier, actor: Actor = None) -> dict[str, list[link_targets.ResolvedLink]]:
    """The links in the order of the chain: need → offers → matches → projects.

    Stored links come first; then what follows from a linked need (its matches, their offers, and the
    IATI activity a match became), marked `via`. A viewer who does not see the barrier's restricted
    fields sees only links to objects their apps publish.
    """
    public_only = not sees_restricted(actor, barrier)
    resolved = link_targets.resolve_links(list(barrier.links.all()), public_only=public_only)
    resolved += link_targets.follow_chain(resolved, public_only=public_only)
    order = ["need", "offer", "match", "project"]
    return {kind: [r for r in resolved if r.kind == kind] for kind in order}


# --- Related barriers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Related:
    barrier: Barrier
    score: float
    same_place: bool
    possible_duplicate: bool


DUPLICATE_THRESHOLD = 0.6


def _corpus_key(qs: BarrierQuerySet) -> str:
    stats = qs.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    raw = f"{stats['n']}:{stats['last']}:{stats['top']}"
    return "barriers:textindex:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def _text(b: Any) -> str:
    if isinstance(b, dict):
        return f"{b['title']} {b['title']} {b['description']} {b['measure_title']}"
    # The title counts twice: it is the shortest statement of what the barrier is.
    return f"{b.title} {b.title} {b.description} {b.measure_title}"


def _index(qs: BarrierQuerySet) -> tuple[list[int], textsim.TextIndex]:
    key = _corpus_key(qs)
    cached: tuple[list[int], textsim.TextIndex] | None = cache.get(key)
    if cached is not None:
        return cached
    rows = list(qs.order_by("id").values("id", "title", "description", "measure_title"))
    built = ([r["id"] for r in rows], textsim.build_index([_text(r) for r in rows]))
    cache.set(key, built, 600)
    return built


def related(actor: Actor, barrier: Barrier, *, limit: int = 8, threshold: float = 0.25) -> list[Related]:
    """Barriers whose text is close to this one's, in any language (duplicates: close, same place)."""
    pool = visible(actor).filter(merged_into__isnull=True)
    ids, index = _index(pool)
    if not ids:
        return []
    scores = index.similar_to(_text(barrier))
    ranked = sorted(
        ((float(s), i) for i, s in zip(ids, scores, strict=True) if i != barrier.pk and s >= threshold),
        reverse=True,
    )[:limit]
    by_id = pool.select_related("country", "group").in_bulk([i for _, i in ranked])
    out = []
    for score, i in ranked:
        other = by_id.get(i)
        if other is None:
            continue
        same = (other.country_id is not None and other.country_id == barrier.country_id) or (
            other.group_id is not None and other.group_id == barrier.group_id
        )
        out.append(
            Related(
                barrier=other,
                score=round(score, 3),
                same_place=same,
                possible_duplicate=same
                and score >= DUPLICATE_THRESHOLD
                and other.category == barrier.category,
            )
        )
    return out


def related_by_region(items: list[Related]) -> dict[str, list[Related]]:
    """Related barriers grouped by region, to see a pattern across neighbouring countries."""
    groups: dict[str, list[Related]] = {}
    for item in items:
        region = (
            item.barrier.country.region
            if item.barrier.country
            else (item.barrier.group.name if item.barrier.group else "")
        )
        groups.setdefault(region or "—", []).append(item)
    return groups


def counts_by_country(actor: Actor) -> dict[str, int]:
    """Open public barriers per ISO3, for the map."""
    rows = (
        visible(actor)
        .filter(country__isnull=False, status__in=[s.value for s in PUBLIC])
        .values("country__iso3")
        .annotate(n=Count("id"))
    )
    return {r["country__iso3"]: r["n"] for r in rows}
