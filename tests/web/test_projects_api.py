"""/api/v1/activities, /api/v1/activities/{id}, /api/v1/activities.csv and /api/v1/funding on real data,
with the funding totals checked against an independent computation from the source files."""

from __future__ import annotations

import base64
import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from gapbridge.countries.models import Economy
from gapbridge.iati.parser import iter_file
from gapbridge.iati.schema import validate_file
from gapbridge.projects.models import Activity

from ..integration.test_projects_support import ICT_203, NL_203, run_import

pytestmark = pytest.mark.django_db
FX = Path(settings.DATA_DIR) / "fx" / "usd-rates-annual.csv"


@pytest.fixture
def loaded() -> None:
    run_import([NL_203, ICT_203])


def _stream(response: object) -> str:
    return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]


def test_activity_list_filters_and_walks_every_page_with_the_cursor(client: Client, loaded: None) -> None:
    total = Activity.objects.count()
    seen: list[int] = []
    url: str | None = "/api/v1/activities?limit=37"
    while url:
        body = client.get(url).json()
        assert body["count"] == total
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(Activity.objects.values_list("pk", flat=True)) and len(set(seen)) == total

    nl = client.get("/api/v1/activities", {"publisher": "XM-DAC-7"}).json()
    assert nl["count"] == 13 and all(r["publisher_ref"] == "XM-DAC-7" for r in nl["results"])
    kenya = client.get("/api/v1/activities", {"country": "ken", "limit": 500}).json()
    assert kenya["count"] == Activity.objects.in_country("KEN").count() > 0
    focus = client.get("/api/v1/activities", {"focus_area": "connectivity-infrastructure"}).json()
    assert focus["count"] > 0
    words = client.get("/api/v1/activities", {"q": "COVID"}).json()
    assert 0 < words["count"] < total


def test_bad_filters_are_400_in_the_error_envelope(client: Client, loaded: None) -> None:
    for params in (
        {"country": "Kenya"},
        {"focus_area": "space"},
        {"limit": 0},
        {"cursor": "!!"},
        {"cursor": "LTE"},  # "-1"
        {"cursor": "IDI="},  # " 2"
        {"cursor": "77yR77yS"},  # full-width digits
        {"cursor": base64.urlsafe_b64encode(b"1" * 5000).decode().rstrip("=")},  # beyond any id
        {"cursor": "MTI"[:-1] + "z"},  # not what the API writes for any id
        {"year": 1200},
        {"offset": 10},  # cursor pagination: an offset is refused, not ignored
        {"country": "ZZZ"},
    ):
        response = client.get("/api/v1/activities", params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "bad_request"
    assert client.get("/api/v1/activities/999999").status_code == 404


def test_activity_detail_as_json_and_as_iati_xml(client: Client, loaded: None, tmp_path: Path) -> None:
    activity = Activity.objects.filter(transactions__currency="EUR").first()
    assert activity is not None
    body = client.get(f"/api/v1/activities/{activity.pk}").json()
    assert body["iati_identifier"] == activity.iati_identifier
    eur = [t for t in body["transactions"] if t["currency"] == "EUR" and t["value_usd"] is not None]
    assert eur and all(t["fx_status"] == "converted" and t["value"] != t["value_usd"] for t in eur)
    exact = {t.position: t.value_text for t in activity.transactions.all()}
    assert [t["value_text"] for t in body["transactions"]] == [exact[k] for k in sorted(exact)]
    assert body["reporting_org"]["ref"] == activity.publisher_ref
    assert isinstance(body["findings"], list) and body["titles"]

    for response in (
        client.get(f"/api/v1/activities/{activity.pk}?format=xml"),
        client.get(f"/api/v1/activities/{activity.pk}", HTTP_ACCEPT="application/xml"),
    ):
        assert response["Content-Type"].startswith("application/xml")
        path = tmp_path / "one.xml"
        path.write_bytes(response.content)
        assert validate_file(path) == []
        parsed = [p.activity for p in iter_file(path)]
        assert [a.iati_identifier for a in parsed if a] == [activity.iati_identifier]


NO_DATES = b"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2026-01-01T00:00:00Z">
 <iati-activity last-updated-datetime="2026-01-01T00:00:00Z">
  <iati-identifier>XM-EXAMPLE-NODATE-1</iati-identifier>
  <reporting-org ref="XM-EXAMPLE" type="10"><narrative>Example</narrative></reporting-org>
  <title><narrative>An activity without any date</narrative></title>
  <description><narrative>It cannot be written as IATI 2.03.</narrative></description>
  <participating-org role="1" ref="XM-EXAMPLE"/>
  <activity-status code="2"/>
  <recipient-country code="KE"/>
  <sector code="22040"/>
 </iati-activity>
</iati-activities>
"""


def test_an_activity_the_schema_cannot_take_is_refused_as_xml_and_kept_as_json(
    client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "no-dates.xml"
    path.write_bytes(NO_DATES)
    run_import([path])
    activity = Activity.objects.get(iati_identifier="XM-EXAMPLE-NODATE-1")
    response = client.get(f"/api/v1/activities/{activity.pk}?format=xml")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_writable" and "activity-date" in error["message"]
    assert "<stream>" not in error["message"]
    assert client.get(f"/api/v1/activities/{activity.pk}").status_code == 200
    page = client.get(f"/projects/{activity.pk}/").content.decode()
    assert f"/api/v1/activities/{activity.pk}?format=xml" not in page, "no link to an XML that cannot be made"
    assert "activity-date" in page, "the page says why there is no IATI XML"


def test_csv_export_streams_one_row_per_activity_unless_exploded(client: Client, loaded: None) -> None:
    response = client.get("/api/v1/activities.csv", {"country": "KEN"})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(_stream(response))))
    kenya = Activity.objects.in_country("KEN")
    assert len(rows) == kenya.count() and "KEN" in rows[0]["countries"]

    chosen = _stream(client.get("/api/v1/activities.csv", {"fields": "iati_identifier,disbursements_usd"}))
    header = chosen.splitlines()[0]
    assert header == "iati_identifier,disbursements_usd"
    plain = list(csv.DictReader(io.StringIO(chosen)))
    assert len(plain) == Activity.objects.count()

    exploded = list(
        csv.DictReader(
            io.StringIO(
                _stream(
                    client.get(
                        "/api/v1/activities.csv",
                        {"fields": "iati_identifier,disbursements_usd", "explode": "sector"},
                    )
                )
            )
        )
    )
    assert len(exploded) > len(plain)
    total = sum(Decimal(r["disbursements_usd"] or 0) for r in plain)
    split = sum(Decimal(r["disbursements_usd"] or 0) for r in exploded)
    assert abs(total - split) < Decimal(1) + total * Decimal("0.000001")
    assert client.get("/api/v1/activities.csv", {"fields": "nope"}).status_code == 400
    blank = _stream(client.get("/api/v1/activities.csv", {"fields": ""}))
    assert blank.splitlines()[0] == _stream(client.get("/api/v1/activities.csv")).splitlines()[0]


def _independent_country_disbursements(paths: list[Path]) -> dict[str, Decimal]:
    """USD disbursements by recipient country, computed here from the parsed files and the rate table
    with none of the registry's code: transaction country first, else activity countries and regions by
    normalised percentages (a missing percentage shares what is left)."""
    rates: dict[tuple[str, int], Decimal] = {}
    with open(FX, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rates[row["currency"], int(row["year"])] = Decimal(row["units_per_usd"])
    iso3 = {e.iso2: e.iso3 for e in Economy.objects.exclude(iso2="")}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for path in paths:
        for parsed in iter_file(path):
            a = parsed.activity
            if a is None:
                continue
            regions = [r for r in a.recipient_regions if r.vocabulary == "1"] or [
                r
                for r in a.recipient_regions
                if r.vocabulary == (a.recipient_regions[0].vocabulary if a.recipient_regions else "")
            ]
            parts = [(c.code, c.percentage) for c in a.recipient_countries] + [
                ("", r.percentage) for r in regions
            ]
            given = sum((p for _c, p in parts if p is not None), Decimal(0))
            missing = [c for c, p in parts if p is None]
            filled = [
                (c, p if p is not None else max(Decimal(0), 100 - given) / len(missing)) for c, p in parts
            ]
            weight_total = sum((p for _c, p in filled), Decimal(0))
            shares = (
                [(c, p / weight_total) for c, p in filled]
                if weight_total > 0
                else [(c, Decimal(1) / len(filled)) for c, _p in filled]
            ) or [("", Decimal(1))]
            for t in a.transactions:
                if t.type != "3" or t.value is None or not t.currency:
                    continue
                when = t.value_date or t.date
                if t.currency == "USD":
                    usd = t.value
                elif when is None or (t.currency, when.year) not in rates:
                    continue
                else:
                    usd = t.value / rates[t.currency, when.year]
                own = [(t.recipient_country.code, Decimal(1))] if t.recipient_country else None
                if own is None and t.recipient_region is not None:
                    own = [("", Decimal(1))]
                for code, share in own or shares:
                    totals[iso3.get(code.upper(), "") if code else ""] += usd * share
    return totals


def test_funding_by_country_equals_an_independent_computation(client: Client, loaded: None) -> None:
    body = client.get("/api/v1/funding", {"group_by": "country", "transaction_type": "3"}).json()
    assert body["source"] == "cube" and body["currency"] == "USD"
    api = {r["country"] or "": Decimal(str(r["disbursements_usd"])) for r in body["rows"]}
    expected = _independent_country_disbursements([NL_203, ICT_203])
    assert {k for k, v in expected.items() if v > 1} == {k for k, v in api.items() if v > 1}
    for country, value in expected.items():
        assert abs(api.get(country, Decimal(0)) - value) <= Decimal("0.05") + value * Decimal("0.000001"), (
            country
        )
    assert abs(Decimal(str(body["totals"]["disbursements_usd"])) - sum(expected.values())) < Decimal(1)


def test_funding_groups_filters_and_reports_unconvertible_values(client: Client, loaded: None) -> None:
    body = client.get(
        "/api/v1/funding", {"group_by": "country,focus_area,provider,year", "country": "KEN"}
    ).json()
    assert body["rows"] and all(r["country"] == "KEN" for r in body["rows"])
    assert {"commitments_usd", "disbursements_usd", "expenditure_usd", "unconvertible"} <= set(
        body["rows"][0]
    )
    by_year = client.get("/api/v1/funding", {"group_by": "year", "country": "KEN"}).json()
    assert abs(by_year["totals"]["disbursements_usd"] - body["totals"]["disbursements_usd"]) < 0.05
    # the same figures from the facts (a publisher filter bypasses the cube)
    publisher = Activity.objects.in_country("KEN").values_list("publisher_ref", flat=True).first()
    facts = client.get(
        "/api/v1/funding", {"group_by": "country", "country": "KEN", "publisher": publisher}
    ).json()
    assert facts["source"] == "facts"
    everything = client.get("/api/v1/funding", {"group_by": "country"}).json()
    lost = everything["totals"]["unconvertible"]
    assert lost["transactions"] >= 0 and all(v["value"] >= 0 or v["value"] < 0 for v in lost["values"])
    for params in (
        {"group_by": "colour"},
        {"transaction_type": "9"},
        {"country": "Kenya"},
        {"country": "ZZZ"},
    ):
        assert client.get("/api/v1/funding", params).status_code == 400, params
    # a real country the registry has no money for is zeros, not an error
    assert client.get("/api/v1/funding", {"country": "TKL"}).status_code == 200
