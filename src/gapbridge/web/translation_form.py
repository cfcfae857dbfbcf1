"""One translation of a text's title and description, added or replaced on a form (needs, offers).

The form shows three optional fields at its end: the language, the translated title and description. The
translations already given are kept; the one submitted is added, or replaces the one in that language.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gapbridge.offers.choices import Language

FIELDS = ("translation_language", "translation_title", "translation_description")


class TranslationForm(forms.Form):
    translation_language = forms.ChoiceField(
        label=_("Add or replace a translation in"), choices=[("", "—"), *Language.choices], required=False
    )
    translation_title = forms.CharField(label=_("Translated title"), max_length=300, required=False)
    translation_description = forms.CharField(
        label=_("Translated description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(
        self, *args: Any, translations: dict[str, dict[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.existing_translations = dict(translations or {})
        for name in FIELDS:  # after the text's own fields
            self.fields[name] = self.fields.pop(name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lang = data.get("translation_language")
        title = (data.get("translation_title") or "").strip()
        description = (data.get("translation_description") or "").strip()
        if lang and lang == data.get("language"):
            self.add_error(
                "translation_language", _("The translation must be in another language than the text.")
            )
        elif lang and not title:
            self.add_error("translation_title", _("Give the translated title."))
        elif not lang and (title or description):
            self.add_error("translation_language", _("Say which language the translation is in."))
        return data

    def with_translation(self, data: dict[str, Any]) -> dict[str, Any]:
        """`data` (the cleaned fields) without the three translation fields, with `translations` when one
        was given: the translations kept, plus the new one."""
        data = {k: v for k, v in data.items() if k not in FIELDS}
        lang = self.cleaned_data.get("translation_language")
        title = (self.cleaned_data.get("translation_title") or "").strip()
        if lang and title:
            description = (self.cleaned_data.get("translation_description") or "").strip()
            data["translations"] = self.existing_translations | {
                lang: {"title": title, "description": description}
            }
        return data
