"""Histories name roles and organizations, never login names (which would help anyone guessing passwords)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from gapbridge.accounts.models import Role
from gapbridge.audit.public import public_actor
from gapbridge.offers import services as offers
from gapbridge.offers.models import Offer
from gapbridge.web.templatetags.links import web_url
from tests import factories

from ..integration.test_offers_services import _fields

pytestmark = pytest.mark.django_db


def test_an_offer_s_history_names_the_organization_and_the_secretariat(client: Client) -> None:
    org = factories.organization("ITU", "XM-DAC-41114")
    editor = factories.user("itu-login-7", Role.ORG_EDITOR, organization=org)
    sec = factories.user("sec-login-3", Role.SECRETARIAT)
    offer = offers.create_offer(editor, org, **_fields())
    offers.change_status(sec, offer.pk, "published", "checked")
    history = client.get(f"/api/v1/offers/{offer.pk}/history").json()
    assert [h["by"] for h in history] == ["ITU", "Secretariat"]
    page = client.get(f"/offers/{offer.pk}/").content.decode()
    assert "itu-login-7" not in page and "sec-login-3" not in page
    french = client.get(f"/api/v1/offers/{offer.pk}/history", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french[-1]["by"] == "Secrétariat"


def test_a_seeded_offer_s_history_reason_is_translated() -> None:
    from gapbridge.audit.public import reason

    text = "seeded from Digital Public Goods registry: https://digitalpublicgoods.net/r/x"
    with translation.override("fr"):
        assert (
            reason(text)
            == "importé depuis Registre des biens publics numériques\u00a0: https://digitalpublicgoods.net/r/x"
        )
    with translation.override("en"):
        assert reason(text) == text
    assert reason("seeded because I said so") == "seeded because I said so"


def test_script_addresses_are_refused_by_the_api_and_never_rendered_as_links(client: Client) -> None:
    org = factories.organization("ITU", "XM-DAC-41114")
    editor = factories.user("itu-editor", Role.ORG_EDITOR, organization=org)
    client.force_login(editor)
    body = {
        "provider_id": org.pk,
        "title": "Bootcamp",
        "description": "Coding for youth.",
        "kind": "training",
        "focus_areas": ["digital-skills"],
        "contact_url": "javascript:alert(document.domain)",
    }
    refused = client.post("/api/v1/offers", body, content_type="application/json")
    assert refused.status_code == 400 and "contact_url" in refused.json()["error"]["message"]
    mail = client.post(
        "/api/v1/offers", body | {"contact_url": "", "contact_email": "x"}, content_type="application/json"
    )
    assert mail.status_code == 400 and "contact_email" in mail.json()["error"]["message"]
    # an address stored before the check is shown as text, not as a link
    offer = offers.create_offer(editor, org, **_fields())
    Offer.objects.filter(pk=offer.pk).update(contact_url="javascript:alert(1)")
    page = client.get(f"/offers/{offer.pk}/").content.decode()
    assert 'href="javascript:' not in page


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://iatistandard.org/x.pdf", "https://iatistandard.org/x.pdf"),
        ("http://example.org", "http://example.org"),
        ("ftp://files.example.org/a", "ftp://files.example.org/a"),
        ("javascript:alert(1)", ""),
        (" JavaScript:alert(1)", ""),
        ("data:text/html,<b>x</b>", ""),
        ("vbscript:x", ""),
        ("http://[::1", ""),
        (None, ""),
    ],
)
def test_only_web_addresses_become_links(url: object, shown: str) -> None:
    assert web_url(url) == shown


def test_a_long_history_looks_each_actor_up_once(django_assert_max_num_queries: Any) -> None:
    org = factories.organization("ITU", "XM-DAC-41114")
    editor = factories.user("itu-editor", Role.ORG_EDITOR, organization=org)
    with django_assert_max_num_queries(1):
        names = {public_actor(editor.pk) for _ in range(200)}
    assert names == {"ITU"}


def test_a_needs_moves_by_its_matches_and_a_suggestion_read_in_the_readers_language() -> None:
    from gapbridge.audit.public import reason

    with translation.override("fr"):
        moved = reason("match #12 accepted: we agreed on the scope")
        suggested = reason("suggested (Chosen on the need's page)")
        accepted, origin = "accepté", translation.gettext("Chosen on the need's page")
    assert moved.startswith("mise en relation nº 12"), moved
    assert accepted in moved and "we agreed on the scope" in moved and "accepted" not in moved
    assert origin in suggested and "Chosen" not in suggested
    english = "match #12 accepted: we agreed on the scope"
    assert reason(english) == english
