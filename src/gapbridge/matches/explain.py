"""Explanations in the reader's language: the matcher's English templates through gettext.

The matcher marks its templates with ``gettext_noop``; here they are translated at display time, and code
parameters (focus areas, pillars, kinds) are named in the active language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import get_language, gettext, gettext_noop

from gapbridge.countries import labels
from gapbridge.domain.matching import (
    CHECK_NAMES,
    COMPONENT_NAMES,
    NAMED_PARAMS,
    Check,
    Component,
    ProviderSuggestion,
    Suggestion,
    render,
)
from gapbridge.offers.choices import RequesterType
from gapbridge.web.i18n import local_number
from gapbridge.web.templatetags.content_language import language_name

_LANGUAGE_PARAMS = frozenset({"languages", "offer_languages", "need_languages"})


def _name(param: str, code: str) -> str:
    """A parameter of an explanation in the reader's language: codes and English names of focus areas,
    pillars, kinds, regions, kinds of requester and languages; anything else (names of countries,
    organisations, dates) as it is."""
    names = NAMED_PARAMS.get(param, {})
    if code in names:
        return gettext(names[code])
    if param == "region":
        return labels.region(code)
    if param in ("requester", "allowed"):
        return str(dict(RequesterType.choices).get(code, code))
    if param in _LANGUAGE_PARAMS:
        return language_name(code)
    if param == "country":
        return _country_name(code)
    if param == "group":
        return gettext(code) if code else code  # the groups' English names are in the catalogue
    return code


#: A country's names by the English name (or ISO3 code) the matcher writes into its sentences; names of
#: countries do not change, so each is looked up once per process.
_COUNTRY_NAMES: dict[str, dict[str, str]] = {}


def _country_name(value: str) -> str:
    """A country named in an explanation, in the reader's language (as the rest of the page names it)."""
    names = _COUNTRY_NAMES.get(value)
    if names is None:
        from gapbridge.countries.models import Economy

        found = Economy.objects.filter(Q(name_en=value) | Q(iso3=value)).first()
        names = (
            {"en": found.name_en, "fr": found.name_fr, "es": found.name_es, "ar": found.name_ar}
            if found is not None
            else {}
        )
        _COUNTRY_NAMES[value] = names
    return names.get((get_language() or "en")[:2]) or names.get("en") or value


def _number(value: float) -> str:
    return local_number(value, 2)


#: Earlier wordings of the matcher's sentences: explanations stored with matches keep them, so their
#: translations stay in the catalogue.
EARLIER_TEMPLATES = (
    gettext_noop(
        "{provider} has {in_country} past activities in {country}, {in_region} in {region} and "
        "{in_area} in {area}."
    ),
    gettext_noop("{provider} already has {load} open match(es); lowered so other providers get a chance."),
    gettext_noop("{count} of its {total} past activities were in the need's country."),
    gettext_noop("{count} of its {total} past activities were in the need's region."),
    gettext_noop("{count} of its {total} past activities were in the need's sectors."),
    gettext_noop("{count} of its {total} past activities were in related sectors."),
    gettext_noop("{count} of its {total} past activities were in the need's focus areas."),
    gettext_noop("It has {total} past activities on record in all."),
)


def text(message: str, params: Mapping[str, Any]) -> str:
    try:
        return render(gettext(message), params, _name, _number)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder: fall back to English
        return render(message, params, _name, _number)


def provider_rows(providers: list[ProviderSuggestion], *, least: float = 0.01) -> list[dict[str, Any]]:
    """Organisations with a track record, each with the components that count (above ``least``) in words."""
    return [
        {
            "provider": p.provider,
            "name": p.name,
            "score": p.score,
            "reasons": [text(c.message, c.params) for c in p.components if c.contribution > least],
        }
        for p in providers
    ]


def component_rows(components: tuple[Component, ...]) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "name": gettext(COMPONENT_NAMES[c.code]),
            "value": round(c.value, 4),
            "weight": c.weight,
            "contribution": round(c.contribution, 4),
            "share": round(100 * c.contribution / c.weight) if c.weight else 0,
            "text": text(c.message, c.params),
        }
        for c in components
    ]


def check_rows(checks: tuple[Check, ...]) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "name": gettext(CHECK_NAMES[c.code]),
            "passed": c.passed,
            "text": text(c.message, c.params),
        }
        for c in checks
    ]


def suggestion_dict(s: Suggestion) -> dict[str, Any]:
    return {
        "score": round(s.score, 4),
        "eligible": s.eligible,
        "components": component_rows(s.components),
        "checks": check_rows(s.checks),
    }


def stored_rows(explanation: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A match's stored explanation, re-rendered in the reader's language."""
    components = []
    for c in explanation.get("components", []):
        row = dict(c)
        row["name"] = gettext(COMPONENT_NAMES.get(c.get("code", ""), c.get("code", "")))
        if "message" in c:
            row["text"] = text(c["message"], c.get("params", {}))
        row["share"] = round(100 * c.get("contribution", 0) / c["weight"]) if c.get("weight") else 0
        components.append(row)
    checks = []
    for c in explanation.get("checks", []):
        row = dict(c)
        row["name"] = gettext(CHECK_NAMES.get(c.get("code", ""), c.get("code", "")))
        if "message" in c:
            row["text"] = text(c["message"], c.get("params", {}))
        checks.append(row)
    return {"components": components, "checks": checks}
