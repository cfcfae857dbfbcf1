"""Country group names in the reader's language: the filters' dropdowns, and `label` beside the stable English
`name` in the API (as `income_group` has `code` and `label`)."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from gapbridge.countries.labels import group_name
from gapbridge.countries.models import CountryGroup, IncomeGroup

pytestmark = pytest.mark.django_db


def french(code: str) -> str:
    with translation.override("fr"):
        return group_name(code)


def test_the_group_names_to_check_are_translated() -> None:
    # the checks below compare English and French: they would prove nothing if the two were equal
    for code in ("ldc", "wto-member", "income-h"):
        assert french(code) != CountryGroup.objects.get(code=code).name


@pytest.mark.parametrize(
    "path", ["/barriers/", "/analytics/", "/analytics/providers/", "/analytics/allocate/"]
)
def test_group_dropdowns_follow_the_language(client: Client, path: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = html.unescape(client.get(path).content.decode())
    for code in ("ldc", "wto-member"):
        english = CountryGroup.objects.get(code=code).name
        assert f'<option value="{code}">{french(code)}</option>' in page
        assert f">{english}</option>" not in page


def test_profile_groups_keep_the_english_name_and_add_a_label(client: Client) -> None:
    body = client.get("/api/v1/countries/DEU", HTTP_ACCEPT_LANGUAGE="fr").json()
    high = next(g for g in body["groups"] if g["code"] == "income-h")
    assert high["name"] == CountryGroup.objects.get(code="income-h").name
    assert high["label"] == french("income-h")
    with translation.override("fr"):
        assert body["income_group"]["label"] == str(IncomeGroup("H").label)
    english = client.get("/api/v1/countries/DEU").json()
    assert [(g["code"], g["name"]) for g in english["groups"]] == [
        (g["code"], g["name"]) for g in body["groups"]
    ]
    assert all(g["label"] == g["name"] for g in english["groups"] if g["code"] in {"income-h", "wto-member"})


def test_group_averages_name_is_stable_whichever_language_asked_first(client: Client) -> None:
    # the averages are cached for every language: a French reader first must not make the name French
    french_body = client.get("/api/v1/countries/KEN", HTTP_ACCEPT_LANGUAGE="fr").json()
    english_body = client.get("/api/v1/countries/KEN", HTTP_ACCEPT_LANGUAGE="en").json()
    fr_income = next(a for a in french_body["group_averages"] if a["code"] == "income:LM")
    en_income = next(a for a in english_body["group_averages"] if a["code"] == "income:LM")
    with translation.override("en"):
        assert en_income["name"] == fr_income["name"] == str(IncomeGroup("LM").label)
        assert en_income["label"] == str(IncomeGroup("LM").label)
    with translation.override("fr"):
        assert fr_income["label"] == str(IncomeGroup("LM").label) != en_income["label"]
    wto = next(a for a in french_body["group_averages"] if a["code"] == "wto-member")
    assert (wto["name"], wto["label"]) == (
        CountryGroup.objects.get(code="wto-member").name,
        french("wto-member"),
    )


def test_group_list_api_has_a_label_in_the_request_language(client: Client) -> None:
    groups = client.get("/api/v1/groups", HTTP_ACCEPT_LANGUAGE="fr").json()
    ldc = next(g for g in groups if g["code"] == "ldc")
    assert (ldc["name"], ldc["label"]) == (CountryGroup.objects.get(code="ldc").name, french("ldc"))
    one = client.get("/api/v1/groups/ldc", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (one["name"], one["label"]) == (ldc["name"], ldc["label"])


def test_pillars_and_indicators_carry_a_label_in_the_requests_language() -> None:
    from gapbridge.countries import labels

    client = Client()
    english = client.get("/api/v1/countries/KEN", HTTP_ACCEPT_LANGUAGE="en").json()["gap_index"]["pillars"]
    french = client.get("/api/v1/countries/KEN", HTTP_ACCEPT_LANGUAGE="fr").json()["gap_index"]["pillars"]
    assert [p["name"] for p in english] == [p["name"] for p in french]  # the stable English name
    assert all(p["label"] == p["name"] for p in english)
    with translation.override("fr"):
        expected = [labels.pillar_name(p["code"], p["name"]) for p in english]
        indicator = labels.indicator_name(english[0]["indicators"][0]["code"])
    assert [p["label"] for p in french] == expected and expected != [p["name"] for p in english]
    assert french[0]["indicators"][0]["label"] == indicator != english[0]["indicators"][0]["name"]
