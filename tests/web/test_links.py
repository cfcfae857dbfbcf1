"""Links built from data are links only when the data gives a web address."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.countries.models import LegalStatus
from gapbridge.offers import services as offers
from gapbridge.web.service_errors import add_service_error
from tests import factories

from ..integration.test_offers_services import _fields

pytestmark = pytest.mark.django_db


def test_a_law_whose_source_gives_no_address_is_not_a_broken_link(client: Client) -> None:
    """Some Cyberlaw Tracker entries give a source name where the address should be (e.g. Argentina)."""
    found = [
        (status, url)
        for status in LegalStatus.objects.select_related("economy")
        for url, _title in status.laws
        if url and not url.startswith("http")
    ]
    assert found, "the bundled legal data has such entries"
    status, url = found[0]
    html = client.get(f"/countries/{status.economy.iso3}/").content.decode()
    assert f'href="{url}"' not in html
    assert (
        sum(1 for s in LegalStatus.objects.all() for u, _t in s.laws if u and not u.startswith("http")) > 50
    )


def test_written_content_takes_its_own_direction(client: Client) -> None:
    """An English offer in the Arabic interface (and an Arabic need in the English one) is laid out in its own
    direction: the content carries dir="auto" beside its lang."""
    org = factories.organization("ITU", "XM-DAC-41114")
    editor = factories.user("itu-editor", Role.ORG_EDITOR, organization=org)
    offer = offers.create_offer(editor, org, **_fields())
    offers.change_status(editor, offer.pk, "published", "ready")
    html = client.get(f"/offers/{offer.pk}/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html and 'lang="en" dir="auto"' in html


def test_a_service_refusal_naming_a_field_goes_to_that_field() -> None:
    class Form(forms.Form):
        budget_usd = forms.DecimalField(label="Budget (USD)", required=False)

    form = Form({})
    assert form.is_valid()
    add_service_error(form, ValueError("budget_usd\u00a0: doit être positif"))
    add_service_error(form, ValueError("requesting_organization: no organization 'X'"))
    assert form.errors["budget_usd"] == ["doit être positif"]
    assert form.non_field_errors() == ["requesting_organization: no organization 'X'"]
