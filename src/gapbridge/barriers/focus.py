"""GapBridge's focus areas as barriers and pledges use them: the shared vocabulary of the project registry.

The nine areas are data (`data/focus-areas/focus-areas.csv`, read by `gapbridge.projects.focus`); this module
only offers them as form choices and validates lists of slugs against them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gapbridge.countries import labels
from gapbridge.projects.focus import load_focus_map

# Slugs used in code (derived barriers); checked against the data file by a test.
ECOMMERCE = "ecommerce-sme"
DATA_REGULATION = "data-regulation"
EMERGING_TECH = "emerging-technology"


def focus_choices() -> list[tuple[str, str]]:
    """(slug, name in the reader's language) of the focus areas, in vocabulary order."""
    return [(a.slug, labels.focus_area_name(a.slug, a.name)) for a in load_focus_map().areas]


def focus_slugs() -> list[str]:
    return [a.slug for a in load_focus_map().areas]


def clean_focus_areas(values: list[str] | tuple[str, ...] | None) -> list[str]:
    """Deduplicated, in vocabulary order; raises ValueError naming an unknown value."""
    slugs = focus_slugs()
    chosen = set(values or ())
    unknown = sorted(chosen - set(slugs))
    if unknown:
        raise ValueError(
            _("unknown focus area(s): %(unknown)s; expected one of %(known)s")
            % {"unknown": ", ".join(unknown), "known": ", ".join(slugs)}
        )
    return [v for v in slugs if v in chosen]


def focus_labels(values: list[str]) -> list[str]:
    labels = dict(focus_choices())
    return [labels.get(v, v) for v in values]
