"""Numbers beyond what their columns hold are refused before anything runs or is saved, with a message that
names the field and the limit: 400 `bad_request` for query strings, 422 `invalid` for API bodies, a form
error on pages. Never a 500, and never a row that breaks every later read. Runs on SQLite and PostgreSQL
(DATABASE_URL) alike."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.api.limits import MAX_ID, MAX_OFFSET, decimal_limit
from gapbridge.countries.models import Economy
from gapbridge.needs import services as needs
from gapbridge.needs.models import Need
from gapbridge.offers import services as offers
from gapbridge.offers.models import Offer
from gapbridge.pledges.models import Pledge
from tests import factories

pytestmark = pytest.mark.django_db

HUGE = "999999999999999999999"
BUDGET_LIMIT = "99999999999999.9"
PLACES_LIMIT = "2147483647"

LISTS = ["countries", "offers", "needs", "matches", "events", "barriers", "analytics/alerts"]
HUGE_QUERIES = [
    *((f"/api/v1/{path}?offset={HUGE}", "offset", str(MAX_OFFSET)) for path in LISTS),
    (f"/api/v1/offers?offset=-{HUGE}", "offset", str(MAX_OFFSET)),
    (f"/api/v1/offers?provider={HUGE}", "provider", str(MAX_ID)),
    (f"/api/v1/offers?provider={HUGE}&format=csv", "provider", str(MAX_ID)),
    (f"/api/v1/matches?need={HUGE}", "need", str(MAX_ID)),
    (f"/api/v1/matches?offer={HUGE}", "offer", str(MAX_ID)),
    ("/api/v1/matches?need=-1", "need", "between 0 and"),
    ("/api/v1/matches?offer=-5", "offer", "between 0 and"),
    (f"/api/v1/pledges?provider={HUGE}", "provider", str(MAX_ID)),
    (f"/api/v1/pledges?provider={HUGE}&format=csv", "provider", str(MAX_ID)),
    (f"/api/v1/analytics/alerts?organization={HUGE}", "organization", str(MAX_ID)),
    (f"/api/v1/analytics/alerts?organization={HUGE}&format=csv", "organization", str(MAX_ID)),
]


@pytest.fixture
def world() -> dict[str, Any]:
    org = factories.organization("Skills Alliance", "XM-SKILLS")
    return {
        "sec": factories.user("sec", Role.SECRETARIAT),
        "org": org,
        "editor": factories.user("provider", Role.ORG_EDITOR, organization=org),
        "fp": factories.user("fp", Role.FOCAL_POINT, iso3="NER"),
    }


def _offer_body(org_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "provider_id": org_id,
        "title": "Bootcamp",
        "description": "Coding for youth.",
        "kind": "training",
        "focus_areas": ["digital-skills"],
    } | extra


def _need_body(**extra: Any) -> dict[str, Any]:
    return {
        "country": "NER",
        "title": "Mobile money",
        "description": "Payments for farmers.",
        "focus_areas": ["digital-payments"],
    } | extra


def _refused(response: Any, code: str, *words: str) -> str:
    """The error message (400) or the first detail's message (422), checked to name every word."""
    assert response.status_code == (422 if code == "invalid" else 400), response.content
    error = response.json()["error"]
    assert error["code"] == code
    message = str(error["details"][0]["msg"]) if code == "invalid" else str(error["message"])
    assert all(word in message for word in words), message
    return message


# --- query strings: offsets and id filters -----------------------------------------------------------------


@pytest.mark.parametrize(("url", "name", "limit"), HUGE_QUERIES)
def test_huge_offsets_and_ids_are_400_naming_the_parameter_and_the_limit(
    client: Client, world: dict[str, Any], url: str, name: str, limit: str
) -> None:
    client.force_login(world["sec"])  # the secretariat sees every row, so every filter's query runs
    _refused(client.get(url), "bad_request", name, limit)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/offers?offset={MAX_OFFSET}",
        f"/api/v1/offers?provider={MAX_ID}",
        f"/api/v1/matches?need={MAX_ID}&offer={MAX_ID}",
        f"/api/v1/pledges?provider={MAX_ID}",
        f"/api/v1/analytics/alerts?organization={MAX_ID}",
    ],
)
def test_the_largest_accepted_values_answer_an_empty_list(
    client: Client, world: dict[str, Any], url: str
) -> None:
    client.force_login(world["sec"])
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


# --- API bodies: money and places ---------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [1e30, "99999999999999999999999", -1, "99999999999999.95"])
def test_offer_budget_out_of_range_is_422_and_nothing_is_saved(
    client: Client, world: dict[str, Any], budget: Any
) -> None:
    client.force_login(world["editor"])
    before = Offer.objects.count()
    response = client.post(
        "/api/v1/offers", _offer_body(world["org"].pk, budget_usd=budget), content_type="application/json"
    )
    _refused(response, "invalid", "budget_usd", BUDGET_LIMIT)
    assert Offer.objects.count() == before
    assert client.get("/api/v1/offers").status_code == 200


@pytest.mark.parametrize("budget", ["NaN", "Infinity", "-Infinity"])
def test_offer_budget_must_be_a_finite_number(client: Client, world: dict[str, Any], budget: str) -> None:
    client.force_login(world["editor"])
    response = client.post(
        "/api/v1/offers", _offer_body(world["org"].pk, budget_usd=budget), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"
    assert not Offer.objects.exists()


def test_the_largest_budget_is_saved_and_read_back(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["editor"])
    created = client.post(
        "/api/v1/offers",
        _offer_body(world["org"].pk, budget_usd=BUDGET_LIMIT, capacity=int(PLACES_LIMIT)),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert Decimal(created.json()["budget_usd"]) == Decimal(BUDGET_LIMIT)
    assert created.json()["capacity"] == int(PLACES_LIMIT)
    assert client.get("/api/v1/offers").json()["count"] == 1


def test_offer_edit_refuses_an_out_of_range_budget(client: Client, world: dict[str, Any]) -> None:
    offer = offers.create_offer(
        world["editor"],
        world["org"],
        title="t",
        description="d",
        kind="grant",
        focus_areas=["digital-skills"],
    )
    client.force_login(world["editor"])
    response = client.patch(
        f"/api/v1/offers/{offer.pk}", {"budget_usd": 1e30}, content_type="application/json"
    )
    _refused(response, "invalid", "budget_usd", BUDGET_LIMIT)
    offer.refresh_from_db()
    assert offer.budget_usd is None


@pytest.mark.parametrize("capacity", [99999999999999999999, int(PLACES_LIMIT) + 1, -1])
def test_offer_places_out_of_range_are_422(client: Client, world: dict[str, Any], capacity: int) -> None:
    client.force_login(world["editor"])
    response = client.post(
        "/api/v1/offers", _offer_body(world["org"].pk, capacity=capacity), content_type="application/json"
    )
    _refused(response, "invalid", "capacity", PLACES_LIMIT)
    assert not Offer.objects.exists()


@pytest.mark.parametrize("budget", [1e30, -5])
def test_need_budget_out_of_range_is_422_and_nothing_is_saved(
    client: Client, world: dict[str, Any], budget: Any
) -> None:
    client.force_login(world["fp"])
    response = client.post("/api/v1/needs", _need_body(budget_usd=budget), content_type="application/json")
    _refused(response, "invalid", "budget_usd", BUDGET_LIMIT)
    assert not Need.objects.filter(title="Mobile money").exists()
    assert client.get("/api/v1/needs").status_code == 200


def test_pledge_amount_out_of_range_is_422(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["sec"])
    body = {
        "provider": world["org"].pk,
        "title": "Big pledge",
        "amount": 1e30,
        "currency": "USD",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    }
    response = client.post("/api/v1/pledges", body, content_type="application/json")
    _refused(response, "invalid", "amount", format(decimal_limit(Pledge, "amount"), "f"))
    assert not Pledge.objects.exists()


# --- pages: forms -------------------------------------------------------------------------------------------


def _form_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    return {name: list(errors) for name, errors in form.errors.items()}


def test_need_form_refuses_a_23_digit_budget(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["fp"])
    body = {
        "country": "NER",
        "requester_type": "government",
        "title": "Cybersecurity strategy",
        "description": "Help draft a national strategy.",
        "language": "en",
        "focus_areas": ["data-regulation"],
        "priority": "medium",
        "budget_usd": "99999999999999999999999",
    }
    errors = _form_errors(client.post("/needs/new/", body))
    assert list(errors) == ["budget_usd"] and BUDGET_LIMIT in errors["budget_usd"][0]
    assert not Need.objects.filter(title="Cybersecurity strategy").exists()


def _offer_form(world: dict[str, Any], **extra: str) -> dict[str, Any]:
    return {
        "provider": str(world["org"].pk),
        "title": "Training for regulators",
        "description": "Three-day course.",
        "language": "en",
        "kind": "training",
        "focus_areas": ["digital-skills"],
    } | extra


def test_offer_form_refuses_23_digit_places_and_budget(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["editor"])
    body = _offer_form(world, capacity="99999999999999999999999", budget_usd="1e30")
    errors = _form_errors(client.post("/offers/new/", body))
    assert sorted(errors) == ["budget_usd", "capacity"]
    assert PLACES_LIMIT in errors["capacity"][0] and BUDGET_LIMIT in errors["budget_usd"][0]
    assert not Offer.objects.exists()


# --- services: defence in depth -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("budget_usd", "1e30", ("budget_usd", BUDGET_LIMIT)),
        ("budget_usd", "NaN", ("budget_usd", "amount")),
        ("budget_usd", "-Infinity", ("budget_usd", "amount")),
        ("capacity", 10**22, ("capacity", PLACES_LIMIT)),
        ("capacity", float("inf"), ("capacity", "whole number")),
    ],
)
def test_offer_service_refuses_out_of_range_numbers(
    world: dict[str, Any], field: str, value: Any, words: tuple[str, ...]
) -> None:
    with pytest.raises(offers.OfferError) as refused:
        offers.create_offer(
            world["editor"],
            world["org"],
            title="t",
            description="d",
            kind="grant",
            focus_areas=["digital-skills"],
            **{field: value},
        )
    assert all(word in str(refused.value) for word in words)
    assert not Offer.objects.exists()


def test_need_service_refuses_an_out_of_range_budget(world: dict[str, Any]) -> None:
    with pytest.raises(needs.NeedError, match=r"budget_usd must be between 0 and 99999999999999\.9"):
        needs.create_need(
            world["fp"],
            Economy.objects.get(iso3="NER"),
            title="t",
            description="d",
            focus_areas=["digital-skills"],
            budget_usd=Decimal("1E+30"),
        )
    assert not Need.objects.filter(title="t").exists()


def test_a_form_wide_error_is_shown_once(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["editor"])
    body = _offer_form(world, opens="2026-06-01", closes="2026-01-01")
    html = client.post("/offers/new/", body).content.decode()
    assert html.count("before they open") == 1, "once, not from the template and the form both"
    login = Client().post("/accounts/login/", {"username": "editor", "password": "wrong"}).content.decode()
    assert login.count('class="errorlist nonfield"') == 1 and "did not match" not in login
