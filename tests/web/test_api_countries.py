"""The countries API returns the real stored values, with year and source, filters, pages and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.test import Client

from gapbridge.countries.models import CountryScore, Observation, PillarScore

pytestmark = pytest.mark.django_db


def get(client: Client, url: str, status: int = 200) -> dict:  # type: ignore[type-arg]
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.json()  # type: ignore[no-any-return]


def test_kenya_profile_has_income_groups_scores_and_sourced_indicators(client: Client) -> None:
    body = get(client, "/api/v1/countries/KEN")
    assert body["name"] == "Kenya"
    assert body["income_group"]["code"] == "LM"
    assert {"wto-member", "income-lm"} <= {g["code"] for g in body["groups"]}
    pillars = body["gap_index"]["pillars"]
    assert len(pillars) >= 7
    assert all(0 <= p["coverage"] <= 1 for p in pillars)
    assert any(p["score"] is not None for p in pillars)
    indicators = [i for p in pillars for i in p["indicators"]]
    present = [i for i in indicators if i["value"] is not None]
    assert present and all(i["year"] and i["source"] for i in present)
    # The value shown is the latest real observation within the method's window.
    internet = next(i for i in indicators if i["code"] == "internet_users")
    first_year = settings.GAPINDEX_REFERENCE_YEAR - settings.GAPINDEX_WINDOW_YEARS + 1
    latest = (
        Observation.objects.filter(
            indicator__code="internet_users", economy__iso3="KEN", year__gte=first_year
        )
        .order_by("-year")
        .first()
    )
    assert latest is not None
    assert (internet["value"], internet["year"]) == (latest.value, latest.year)


def test_data_gaps_are_listed_not_hidden(client: Client) -> None:
    body = get(client, "/api/v1/countries/NER")
    missing = [i for p in body["gap_index"]["pillars"] for i in p["indicators"] if i["value"] is None]
    assert missing, "Niger lacks at least one indicator in the bundled data"
    assert all(i["data_gap"] for i in missing)
    assert len(body["data_gaps"]) == len(missing)


def test_unknown_country_is_404_in_the_envelope(client: Client) -> None:
    body = get(client, "/api/v1/countries/ZZZ", status=404)
    assert body["error"]["code"] == "not_found"
    assert "ZZZ" in body["error"]["message"]


def test_filter_by_group_on_a_date(client: Client) -> None:
    before = get(client, "/api/v1/countries?group=ldc&on=2026-11-23&limit=100")
    after = get(client, "/api/v1/countries?group=ldc&on=2026-11-25&limit=100")
    assert before["count"] == 44 and after["count"] == 41
    assert "BGD" in {c["iso3"] for c in before["results"]}
    assert "BGD" not in {c["iso3"] for c in after["results"]}


def test_membership_endpoint(client: Client) -> None:
    assert get(client, "/api/v1/countries/BGD/membership?group=ldc&on=2026-11-23")["member"] is True
    body = get(client, "/api/v1/countries/BGD/membership?group=ldc&on=2026-11-25")
    assert body["member"] is False and body["membership"] is None


def test_pagination_walks_every_economy_once(client: Client) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/countries?limit=50&sort=iso3"
    while url:
        body = get(client, url)
        seen.extend(c["iso3"] for c in body["results"])
        url = body["next"]
    assert len(seen) == len(set(seen)) == 218


def test_filters_and_bad_filters(client: Client) -> None:
    low = get(client, "/api/v1/countries?income_group=L&limit=500")
    assert low["count"] == 26 and all(c["income_group"]["code"] == "L" for c in low["results"])
    africa = get(client, "/api/v1/countries?region=Africa&limit=500")
    assert all(c["region"] == "Africa" for c in africa["results"])
    assert get(client, "/api/v1/countries?income_group=XX", status=400)["error"]["code"] == "bad_request"
    assert get(client, "/api/v1/countries?limit=0", status=400)["error"]["message"].startswith("limit")
    assert get(client, "/api/v1/countries?on=notadate", status=422)["error"]["code"] == "invalid"


def test_sorted_by_score(client: Client) -> None:
    body = get(client, "/api/v1/countries?sort=-score&limit=20")
    scores = [c["overall_score"] for c in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_csv_has_every_match(client: Client) -> None:
    response = client.get("/api/v1/countries?format=csv&group=sids")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == get(client, "/api/v1/countries?group=sids")["count"]
    assert {"iso3", "overall_score", "income_group"} <= set(rows[0])


def test_indicators_groups_and_observations(client: Client) -> None:
    codes = {i["code"] for i in client.get("/api/v1/indicators").json()}
    assert {"internet_users", "law_data_protection", "gci_overall"} <= codes
    groups = {g["code"] for g in client.get("/api/v1/groups").json()}
    assert {"ldc", "lldc", "sids", "wto-member", "dco"} <= groups
    dco = get(client, "/api/v1/groups/dco?on=2025-01-01")
    assert len(dco["members"]) == 16
    obs = get(client, "/api/v1/indicators/internet_users/observations?country=KEN&year_from=2015")
    expected = Observation.objects.filter(
        indicator__code="internet_users", economy__iso3="KEN", year__gte=2015
    )
    assert obs["count"] == expected.count() > 0
    assert all(o["year"] >= 2015 for o in obs["results"])
    unknown = client.get("/api/v1/indicators/internet_users/observations?country=ZZZ")
    assert unknown.status_code == 400 and "ZZZ" in unknown.json()["error"]["message"]


def test_openapi_document_and_docs(client: Client) -> None:
    spec = get(client, "/api/v1/openapi.json")
    assert "/api/v1/countries/{iso3}" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_every_rank_says_how_many_economies_it_runs_over(client: Client) -> None:
    body = get(client, "/api/v1/countries/KEN")
    overall = CountryScore.objects.filter(overall__isnull=False).count()
    assert body["gap_index"]["scored_countries"] == overall
    counts = {p["code"]: p["scored_countries"] for p in body["gap_index"]["pillars"]}
    for code, count in counts.items():
        assert count == PillarScore.objects.filter(pillar=code, score__isnull=False).count()
    assert max(counts.values()) > overall, "pillars are scored for economies without an overall score"
    html = client.get("/countries/KEN/").content.decode()
    ranked = [p for p in body["gap_index"]["pillars"] if p["rank"]]
    assert ranked and all(f"{p['rank']} of {p['scored_countries']}" in html for p in ranked)


def test_population_is_a_whole_number_in_json_and_csv(client: Client) -> None:
    body = get(client, "/api/v1/countries/KEN")
    assert isinstance(body["population"], int) and body["population"] > 50_000_000
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/countries?format=csv").content.decode())))
    kenya = next(r for r in rows if r["iso3"] == "KEN")
    assert kenya["population"] == str(body["population"])
    brief = get(client, "/api/v1/analytics/countries/KEN/brief")
    assert brief["population"] == body["population"]


def test_sort_by_income_runs_from_low_to_high(client: Client) -> None:
    order = {"L": 0, "LM": 1, "UM": 2, "H": 3}
    for sort, reverse in (("income", False), ("-income", True)):
        body = get(client, f"/api/v1/countries?sort={sort}&limit=500")
        groups = [(c["income_group"] or {}).get("code") for c in body["results"]]
        levels = [order[g] for g in groups if g in order]
        assert len(levels) > 150 and levels == sorted(levels, reverse=reverse), sort
