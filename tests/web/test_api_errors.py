"""The API's error envelope speaks the reader's language and uses only the documented codes."""

from __future__ import annotations

import pytest
from django.test import Client

from gapbridge.accounts import tokens
from gapbridge.accounts.models import Role
from gapbridge.offers import services as offers
from tests import factories

from ..integration.test_offers_services import _fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "offer", "need"),
    [
        ("en", "Offer not found.", "Need not found."),
        ("fr", "Offre introuvable.", "Besoin introuvable."),
        ("ar", "لم يُعثر على العرض.", "لم يُعثر على الاحتياج."),
    ],
)
def test_a_missing_object_is_named_in_the_reader_s_language(
    client: Client, lang: str, offer: str, need: str
) -> None:
    for path, expected in (("/api/v1/offers/9999999", offer), ("/api/v1/needs/9999999", need)):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 404
        error = response.json()["error"]
        assert error == {"code": "not_found", "message": expected}, path
        assert "matching query" not in error["message"]


def test_auth_and_validation_messages_follow_the_language(client: Client) -> None:
    me = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="fr").json()["error"]
    assert me["code"] == "unauthenticated" and me["message"] != "authentication required"
    invalid = client.get("/api/v1/countries?limit=abc", HTTP_ACCEPT_LANGUAGE="es").json()["error"]
    assert invalid["code"] == "invalid" and invalid["message"] != "the request is not valid"


def test_an_unreadable_body_is_a_bad_request(client: Client) -> None:
    client.force_login(factories.user("fp", Role.FOCAL_POINT, iso3="NER"))
    response = client.post("/api/v1/needs", "{bad json", content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request" and "JSON" in error["message"]


def test_a_token_holder_reads_its_own_draft_and_a_dead_token_is_refused(client: Client) -> None:
    org = factories.organization("ITU", "XM-DAC-41114")
    editor = factories.user("itu-editor", Role.ORG_EDITOR, organization=org)
    draft = offers.create_offer(editor, org, **_fields())
    token, secret = tokens.issue(None, editor, name="script", scopes=["read", "write"])
    assert client.get(f"/api/v1/offers/{draft.pk}").status_code == 404, "a draft is not public"
    mine = client.get(f"/api/v1/offers/{draft.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert mine.status_code == 200 and mine.json()["status"] == "draft"
    listed = client.get("/api/v1/offers?status=draft", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert draft.pk in [o["id"] for o in listed["results"]]
    tokens.revoke(None, token.pk)
    dead = client.get("/api/v1/offers", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert dead.status_code == 401 and dead.json()["error"]["code"] == "unauthenticated"
    made_up = client.get("/api/v1/countries", HTTP_AUTHORIZATION="Bearer gbt_madeup")
    assert made_up.status_code == 401


def test_a_refused_change_does_not_read_out_a_drafts_title(client: Client) -> None:
    """Another provider's draft: the refusal names its kind and number, never its title, in the reader's
    language."""
    org = factories.organization("ITU", "XM-DAC-41114")
    editor = factories.user("itu-editor", Role.ORG_EDITOR, organization=org)
    draft = offers.create_offer(editor, org, **{**_fields(), "title": "CONFIDENTIAL Uganda e-customs bid"})
    other = factories.user("pa", Role.ORG_EDITOR, organization=factories.organization("Practical Action"))
    client.force_login(other)
    for lang, said in (("en", f"user 'pa' may not change offer #{draft.pk}"), ("fr", "pa")):
        response = client.patch(
            f"/api/v1/offers/{draft.pk}",
            {"title": "x"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=lang,
        )
        assert response.status_code == 403
        message = response.json()["error"]["message"]
        assert said in message and "CONFIDENTIAL" not in message and "e-customs" not in message, lang
    draft.refresh_from_db()
    assert draft.title.startswith("CONFIDENTIAL")
