"""Forms of the offer pages: they validate input; the services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gapbridge.api import limits
from gapbridge.countries import labels
from gapbridge.countries.forms import LocalizedModelMultipleChoiceField, sort_key
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.offers.choices import FocusArea, Language, Modality, RequesterType, SupportKind
from gapbridge.offers.models import Offer
from gapbridge.organizations.models import Organization
from gapbridge.web.i18n import interface_language
from gapbridge.web.translation_form import TranslationForm


def _regions() -> list[tuple[str, str]]:
    names = set(Economy.objects.exclude(sub_region="").values_list("sub_region", flat=True))
    return sorted(((r, labels.region(r)) for r in names), key=lambda choice: sort_key(choice[1]))


class OfferForm(TranslationForm):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=Language.choices,
        initial=lambda: interface_language(Language.values),
    )
    kind = forms.ChoiceField(label=_("Kind of support"), choices=SupportKind.choices)
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"), choices=FocusArea.choices, widget=forms.CheckboxSelectMultiple
    )
    eligible_countries = LocalizedModelMultipleChoiceField(
        label=_("Eligible countries (none: every country)"),
        queryset=Economy.objects.all(),
        to_field_name="iso3",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    eligible_regions = forms.MultipleChoiceField(
        label=_("…or regions"),
        choices=_regions,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    eligible_groups = LocalizedModelMultipleChoiceField(
        label=_("…or groups (membership on the date of the need)"),
        queryset=CountryGroup.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requester_types = forms.MultipleChoiceField(
        label=_("Eligible requesters (none: everyone)"),
        choices=RequesterType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modality = forms.ChoiceField(label=_("Modality"), choices=[("", "—"), *Modality.choices], required=False)
    capacity = forms.IntegerField(
        label=_("Places (needs it can take; empty: no limit)"),
        min_value=0,
        max_value=limits.integer_range(Offer, "capacity")[1],
        required=False,
    )
    budget_usd = forms.DecimalField(
        label=_("Budget (US$)"),
        min_value=0,
        max_value=limits.decimal_limit(Offer, "budget_usd"),
        required=False,
    )
    opens = forms.DateField(
        label=_("Applications open"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closes = forms.DateField(
        label=_("Applications close"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_url = forms.URLField(
        label=_("Information page"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = organizations if organizations is not None else Organization.objects.none()

    def service_data(self) -> dict[str, Any]:
        data = self.with_translation(dict(self.cleaned_data))
        data.pop("provider", None)
        data["eligible_countries"] = [e.iso3 for e in data.get("eligible_countries") or []]
        data["eligible_groups"] = [g.code for g in data.get("eligible_groups") or []]
        return data


class TransitionForm(forms.Form):
    to = forms.CharField(max_length=30)
    reason = forms.CharField(label=_("Why"), max_length=2000)
