"""Suggested meeting requests: which delegation should meet which provider, and why (guarded adapter).

This is the only module of the events app that asks the matchmaking engine (issue 4) for suggestions. Two
sources, merged:

1. **The matching engine**, when `gapbridge.matches.queries.ranked_offers` and `gapbridge.matches.engine.
   open_needs` are there: each delegation's open needs (requested, and indicative ones derived from its Gap
   Index) are ranked against the published offers; a provider present at the event whose offer comes out is
   suggested with the engine's own explanation (each score component and constraint, in words), translated
   by `gapbridge.matches.explain` when available.
2. **Gap Index overlap** (always available, for pairs the engine does not cover, e.g. a provider without a
   published offer): a delegation's country's weakest Gap Index pillars are mapped to the focus areas they
   measure (the engine's `FOCUS_PILLARS` when importable, else the same table here); a provider is suggested
   when its focus areas at the event cover them; the weaker the pillar, the higher the score. The
   explanation names the pillars, their scores and the shared areas.

Engine suggestions come first. Pairs that already have a request (any status, either direction, "no
thanks" included) are never suggested.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from gapbridge.countries.models import PillarScore
from gapbridge.events.focus import focus_labels
from gapbridge.events.models import Event, Participant, ParticipantKind
from gapbridge.events.queries import blocked_pairs, participants
from gapbridge.web.i18n import local_number

log = logging.getLogger(__name__)

_OWN_FOCUS_PILLARS: Mapping[str, tuple[str, ...]] = {
    "connectivity-infrastructure": ("connectivity", "affordability"),
    "digital-skills": ("skills",),
    "ecommerce-sme": ("economy",),
    "digital-payments": ("finance",),
    "data-regulation": ("policy",),
    "digital-taxation": ("policy",),
    "emerging-technology": ("trust",),
    "research-innovation": ("economy",),
    "trade-facilitation": ("economy",),
}


def _vocabulary() -> tuple[Mapping[str, tuple[str, ...]], Mapping[str, str]]:
    """The engine's pillar <-> focus-area table (one for the whole platform), else the copy above."""
    try:
        matching = importlib.import_module("gapbridge.domain.matching")
    except ImportError:
        return _OWN_FOCUS_PILLARS, {}
    return getattr(matching, "FOCUS_PILLARS", _OWN_FOCUS_PILLARS), getattr(matching, "PILLAR_NAMES", {})


_FOCUS_PILLARS, _PILLAR_NAMES = _vocabulary()

#: How many of a country's weakest pillars count as its gaps.
WEAKEST = 3
ENGINE = "matching engine"
FALLBACK = "Gap Index focus overlap"


@dataclass(frozen=True)
class PairSuggestion:
    delegation: Participant
    provider: Participant
    score: float
    lines: tuple[str, ...]
    source: str
    areas: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        return "\n".join(self.lines)

    def other(self, me: Participant) -> Participant:
        return self.provider if me.pk == self.delegation.pk else self.delegation


def _pillar_name(code: str) -> str:
    return _(_PILLAR_NAMES.get(code, code.capitalize()))


def weakest_pillars(economy_id: int, n: int = WEAKEST) -> list[tuple[str, float]]:
    scored = PillarScore.objects.filter(economy_id=economy_id, score__isnull=False).order_by(
        "score", "position"
    )
    return [(p.pillar, float(p.score)) for p in scored[:n] if p.score is not None]


def _fallback(delegations: list[Participant], providers: list[Participant]) -> list[PairSuggestion]:
    out = []
    for d in delegations:
        assert d.economy_id is not None
        weak = weakest_pillars(d.economy_id)
        if not weak:
            continue
        severity = {p: 1.0 - s / 100.0 for p, s in weak}
        for prov in providers:
            shared: list[tuple[str, str]] = []  # (area, pillar)
            for area in prov.focus_areas:
                pillars = [p for p in _FOCUS_PILLARS.get(area, ()) if p in severity]
                if pillars:
                    shared.append((area, max(pillars, key=lambda p: severity[p])))
            if not shared:
                continue
            interest = [a for a, _p in shared if a in d.focus_areas]
            score = sum(severity[p] for _a, p in shared) + 0.5 * len(interest)
            gaps = ", ".join(f"{_pillar_name(p)} {local_number(s, 0)}/100" for p, s in weak)
            lines = [
                _("Weakest Gap Index pillars of %(country)s: %(gaps)s.") % {"country": d.name, "gaps": gaps},
                _("%(provider)s works on %(areas)s, which these pillars measure.")
                % {"provider": prov.name, "areas": ", ".join(focus_labels([a for a, _p in shared]))},
            ]
            if interest:
                lines.append(
                    _("%(country)s wants to discuss %(areas)s.")
                    % {"country": d.name, "areas": ", ".join(focus_labels(interest))}
                )
            areas = tuple(a for a, _p in shared)
            out.append(PairSuggestion(d, prov, round(score, 4), tuple(lines), FALLBACK, areas))
    return out


def _engine_api() -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any] | None] | None:
    """(ranked_offers, open_needs, explain_text) from the matchmaking engine, or None when it is not there."""
    try:
        queries_module = importlib.import_module("gapbridge.matches.queries")
        engine_module = importlib.import_module("gapbridge.matches.engine")
    except ImportError:
        return None
    ranked: Callable[..., Any] | None = getattr(queries_module, "ranked_offers", None)
    open_needs: Callable[..., Any] | None = getattr(engine_module, "open_needs", None)
    if not callable(ranked) or not callable(open_needs):
        return None
    try:
        text: Callable[..., Any] | None = importlib.import_module("gapbridge.matches.explain").text
    except (ImportError, AttributeError):
        text = None
    return ranked, open_needs, text


def _signed(value: float) -> str:
    """A score's contribution with its sign, in the active locale: "+0.30", "+0,30"."""
    return ("+" if value >= 0 else "") + local_number(value, 2)


def _lines(suggestion: Any, text: Callable[..., Any] | None) -> list[str]:
    if text is None:
        return list(suggestion.explanation())
    lines = [f"{text(c.message, c.params)} ({_signed(c.contribution)})" for c in suggestion.components]
    return lines + [("✓ " if c.passed else "✗ ") + text(c.message, c.params) for c in suggestion.checks]


def _engine(delegations: list[Participant], providers: list[Participant]) -> list[PairSuggestion]:
    """Suggestions from the matching engine ([] when it is not there or has no offer of these providers)."""
    api = _engine_api()
    if api is None:
        return []
    ranked_offers, open_needs, text = api
    by_org = {p.organization_id: p for p in providers}
    try:
        offer_model = apps.get_model("offers", "Offer")
    except LookupError:
        return []
    if not offer_model._default_manager.filter(provider_id__in=list(by_org), status="published").exists():
        return []
    best: dict[tuple[int, int], PairSuggestion] = {}
    try:
        for d in delegations:
            for need in open_needs().filter(country_id=d.economy_id).order_by("pk"):
                indicative = bool(getattr(need, "is_indicative", False))
                for r in ranked_offers(need, limit=50):
                    prov = by_org.get(r.offer.provider_id)
                    if prov is None:
                        continue
                    head = (
                        _("Indicative need of %(country)s (derived from its Gap Index): %(need)s")
                        if indicative
                        else _("Need of %(country)s: %(need)s")
                    ) % {"country": d.name, "need": need.title}
                    lines = (
                        head,
                        _("Offer: %(offer)s") % {"offer": r.offer.title},
                        *_lines(r.suggestion, text),
                    )
                    pair = PairSuggestion(d, prov, round(float(r.suggestion.score), 4), tuple(lines), ENGINE)
                    key = (d.pk, prov.pk)
                    if key not in best or best[key].score < pair.score:
                        best[key] = pair
    except (TypeError, AttributeError, ValueError, LookupError) as exc:
        log.warning("matching engine not usable for event suggestions (%s); using Gap Index overlap", exc)
        return []
    return list(best.values())


def suggest(event: Event, *, participant: Participant | None = None, limit: int = 20) -> list[PairSuggestion]:
    """Delegation–provider pairs worth a meeting, best first; for one participant when given."""
    registered = list(participants(event, registered_only=True))
    delegations = [p for p in registered if p.kind == ParticipantKind.DELEGATION]
    providers = [p for p in registered if p.kind == ParticipantKind.PROVIDER]
    if participant is not None:
        if participant.kind == ParticipantKind.DELEGATION:
            delegations = [d for d in delegations if d.pk == participant.pk]
        else:
            providers = [p for p in providers if p.pk == participant.pk]
    if not delegations or not providers:
        return []
    found = _engine(delegations, providers)
    covered = {(s.delegation.pk, s.provider.pk) for s in found}
    found += [s for s in _fallback(delegations, providers) if (s.delegation.pk, s.provider.pk) not in covered]
    taken = blocked_pairs(event)
    found = [s for s in found if frozenset((s.delegation.pk, s.provider.pk)) not in taken]
    found.sort(key=lambda s: (s.source != ENGINE, -s.score, s.delegation.name, s.provider.name))
    return found[:limit]


def engine_available() -> bool:
    return _engine_api() is not None
