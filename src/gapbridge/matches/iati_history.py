"""IATI activities as matchmaking history: provider track records and leak-free evaluation queries.

Used by ``gapbridge eval-providers`` straight from files (no database). An activity credits its
reporting organisation and its participating organisations with role 1 (funding) or 3 (extending), by
organisation identifier: those are its "providers". As a query, an activity shows the matcher only its
recipient countries and regions, sectors, title and description; its identifier, organisations and
anything derived from them (transactions, related activities, other identifiers) never reach it.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from gapbridge.domain.matching import HistoryRecord, ProviderQuery, QueryCase
from gapbridge.iati.dto import ActivityDTO, pick_text
from gapbridge.iati.errors import IatiError
from gapbridge.iati.parser import iter_file
from gapbridge.projects.focus import load_focus_map

COUNTRY_FILE = (
    Path(__file__).resolve().parents[3] / "data" / "reference" / "classifications" / "country-codes.csv"
)
PROVIDER_ROLES = frozenset({"1", "3"})


@lru_cache(maxsize=1)
def country_table() -> dict[str, tuple[str, str]]:
    """ISO 3166-1 alpha-2 -> (alpha-3, M49 sub-region name), from the bundled reference data."""
    table: dict[str, tuple[str, str]] = {}
    with COUNTRY_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            alpha2 = (row.get("ISO3166-1-Alpha-2") or "").strip().upper()
            alpha3 = (row.get("ISO3166-1-Alpha-3") or "").strip().upper()
            if alpha2 and alpha3:
                table[alpha2] = (alpha3, (row.get("Sub-region Name") or "").strip())
    return table


def providers_of(activity: ActivityDTO) -> frozenset[str]:
    """The truth of eval-providers: reporting-org and participating orgs with role 1 or 3, by ref."""
    refs: set[str] = set()
    if activity.reporting_org is not None and activity.reporting_org.ref:
        refs.add(activity.reporting_org.ref.strip())
    for org in activity.participating_orgs:
        if org.role in PROVIDER_ROLES and org.ref and org.ref.strip():
            refs.add(org.ref.strip())
    return frozenset(refs)


def _org_names(activity: ActivityDTO) -> dict[str, str]:
    names: dict[str, str] = {}
    if activity.reporting_org is not None and activity.reporting_org.ref:
        name = pick_text(activity.reporting_org.narratives, activity.default_language)
        if name:
            names[activity.reporting_org.ref.strip()] = name
    for org in activity.participating_orgs:
        if org.ref and org.ref.strip() not in names:
            name = pick_text(org.narratives, activity.default_language)
            if name:
                names[org.ref.strip()] = name
    return names


def activity_text(activity: ActivityDTO) -> str:
    parts: list[str] = []
    if activity.title:
        parts.append(activity.title)
    for description in activity.descriptions:
        text = pick_text(description.narratives, activity.default_language)
        if text:
            parts.append(text)
    return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class Where:
    countries: frozenset[str]
    regions: frozenset[str]
    sectors: frozenset[str]
    focus_areas: frozenset[str]


def where_and_what(activity: ActivityDTO, text: str) -> Where:
    table = country_table()
    countries: set[str] = set()
    regions: set[str] = set()
    for country in activity.recipient_countries:
        found = table.get(country.code.strip().upper())
        if found:
            countries.add(found[0])
            if found[1]:
                regions.add(found[1])
    for region in activity.recipient_regions:
        regions.add(f"iati-region:{region.vocabulary}:{region.code}")
    sector_pairs = [(s.vocabulary, s.code.strip()) for s in activity.sectors if s.vocabulary in {"1", "2"}]
    sectors = frozenset(code for _, code in sector_pairs)
    focus_map = load_focus_map()  # the registry's DAC mapping, so projects and matchmaking agree
    areas = {focus_map.focus_area(vocabulary, code, text) for vocabulary, code in sector_pairs} - {""}
    return Where(frozenset(countries), frozenset(regions), sectors, frozenset(areas))


def history_record(activity: ActivityDTO) -> HistoryRecord | None:
    orgs = providers_of(activity)
    if not orgs:
        return None
    text = activity_text(activity)
    where = where_and_what(activity, text)
    names = {k: v for k, v in _org_names(activity).items() if k in orgs}
    return HistoryRecord(
        orgs=tuple(sorted(orgs)),
        countries=where.countries,
        regions=where.regions,
        sectors=where.sectors,
        focus_areas=where.focus_areas,
        text=text,
        org_names=names,
    )


def query_case(activity: ActivityDTO) -> QueryCase | None:
    """The activity as a need (organisations hidden) and its true providers; ``None`` without any."""
    truth = providers_of(activity)
    if not truth:
        return None
    text = activity_text(activity)
    where = where_and_what(activity, text)
    query = ProviderQuery(
        countries=where.countries,
        regions=where.regions,
        sectors=where.sectors,
        focus_areas=where.focus_areas,
        text=text,
    )
    return QueryCase(query, truth)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files under ``paths`` (directories recursively), in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


@dataclass(frozen=True, slots=True)
class Loaded:
    activities: dict[str, ActivityDTO]
    errors: tuple[str, ...]
    files: int


def load_activities(paths: Sequence[Path], progress: Callable[[Path], None] | None = None) -> Loaded:
    """Parse every activity; the same identifier seen twice keeps the most recently updated version."""
    activities: dict[str, ActivityDTO] = {}
    errors: list[str] = []
    files = expand(paths)
    for file in files:
        try:
            for parsed in iter_file(file):
                activity = parsed.activity
                if activity is None:
                    continue
                key = activity.iati_identifier.strip()
                old = activities.get(key)
                if old is None or _newer(activity, old):
                    activities[key] = activity
        except IatiError as exc:
            errors.append(str(exc))
        if progress is not None:
            progress(file)
    return Loaded(activities, tuple(errors), len(files))


def _newer(new: ActivityDTO, old: ActivityDTO) -> bool:
    if new.last_updated_datetime is None:
        return False
    return old.last_updated_datetime is None or new.last_updated_datetime >= old.last_updated_datetime


@dataclass(frozen=True, slots=True)
class Split:
    history: list[HistoryRecord]
    cases: list[QueryCase]
    #: history activities left out because they are queries (same identifier) or after the split date
    dropped_from_history: int
    #: query activities that name no provider by identifier (nothing to score them against)
    queries_without_providers: int


def split(
    history: dict[str, ActivityDTO],
    queries: dict[str, ActivityDTO],
    *,
    before: date | None = None,
    holdout: float | None = None,
    seed: int = 0,
) -> Split:
    """History records and query cases, leak-free.

    An activity that is a query is never history as well: its identifier is removed from history (the
    identifier is used for this and nothing else). With ``before``, queries are the activities that started
    on or after that date and history those that started before it (undated ones are left out of both).
    With ``holdout``, a random share of the query activities (fixed ``seed``) are the queries; the others
    stay available as history. Both apply when history and queries come from the same files.
    """
    query_keys = sorted(queries)
    if before is not None:
        query_keys = [
            k for k in query_keys if _start(queries[k]) is not None and not _starts_before(queries[k], before)
        ]
    if holdout is not None:
        count = round(len(query_keys) * holdout)
        query_keys = sorted(random.Random(seed).sample(query_keys, count))
    chosen = set(query_keys)
    dropped = 0
    records: list[HistoryRecord] = []
    for key in sorted(history):
        activity = history[key]
        if key in chosen or (before is not None and not _starts_before(activity, before)):
            dropped += 1
            continue
        record = history_record(activity)
        if record is not None:
            records.append(record)
    cases: list[QueryCase] = []
    without = 0
    for key in query_keys:
        case = query_case(queries[key])
        if case is None:
            without += 1
            continue
        cases.append(case)
    return Split(records, cases, dropped, without)


def _start(activity: ActivityDTO) -> date | None:
    return activity.start_date


def _starts_before(activity: ActivityDTO, before: date) -> bool:
    start = activity.start_date
    return start is not None and start < before


def iter_digital_history(activities: Iterable[ActivityDTO]) -> Iterator[HistoryRecord]:
    """History records of activities in a GapBridge focus area (used to build web track records)."""
    for activity in activities:
        record = history_record(activity)
        if record is not None and record.focus_areas:
            yield record
