"""Barriers derived from data: legal-framework gaps in the UNCTAD Global Cyberlaw Tracker.

A country the tracker records as having *no legislation* on electronic transactions, consumer protection,
data protection or cybercrime gets one barrier per missing law, labelled as derived from the tracker with
the date of the snapshot (data/barriers/PROVENANCE.md). Each barrier has a stable `source_key`
(`unctad-cyberlaw:<ISO3>:<area>`), so running the derivation again creates nothing new; when a later
snapshot records legislation (or a draft) for a country, its open derived barrier moves to resolved in
full (or being addressed), with the reason in its history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from gapbridge.accounts.permissions import Actor, require_secretariat
from gapbridge.audit import services as audit
from gapbridge.barriers import notifications, services
from gapbridge.barriers.focus import DATA_REGULATION, ECOMMERCE, EMERGING_TECH
from gapbridge.barriers.lifecycle import OPEN, Status
from gapbridge.barriers.models import Barrier, BarrierCategory, BarrierStatus, Level, Origin
from gapbridge.countries.models import LegalArea, LegalStatus

SOURCE_NAME = "UNCTAD Global Cyberlaw Tracker"
SOURCE_URL = "https://unctad.org/page/global-cyberlaw-tracker"
#: Date of the bundled snapshot (github:unctad-infovis/2026-cyberlaw_tracker @df073bb, 2026-04-27).
SNAPSHOT_DATE = dt.date(2026, 4, 27)
KEY_PREFIX = "unctad-cyberlaw"


@dataclass(frozen=True)
class AreaRule:
    category: BarrierCategory
    focus_areas: tuple[str, ...]
    law: str  # the missing law, as written in the title


#: The four areas the issue names; indirect taxation is not a "missing law" barrier in the same sense.
RULES: dict[str, AreaRule] = {
    LegalArea.E_TRANSACTIONS: AreaRule(
        BarrierCategory.E_TRANSACTIONS,
        (ECOMMERCE, DATA_REGULATION),
        "electronic transactions law",
    ),
    LegalArea.CONSUMER_PROTECTION: AreaRule(
        BarrierCategory.CONSUMER_PROTECTION, (ECOMMERCE,), "online consumer protection law"
    ),
    LegalArea.DATA_PROTECTION: AreaRule(
        BarrierCategory.DATA_PROTECTION, (DATA_REGULATION,), "data protection and privacy law"
    ),
    LegalArea.CYBERCRIME: AreaRule(BarrierCategory.CYBERSECURITY, (EMERGING_TECH,), "cybercrime law"),
}

WHY: dict[str, str] = {
    LegalArea.E_TRANSACTIONS: (
        "Without legal recognition of electronic transactions, contracts and signatures, online sales and "
        "e-government services rest on uncertain ground for firms and consumers."
    ),
    LegalArea.CONSUMER_PROTECTION: (
        "Without consumer protection that covers online purchases, buyers have little recourse, which holds "
        "back trust in e-commerce."
    ),
    LegalArea.DATA_PROTECTION: (
        "Without a data protection and privacy law, personal data has no legal safeguard, and partners may "
        "restrict data transfers to the country."
    ),
    LegalArea.CYBERCRIME: (
        "Without a cybercrime law, online fraud and attacks are hard to prosecute, and cross-border "
        "cooperation on evidence is limited."
    ),
}


@dataclass
class DeriveSummary:
    created: int = 0
    unchanged: int = 0
    resolved: int = 0
    in_progress: int = 0
    countries: int = 0
    by_area: dict[str, int] = field(default_factory=dict)


def source_key(iso3: str, area: str) -> str:
    return f"{KEY_PREFIX}:{iso3}:{area}"


def _barrier_for(status: LegalStatus, rule: AreaRule) -> Barrier:
    economy = status.economy
    area_label = str(LegalArea(status.area).label)
    return Barrier(
        title=f"No {rule.law} in {economy.name_en}",
        description=(
            f'The {SOURCE_NAME} records no legislation in the area "{area_label}" for {economy.name_en} '
            f"(snapshot of {SNAPSHOT_DATE:%d %B %Y}). {WHY[status.area]}"
        ),
        language="en",
        country=economy,
        category=rule.category,
        focus_areas=list(rule.focus_areas),
        evidence=(
            f'{SOURCE_NAME}, area "{area_label}": status "No legislation" '
            f"(source as loaded: {status.source})."
        ),
        evidence_url=SOURCE_URL,
        priority=Level.MEDIUM,
        reporter_name=SOURCE_NAME,
        reporter_is_public=True,
        origin=Origin.DERIVED,
        source_name=SOURCE_NAME,
        source_url=SOURCE_URL,
        source_date=SNAPSHOT_DATE,
        source_key=source_key(economy.iso3, status.area),
        status=BarrierStatus.VERIFIED,
    )


@transaction.atomic
def derive_cyberlaw_barriers(
    actor: Actor = None, *, progress: Callable[[int, int], None] | None = None
) -> DeriveSummary:
    """Create the missing-law barriers; idempotent. `actor` None = the command line (a trusted operator)."""
    if actor is not None:
        require_secretariat(actor, "derive barriers from data")
    statuses = list(
        LegalStatus.objects.filter(area__in=list(RULES))
        .select_related("economy")
        .order_by("economy__iso3", "area")
    )
    existing = {
        b.source_key: b
        for b in Barrier.objects.select_for_update().filter(source_key__startswith=f"{KEY_PREFIX}:")
    }
    summary = DeriveSummary(by_area={str(area): 0 for area in RULES})
    countries: set[str] = set()
    batch: list[int] = []
    reason = f"derived from the {SOURCE_NAME} (snapshot of {SNAPSHOT_DATE.isoformat()}): no legislation"
    for i, status in enumerate(statuses):
        if progress is not None:
            progress(i + 1, len(statuses))
        key = source_key(status.economy.iso3, status.area)
        barrier = existing.get(key)
        if status.status == LegalStatus.Status.NONE:
            countries.add(status.economy.iso3)
            summary.by_area[status.area] += 1
            if barrier is not None:
                summary.unchanged += 1
                continue
            barrier = _barrier_for(status, RULES[status.area])
            barrier.status_changed_at = None
            barrier.save()
            services._record_move(barrier, "", BarrierStatus.VERIFIED, actor, reason, batch=batch)
            barrier.status_changed_at = barrier.history.get().at
            barrier.save(update_fields=["status_changed_at"])
            audit.record(actor, "import", barrier, after=audit.snapshot(barrier), reason=reason)
            summary.created += 1
        elif barrier is not None and Status(barrier.status) in OPEN:
            if (
                status.status == LegalStatus.Status.LEGISLATION
                and barrier.status != BarrierStatus.RESOLVED_IN_FULL
            ):
                services.system_move(
                    barrier,
                    Status.RESOLVED_IN_FULL,
                    f"the {SOURCE_NAME} ({status.source}) now records legislation in this area",
                    batch=batch,
                )
                summary.resolved += 1
            elif status.status == LegalStatus.Status.DRAFT and barrier.status == BarrierStatus.VERIFIED:
                services.system_move(
                    barrier,
                    Status.BEING_ADDRESSED,
                    f"the {SOURCE_NAME} ({status.source}) now records draft legislation in this area",
                    batch=batch,
                )
                summary.in_progress += 1
    summary.countries = len(countries)
    if batch:
        transaction.on_commit(lambda: notifications.send_emails(batch))
    return summary
