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
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gapbridge.accounts.permissions import Actor, require_secretariat
from gapbridge.audit import services as audit
from gapbridge.countries import labels
from gapbridge.countries.models import Economy, IndicatorValue, PillarScore
from gapbridge.domain.matching import PILLAR_FOCUS_AREAS
from gapbridge.needs.models import Need, NeedOrigin, NeedStatus, Priority
from gapbridge.needs.services import record_move
from gapbridge.web.i18n import local_number

KEY_PREFIX: Final = "gapindex"
#: Why an indicative need moved, as stored in its history (English; translated where shown).
REASON_DERIVED: Final = gettext_noop("derived from the Gap Index pillar scores")
REASON_AGAIN: Final = gettext_noop("again among the weakest pillars")
REASON_NO_LONGER: Final = gettext_noop("no longer among the weakest pillars")
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


#: The languages an indicative need is written in: English as the original, the others as translations.
TRANSLATED: Final = ("fr", "es", "ar")


def _text(economy: Economy, pillar: PillarScore, values: list[IndicatorValue], lang: str) -> dict[str, str]:
    """The title and description of an indicative need in ``lang``: the site's messages, the country,
    pillar, indicator and unit names of that language, and its number format."""
    with translation.override(lang):
        country = getattr(economy, f"name_{lang}", "") or economy.name_en
        pillar_label = labels.pillar_name(pillar.pillar, pillar.name)
        params = {"country": country, "score": f"{pillar.score or 0.0:.0f}", "pillar": pillar_label}
        lines = [
            _(
                "Derived from data, not a request from %(country)s: the country scores %(score)s/100 in the "
                "Gap Index pillar %(pillar)s (rank %(rank)s), one of its weakest pillars."
            )
            % (params | {"rank": pillar.rank})
            if pillar.rank
            else _(
                "Derived from data, not a request from %(country)s: the country scores %(score)s/100 in the "
                "Gap Index pillar %(pillar)s, one of its weakest pillars."
            )
            % params
        ]
        weakest = sorted((v for v in values if v.normalised is not None), key=lambda v: v.normalised or 0.0)
        for v in weakest[:3]:
            value = local_number(v.value, 1) if v.value is not None else "—"
            line = _("%(indicator)s: %(value)s %(unit)s (%(year)s, %(source)s)") % {
                "indicator": labels.indicator_name(v.code, v.name),
                "value": value,
                "unit": labels.unit(v.unit),
                "year": v.year,
                "source": v.source,
            }
            lines.append(f"- {line}")
        for v in [v for v in values if v.value is None][:2]:
            reason = labels.gap_reason(v.gap_reason) if v.gap_reason else _("not observed")
            lines.append(
                "- "
                + _("%(indicator)s: no data (%(reason)s)")
                % {"indicator": labels.indicator_name(v.code, v.name), "reason": reason}
            )
        title = _("Indicative need: %(pillar)s in %(country)s") % {"pillar": pillar_label, "country": country}
        return {"title": title, "description": "\n".join(lines)}


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
            found = values[(economy_id, ps.pillar)]
            fields = {
                **_text(economy, ps, found, "en"),
                "translations": {lang: _text(economy, ps, found, lang) for lang in TRANSLATED},
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
                record_move(need, "", NeedStatus.VALIDATED, actor, REASON_DERIVED)
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
                record_move(need, NeedStatus.CLOSED, NeedStatus.VALIDATED, actor, REASON_AGAIN)
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
            record_move(need, frm, NeedStatus.CLOSED, actor, REASON_NO_LONGER)
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
