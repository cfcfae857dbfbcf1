"""Vocabularies shared by offers, needs and matches (values are the slugs of gapbridge.domain.matching).

``FocusArea`` uses the slugs of ``data/focus-areas/focus-areas.csv`` (the project registry's DAC-sector
mapping), so offers, needs and IATI projects agree. It lives here because no shared Django vocabulary
existed when matchmaking landed; move it (values unchanged) when one does.
"""

from __future__ import annotations

import contextlib

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gapbridge.domain import matching


class FocusArea(models.TextChoices):
    CONNECTIVITY = "connectivity-infrastructure", _("Connectivity infrastructure")
    SKILLS = "digital-skills", _("Digital skills")
    ECOMMERCE = "ecommerce-sme", _("E-commerce and SME support")
    PAYMENTS = "digital-payments", _("Digital payments")
    DATA_REGULATION = "data-regulation", _("Cross-border data and regulation")
    TAXATION = "digital-taxation", _("Digital taxation")
    EMERGING_TECH = "emerging-technology", _("Trustworthy emerging technology")
    INNOVATION = "research-innovation", _("R&D and innovation")
    TRADE_FACILITATION = "trade-facilitation", _("Trade facilitation")


class SupportKind(models.TextChoices):
    TECHNICAL_ASSISTANCE = "technical-assistance", _("Technical assistance")
    TRAINING = "training", _("Training and capacity building")
    POLICY_ADVICE = "policy-advice", _("Policy and regulatory advice")
    GRANT = "grant", _("Grant")
    LOAN = "loan", _("Loan")
    EQUIPMENT = "equipment", _("Equipment or infrastructure")
    PEER_LEARNING = "peer-learning", _("Peer learning")
    DIGITAL_PUBLIC_GOOD = "digital-public-good", _("Digital public good or software")


class RequesterType(models.TextChoices):
    GOVERNMENT = "government", _("Government (ministry, agency, regulator)")
    SME_AGENCY = "sme-agency", _("SME support agency")
    SME = "sme", _("SME")
    NGO = "ngo", _("NGO or civil society")
    ACADEMIC = "academic", _("Academic or research")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    EN = "en", "English"
    FR = "fr", "Français"
    ES = "es", "Español"
    AR = "ar", "العربية"
    PT = "pt", "Português"
    RU = "ru", "Русский"
    ZH = "zh", "中文"


class Modality(models.TextChoices):
    IN_PERSON = "in-person", _("In person")
    REMOTE = "remote", _("Remote")
    HYBRID = "hybrid", _("Hybrid")
    SELF_SERVICE = "self-service", _("Self-service (software, online course)")


# The Django vocabularies must stay the domain's vocabularies.
assert tuple(FocusArea.values) == matching.FOCUS_AREAS
assert tuple(SupportKind.values) == matching.KINDS


class ChoiceError(ValueError):
    """A value that is not in a vocabulary; the message names the field and the allowed values."""


def clean_list(field: str, values: object, choices: type[models.TextChoices]) -> list[str]:
    """Deduplicated list in vocabulary order; focus areas also accept the older spellings."""
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [v for v in values.replace(";", ",").split(",") if v.strip()]
    if not isinstance(values, list | tuple | set | frozenset):
        raise ChoiceError(
            gettext("%(field)s must be a list; got %(value)s") % {"field": field, "value": repr(values)}
        )
    chosen: set[str] = set()
    for value in values:
        text = str(value).strip()
        if choices is FocusArea:
            with contextlib.suppress(matching.UnknownCodeError):
                text = matching.canonical_focus_area(text)
        if text not in choices.values:
            raise ChoiceError(
                gettext("%(field)s: unknown value %(value)s; expected one of %(expected)s")
                % {"field": field, "value": repr(value), "expected": ", ".join(choices.values)}
            )
        chosen.add(text)
    return [v for v in choices.values if v in chosen]


def labels(values: list[str], choices: type[models.TextChoices]) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(v, v)) for v in values]
