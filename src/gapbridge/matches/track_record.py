"""Provider track records from the IATI activities stored by the project registry (``projects`` app).

Adapter between the registry's tables and the matcher's pure inputs (:class:`HistoryRecord`,
:class:`TrackRecord`). It credits each primary activity in a GapBridge focus area to its reporting
organisation and its participating organisations with role 1 (funding) or 3 (extending), by IATI
organisation identifier, the same rule as ``gapbridge eval-providers``. Guarded: while the registry has no
models, no table or no activities (or its schema is not the one read here), it returns no records and
the matcher's track-record component is 0 for everyone, with the explanation saying so.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError

from gapbridge.countries.models import Economy
from gapbridge.domain.matching import HistoryRecord, TrackRecord, build_track_records

log = logging.getLogger(__name__)
PROVIDER_ROLES = ("1", "3")


def _activity_model() -> Any | None:
    try:
        return apps.get_model("projects", "Activity")
    except LookupError:
        return None


def version() -> str:
    """Changes whenever the stored activities change (a cache key); "" without a registry."""
    model = _activity_model()
    if model is None:
        return ""
    try:
        from django.db.models import Count, Max

        state = model.objects.aggregate(n=Count("pk"), last=Max("imported_at"))
    except (DatabaseError, FieldError):
        return ""
    return f"{state['n']}:{state['last']}"


def history_records(limit: int | None = None) -> list[HistoryRecord]:
    """One record per primary stored activity in a focus area; [] while the registry is not there."""
    model = _activity_model()
    if model is None:
        return []
    try:
        return _read(model, limit)
    except (DatabaseError, FieldError, AttributeError, TypeError, ValueError) as exc:
        log.warning("track records unavailable: the project registry could not be read (%s)", exc)
        return []


def _read(model: Any, limit: int | None) -> list[HistoryRecord]:
    regions = dict(Economy.objects.exclude(sub_region="").values_list("iso3", "sub_region"))
    qs = (
        model.objects.filter(is_primary=True, facets__kind="focus")
        .distinct()
        .prefetch_related("participating_orgs", "recipient_countries", "recipient_regions", "sectors")
        .order_by("pk")
    )
    if limit is not None:
        qs = qs[:limit]
    records: list[HistoryRecord] = []
    for activity in qs.iterator(chunk_size=500):
        orgs = {activity.publisher_ref} if activity.publisher_ref else set()
        names: dict[str, str] = {}
        for org in activity.participating_orgs.all():
            if org.role in PROVIDER_ROLES and org.ref:
                orgs.add(org.ref)
                if org.narratives:
                    names.setdefault(org.ref, str(org.narratives[0][0]))
        if not orgs:
            continue
        data = activity.reporting_org_data or {}
        if activity.publisher_ref and data.get("narratives"):
            names[activity.publisher_ref] = str(data["narratives"][0][0])
        countries = {c.iso3 for c in activity.recipient_countries.all() if c.iso3}
        region_set = {regions[c] for c in countries if c in regions}
        region_set |= {f"iati-region:{r.vocabulary}:{r.code}" for r in activity.recipient_regions.all()}
        sectors = list(activity.sectors.all())
        value = activity.commitments_usd or activity.disbursements_usd or Decimal(0)
        records.append(
            HistoryRecord(
                orgs=tuple(sorted(orgs)),
                countries=frozenset(countries),
                regions=frozenset(region_set),
                sectors=frozenset(s.code for s in sectors if s.vocabulary in {"1", "2"}),
                focus_areas=frozenset(s.focus_area for s in sectors if s.focus_area),
                text=f"{activity.display_title()}\n{activity.description_text()}",
                value_usd=float(value),
                org_names=names,
            )
        )
    return records


def track_records() -> dict[str, TrackRecord]:
    """Track records by IATI organisation identifier; {} while the registry has nothing."""
    return build_track_records(history_records())
