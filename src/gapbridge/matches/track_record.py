"""Provider track records from the IATI activities stored by the project registry (``projects`` app).

Adapter between the registry's tables and the matcher's pure inputs (:class:`HistoryRecord`,
:class:`TrackRecord`). It credits each primary activity in a GapBridge focus area to its reporting
organisation (``publisher_ref``) and its participating organisations with role 1 (funding) or 3
(extending), by IATI organisation identifier: the same rule as ``gapbridge eval-providers``.

Where: recipient countries of the activity, else of its transactions; regions are the countries' UN M49
sub-regions (what a need's region is). What: sectors of the activity, else of its transactions, and the
focus areas of the registry's DAC mapping (stored on activity-level sectors, computed with the same
mapping for transaction-level ones). Only the registry's activities, participating organisations,
recipient countries, sectors and transactions tables are read.

Guarded: while the registry has no table or no activities (or its schema is not the one read here), it
returns no records and the matcher's track-record component is 0 for everyone, the explanation saying so.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldError
from django.db import DatabaseError
from django.db.models import Count, Exists, Max, OuterRef, Q

from gapbridge.countries.models import Economy
from gapbridge.domain.matching import HistoryRecord, TrackRecord, build_track_records

log = logging.getLogger(__name__)
PROVIDER_ROLES = ("1", "3")
#: DAC sector vocabularies (5-digit purpose codes, 3-digit categories)
DAC_VOCABULARIES = frozenset({"1", "2"})
CHUNK = 500


def version() -> str:
    """Changes whenever the stored activities change (a cache key); "" without a registry."""
    try:
        from gapbridge.projects.models import Activity

        state = Activity.objects.aggregate(n=Count("pk"), last=Max("imported_at"))
    except (ImportError, DatabaseError, FieldError):
        return ""
    if not state["n"]:
        return ""
    return f"{state['n']}:{state['last']}"


def history_records(limit: int | None = None) -> list[HistoryRecord]:
    """One record per primary stored activity in a focus area; [] while the registry is not there."""
    try:
        return _read(limit)
    except (ImportError, DatabaseError, FieldError, AttributeError, TypeError, ValueError) as exc:
        log.warning("track records unavailable: the project registry could not be read (%s)", exc)
        return []


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _activity_text(row: Mapping[str, Any]) -> str:
    """Title and first description (default language first) of an activity row."""
    lang = row.get("default_language") or None
    description = ""
    for _type, narratives in row.get("descriptions") or []:
        if not narratives:
            continue
        chosen = next((str(t) for t, narrative_lang in narratives if lang and narrative_lang == lang), "")
        description = chosen or str(narratives[0][0])
        if description:
            break
    return f"{row.get('title') or ''}\n{description}".strip()


def _read(limit: int | None) -> list[HistoryRecord]:
    from gapbridge.matches.iati_history import country_table
    from gapbridge.projects.focus import load_focus_map
    from gapbridge.projects.models import Activity, ParticipatingOrg, RecipientCountry, Sector, Transaction

    primary = Q(activity__is_primary=True)
    # What: activity-level sectors (focus area stored at import)
    sectors: dict[int, set[str]] = defaultdict(set)
    areas: dict[int, set[str]] = defaultdict(set)
    with_sectors: set[int] = set()
    for activity_id, code, vocabulary, area in Sector.objects.filter(primary).values_list(
        "activity_id", "code", "vocabulary", "focus_area"
    ):
        with_sectors.add(activity_id)
        if vocabulary in DAC_VOCABULARIES:
            sectors[activity_id].add(code.strip())
        if area:
            areas[activity_id].add(area)
    # Where: activity-level recipient countries
    countries: dict[int, set[str]] = defaultdict(set)
    for activity_id, iso3 in (
        RecipientCountry.objects.filter(primary).exclude(iso3="").values_list("activity_id", "iso3")
    ):
        countries[activity_id].add(iso3)
    # Transaction level, for activities that give sectors or countries there instead
    table = country_table()
    tx_sectors: dict[int, set[tuple[str, str]]] = defaultdict(set)
    own_sectors = Sector.objects.filter(activity_id=OuterRef("activity_id"))
    tx_rows = (
        Transaction.objects.filter(primary)
        .filter(~Q(recipient_country_code="") | ~Exists(own_sectors))
        .values_list("activity_id", "sectors", "recipient_country_code")
        .order_by()
    )
    for activity_id, tx_sector_list, country_code in tx_rows.iterator(chunk_size=2000):
        if activity_id not in countries and country_code:
            found = table.get(str(country_code).strip().upper())
            if found:
                countries.setdefault(activity_id, set()).add(found[0])
        if activity_id not in with_sectors:
            for item in tx_sector_list or []:
                code, vocabulary = str(item[0]).strip(), str(item[1] or "1")
                if vocabulary in DAC_VOCABULARIES:
                    tx_sectors[activity_id].add((vocabulary, code))
    # Transaction sectors mapped with the registry's focus map (its keyword rules read the activity text)
    focus_map = load_focus_map()
    texts: dict[int, str] = {}
    tx_ids = sorted(tx_sectors)
    for chunk in _chunks(tx_ids):
        for row in Activity.objects.filter(pk__in=chunk).values(
            "pk", "title", "descriptions", "default_language"
        ):
            texts[row["pk"]] = _activity_text(row)
    for activity_id, pairs in tx_sectors.items():
        sectors[activity_id] |= {code for _, code in pairs}
        areas[activity_id] |= {
            focus_map.focus_area(vocabulary, code, texts.get(activity_id, "")) for vocabulary, code in pairs
        } - {""}

    focus_ids = sorted(a for a, found in areas.items() if found)
    if limit is not None:
        focus_ids = focus_ids[:limit]
    regions = dict(Economy.objects.exclude(sub_region="").values_list("iso3", "sub_region"))
    records: list[HistoryRecord] = []
    for chunk in _chunks(focus_ids):
        orgs: dict[int, set[str]] = defaultdict(set)
        names: dict[int, dict[str, str]] = defaultdict(dict)
        for activity_id, ref, narratives in ParticipatingOrg.objects.filter(
            activity_id__in=chunk, role__in=PROVIDER_ROLES
        ).values_list("activity_id", "ref", "narratives"):
            ref = (ref or "").strip()
            if ref:
                orgs[activity_id].add(ref)
                if narratives and narratives[0] and narratives[0][0]:
                    names[activity_id].setdefault(ref, str(narratives[0][0]))
        rows = Activity.objects.filter(pk__in=chunk, is_primary=True).values(
            "pk",
            "publisher_ref",
            "reporting_org__name",
            "title",
            "descriptions",
            "default_language",
            "commitments_usd",
            "disbursements_usd",
        )
        for row in sorted(rows, key=lambda r: r["pk"]):
            pk = row["pk"]
            credited = set(orgs[pk])
            publisher = (row["publisher_ref"] or "").strip()
            if publisher:
                credited.add(publisher)
                if row["reporting_org__name"]:
                    names[pk][publisher] = row["reporting_org__name"]
            if not credited:
                continue
            where = countries.get(pk, set())
            value = row["commitments_usd"] or row["disbursements_usd"] or Decimal(0)
            records.append(
                HistoryRecord(
                    orgs=tuple(sorted(credited)),
                    countries=frozenset(where),
                    regions=frozenset(regions[c] for c in where if c in regions),
                    sectors=frozenset(sectors.get(pk, ())),
                    focus_areas=frozenset(areas[pk]),
                    text=_activity_text(row),
                    value_usd=float(value),
                    org_names=dict(names[pk]),
                )
            )
    return records


def track_records() -> dict[str, TrackRecord]:
    """Track records by IATI organisation identifier; {} while the registry has nothing."""
    return build_track_records(history_records())
