"""Real starting content: offers from the Digital Public Goods registry and from IATI technical cooperation.

* Each bundled DPG (``data/offers/dpg-offers.json.gz``) becomes a published offer of kind "digital public
  good or software", open to every country, provided by the DPG's owner organization; its source is
  the registry entry (``source_key`` ``dpg:<id>``), so seeding again updates instead of duplicating.
* An IATI activity is technical cooperation in a digital focus area when its aid type (default or on a
  transaction, vocabulary 1) is D01 "donor country personnel" or D02 "other technical assistance", one of
  its sectors maps to a GapBridge focus area (the registry's DAC mapping), and it is in pipeline or
  implementation. It becomes an offer of technical assistance by its reporting organisation, for its
  recipient countries, closing when the activity ends (``source_key`` ``iati:<publisher>:<identifier>``).
  The activities come from the project registry (what ``gapbridge import-iati`` stored) and from any
  files given; an activity found in both is seeded once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from gapbridge.accounts.permissions import Actor
from gapbridge.audit import services as audit
from gapbridge.iati.dto import ActivityDTO, pick_text
from gapbridge.offers import dpg
from gapbridge.offers.models import OfferOrigin
from gapbridge.offers.services import OfferError, upsert_seeded
from gapbridge.organizations.models import Organization, OrganizationType

TECHNICAL_COOPERATION = frozenset({"D01", "D02"})
LIVE_STATUSES = frozenset({"1", "2"})  # pipeline/identification, implementation
D_PORTAL = "https://d-portal.org/ctrack.html#view=act&aid={id}"


class SeedingError(Exception):
    """Seeding could not run; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class TcActivity:
    """What offer seeding needs from an IATI activity (built from a DTO or from a stored activity)."""

    identifier: str
    publisher_ref: str
    publisher_name: str
    publisher_type: str
    title: str
    description: str
    status: str
    aid_types: frozenset[str]
    focus_areas: tuple[str, ...]
    countries: tuple[str, ...]
    language: str
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class SeedOffer:
    source_key: str
    source_url: str
    source_note: str
    provider_name: str
    provider_ref: str | None
    provider_type: str
    provider_website: str
    origin: OfferOrigin
    data: dict[str, Any]


def tc_from_dto(activity: ActivityDTO) -> TcActivity:
    """The seeding view of a parsed IATI activity (focus areas by the registry's DAC mapping)."""
    from gapbridge.matches.iati_history import activity_text, country_table
    from gapbridge.projects.focus import load_focus_map

    text = activity_text(activity)
    focus_map = load_focus_map()
    areas = {focus_map.focus_area(s.vocabulary, s.code, text) for s in activity.sectors} - {""}
    aid = {t.code for t in activity.default_aid_types if t.vocabulary == "1"}
    aid |= {t.code for tr in activity.transactions for t in tr.aid_types if t.vocabulary == "1"}
    table = country_table()
    countries = sorted(
        {table[c.code.upper()][0] for c in activity.recipient_countries if c.code.upper() in table}
    )
    reporting = activity.reporting_org
    descriptions = [pick_text(d.narratives, activity.default_language) for d in activity.descriptions]
    return TcActivity(
        identifier=activity.iati_identifier,
        publisher_ref=(reporting.ref or "").strip() if reporting else "",
        publisher_name=(pick_text(reporting.narratives, activity.default_language) or "")
        if reporting
        else "",
        publisher_type=(reporting.type or "") if reporting else "",
        title=activity.title or activity.iati_identifier,
        description=next((d for d in descriptions if d), "") or (activity.title or ""),
        status=activity.activity_status or "",
        aid_types=frozenset(aid),
        focus_areas=tuple(sorted(areas)),
        countries=tuple(countries),
        language=(activity.default_language or "en")[:2].lower(),
        end=activity.end_date,
    )


def tc_from_registry(*, today: dt.date) -> list[TcActivity]:
    """The seeding view of the project registry's stored primary activities that may be live technical
    cooperation (status pipeline or implementation, not ended); the rest is checked by
    :func:`technical_cooperation_offers`. Reads the activities, participating organisations, recipient
    countries, sectors and transactions tables only; [] while the registry is empty."""
    from django.db.models import Q

    from gapbridge.matches.iati_history import country_table
    from gapbridge.projects.focus import load_focus_map
    from gapbridge.projects.models import Activity, RecipientCountry, Sector, Transaction

    rows = list(
        Activity.objects.filter(is_primary=True, activity_status__in=sorted(LIVE_STATUSES))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("pk")
        .values(
            "pk",
            "iati_identifier",
            "publisher_ref",
            "reporting_org__name",
            "reporting_org__org_type",
            "title",
            "titles",
            "descriptions",
            "default_language",
            "activity_status",
            "end_date",
            "default_aid_types",
        )
    )
    if not rows:
        return []
    ids = [r["pk"] for r in rows]
    aid = {r["pk"]: {str(c) for c, v in r["default_aid_types"] or [] if v == "1"} for r in rows}
    areas: dict[int, set[str]] = {pk: set() for pk in ids}
    countries: dict[int, set[str]] = {pk: set() for pk in ids}
    with_sectors: set[int] = set()
    tx_sectors: dict[int, set[tuple[str, str]]] = {pk: set() for pk in ids}
    tx_countries: dict[int, set[str]] = {pk: set() for pk in ids}
    table = country_table()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for pk, area in Sector.objects.filter(activity_id__in=chunk).values_list("activity_id", "focus_area"):
            with_sectors.add(pk)
            if area:
                areas[pk].add(area)
        in_chunk = RecipientCountry.objects.filter(activity_id__in=chunk)
        for pk, iso3 in in_chunk.values_list("activity_id", "iso3"):
            if iso3:
                countries[pk].add(iso3)
        for pk, aid_types, sectors, code in Transaction.objects.filter(activity_id__in=chunk).values_list(
            "activity_id", "aid_types", "sectors", "recipient_country_code"
        ):
            aid[pk] |= {str(c) for c, v in aid_types or [] if v == "1"}
            tx_sectors[pk] |= {(str(s[1] or "1"), str(s[0]).strip()) for s in sectors or []}
            found = table.get(str(code or "").strip().upper())
            if found:
                tx_countries[pk].add(found[0])
    focus_map = load_focus_map()
    out: list[TcActivity] = []
    for r in rows:
        pk = r["pk"]
        if not aid[pk] & TECHNICAL_COOPERATION:
            continue
        lang = r["default_language"] or None
        title = _pick(r["titles"], lang) or r["title"] or r["iati_identifier"]
        texts = (_pick(narratives, lang) for _type, narratives in r["descriptions"] or [])
        description = next((text for text in texts if text), "")
        found_areas = set(areas[pk])
        if pk not in with_sectors:
            text = f"{title}\n{description}"
            found_areas |= {focus_map.focus_area(v, c, text) for v, c in tx_sectors[pk]} - {""}
        out.append(
            TcActivity(
                identifier=r["iati_identifier"],
                publisher_ref=(r["publisher_ref"] or "").strip(),
                publisher_name=r["reporting_org__name"] or "",
                publisher_type=r["reporting_org__org_type"] or "",
                title=title,
                description=description or title,
                status=r["activity_status"] or "",
                aid_types=frozenset(aid[pk]),
                focus_areas=tuple(sorted(found_areas)),
                countries=tuple(sorted(countries[pk] or tx_countries[pk])),
                language=(r["default_language"] or "en")[:2].lower(),
                end=r["end_date"],
            )
        )
    return out


def _pick(narratives: list[Any] | None, lang: str | None) -> str:
    if not narratives:
        return ""
    if lang:
        for text, narrative_lang in narratives:
            if narrative_lang == lang and text:
                return str(text)
    return str(narratives[0][0] or "")


def technical_cooperation_offers(activities: Iterable[TcActivity], *, today: dt.date) -> Iterator[SeedOffer]:
    """Offers from live technical-cooperation activities in a digital focus area."""
    for a in activities:
        if not (a.aid_types & TECHNICAL_COOPERATION and a.focus_areas and a.status in LIVE_STATUSES):
            continue
        if a.end is not None and a.end < today:
            continue
        name = a.publisher_name or a.publisher_ref or "?"
        yield SeedOffer(
            source_key=f"iati:{a.publisher_ref}:{a.identifier}"[:200],
            source_url=D_PORTAL.format(id=a.identifier),
            source_note=(
                f"IATI activity {a.identifier} published by {name}: technical cooperation "
                f"(aid type {', '.join(sorted(a.aid_types & TECHNICAL_COOPERATION))}) in "
                f"{', '.join(a.focus_areas)}; offered where the activity runs"
                + (
                    f" ({', '.join(a.countries)})."
                    if a.countries
                    else " (no recipient country given: open to all)."
                )
            ),
            provider_name=name,
            provider_ref=a.publisher_ref or None,
            provider_type=a.publisher_type,
            provider_website="",
            origin=OfferOrigin.IATI,
            data={
                "title": a.title[:300],
                "description": a.description or a.title,
                "language": a.language if a.language in {"en", "fr", "es", "ar", "pt", "ru", "zh"} else "en",
                "kind": "technical-assistance",
                "focus_areas": list(a.focus_areas),
                "eligible_countries": list(a.countries),
                "closes": a.end,
            },
        )


def dpg_offers(records: Iterable[dict[str, Any]]) -> Iterator[SeedOffer]:
    for r in records:
        owner = next((o for o in r.get("organizations", []) if o.get("org_type") == "owner"), None)
        owner = owner or (r.get("organizations") or [{"name": r["name"], "website": r.get("website", "")}])[0]
        licences = ", ".join(r.get("licenses") or []) or "see the registry"
        stage = "recognised digital public good" if r.get("stage") == "DPG" else "nominee"
        deployed = r.get("deployment_countries") or []
        note = (
            f"Digital Public Goods Alliance registry entry {r['id']!r} ({stage}; licence {licences})"
            + (f"; deployed in {len(deployed)} countries" if deployed else "")
            + f". Source: {dpg.SOURCE}."
        )
        yield SeedOffer(
            source_key=f"dpg:{r['id']}",
            source_url=r.get("website") or dpg.REGISTRY_URL,
            source_note=note,
            provider_name=str(owner.get("name") or r["name"]).strip()[:300],
            provider_ref=None,
            provider_type=OrganizationType.OTHER,
            provider_website=str(owner.get("website") or ""),
            origin=OfferOrigin.DPG_REGISTRY,
            data={
                "title": r["name"][:300],
                "description": r["description"],
                "language": "en",
                "kind": "digital-public-good",
                "focus_areas": list(r["focus_areas"]),
                "modality": "self-service",
                "contact_url": (r.get("website") or "")[:500],
            },
        )


def _provider(seed: SeedOffer) -> Organization:
    """The provider organization (by IATI identifier, else by exact name); created when missing."""
    org = None
    if seed.provider_ref:
        org = Organization.objects.filter(iati_ref=seed.provider_ref).first()
    org = org or Organization.objects.filter(name=seed.provider_name).first()
    if org is None:
        org_type = (
            seed.provider_type if seed.provider_type in OrganizationType.values else OrganizationType.OTHER
        )
        website = seed.provider_website if seed.provider_website.startswith(("http://", "https://")) else ""
        org = Organization.objects.create(
            name=seed.provider_name, iati_ref=seed.provider_ref, org_type=org_type, website=website[:500]
        )
        audit.record(
            None,
            "import",
            org,
            after=audit.snapshot(org),
            reason=f"provider of seeded offer {seed.source_key}",
        )
    return org


@transaction.atomic
def seed(actor: Actor, seeds: Iterable[SeedOffer]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "dpg": 0, "iati": 0, "skipped": 0}
    for s in seeds:
        try:
            _, outcome = upsert_seeded(
                actor,
                source_key=s.source_key,
                provider=_provider(s),
                origin=s.origin,
                source_url=s.source_url[:500],
                source_note=s.source_note,
                data=s.data,
            )
        except OfferError:
            counts["skipped"] += 1
            continue
        counts[outcome] += 1
        counts["dpg" if s.origin == OfferOrigin.DPG_REGISTRY else "iati"] += 1
    return counts


def seed_offers(
    actor: Actor = None,
    *,
    dpg_file: Path | None = None,
    iati_paths: list[Path] | None = None,
    registry: bool = True,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Seed from the bundled DPG subset (or ``dpg_file``), from technical cooperation among the activities
    stored by the project registry (``registry``) and in the files ``iati_paths``."""
    from gapbridge.matches.iati_history import load_activities

    path = dpg_file or dpg.BUNDLED
    try:
        records = dpg.load_bundled(path)
    except (OSError, ValueError) as exc:
        raise SeedingError(f"cannot read the DPG offers file {path}: {exc}") from exc
    seeds = list(dpg_offers(records))
    today = today or dt.date.today()
    if registry:
        seeds += list(technical_cooperation_offers(tc_from_registry(today=today), today=today))
    if iati_paths:
        missing = [p for p in iati_paths if not p.exists()]
        if missing:
            raise SeedingError(f"no such file or folder: {', '.join(map(str, missing))}")
        loaded = load_activities(iati_paths)
        activities = (tc_from_dto(a) for a in loaded.activities.values())
        seeds += list(technical_cooperation_offers(activities, today=today))
    unique = {s.source_key: s for s in reversed(seeds)}  # the same activity stored and in a file: once
    return seed(actor, [s for s in seeds if unique[s.source_key] is s])
