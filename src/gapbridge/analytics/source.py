"""The one place where analytics reads the IATI registry (:mod:`gapbridge.projects`).

Everything analytics needs from the registry — activity money, transactions that name other activities,
the funding facts, the records overlap detection compares, project summaries for pages, the focus areas
— is read here and handed on as the pure domain's dataclasses or as plain values. If the registry's
models change, only this module changes. The analytics tables refer to activities by their row id (a
plain integer, not a foreign key: the registry keeps an activity's id across re-imports) and by
(identifier, publisher), so analytics can be rebuilt at any time without touching the registry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, Max, Q, TextField, Value, When
from django.urls import NoReverseMatch, reverse

from gapbridge.domain.dedup import ActivityMoney, LinkedTransaction
from gapbridge.domain.overlap import Record
from gapbridge.domain.textsim import normalise
from gapbridge.projects.focus import load_focus_map
from gapbridge.projects.models import (
    Activity,
    ActivityFacet,
    FundingFact,
    ParticipatingOrg,
    RecipientRegion,
    Transaction,
)

#: transaction types that can make a funding-chain link (see gapbridge.domain.dedup)
LINK_TYPES = ("1", "2", "3", "11")
#: funding-fact transaction types and the measure each belongs to
MEASURE_SQL = "CASE WHEN f.transaction_type = '2' THEN 'commitment' ELSE 'disbursement' END"
_DAC = re.compile(r"^\d{3}(\d{2})?$")
_CHUNK = 2000


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- state ------------------------------------------------------------------------------------------------
def registry_fingerprint() -> str:
    """Changes whenever an import adds, changes or removes an activity."""
    found = Activity.objects.aggregate(n=Count("id"), last=Max("imported_at"), top=Max("id"))
    last = found["last"].isoformat() if found["last"] else ""
    return f"{found['n']}:{found['top'] or 0}:{last}"


def activity_count() -> int:
    return Activity.objects.count()


# -- focus areas ------------------------------------------------------------------------------------------
def focus_areas() -> list[tuple[str, str]]:
    """(slug, name in the reader's language) of GapBridge's focus areas, in their documented order."""
    from gapbridge.countries import labels

    return [(area.slug, labels.focus_area_name(area.slug, area.name)) for area in load_focus_map().areas]


# -- money and chains (for gapbridge.domain.dedup) --------------------------------------------------------
def linked_transactions() -> list[LinkedTransaction]:
    """Transactions that name another activity as provider or receiver, of the types that can link."""
    rows = (
        Transaction.objects.filter(type__in=LINK_TYPES)
        .filter(~Q(provider_activity_id="") | ~Q(receiver_activity_id=""))
        .values_list("activity_id", "type", "value_usd", "provider_activity_id", "receiver_activity_id")
    )
    return [
        LinkedTransaction(
            activity_id, type_, float(usd) if usd is not None else 0.0, provider.strip(), receiver.strip()
        )
        for activity_id, type_, usd, provider, receiver in rows.iterator(chunk_size=_CHUNK)
    ]


def duplicate_identifiers() -> set[str]:
    """Identifiers stored for more than one publisher."""
    rows = Activity.objects.values("iati_identifier").annotate(n=Count("id")).filter(n__gt=1)
    return {row["iati_identifier"] for row in rows}


def identifiers_of(activity_ids: Iterable[int]) -> set[str]:
    found: set[str] = set()
    wanted = sorted(set(activity_ids))
    for chunk in _chunks(wanted):
        found.update(Activity.objects.filter(id__in=chunk).values_list("iati_identifier", flat=True))
    return found


def activity_money(identifiers: Iterable[str]) -> list[ActivityMoney]:
    """The own totals (USD) of every stored row of these identifiers."""
    wanted = sorted(set(identifiers))
    found: list[ActivityMoney] = []
    for chunk in _chunks(wanted):
        rows = Activity.objects.filter(iati_identifier__in=chunk).values_list(
            "id",
            "iati_identifier",
            "publisher_ref",
            "is_primary",
            "commitments_usd",
            "disbursements_usd",
            "expenditure_usd",
        )
        for id_, identifier, publisher, primary, commitments, disbursements, expenditure in rows:
            found.append(
                ActivityMoney(
                    id_,
                    identifier,
                    publisher,
                    primary,
                    float(commitments or 0),
                    float(disbursements or 0) + float(expenditure or 0),
                )
            )
    return found


def build_funding_rows(rows_table: str, weights_table: str) -> None:
    """Fill the analytics funding table from the registry's funding facts (gross and de-duplicated).

    One INSERT ... SELECT: facts of every activity (gross), each multiplied by its activity's weight for
    the fact's measure (de-duplicated; activities without a weight row weigh 1).
    """
    facts = FundingFact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {rows_table}")  # noqa: S608 (table names come from model metadata)
        cursor.execute(
            f"""
            INSERT INTO {rows_table} (iso3, focus_area, year, provider_key, provider_name, measure,
                gross_usd, dedup_usd, unconverted, facts)
            SELECT f.iso3, f.focus_area, f.year, f.provider_key, MAX(f.provider_name), {MEASURE_SQL},
                COALESCE(SUM(f.value_usd), 0),
                COALESCE(SUM(f.value_usd * COALESCE(
                    CASE WHEN f.transaction_type = '2' THEN w.commitment ELSE w.disbursement END, 1.0)), 0),
                SUM(CASE WHEN f.value_usd IS NULL THEN 1 ELSE 0 END),
                COUNT(*)
            FROM {facts} f
            LEFT JOIN {weights_table} w ON w.activity_id = f.activity_id
            WHERE f.transaction_type IN ('2', '3', '4')
            GROUP BY f.iso3, f.focus_area, f.year, f.provider_key, {MEASURE_SQL}
            """  # noqa: S608 (no user input: table names from model metadata, constants)
        )


# -- overlap records --------------------------------------------------------------------------------------
@lru_cache(maxsize=200_000)
def org_key(ref: str, name: str) -> str:
    """An organisation as overlap detection compares it: its ref, else its normalised name."""
    ref = " ".join(ref.split()).upper()
    return ref or normalise(name)[:120]


@dataclass(frozen=True, slots=True)
class ActivityInfo:
    """What pages show about an activity next to an analytics result."""

    id: int
    identifier: str
    publisher: str
    title: str
    organization_id: int | None
    start: dt.date | None
    end: dt.date | None
    status: str


def overlap_records(
    activity_ids: Sequence[int] | None = None, *, limit: int | None = None
) -> tuple[list[Record], dict[int, ActivityInfo]]:
    """Overlap records of the stored activities (or of ``activity_ids``), and what pages show of each.

    Places: recipient countries (activity or transaction level); activities with none use their
    regions ("region:<code>"). Areas: focus areas; activities with none use the DAC sector categories of
    their sector codes ("dac:<3 digits>"). Organisations: participating organisations and transaction
    provider and receiver organisations (ref, else normalised name) — never activity ids. Linked: the
    provider/receiver activity ids of its transactions.
    """
    qs = Activity.objects.order_by("id")
    if activity_ids is not None:
        qs = qs.filter(id__in=list(activity_ids))
    if limit is not None:
        qs = qs[:limit]
    base = list(
        qs.values_list(
            "id",
            "iati_identifier",
            "publisher_ref",
            "start_date",
            "end_date",
            "search_text",
            "title",
            "reporting_org_id",
            "activity_status",
        ).iterator(chunk_size=_CHUNK)
    )
    ids = [row[0] for row in base]
    if activity_ids is None:
        # every activity, or the first ``limit`` by id: a range, not a long IN list, selects their parts
        top = ids[-1] if ids else 0
        selections = [Q(activity_id__lte=top)] if limit is not None else [Q()]
    else:
        selections = [Q(activity_id__in=chunk) for chunk in _chunks(ids, 20_000)]
    places: dict[int, set[str]] = defaultdict(set)
    focus: dict[int, set[str]] = defaultdict(set)
    dac: dict[int, set[str]] = defaultdict(set)
    regions: dict[int, set[str]] = defaultdict(set)
    orgs: dict[int, set[str]] = defaultdict(set)
    linked: dict[int, set[str]] = defaultdict(set)
    for chunk in selections:
        facets = ActivityFacet.objects.filter(chunk).values_list("activity_id", "kind", "value")
        for activity_id, kind, value in facets.iterator(chunk_size=_CHUNK):
            if kind == ActivityFacet.Kind.COUNTRY:
                places[activity_id].add(value)
            elif kind == ActivityFacet.Kind.FOCUS_AREA:
                focus[activity_id].add(value)
            elif _DAC.match(value):
                dac[activity_id].add(f"dac:{value[:3]}")
        for activity_id, code in (
            RecipientRegion.objects.filter(chunk, vocabulary="1")
            .values_list("activity_id", "code")
            .iterator(chunk_size=_CHUNK)
        ):
            regions[activity_id].add(f"region:{code}")
        # organisations with a ref are keyed by it; only those without one need their name (and the JSON)
        for activity_id, ref in (
            ParticipatingOrg.objects.filter(chunk)
            .exclude(ref="")
            .values_list("activity_id", "ref")
            .distinct()
            .iterator(chunk_size=_CHUNK)
        ):
            orgs[activity_id].add(org_key(ref, ""))
        for activity_id, narratives in (
            ParticipatingOrg.objects.filter(chunk, ref="")
            .values_list("activity_id", "narratives")
            .iterator(chunk_size=_CHUNK)
        ):
            key = org_key("", str(narratives[0][0]) if narratives else "")
            if key:
                orgs[activity_id].add(key)
        unnamed = Value("", output_field=TextField())
        for activity_id, p_ref, p_name, r_ref, r_name, p_act, r_act in (
            Transaction.objects.filter(chunk)
            .values_list(
                "activity_id",
                "provider_ref",
                Case(
                    When(provider_ref="", then=F("provider_name")), default=unnamed, output_field=TextField()
                ),
                "receiver_ref",
                Case(
                    When(receiver_ref="", then=F("receiver_name")), default=unnamed, output_field=TextField()
                ),
                "provider_activity_id",
                "receiver_activity_id",
            )
            .distinct()
            .iterator(chunk_size=_CHUNK)
        ):
            for ref, name in ((p_ref, p_name), (r_ref, r_name)):
                key = org_key(ref, name)
                if key:
                    orgs[activity_id].add(key)
            for other in (p_act.strip(), r_act.strip()):
                if other:
                    linked[activity_id].add(other)
    records: list[Record] = []
    info: dict[int, ActivityInfo] = {}
    for id_, identifier, publisher, start, end, text, title, org_id, status in base:
        publisher_key = " ".join(publisher.split()).upper()
        records.append(
            Record(
                id_,
                identifier,
                publisher_key,
                frozenset(places.get(id_) or regions.get(id_) or ()),
                frozenset(focus.get(id_) or dac.get(id_) or ()),
                start,
                end,
                text,
                frozenset(orgs.get(id_, ())),
                frozenset(linked.get(id_, set()) - {identifier}),
            )
        )
        info[id_] = ActivityInfo(id_, identifier, publisher, title or identifier, org_id, start, end, status)
    return records, info


def activity_info(activity_ids: Iterable[int]) -> dict[int, ActivityInfo]:
    found: dict[int, ActivityInfo] = {}
    wanted = sorted(set(activity_ids))
    for chunk in _chunks(wanted):
        for row in Activity.objects.filter(id__in=chunk).values_list(
            "id",
            "iati_identifier",
            "publisher_ref",
            "title",
            "reporting_org_id",
            "start_date",
            "end_date",
            "activity_status",
        ):
            found[row[0]] = ActivityInfo(
                row[0], row[1], row[2], row[3] or row[1], row[4], row[5], row[6], row[7]
            )
    return found


def active_projects(iso3: str, year: int, limit: int = 200) -> tuple[int, list[ActivityInfo]]:
    """Activities in ``iso3`` running in ``year`` (all publishers), newest start first; and how many."""
    qs = Activity.objects.in_country(iso3).active_in(year).order_by("-start_date", "id")
    total = qs.count()
    ids = list(qs.values_list("id", flat=True)[:limit])
    info = activity_info(ids)
    return total, [info[i] for i in ids if i in info]


def activities_in_country(iso3: str) -> int:
    return Activity.objects.in_country(iso3).count()


def activity_url(activity_id: int) -> str:
    """The registry's page of an activity (its API record until the registry has pages)."""
    for name in ("projects:activity", "projects:detail", "projects:activity-detail"):
        try:
            return reverse(name, args=[activity_id])
        except NoReverseMatch:
            continue
    return f"/api/v1/activities/{activity_id}"
