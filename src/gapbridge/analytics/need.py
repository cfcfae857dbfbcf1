"""Need: how far each country is from closing its digital divide, per focus area, from the Gap Index.

A pillar score is 0–100, higher is better; its *gap* is ``(100 − score) / 100``, from 0 (no gap) to 1.
A focus area's need is the mean gap of the pillars it works on (:data:`FOCUS_PILLARS`); pillars without
a score are left out, and an area with none of its pillars scored has no need figure (the country is
then listed as "no Gap Index score" and left out of rankings and allocations, never guessed). A
country's overall need is the mean gap of all its scored pillars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gapbridge.countries.models import CountryGroup, Economy, PillarScore
from gapbridge.countries.queries import QueryError

#: Which Gap Index pillars each focus area addresses (docs/analytics.md explains the choices).
FOCUS_PILLARS: Mapping[str, tuple[str, ...]] = {
    "connectivity-infrastructure": ("connectivity", "affordability"),
    "digital-skills": ("skills",),
    "ecommerce-sme": ("economy",),
    "digital-payments": ("finance",),
    "data-regulation": ("policy", "trust"),
    "digital-taxation": ("policy",),
    "emerging-technology": ("trust",),
    "research-innovation": ("skills", "economy"),
    "trade-facilitation": ("economy", "policy"),
}


@dataclass(frozen=True, slots=True)
class CountryNeed:
    iso3: str
    economy_id: int
    name: str
    population: float | None
    #: pillar code -> gap (0..1), scored pillars only
    gaps: dict[str, float] = field(default_factory=dict)
    #: pillar code -> display name
    pillar_names: dict[str, str] = field(default_factory=dict)

    @property
    def overall(self) -> float | None:
        return sum(self.gaps.values()) / len(self.gaps) if self.gaps else None

    def area(self, focus_area: str | None) -> float | None:
        """The need in ``focus_area`` (``None`` or ``""``: overall)."""
        if not focus_area:
            return self.overall
        pillars = [self.gaps[p] for p in FOCUS_PILLARS.get(focus_area, ()) if p in self.gaps]
        return sum(pillars) / len(pillars) if pillars else None

    def pillars_of(self, focus_area: str | None) -> list[tuple[str, float]]:
        """(pillar name, gap) behind an area's need, largest gap first."""
        codes = FOCUS_PILLARS.get(focus_area, ()) if focus_area else tuple(self.gaps)
        found = [(self.pillar_names.get(c, c), self.gaps[c]) for c in codes if c in self.gaps]
        return sorted(found, key=lambda item: -item[1])


def eligible_economies(group: str | None = None, iso3: Iterable[str] | None = None) -> list[Economy]:
    """Economies in ``group`` today (code, case-insensitive) and/or with the given ISO3 codes."""
    qs = Economy.objects.all()
    if group:
        found = CountryGroup.objects.filter(code__iexact=group.strip()).first()
        if found is None:
            codes = ", ".join(CountryGroup.objects.values_list("code", flat=True))
            raise QueryError(
                _("group: no country group %(code)s (known: %(known)s)")
                % {"code": repr(group), "known": codes}
            )
        qs = Economy.objects.in_group_on(found.code, dt.date.today())
    if iso3 is not None:
        wanted = {code.strip().upper() for code in iso3 if code.strip()}
        qs = qs.filter(iso3__in=wanted)
    return list(qs.order_by("iso3"))


def needs(economies: Iterable[Economy]) -> dict[str, CountryNeed]:
    """The need of each economy, from its stored pillar scores."""
    chosen = list(economies)
    gaps: dict[int, dict[str, float]] = {e.pk: {} for e in chosen}
    names: dict[str, str] = {}
    for economy_id, pillar, name, score in PillarScore.objects.filter(
        economy_id__in=list(gaps), score__isnull=False
    ).values_list("economy_id", "pillar", "name", "score"):
        assert score is not None  # filtered above
        gaps[economy_id][pillar] = max(0.0, min(1.0, (100.0 - float(score)) / 100.0))
        names[pillar] = name
    return {
        e.iso3: CountryNeed(e.iso3, e.pk, e.name, e.latest_population, gaps[e.pk], dict(names))
        for e in chosen
    }


def check_focus_area(focus_area: str | None) -> str:
    if not focus_area:
        return ""
    if focus_area not in FOCUS_PILLARS:
        raise QueryError(
            _("focus_area: unknown focus area %(code)s (known: %(known)s)")
            % {"code": repr(focus_area), "known": ", ".join(FOCUS_PILLARS)}
        )
    return focus_area
