"""GapBridge's focus areas as events use them: the shared vocabulary of `data/focus-areas/focus-areas.csv`."""

from __future__ import annotations

from collections.abc import Iterable

from gapbridge.countries import labels
from gapbridge.projects.focus import load_focus_map


def focus_choices() -> list[tuple[str, str]]:
    """(slug, name in the reader's language) of the focus areas, in vocabulary order."""
    return [(a.slug, labels.focus_area_name(a.slug, a.name)) for a in load_focus_map().areas]


def clean_focus_areas(values: Iterable[str] | None) -> list[str]:
    """Deduplicated, in vocabulary order; raises ValueError naming an unknown value."""
    slugs = [a.slug for a in load_focus_map().areas]
    chosen = {v.strip() for v in values or () if v.strip()}
    unknown = sorted(chosen - set(slugs))
    if unknown:
        raise ValueError(f"unknown focus area(s): {', '.join(unknown)}; expected one of {', '.join(slugs)}")
    return [s for s in slugs if s in chosen]


def focus_labels(values: Iterable[str]) -> list[str]:
    names = dict(focus_choices())
    return [names.get(v, v) for v in values]
