"""Forms of the need pages: they validate input; the services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gapbridge.api import limits
from gapbridge.countries.forms import LocalizedModelChoiceField
from gapbridge.countries.models import Economy
from gapbridge.needs.models import Need, Priority
from gapbridge.offers.choices import FocusArea, Language, RequesterType, SupportKind
from gapbridge.organizations.models import Organization
from gapbridge.web.i18n import interface_language
from gapbridge.web.translation_form import TranslationForm


class NeedForm(TranslationForm):
    country = LocalizedModelChoiceField(
        label=_("Country"), queryset=Economy.objects.none(), to_field_name="iso3"
    )
    requesting_organization = forms.ModelChoiceField(
        label=_("Requesting organization"), queryset=Organization.objects.all(), required=False
    )
    requester_type = forms.ChoiceField(
        label=_("Requester type"), choices=RequesterType.choices, initial="government"
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=Language.choices,
        initial=lambda: interface_language(Language.values),
    )
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"), choices=FocusArea.choices, widget=forms.CheckboxSelectMultiple
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of support sought"),
        choices=SupportKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM)
    start_by = forms.DateField(
        label=_("Wanted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_by = forms.DateField(
        label=_("Wanted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    budget_usd = forms.DecimalField(
        label=_("Budget (US$)"),
        min_value=0,
        max_value=limits.decimal_limit(Need, "budget_usd"),
        required=False,
    )

    def __init__(self, *args: Any, countries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = countries if countries is not None else Economy.objects.none()

    def service_data(self) -> dict[str, Any]:
        data = self.with_translation(dict(self.cleaned_data))
        data.pop("country", None)
        return data
