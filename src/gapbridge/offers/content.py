"""Offers and needs in the reader's language: the translation in the active language when there is one,
else the original with a note saying so ("Shown in English; no French version."), for pages and the API.

Both models store their text in ``title``/``description`` in the language ``language`` and other versions in
``translations = {"fr": {"title", "description"}, ...}``. The choice itself is
:func:`gapbridge.web.content_language.pick_translation` (shared with barriers); this module adapts it.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.utils.translation import get_language, gettext

from gapbridge.web.content_language import Shown, pick_translation, primary
from gapbridge.web.templatetags.content_language import language_name


class Translatable(Protocol):
    title: str
    description: str
    language: str
    translations: Any


def wanted_language() -> str:
    """The reader's active language (the page's, or the API request's Accept-Language)."""
    return primary(get_language()) or "en"


def shown(obj: Translatable, wanted: str | None = None) -> Shown:
    """The version of ``obj`` to show: ``.fields["title"]``, ``.fields["description"]``, ``.lang``."""
    return pick_translation(
        {"title": obj.title, "description": obj.description},
        obj.language,
        obj.translations if isinstance(obj.translations, dict) else {},
        wanted or wanted_language(),
    )


def fallback_note(version: Shown) -> str | None:
    """The sentence the pages show when falling back, in the reader's language; None otherwise."""
    if not version.fallback:
        return None
    return gettext("Shown in %(shown)s; no %(wanted)s version.") % {
        "shown": language_name(version.lang),
        "wanted": language_name(version.wanted),
    }


def api_fields(obj: Translatable) -> dict[str, Any]:
    """Title, description and the language fields of the API: what was served and why."""
    version = shown(obj)
    return {
        "title": version.fields["title"],
        "description": version.fields["description"],
        "language": version.lang,
        "requested_language": version.wanted,
        "original_language": obj.language,
        "language_fallback": version.fallback,
        "language_note": fallback_note(version),
    }
