"""Content in the visitor's language, with an honest fallback: pick the version of a text to show and say
when it is not in the language the visitor asked for.

Two shapes of multilingual content exist in GapBridge:

* IATI narratives: ``[(text, lang), ...]`` where ``lang`` is ``None`` for the activity's
  ``default_language`` (``xml:lang`` absent). Use :func:`pick_narrative`.
* User-written content (offers, needs, barriers): fields in the language of the original (``language``)
  plus ``translations = {"fr": {"title": "...", "description": "..."}, ...}``. Use
  :func:`pick_translation`.

Both return a :class:`Shown` value: the text(s) to display, the language they are in and the language
the visitor wanted. ``shown.fallback`` is true when the two differ (and the text's language is known), and
the template then shows the notice::

    {% load content_language %}
    <h1 lang="{{ shown.lang }}">{{ shown.text }}</h1>
    {% fallback_notice shown %}   {# "Shown in English; no French version." — nothing when not a fallback #}

The functions are pure (no Django, no database), so any app (offers, needs, barriers, projects) can call
them from views or services; the visitor's language comes from ``django.utils.translation.get_language``
in the caller. Languages compare on their primary subtag, case-insensitively ("fr-CA" serves "fr").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: The language assumed when content says nothing about its language (IATI's own default).
DEFAULT_CONTENT_LANGUAGE = "en"


def primary(lang: str | None) -> str:
    """``"fr-CA"`` -> ``"fr"``, ``"EN"`` -> ``"en"``, ``None`` -> ``""``."""
    return (lang or "").strip().replace("_", "-").split("-")[0].lower()


@dataclass(frozen=True)
class Shown:
    """The version of a piece of content to display.

    ``text`` is the main text (an IATI narrative, or the ``title`` of a translated object); ``fields``
    holds every translated field of an object (``{"title": ..., "description": ...}``); ``lang`` is the
    language of what is shown (``""`` when unknown); ``wanted`` the visitor's language.
    """

    text: str
    lang: str
    wanted: str
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def fallback(self) -> bool:
        """True when the text is in another (known) language than the visitor's."""
        return bool(self.text) and bool(self.lang) and primary(self.lang) != primary(self.wanted)

    def __str__(self) -> str:
        return self.text


def pick_narrative(
    narratives: Iterable[Sequence[object]] | None,
    wanted: str,
    default_language: str | None = None,
) -> Shown:
    """The IATI narrative to show a visitor whose language is ``wanted``.

    ``narratives`` are ``(text, lang)`` pairs as stored (``lang`` ``None`` = ``default_language``). The
    order of preference: a narrative in ``wanted``; else the one in the default language; else English;
    else the first. Empty texts are ignored. No narrative at all gives an empty, non-fallback ``Shown``.
    """
    default = primary(default_language) or DEFAULT_CONTENT_LANGUAGE
    want = primary(wanted)
    pairs: list[tuple[str, str]] = []
    for item in narratives or ():
        text = item[0] if item else None
        lang = item[1] if len(item) > 1 else None
        if isinstance(text, str) and text.strip():
            pairs.append((text, primary(lang if isinstance(lang, str) else None) or default))
    if not pairs:
        return Shown(text="", lang="", wanted=want)
    for preferred in (want, default, DEFAULT_CONTENT_LANGUAGE):
        for text, lang in pairs:
            if lang == preferred:
                return Shown(text=text, lang=lang, wanted=want)
    text, lang = pairs[0]
    return Shown(text=text, lang=lang, wanted=want)


def pick_translation(
    original: Mapping[str, str],
    original_language: str | None,
    translations: Mapping[str, Mapping[str, str]] | None,
    wanted: str,
    *,
    main: str = "title",
) -> Shown:
    """The version of a user-written object (offer, need, barrier) to show in ``wanted``.

    ``original`` holds the fields as written (e.g. ``{"title": ..., "description": ...}``) in
    ``original_language``; ``translations`` maps a language to the same fields. A translation is used
    when it has a non-empty ``main`` field; its missing fields fall back to the original's. Otherwise
    the original is shown, and ``fallback`` is true when its language is not ``wanted``.
    """
    want = primary(wanted)
    source = primary(original_language) or DEFAULT_CONTENT_LANGUAGE
    if want != source:
        for lang, fields in (translations or {}).items():
            if primary(lang) == want and isinstance(fields, Mapping) and str(fields.get(main) or "").strip():
                merged = {k: str(fields.get(k) or "").strip() or v for k, v in original.items()}
                return Shown(text=merged.get(main, ""), lang=want, wanted=want, fields=merged)
    return Shown(text=original.get(main, ""), lang=source, wanted=want, fields=dict(original))
