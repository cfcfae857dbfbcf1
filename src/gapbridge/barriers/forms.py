"""Forms of the barrier pages: they validate input; the services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gapbridge.barriers.focus import focus_choices
from gapbridge.barriers.models import BarrierCategory, BarrierStatus, Language, Level, LinkKind
from gapbridge.countries.forms import LocalizedModelChoiceField
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.organizations.models import Organization
from gapbridge.web.i18n import interface_language
from gapbridge.web.translation_form import TranslationForm


class BarrierForm(TranslationForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=Language.choices,
        initial=lambda: interface_language(Language.values),
    )
    country = LocalizedModelChoiceField(
        label=_("Country"), queryset=Economy.objects.all(), required=False, to_field_name="iso3"
    )
    group = LocalizedModelChoiceField(
        label=_("…or group of countries"),
        queryset=CountryGroup.objects.all(),
        required=False,
        to_field_name="code",
    )
    category = forms.ChoiceField(label=_("Category"), choices=BarrierCategory.choices)
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"), choices=focus_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    measure_title = forms.CharField(label=_("Measure"), max_length=300, required=False)
    measure_reference = forms.CharField(label=_("Measure reference"), max_length=200, required=False)
    measure_url = forms.URLField(
        label=_("Link to the measure"), max_length=500, required=False, assume_scheme="https"
    )
    measure_date = forms.DateField(
        label=_("Date of the measure"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reporter_name = forms.CharField(label=_("Your name as reporter"), max_length=200, required=False)
    reporter_organization = forms.ModelChoiceField(
        label=_("On behalf of (your organization)"), queryset=Organization.objects.none(), required=False
    )
    reporter_is_public = forms.BooleanField(
        label=_("Show my name and organization publicly"), required=False, initial=False
    )
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence_url = forms.URLField(
        label=_("Link to evidence"), max_length=500, required=False, assume_scheme="https"
    )
    impact = forms.ChoiceField(
        label=_("Estimated impact"), choices=[("", "—"), *Level.choices], required=False
    )
    impact_note = forms.CharField(
        label=_("Impact estimate (who is affected, how much)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Level.choices, initial=Level.MEDIUM)

    def __init__(
        self,
        *args: Any,
        organizations: Any = None,
        translations: dict[str, dict[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, translations=translations, **kwargs)
        # one translation per submission (see TranslationForm), in a language of the interface
        language = self.fields["translation_language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [("", "—"), *Language.choices]
        field = self.fields["reporter_organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations if organizations is not None else Organization.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("country")) == bool(data.get("group")):
            raise forms.ValidationError(_("Choose either a country or a group of countries."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.with_translation(dict(self.cleaned_data))
        if data.get("country") is None:
            data.pop("country", None)
        if data.get("group") is None:
            data.pop("group", None)
        if data.get("reporter_organization") is None:
            data.pop("reporter_organization", None)
        return data


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=BarrierStatus.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class UpdateForm(forms.Form):
    text = forms.CharField(label=_("Progress update"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("Public"), required=False, initial=True)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices)
    object_id = forms.CharField(label=_("Id"), max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Merge into barrier #"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class SubscriptionForm(forms.Form):
    country = LocalizedModelChoiceField(
        label=_("Country"),
        queryset=Economy.objects.all(),
        required=False,
        to_field_name="iso3",
        empty_label=_("Any country"),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Any category")), *BarrierCategory.choices], required=False
    )
    email = forms.BooleanField(label=_("Also by e-mail"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("country") and not data.get("category"):
            raise forms.ValidationError(_("Choose a country, a category, or both."))
        return data
