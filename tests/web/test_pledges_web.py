"""The accountability page, pledge pages and /api/v1/pledges, and project results on real IATI data
(pages and /api/v1/results)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.pledges import services
from gapbridge.pledges.models import Pledge
from gapbridge.projects import services as registry
from gapbridge.projects.models import Activity, ParticipatingOrg, ResultIndicator
from tests import factories

pytestmark = pytest.mark.django_db

ICT_FILE = (
    Path(__file__).resolve().parents[2]
    / "data/iati/activities/ict-sector-activities_dportal-covid-2021_v2.03.xml"
)


@pytest.fixture
def donor() -> dict[str, Any]:
    org = factories.organization("Digital Futures Fund", "XM-DFF")
    editor = factories.user("dff", Role.ORG_EDITOR, organization=org)
    pledge = services.create_pledge(
        editor,
        provider=org,
        title="Broadband for SIDS",
        amount=Decimal("2000000"),
        currency="USD",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2025, 12, 31),
        focus_areas=["connectivity-infrastructure"],
        target_groups=["sids"],
    )
    services.change_status(editor, pledge.pk, "announced", "press release")
    services.add_flow(
        editor, pledge.pk, kind="commitment", amount="1500000", currency="USD", date=dt.date(2024, 4, 1)
    )
    services.add_flow(
        editor, pledge.pk, kind="disbursement", amount="500000", currency="USD", date=dt.date(2024, 10, 1)
    )
    return {"org": org, "editor": editor, "pledge": pledge}


def test_accountability_page_per_provider_and_per_pledge(client: Client, donor: dict[str, Any]) -> None:
    html = client.get("/pledges/").content.decode()
    assert "Digital Futures Fund" in html and "Broadband for SIDS" in html
    assert "2,000,000" in html and "500,000" in html and "25.0 %" in html
    assert "<svg" in html  # the fulfilment sparkline
    detail = client.get(f"/pledges/{donor['pledge'].pk}/").content.decode()
    assert "Fulfilment over time" in detail and "press release" in detail and "1,500,000" in detail


def test_drafts_are_private(client: Client, donor: dict[str, Any]) -> None:
    draft = services.create_pledge(
        donor["editor"],
        provider=donor["org"],
        title="Secret draft",
        amount="1",
        currency="USD",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 2, 1),
    )
    assert client.get(f"/pledges/{draft.pk}/").status_code == 404
    assert "Secret draft" not in client.get("/pledges/").content.decode()
    client.force_login(donor["editor"])
    assert client.get(f"/pledges/{draft.pk}/").status_code == 200


def test_api_pledges_providers_and_csv(client: Client, donor: dict[str, Any]) -> None:
    body = client.get("/api/v1/pledges").json()
    (p,) = body["results"]
    assert p["pledged"]["amount_usd"] == "2000000.00" or Decimal(str(p["pledged"]["amount_usd"])) == 2000000
    assert p["fulfilment"]["disbursed_pct"] == 25.0 and p["fulfilment"]["committed_pct"] == 75.0
    assert [y["year"] for y in p["by_year"]] == [2024, 2025]
    assert p["target_groups"] == ["sids"]
    detail = client.get(f"/api/v1/pledges/{donor['pledge'].pk}").json()
    assert [h["to_status"] for h in detail["history"]] == ["draft", "announced"] and len(detail["flows"]) == 2
    (prov,) = client.get("/api/v1/pledge-providers").json()
    assert prov["provider"] == "Digital Futures Fund" and prov["fulfilment"]["disbursed_pct"] == 25.0
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/pledges?format=csv").content.decode())))
    assert rows[0]["disbursed_pct"] == "25.0" and rows[0]["currency"] == "USD"
    assert client.get("/api/v1/pledges?country=FJI").json()["count"] == 1  # Fiji is a SIDS
    assert client.get("/api/v1/pledges?country=KEN").json()["count"] == 0
    assert client.get("/api/v1/pledges?status=bogus").status_code == 400
    # pages like every list: limit, offset, next; bad bounds are refused
    paged = client.get("/api/v1/pledges?limit=1&offset=1").json()
    assert (paged["count"], paged["limit"], paged["offset"], paged["next"], paged["results"]) == (
        1,
        1,
        1,
        None,
        [],
    )
    assert client.get("/api/v1/pledges?limit=0").status_code == 400
    assert client.get("/api/v1/pledges?offset=-5").status_code == 400


def test_api_writes(client: Client, donor: dict[str, Any]) -> None:
    payload = {
        "provider": donor["org"].pk,
        "title": "Payments interoperability",
        "amount": "750000",
        "currency": "GBP",
        "period_start": "2023-01-01",
        "period_end": "2024-12-31",
        "target_countries": ["KEN"],
    }
    assert client.post("/api/v1/pledges", payload, content_type="application/json").status_code == 401
    client.force_login(factories.user("stranger"))
    assert client.post("/api/v1/pledges", payload, content_type="application/json").status_code == 403
    client.force_login(donor["editor"])
    created = client.post("/api/v1/pledges", payload, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["pledged"]["fx_year"] == 2023 and body["pledged"]["fx_status"] == "converted"
    pid = body["id"]
    flow = client.post(
        f"/api/v1/pledges/{pid}/flows",
        {"kind": "disbursement", "amount": "100000", "currency": "GBP", "date": "2024-02-01"},
        content_type="application/json",
    )
    assert flow.status_code == 201 and flow.json()["money"]["fx_year"] == 2024
    moved = client.post(
        f"/api/v1/pledges/{pid}/transitions",
        {"to": "announced", "reason": "launch"},
        content_type="application/json",
    )
    assert moved.json()["status"] == "announced"
    assert (
        client.patch(f"/api/v1/pledges/{pid}", {"title": "Renamed"}, content_type="application/json").json()[
            "title"
        ]
        == "Renamed"
    )
    assert client.delete(f"/api/v1/pledges/{pid}/flows/{flow.json()['id']}").status_code == 204


def test_pledge_form_page(client: Client, donor: dict[str, Any]) -> None:
    client.force_login(factories.user("nobody"))
    assert client.get("/pledges/new/").status_code == 403
    client.force_login(donor["editor"])
    response = client.post(
        "/pledges/new/",
        {
            "provider": donor["org"].pk,
            "title": "Skills academy",
            "amount": "300000",
            "currency": "eur",
            "period_start": "2025-01-01",
            "period_end": "2027-12-31",
            "focus_areas": ["digital-skills"],
            "target_countries": ["SEN"],
        },
    )
    assert response.status_code == 302
    p = Pledge.objects.get(title="Skills academy")
    assert p.currency == "EUR" and p.fx_year == 2025 and p.status == "draft"
    client.post(
        f"/pledges/{p.pk}/flows/",
        {"kind": "commitment", "amount": "100", "currency": "EUR", "date": "2025-03-01"},
    )
    assert p.flows.count() == 1


def test_results_pages_and_api_on_real_iati_results(client: Client, donor: dict[str, Any]) -> None:
    registry.import_files(None, [ICT_FILE])
    indicator = ResultIndicator.objects.filter(title__icontains="Number of SMEs reached").first()
    assert indicator is not None
    activity = Activity.objects.get(pk=indicator.activity_id)
    page = client.get(f"/pledges/results/{activity.pk}/").content.decode()
    assert "Number of SMEs reached" in page and "progress" in page
    body = client.get(f"/api/v1/results/activities/{activity.pk}").json()
    found = [i for r in body["results"] for i in r["indicators"] if i["title"] == "Number of SMEs reached"]
    assert found and found[0]["unit"] == "smes reached" and found[0]["latest_actual"] == "24"
    qualitative = [i for r in body["results"] for i in r["indicators"] if i["measure"] == "5"]
    assert all("qualitative" in i["not_comparable"] for i in qualitative)
    rollup = client.get("/api/v1/results/rollup?by=country").json()
    assert rollup["rollups"] and all(r["measure"] in {"1", "2"} for r in rollup["rollups"])
    assert all(r["actual_sum"] is None for r in rollup["rollups"] if r["measure"] == "2")
    assert rollup["excluded_reasons"]["qualitative measure: values cannot be added or averaged"] > 0
    by_focus = client.get("/api/v1/results/rollup?by=focus_area").json()
    assert "do not add totals across focus areas" in by_focus["note"]
    assert client.get("/api/v1/results/rollup?by=sector").status_code == 400
    overview = client.get("/pledges/results/").content.decode()
    assert "Not combined, and why" in overview
    assert client.get("/pledges/results/99999999/").status_code == 404
    # Linking the activity on the pledge page counts its IATI money, once the provider funds it.
    client.force_login(donor["editor"])
    url, form = f"/pledges/{donor['pledge'].pk}/activities/", {"iati_identifier": activity.iati_identifier}
    refused = client.post(url, form, follow=True)
    assert refused.status_code == 200 and "only an activity it reports" in refused.content.decode()
    assert not donor["pledge"].activities.filter(activity=activity).exists()
    position = activity.participating_orgs.count() + 1
    ParticipatingOrg.objects.create(activity=activity, position=position, role="1", ref=donor["org"].iati_ref)
    client.post(url, form)
    assert donor["pledge"].activities.filter(activity=activity).exists()


def test_an_amount_without_a_rate_says_why_in_words(client: Client, donor: dict[str, Any]) -> None:
    pledge = donor["pledge"]
    services.add_flow(
        donor["editor"],
        pledge.pk,
        kind="disbursement",
        amount="5000",
        currency="FKP",
        date=dt.date(2024, 11, 1),
    )
    english = client.get(f"/pledges/{pledge.pk}/").content.decode()
    assert (
        "not converted (no exchange rate for that currency and year)" in english and "no-rate" not in english
    )
    french = client.get(f"/pledges/{pledge.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "no-rate" not in french and "no exchange rate" not in french


def test_a_period_that_ends_before_it_starts_is_refused_on_its_field(
    client: Client, donor: dict[str, Any]
) -> None:
    from gapbridge.countries.models import Economy
    from gapbridge.needs import services as needs

    with pytest.raises(services.PledgeError, match=r"^period_end: the period ends \(2019-01-01\)"):
        services.update_pledge(donor["editor"], donor["pledge"].pk, period_end=dt.date(2019, 1, 1))
    with pytest.raises(needs.NeedError, match=r"^end_by: the timeframe ends"):
        needs.create_need(
            factories.user("fp-ken", Role.FOCAL_POINT, iso3="KEN"),
            Economy.objects.get(iso3="KEN"),
            title="Single window", description="A single window.", focus_areas=["trade-facilitation"],
            start_by=dt.date(2027, 1, 1), end_by=dt.date(2026, 1, 1),
        )  # fmt: skip
