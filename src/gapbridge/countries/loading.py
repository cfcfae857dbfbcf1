"""Loading the bundled reference data into the database: all of it in one transaction, or nothing.

`load_reference` parses every file first (so a bad file is refused before any write), then replaces the
reference rows in one transaction and recomputes the Gap Index. A checksum of the files (and of
`LOADER_VERSION`) makes a second run a no-op unless `force` is given. Group memberships edited by the
secretariat are never overwritten.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from gapbridge.audit import services as audit
from gapbridge.countries import indicator_catalogue as catalogue
from gapbridge.countries import reference_files as files
from gapbridge.countries.models import (
    CountryGroup,
    Economy,
    GroupMembership,
    Indicator,
    LegalStatus,
    Observation,
    ReferenceLoad,
)

Progress = Callable[[str], None]


@dataclass
class LoadSummary:
    status: str  # "loaded" or "unchanged"
    checksum: str
    economies: int = 0
    groups: int = 0
    memberships: int = 0
    indicators: int = 0
    observations: int = 0
    legal_statuses: int = 0
    scored: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


#: Bump whenever the same files would now load differently (how a file is read or cleaned, how the Gap Index
#: or its peers are computed): it is part of the checksum, so the next `load-reference` after an upgrade
#: reloads and recomputes instead of answering "unchanged" and keeping rows an older version wrote.
#: 2: law titles cleaned of HTML (<br>, &#39;), links unescaped; peers ahead must lead on a shared indicator.
LOADER_VERSION = "2"


def checksum(root: Path) -> str:
    """The files' names and contents, and the loader version that reads them."""
    digest = hashlib.sha256(f"gapbridge-loader-{LOADER_VERSION}\n".encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_reference(root: Path, *, force: bool = False, progress: Progress | None = None) -> LoadSummary:
    started = time.perf_counter()
    say = progress or (lambda _label: None)
    if not root.is_dir():
        raise files.ReferenceDataError(root, None, None, "reference data folder not found")
    digest = checksum(root)
    latest = ReferenceLoad.objects.first()
    if latest is not None and latest.checksum == digest and not force:
        return LoadSummary(status="unchanged", checksum=digest)

    economies = files.read_economies(root)
    say("economies")
    codes = {e.iso3 for e in economies}
    groups = files.read_groups(root)
    memberships, skipped = files.read_memberships(root, codes)
    say("groups")
    legal = files.read_legal(root, {e.m49: e.iso3 for e in economies if e.m49})
    observations, unmatched = catalogue.read_observations(
        root, codes, files.name_index(root, economies), legal, say
    )
    _check_group_codes(groups, memberships)

    summary = LoadSummary(status="loaded", checksum=digest, notes=skipped + unmatched)
    with transaction.atomic():
        economy_ids = _upsert_economies(economies, observations)
        group_ids = _upsert_groups(groups)
        summary.memberships = _replace_memberships(memberships, economy_ids, group_ids)
        indicator_ids = _upsert_indicators()
        summary.observations = _replace_observations(observations, economy_ids, indicator_ids)
        summary.legal_statuses = _replace_legal(legal, economy_ids)
        say("database written")
        from gapbridge.countries.index_service import recompute_index

        summary.scored = recompute_index()
        say("Gap Index computed")
        summary.economies, summary.groups, summary.indicators = (
            len(economies),
            len(groups),
            len(indicator_ids),
        )
        summary.seconds = time.perf_counter() - started
        load = ReferenceLoad.objects.create(
            checksum=digest, seconds=summary.seconds, summary=_summary_json(summary)
        )
        audit.record(None, "import", load, after=_summary_json(summary), reason="load-reference")
    return summary


def _summary_json(summary: LoadSummary) -> dict[str, object]:
    return {
        "economies": summary.economies,
        "groups": summary.groups,
        "memberships": summary.memberships,
        "indicators": summary.indicators,
        "observations": summary.observations,
        "legal_statuses": summary.legal_statuses,
        "scored": summary.scored,
        "notes": len(summary.notes),
    }


def _check_group_codes(groups: list[files.GroupRow], memberships: list[files.MembershipRow]) -> None:
    known = {g.code for g in groups}
    for m in memberships:
        if m.group not in known:
            raise files.ReferenceDataError(
                "groups.csv", None, "code", f"group {m.group!r} is used but not defined"
            )


def _upsert_economies(
    rows: list[files.EconomyRow], observations: list[files.ObservationRow]
) -> dict[str, int]:
    latest_population: dict[str, tuple[int, float]] = {}
    for obs in observations:
        if obs.indicator == "population":
            current = latest_population.get(obs.iso3)
            if current is None or obs.year > current[0]:
                latest_population[obs.iso3] = (obs.year, obs.value)
    existing = {e.iso3: e for e in Economy.objects.all()}
    to_create: list[Economy] = []
    to_update: list[Economy] = []
    for row in rows:
        economy = existing.get(row.iso3) or Economy(iso3=row.iso3)
        for name in (
            "iso2",
            "m49",
            "name_en",
            "name_fr",
            "name_es",
            "name_ar",
            "region",
            "sub_region",
            "wb_region",
            "income_group",
            "lending_category",
        ):
            setattr(economy, name, getattr(row, name))
        economy.latest_population = latest_population.get(row.iso3, (0, None))[1]
        (to_update if economy.pk else to_create).append(economy)
    Economy.objects.bulk_create(to_create)
    fields = [
        "iso2",
        "m49",
        "name_en",
        "name_fr",
        "name_es",
        "name_ar",
        "region",
        "sub_region",
        "wb_region",
        "income_group",
        "lending_category",
        "latest_population",
    ]
    Economy.objects.bulk_update(to_update, fields, batch_size=500)
    return dict(Economy.objects.values_list("iso3", "id"))


def _upsert_groups(rows: list[files.GroupRow]) -> dict[str, int]:
    for row in rows:
        CountryGroup.objects.update_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "kind": row.kind,
                "source": row.source,
                "source_url": row.source_url,
                "as_of": row.as_of,
                "description": row.description,
            },
        )
    return dict(CountryGroup.objects.values_list("code", "id"))


def _replace_memberships(
    rows: list[files.MembershipRow], economy_ids: dict[str, int], group_ids: dict[str, int]
) -> int:
    GroupMembership.objects.filter(origin=GroupMembership.Origin.REFERENCE).delete()
    edited = set(
        GroupMembership.objects.filter(origin=GroupMembership.Origin.SECRETARIAT).values_list(
            "group_id", "economy_id"
        )
    )
    objs = [
        GroupMembership(
            group_id=group_ids[r.group],
            economy_id=economy_ids[r.iso3],
            start_date=r.start_date,
            end_date=r.end_date,
            status=r.status,
            source=r.source[:500],
            note=r.note,
        )
        for r in rows
        if (group_ids[r.group], economy_ids[r.iso3]) not in edited
    ]
    GroupMembership.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


def _upsert_indicators() -> dict[str, int]:
    from gapbridge.domain.gapindex import PILLARS

    pillar_of = {spec.code: pillar.code for pillar in PILLARS for spec in pillar.indicators}
    for source in catalogue.CATALOGUE:
        Indicator.objects.update_or_create(
            code=source.code,
            defaults={
                "name": source.name,
                "unit": source.unit,
                "pillar": pillar_of.get(source.code, ""),
                "source": source.source,
                "source_url": source.source_url,
                "licence": source.licence,
                "description": source.description,
            },
        )
    return dict(Indicator.objects.values_list("code", "id"))


def _replace_observations(
    rows: list[files.ObservationRow], economy_ids: dict[str, int], indicator_ids: dict[str, int]
) -> int:
    Observation.objects.all().delete()
    objs = [
        Observation(
            indicator_id=indicator_ids[r.indicator],
            economy_id=economy_ids[r.iso3],
            year=r.year,
            value=r.value,
            source=r.source,
        )
        for r in rows
    ]
    Observation.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def _replace_legal(rows: list[files.LegalRow], economy_ids: dict[str, int]) -> int:
    LegalStatus.objects.all().delete()
    objs = [
        LegalStatus(
            economy_id=economy_ids[r.iso3],
            area=r.area,
            status=r.status,
            laws=r.laws,
            source="UNCTAD Global Cyberlaw Tracker (2026-04)",
        )
        for r in rows
    ]
    LegalStatus.objects.bulk_create(objs, batch_size=1000)
    return len(objs)
