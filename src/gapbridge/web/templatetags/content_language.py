"""Template helpers for content in the visitor's language (`{% load content_language %}`).

- `{% fallback_notice shown %}` says when content is shown in another language than the visitor's; it
  renders `web/_fallback_notice.html` (nothing at all when the content is in the visitor's language).
- `{{ activity.titles|narrative:activity.default_language }}`: the IATI narrative in the visitor's
  language, else the default language's, else English, else the first.
- `|focus_area_names`, `|language_names`, `|requester_type_names`, `|region_names`: lists of codes or
  English names (focus areas, languages, kinds of requester, regions) named in the visitor's language.
- `{{ code|codelist_name:"ActivityStatus" }}`: an IATI code's name in the visitor's language where the
  official codelist has one, else English, else the code itself.

See `gapbridge.web.content_language` for how the version to show is picked.
"""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from django import template
from django.utils.translation import get_language

from gapbridge.countries.labels import focus_area_name, region
from gapbridge.offers.choices import RequesterType
from gapbridge.web import codelist_names
from gapbridge.web.content_language import Shown, pick_narrative, primary

register = template.Library()


def language_name(code: str, in_language: str | None = None) -> str:
    """The name of language `code` in the visitor's language, from CLDR (e.g. "anglais" in French,
    "الإنجليزية" in Arabic); the code itself when CLDR does not know it."""
    ui = primary(in_language or get_language()) or "en"
    try:
        names = Locale.parse(ui).languages
    except (UnknownLocaleError, ValueError):
        return code
    return str(names.get(primary(code)) or code)


@register.inclusion_tag("web/_fallback_notice.html")
def fallback_notice(shown: Shown | None) -> dict[str, Any]:
    if shown is None or not isinstance(shown, Shown) or not shown.fallback:
        return {"show": False}
    return {
        "show": True,
        "lang": shown.lang,
        "shown_name": language_name(shown.lang),
        "wanted_name": language_name(shown.wanted),
    }


@register.filter
def narrative(narratives: Any, default_language: str | None = None) -> str:
    return pick_narrative(narratives, get_language() or "en", default_language or None).text


@register.filter
def codelist_name(code: str | None, codelist: str) -> str:
    return codelist_names.code_name(codelist, code) or (code or "")


@register.filter
def focus_area_names(codes: Any) -> str:
    """`{{ need.focus_areas|focus_area_names }}`: focus areas named in the visitor's language."""
    return list_separator().join(focus_area_name(str(code)) for code in codes or ())


def list_separator() -> str:
    """Between the items of a list in the active language: the Arabic comma in Arabic."""
    return "، " if primary(get_language() or "") == "ar" else ", "


@register.filter
def language_names(codes: Any) -> str:
    """`{{ offer.languages|language_names }}`: language codes named in the visitor's language."""
    return list_separator().join(language_name(str(code)) for code in codes or ())


@register.filter
def requester_type_names(codes: Any) -> str:
    """`{{ offer.requester_types|requester_type_names }}`: kinds of requester in the visitor's language."""
    labels = dict(RequesterType.choices)
    return list_separator().join(str(labels.get(str(code), code)) for code in codes or ())


@register.filter
def region_names(names: Any) -> str:
    """`{{ offer.eligible_regions|region_names }}`: UN M49 region names in the visitor's language."""
    return list_separator().join(region(str(name)) for name in names or ())


@register.simple_tag
def colon() -> str:
    """`{{ label }}{% colon %} {{ value }}`: a colon as the active language writes it (French puts a
    no-break space before it)."""
    return "\u00a0:" if primary(get_language()) == "fr" else ":"
