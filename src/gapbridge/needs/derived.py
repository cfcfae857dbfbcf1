"""Indicative needs derived from each country's weakest Gap Index pillars.

For every economy that is not high-income (World Bank group), its ``per_country`` lowest pillar scores
under ``MAX_SCORE`` become indicative needs in the focus areas that pillar measures
(``gapbridge.domain.matching.PILLAR_FOCUS_AREAS``), with the pillar's weakest indicators (value, year,
source) in the description. They are labelled "derived from data" on
every page and in the API (``origin = derived``), are never presented as the country's request, have no
lifecycle of their own, and are not placed by the batch assignment (they take no offer's capacity). A
focal point may *adopt* one, which creates an ordinary draft need.

Stable keys (``gapindex:<ISO3>:<pillar>``) make derivation idempotent: running it again updates the text
of needs that remain, and closes those whose pillar is no longer among the weakest.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from gapbridge.accounts.permissions import Actor, require_secretariat
from gapbridge.audit import services as audit
from gapbridge.countries.models import Economy, IndicatorValue, PillarScore
from gapbridge.domain.matching import PILLAR_FOCUS_AREAS
from gapbridge.needs.models import Need, NeedOrigin, NeedStatus, Priority
from gapbridge.needs.services import record_move

KEY_PREFIX: Final = "gapindex"
#: A pillar scoring this much or more (out of 100) is not a gap worth an indicative need.
MAX_SCORE: Final = 40.0

#: Kinds of support that typically close a gap in each pillar.
PILLAR_KINDS: Final[dict[str, list[str]]] = {
    "connectivity": ["equipment", "technical-assistance", "loan"],
    "affordability": ["policy-advice", "technical-assistance"],
    "skills": ["training", "digital-public-good"],
    "finance": ["technical-assistance", "digital-public-good", "policy-advice"],
    "policy": ["policy-advice", "peer-learning"],
    "trust": ["training", "policy-advice", "technical-assistance"],
    "economy": ["technical-assistance", "training", "grant"],
}


def _priority(score: float) -> str:
    if score < 10:
        return Priority.CRITICAL
    if score < 20:
        return Priority.HIGH
    return Priority.MEDIUM


def _description(economy: Economy, pillar: PillarScore, values: list[IndicatorValue]) -> str:
    lines = [
        f"Derived from data, not a request from {economy.name_en}: the country scores {pillar.score:.0f}/100 "
        f"in the Gap Index pillar {pillar.name}"
        + (f" (rank {pillar.rank})" if pillar.rank else "")
        + ", one of its weakest pillars."
    ]
    weakest = sorted((v for v in values if v.normalised is not None), key=lambda v: v.normalised or 0.0)[:3]
    for v in weakest:
        lines.append(f"- {v.name}: {v.value:,.1f} {v.unit} ({v.year}, {v.source})")
    gaps = [v for v in values if v.value is None]
    for v in gaps[:2]:
        lines.append(f"- {v.name}: no data ({v.gap_reason or 'not observed'})")
    return "\n".join(lines)


@transaction.atomic
def derive_indicative_needs(actor: Actor = None, *, per_country: int = 2) -> dict[str, Any]:
    """Create, refresh or close the indicative needs; ``actor`` None = the command line."""
    if actor is not None:
        require_secretariat(actor, "derive indicative needs")
    scores: dict[int, list[PillarScore]] = defaultdict(list)
    weak = PillarScore.objects.filter(score__isnull=False, score__lt=MAX_SCORE).exclude(
        economy__income_group="H"
    )
    for ps in weak.select_related("economy"):
        scores[ps.economy_id].append(ps)
    values: dict[tuple[int, str], list[IndicatorValue]] = defaultdict(list)
    for iv in IndicatorValue.objects.filter(economy_id__in=list(scores)):
        values[(iv.economy_id, iv.pillar)].append(iv)
    existing = {n.source_key: n for n in Need.objects.indicative().select_for_update()}
    keep: set[str] = set()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0, "countries": 0}
    now = timezone.now()
    for economy_id, pillars in scores.items():
        chosen = sorted(pillars, key=lambda p: (p.score or 0.0, p.position))[:per_country]
        if chosen:
            counts["countries"] += 1
        for ps in chosen:
            economy = ps.economy
            key = f"{KEY_PREFIX}:{economy.iso3}:{ps.pillar}"
            keep.add(key)
            fields = {
                "title": f"Indicative need: {ps.name} in {economy.name_en}",
                "description": _description(economy, ps, values[(economy_id, ps.pillar)]),
                "focus_areas": list(PILLAR_FOCUS_AREAS.get(ps.pillar, ())),
                "kinds": PILLAR_KINDS.get(ps.pillar, []),
                "priority": _priority(ps.score or 0.0),
                "derived_from": {
                    "pillar": ps.pillar,
                    "pillar_name": ps.name,
                    "score": round(ps.score or 0.0, 2),
                    "rank": ps.rank,
                    "source": "GapBridge Gap Index (stored pillar scores)",
                },
            }
            need = existing.get(key)
            if need is None:
                need = Need.objects.create(
                    country=economy,
                    origin=NeedOrigin.DERIVED,
                    source_key=key,
                    status=NeedStatus.VALIDATED,
                    status_changed_at=now,
                    requester_type="government",
                    **fields,
                )
                record_move(need, "", NeedStatus.VALIDATED, actor, "derived from the Gap Index pillar scores")
                audit.record(
                    actor,
                    "import",
                    need,
                    after=audit.snapshot(need),
                    reason="indicative need derived from data",
                )
                counts["created"] += 1
                continue
            changed = {k: v for k, v in fields.items() if getattr(need, k) != v}
            reopened = need.status == NeedStatus.CLOSED
            if not changed and not reopened:
                counts["unchanged"] += 1
                continue
            before = audit.snapshot(need)
            for k, v in changed.items():
                setattr(need, k, v)
            if reopened:
                need.status, need.status_changed_at = NeedStatus.VALIDATED, now
                record_move(
                    need, NeedStatus.CLOSED, NeedStatus.VALIDATED, actor, "again among the weakest pillars"
                )
            need.save()
            audit.record(
                actor,
                "import",
                need,
                before=before,
                after=audit.snapshot(need),
                reason="indicative need refreshed",
            )
            counts["updated"] += 1
    for old_key, need in existing.items():
        if old_key not in keep and need.status != NeedStatus.CLOSED:
            before = audit.snapshot(need)
            frm = need.status
            need.status, need.status_changed_at = NeedStatus.CLOSED, now
            need.save(update_fields=["status", "status_changed_at", "updated_at"])
            record_move(need, frm, NeedStatus.CLOSED, actor, "no longer among the weakest pillars")
            audit.record(
                actor,
                "transition",
                need,
                before=before,
                after=audit.snapshot(need),
                reason="no longer a weak pillar",
            )
            counts["removed"] += 1
    return counts
