"""Analytics pages, API and commands on an imported fixture: every money page says gross or
de-duplicated, the API shapes, CSV, alert decisions over HTTP, the brief as PDF, the exact CLI JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

import gapbridge.cli  # noqa: F401  (registers every command on the app)
from gapbridge.accounts.models import Role
from gapbridge.analytics import services
from gapbridge.analytics.models import CoordinationAlert, FundingRow
from gapbridge.cli.app import app
from gapbridge.organizations.models import Organization
from tests import factories
from tests.integration.test_analytics_data import FRENCH, IMPLEMENTER, load_fixture

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def loaded(tmp_path: Path) -> dict[str, int]:
    return load_fixture(tmp_path)


def login(client: Client, user: Any) -> None:
    client.force_login(user)


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/analytics/",
        "/analytics/?by_area=1&group=ldc",
        "/analytics/?focus_area=digital-skills&measure=commitment",
        "/analytics/providers/",
        "/analytics/providers/?basis=gross&focus_area=digital",
        "/analytics/allocate/?budget=1000000&group=ldc&floor=1000",
        "/analytics/countries/KEN/",
    ],
)
def test_money_pages_say_which_total_they_show(client: Client, loaded: dict[str, int], url: str) -> None:
    html = page(client, url)
    if "basis=gross" in url:
        assert '<span class="basis gross">gross</span> These amounts add up everything reported' in html
    else:
        assert '<span class="basis">de-duplicated</span>' in html
    if "countries" in url or url == "/analytics/":
        assert '<span class="basis gross">gross</span>' in html  # both, side by side


def test_need_page_has_map_chart_ranking_and_csv(client: Client, loaded: dict[str, int]) -> None:
    html = page(client, "/analytics/")
    assert "<svg" in html and 'data-iso3="KEN"' in html
    assert "Neglect ranking" in html and "/api/v1/analytics/need?format=csv" in html
    bad = page(client, "/analytics/?group=nowhere", 400)
    assert "no country group" in bad


def test_brief_page_and_pdf(client: Client, loaded: dict[str, int]) -> None:
    services.detect_overlaps(None)
    html = page(client, "/analytics/countries/KEN/")
    assert "Kenya youth digital skills" in html and "Overlap alerts" in html and "Traceability link" in html
    response = client.get("/analytics/countries/KEN/brief.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get("/analytics/countries/ZZZ/").status_code == 404


def test_brief_speaks_the_readers_language_and_the_api_keeps_english_names(
    client: Client, loaded: dict[str, int]
) -> None:
    from gapbridge.countries.models import Economy, PillarScore

    kenya = Economy.objects.get(iso3="KEN")
    PillarScore.objects.update_or_create(
        economy=kenya,
        pillar="connectivity",
        defaults={"name": "Connectivity", "score": 40.0, "coverage": 1.0, "status": "ok", "rank": 5},
    )
    french = client.get("/analytics/countries/KEN/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Connectivité" in french and "Brut : chaque engagement" in french
    assert "Gross: every commitment" not in french
    api = client.get("/api/v1/analytics/countries/KEN/brief", HTTP_ACCEPT_LANGUAGE="fr").json()
    names = {p["pillar"]: p["name"] for p in api["gap_index"]["pillars"]}
    assert names["connectivity"] == "Connectivity"  # stable English names in the API
    assert api["rule"].startswith("Brut") and "docs/" not in api["rule"]
    pdf = client.get("/analytics/countries/KEN/brief.pdf", HTTP_ACCEPT_LANGUAGE="ar")
    assert pdf.status_code == 200 and b"DejaVuSans" in pdf.content
    # each rank says what it runs over: the economies scored in that pillar
    in_pillar = PillarScore.objects.filter(pillar="connectivity", score__isnull=False).count()
    connectivity = next(p for p in api["gap_index"]["pillars"] if p["pillar"] == "connectivity")
    assert (connectivity["rank"], connectivity["scored_countries"]) == (5, in_pillar)
    assert f"5 sur {in_pillar}" in french


def test_allocation_page_reports_infeasible_bounds(client: Client, loaded: dict[str, int]) -> None:
    html = page(client, "/analytics/allocate/?budget=100&group=ldc&floor=1000", 400)
    assert "floors add up" in html
    assert "Stated utility" in page(client, "/analytics/allocate/")


def test_funding_api_gross_and_dedup_and_csv(client: Client, loaded: dict[str, int]) -> None:
    body = client.get("/api/v1/analytics/funding?group_by=country,measure&country=KEN").json()
    assert body["group_by"] == ["country", "measure"] and "counted once" in body["rule"]
    cells = {c["measure"]: c for c in body["results"]}
    assert cells["disbursement"]["gross_usd"] == pytest.approx(2_050_000)
    assert cells["disbursement"]["dedup_usd"] == pytest.approx(850_000)
    response = client.get("/api/v1/analytics/funding?group_by=country,focus_area,year&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {"country", "focus_area", "year", "gross_usd", "dedup_usd"} <= set(rows[0])
    # without a measure, commitments and disbursements stay apart: split cells, a total for each
    mixed = client.get("/api/v1/analytics/funding?group_by=country&country=KEN").json()
    assert mixed["group_by"] == ["country", "measure"] and {c["measure"] for c in mixed["results"]} == set(
        cells
    )
    assert mixed["gross_total_usd"] is None and mixed["dedup_total_usd"] is None
    assert mixed["totals_by_measure"]["disbursement"] == {"gross_usd": 2_050_000, "dedup_usd": 850_000}
    one = client.get("/api/v1/analytics/funding?group_by=country&country=KEN&measure=disbursement").json()
    assert one["group_by"] == ["country"] and one["gross_total_usd"] == pytest.approx(2_050_000)
    none = client.get("/api/v1/analytics/funding?group_by=country&country=KIR&measure=commitment").json()
    assert none["results"] == [] and none["gross_total_usd"] == 0
    error = client.get("/api/v1/analytics/funding?group_by=galaxy")
    assert error.status_code == 400 and error.json()["error"]["code"] == "bad_request"


def test_need_providers_concentration_and_allocation_api(client: Client, loaded: dict[str, int]) -> None:
    need = client.get("/api/v1/analytics/need?country=KEN,NER,MLI").json()
    assert [r["neglect_rank"] for r in need["results"]] == [1, 2, 3]
    assert need["basis"] == "dedup"
    matrix = client.get("/api/v1/analytics/providers?basis=gross&focus_area=digital-skills").json()
    assert {(c["provider"], c["country"]) for c in matrix["results"]} >= {("KE-NGO-1", "KEN")}
    hhi = client.get("/api/v1/analytics/concentration?focus_area=digital-skills").json()
    assert hhi["results"][0]["country"] == "KEN" and hhi["results"][0]["hhi"] == pytest.approx(0.625)
    advice = client.get("/api/v1/analytics/allocation?budget=500000&country=KEN,NER,MLI&floor=1000").json()
    assert sum(a["amount"] for a in advice["allocations"]) == pytest.approx(500_000)
    assert {c["country"] for c in advice["countries"]} == {"KEN", "NER", "MLI"}
    assert "ln(1 +" in advice["utility"]
    bad = client.get("/api/v1/analytics/allocation?budget=10&country=KEN,NER&floor=100")
    assert bad.status_code == 400 and "floors add up" in bad.json()["error"]["message"]
    csv_response = client.get("/api/v1/analytics/allocation?budget=500000&country=KEN,NER&format=csv")
    assert csv_response.content.decode().startswith("country,name,focus_area,amount_usd")


def test_alert_decisions_over_the_api(client: Client, loaded: dict[str, int]) -> None:
    services.detect_overlaps(None)
    alert = CoordinationAlert.objects.get(a_identifier=FRENCH, b_identifier=IMPLEMENTER)
    listed = client.get("/api/v1/analytics/alerts?country=KEN").json()
    assert listed["count"] >= 3 and listed["results"][0]["tier"] == "same-identifier"
    url = f"/api/v1/analytics/alerts/{alert.pk}/status"
    assert (
        client.post(url, {"status": "confirmed", "reason": "x"}, content_type="application/json").status_code
        == 401
    )
    outsider = factories.user(
        "outsider", Role.ORG_EDITOR, organization=Organization.objects.get(iati_ref="DE-1")
    )
    login(client, outsider)
    denied = client.post(url, {"status": "confirmed", "reason": "x"}, content_type="application/json")
    assert denied.status_code == 403
    editor = factories.user("fr", Role.ORG_EDITOR, organization=Organization.objects.get(iati_ref="FR-3"))
    login(client, editor)
    ok = client.post(
        url, {"status": "dismissed", "reason": "different schools"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "dismissed"
    assert [h["to_status"] for h in ok.json()["history"]] == ["open", "dismissed"]
    again = client.post(url, {"status": "dismissed", "reason": "again"}, content_type="application/json")
    assert again.status_code == 400
    assert client.get("/api/v1/analytics/alerts/999999").status_code == 404


def test_alert_pages_and_form(client: Client, loaded: dict[str, int]) -> None:
    services.detect_overlaps(None)
    alert = CoordinationAlert.objects.filter(tier="traceability").first()
    assert alert is not None
    assert "Overlap alerts" in page(client, "/analytics/alerts/?tier=traceability")
    assert "Sign in" in page(client, f"/analytics/alerts/{alert.pk}/")
    login(client, factories.user("sec", Role.SECRETARIAT))
    html = page(client, f"/analytics/alerts/{alert.pk}/")
    assert "csrfmiddlewaretoken" in html and 'value="confirmed"' in html
    response = client.post(
        f"/analytics/alerts/{alert.pk}/status/", {"to": "confirmed", "reason": "same money"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "confirmed"
    assert "same money" in page(client, f"/analytics/alerts/{alert.pk}/")


def test_cli_allocate_json_is_exactly_the_documented_shape(loaded: dict[str, int]) -> None:
    result = runner.invoke(
        app,
        [
            "allocate",
            "--budget",
            "1000000",
            "--group",
            "LDC",
            "--floor",
            "1000",
            "--ceiling",
            "200000",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"allocations", "budget", "objective"}
    assert body["budget"] == 1_000_000
    assert round(sum(a["amount"] for a in body["allocations"]), 2) == 1_000_000
    assert all(list(a) == ["country", "focus_area", "amount", "reason"] for a in body["allocations"])
    assert all(a["amount"] <= 200_000 for a in body["allocations"])
    one_area = runner.invoke(
        app, ["allocate", "--budget", "1000", "--focus-area", "digital-skills", "--json"]
    )
    assert {a["focus_area"] for a in json.loads(one_area.stdout)["allocations"]} == {"digital-skills"}
    bad = runner.invoke(app, ["allocate", "--budget", "10", "--group", "LDC", "--floor", "100", "--json"])
    assert bad.exit_code == 2 and "floors add up" in bad.output
    unknown = runner.invoke(app, ["allocate", "--budget", "10", "--focus-area", "space", "--json"])
    assert unknown.exit_code == 2 and "focus area" in unknown.output


def test_cli_overlaps_evaluate_json_shape_and_detection(loaded: dict[str, int]) -> None:
    result = runner.invoke(app, ["overlaps", "--evaluate", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert list(body) == ["pairs_known", "precision", "recall", "by_tier"]
    assert body["pairs_known"] == 2 and body["recall"] == 1.0
    assert set(body["by_tier"]) == {"high-similarity", "possible-overlap"}
    assert not CoordinationAlert.objects.exists()  # evaluating writes nothing
    run = runner.invoke(app, ["overlaps", "--json"])
    assert run.exit_code == 0 and json.loads(run.stdout)["by_tier"]["traceability"] == 2
    assert CoordinationAlert.objects.count() >= 4
    refresh = runner.invoke(app, ["analytics-refresh", "--json"])
    assert refresh.exit_code == 0 and json.loads(refresh.stdout)["flows"] >= 1


def test_cli_overlaps_needs_activities() -> None:
    result = runner.invoke(app, ["overlaps", "--evaluate", "--json"])
    assert result.exit_code == 2 and "no IATI activities" in result.output


def test_admin_lists_alerts_read_only(client: Client, loaded: dict[str, int]) -> None:
    services.detect_overlaps(None)
    admin = factories.user("root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    login(client, admin)
    assert client.get("/admin/analytics/coordinationalert/").status_code == 200
    alert = CoordinationAlert.objects.first()
    assert alert is not None
    html = page(client, f"/admin/analytics/coordinationalert/{alert.pk}/change/")
    assert alert.a_identifier in html
    assert client.get("/admin/analytics/coordinationalert/add/").status_code == 403
    assert client.get("/admin/analytics/fundingflow/").status_code == 200


def test_funding_totals_do_not_drift_with_group_by(client: Client, loaded: dict[str, int]) -> None:
    """Cells are rounded to the cent; the totals are summed exactly, whatever the grouping."""
    services.ensure_fresh()  # the tables are built now, so the rows below stay
    for area in ("digital-skills", "digital-payments", "e-commerce-sme"):
        FundingRow.objects.create(
            iso3="TUV",
            focus_area=area,
            year=2020,
            measure="commitment",
            gross_usd=0.004,
            dedup_usd=0.004,
            unconverted=0,
            facts=1,
        )
    totals = set()
    for group_by in ("country", "focus_area", "country,focus_area,year"):
        body = client.get(
            f"/api/v1/analytics/funding?group_by={group_by}&country=TUV&measure=commitment"
        ).json()
        totals.add((body["gross_total_usd"], body["totals_by_measure"]["commitment"]["gross_usd"]))
    assert totals == {(0.01, 0.01)}


def test_providers_are_named_like_their_organization_where_it_is_known(
    client: Client, loaded: dict[str, int]
) -> None:
    """Money is named like the organization with the provider's IATI identifier (not as published with the
    money: a bare identifier, or a name in another language), in the analytics and the registry's funding
    alike; identifiers of no organization keep the name published with the money."""
    client.get("/api/v1/analytics/funding")  # builds the analytics tables
    rows = FundingRow.objects.filter(provider_key="GB-GOV-1")
    published = set(rows.values_list("provider_name", flat=True))
    assert published == {"GB-GOV-1 agency"}
    Organization.objects.filter(iati_ref="GB-GOV-1").update(name="UK Development Office")
    analytics = client.get("/api/v1/analytics/funding?group_by=provider").json()["results"]
    names = {r["provider"]: r["provider_name"] for r in analytics}
    assert names["GB-GOV-1"] == "UK Development Office"
    registry = client.get("/api/v1/funding?group_by=provider").json()["rows"]
    assert {r["provider"]: r["provider_name"] for r in registry}["GB-GOV-1"] == "UK Development Office"
    Organization.objects.filter(iati_ref="GB-GOV-1").delete()
    again = client.get("/api/v1/analytics/funding?group_by=provider").json()["results"]
    assert {r["provider"]: r["provider_name"] for r in again}["GB-GOV-1"] == "GB-GOV-1 agency"
