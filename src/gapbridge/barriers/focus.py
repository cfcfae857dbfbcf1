"""GapBridge's focus areas, as a closed vocabulary shared by barriers and pledges.

The list is the one named in the project-registry issue (DAC sectors map onto it). It is kept here until a
shared module exists; values are slugs so they survive a move.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FocusArea(models.TextChoices):
    CONNECTIVITY = "connectivity", _("Connectivity infrastructure")
    SKILLS = "digital_skills", _("Digital skills")
    ECOMMERCE = "ecommerce_sme", _("E-commerce and SME support")
    PAYMENTS = "digital_payments", _("Digital payments")
    DATA_REGULATION = "data_regulation", _("Cross-border data and regulation")
    TAXATION = "digital_taxation", _("Digital taxation")
    EMERGING_TECH = "emerging_tech", _("Trustworthy emerging technology")
    INNOVATION = "research_innovation", _("R&D and innovation")
    TRADE_FACILITATION = "trade_facilitation", _("Trade facilitation")


def clean_focus_areas(values: list[str] | tuple[str, ...] | None) -> list[str]:
    """Deduplicated, ordered as the vocabulary; raises ValueError naming an unknown value."""
    chosen = set(values or ())
    unknown = sorted(chosen - set(FocusArea.values))
    if unknown:
        raise ValueError(
            f"unknown focus area(s): {', '.join(unknown)}; expected one of {', '.join(FocusArea.values)}"
        )
    return [v for v in FocusArea.values if v in chosen]


def focus_labels(values: list[str]) -> list[str]:
    labels = dict(FocusArea.choices)
    return [str(labels.get(v, v)) for v in values]
