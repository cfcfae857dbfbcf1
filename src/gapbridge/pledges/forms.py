"""Forms of the pledge pages: they validate input; the services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gapbridge.api import limits
from gapbridge.barriers.focus import focus_choices
from gapbridge.countries.forms import LocalizedModelMultipleChoiceField
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.organizations.models import Organization
from gapbridge.pledges.models import FlowKind, Pledge, PledgeFlow, PledgeStatus

DATE = forms.DateInput(attrs={"type": "date"})


class PledgeForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0, max_value=limits.decimal_limit(Pledge, "amount"), decimal_places=2
    )
    currency = forms.CharField(label=_("Currency (ISO 4217)"), min_length=3, max_length=3, initial="USD")
    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(label=_("Period end"), widget=DATE)
    announced_on = forms.DateField(label=_("Announced on"), widget=DATE, required=False)
    source_url = forms.URLField(label=_("Link to the announcement"), required=False, assume_scheme="https")
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"), choices=focus_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    target_countries = LocalizedModelMultipleChoiceField(
        label=_("Target countries"), queryset=Economy.objects.all(), required=False, to_field_name="iso3"
    )
    target_groups = LocalizedModelMultipleChoiceField(
        label=_("Target groups"), queryset=CountryGroup.objects.all(), required=False, to_field_name="code"
    )

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations if organizations is not None else Organization.objects.none()


class FlowForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FlowKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0, max_value=limits.decimal_limit(PledgeFlow, "amount"), decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3, initial="USD")
    date = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=PledgeStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class ActivityForm(forms.Form):
    activity_id = forms.IntegerField(label=_("Registry activity id"), min_value=1, required=False)
    iati_identifier = forms.CharField(label=_("…or IATI identifier"), max_length=255, required=False)
