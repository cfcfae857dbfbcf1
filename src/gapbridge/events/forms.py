"""Forms of the event pages: they validate input; the services make the changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gapbridge.countries.models import Economy
from gapbridge.events import times
from gapbridge.events.focus import focus_choices
from gapbridge.events.models import (
    EventStatus,
    LinkKind,
    OutcomeKind,
    ParticipantKind,
    Preference,
    Registration,
)
from gapbridge.events.services import MAX_REQUEST_MESSAGE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _zones() -> list[tuple[str, str]]:
    return [(z, z) for z in times.zone_names()]


def _countries() -> list[tuple[str, str]]:
    """Countries by their name in the reader's language, accents and case ignored (Côte d'Ivoire before
    Czechia)."""
    return [("", "—"), *Economy.objects.by_name()]


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"), choices=focus_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_zones, initial="UTC")
    venue = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_url = forms.URLField(label=_("Online link"), max_length=500, required=False, assume_scheme="https")
    registration = forms.ChoiceField(label=_("Registration"), choices=Registration.choices)
    buffer_slots = forms.IntegerField(
        label=_("Free slots between two meetings of a participant"), min_value=0, max_value=4, initial=0
    )
    delegation_max_meetings = forms.IntegerField(
        label=_("Maximum meetings per delegation"), min_value=0, required=False
    )
    provider_max_meetings = forms.IntegerField(
        label=_("Maximum meetings per provider"), min_value=0, required=False
    )
    auto_reschedule = forms.BooleanField(
        label=_("Reschedule automatically after a cancellation"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The last day is before the first day."))
        return data


class EventStatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=EventStatus.choices)
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Session"), max_length=200)
    day = forms.DateField(label=_("Day"), widget=DATE)
    start_time = forms.TimeField(label=_("Starts at (local time)"), widget=TIME)
    slot_minutes = forms.IntegerField(
        label=_("Meeting length (minutes)"), min_value=5, max_value=240, initial=20
    )
    break_minutes = forms.IntegerField(
        label=_("Break between meetings (minutes)"), min_value=0, max_value=120, initial=5
    )
    slot_count = forms.IntegerField(label=_("Number of slots"), min_value=1, max_value=96, initial=8)


class TablesForm(forms.Form):
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=500, initial=10)
    name_prefix = forms.CharField(
        label=_("Name"), max_length=80, required=False, help_text=_("e.g. Table, Room")
    )
    is_virtual = forms.BooleanField(label=_("Virtual rooms"), required=False)
    online_url = forms.URLField(label=_("Room link"), max_length=500, required=False, assume_scheme="https")


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Taking part as"), choices=ParticipantKind.choices)
    country = forms.ChoiceField(label=_("Country (delegation)"), choices=_countries, required=False)
    organization = forms.CharField(
        label=_("Organization (provider)"),
        max_length=120,
        required=False,
        help_text=_(
            "Its exact name, its IATI identifier or its GapBridge number (when several organizations have "
            "the name, you are shown their numbers)"
        ),
    )
    max_meetings = forms.IntegerField(label=_("Maximum number of meetings"), min_value=0, required=False)
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas to discuss or offer"),
        choices=focus_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ParticipantKind.DELEGATION and not data.get("country"):
            self.add_error("country", _("Choose the country of the delegation."))
        if data.get("kind") == ParticipantKind.PROVIDER and not data.get("organization"):
            self.add_error("organization", _("Give the provider organization."))
        return data

    def party(self) -> str:
        data = self.cleaned_data
        return str(data["country"] if data["kind"] == ParticipantKind.DELEGATION else data["organization"])


class InviteForm(PartyForm):
    member_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    member_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    member_username = forms.CharField(
        label=_("Contact's user name (if they have an account)"), required=False
    )
    register_now = forms.BooleanField(label=_("Register at once (no invitation to accept)"), required=False)

    def members(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        if not (data.get("member_name") or data.get("member_username")):
            return []
        return [
            {
                "name": data.get("member_name", ""),
                "email": data.get("member_email", ""),
                "user": data.get("member_username") or None,
            }
        ]


class StatusForm(forms.Form):
    to = forms.CharField(max_length=20)
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)


class RequestForm(forms.Form):
    recipient = forms.TypedChoiceField(label=_("Meet"), coerce=int, choices=())
    preference = forms.ChoiceField(
        label=_("Preference"), choices=Preference.choices, initial=Preference.WOULD_LIKE
    )
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=MAX_REQUEST_MESSAGE,
    )
    explanation = forms.CharField(required=False, widget=forms.HiddenInput)
    suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("no_thanks", _("No thanks"))]
    )
    interest = forms.ChoiceField(
        label=_("Our interest"), choices=[("", _("just accept")), *Preference.choices], required=False
    )
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)


class AvailabilityForm(forms.Form):
    unavailable = forms.TypedMultipleChoiceField(
        label=_("Not available in these slots"),
        coerce=int,
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ParticipationForm(forms.Form):
    max_meetings = forms.IntegerField(label=_("Maximum number of meetings"), min_value=0, required=False)
    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"), choices=focus_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    username = forms.CharField(label=_("User name (if they have an account)"), max_length=150, required=False)
    role = forms.CharField(label=_("Role"), max_length=200, required=False)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Outcome"), choices=OutcomeKind.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    link_kind = forms.ChoiceField(
        label=_("Link to an existing"), choices=[("", "—"), *LinkKind.choices], required=False
    )
    link_id = forms.CharField(label=_("Its number"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("link_kind")) != bool(data.get("link_id")):
            self.add_error("link_id", _("Give both the kind and the number of the linked item."))
        return data


class ScheduleForm(forms.Form):
    time_limit = forms.FloatField(label=_("Time limit (seconds)"), min_value=1, max_value=120, initial=10)
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)
    from_scratch = forms.BooleanField(label=_("Re-optimise from scratch (meetings may move)"), required=False)
