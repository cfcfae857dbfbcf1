"""Open data: `gapbridge export-open-data --out DIR` and `gapbridge derive-barriers`, and the same files
through /api/v1/open-data — header rows, JSON twins, datapackage.json with licence and as-of time, and
nothing restricted leaking out."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from gapbridge.accounts.models import Role
from gapbridge.barriers import derived
from gapbridge.barriers import services as barrier_services
from gapbridge.barriers.models import Barrier
from gapbridge.cli import app
from gapbridge.pledges import services as pledge_services
from tests import factories

pytestmark = pytest.mark.django_db
runner = CliRunner()
REQUIRED = ["barriers", "offers", "needs", "matches", "pledges"]


@pytest.fixture
def content() -> dict[str, Any]:
    derived.derive_cyberlaw_barriers()
    sec = factories.user("sec", Role.SECRETARIAT)
    reporter = factories.user("reporter")
    secret = barrier_services.report_barrier(
        reporter,
        title="Payment gateway licensing delays",
        description="Licences take two years.",
        country="GHA",
        category="e_payments",
        reporter_name="Kofi Confidential",
        reporter_is_public=False,
    )
    barrier_services.change_status(sec, secret.pk, "verified", "confirmed")
    barrier_services.update_barrier(sec, secret.pk, restricted_notes="RESTRICTED-NOTE")
    barrier_services.add_update(sec, secret.pk, "PUBLIC-PROGRESS")
    barrier_services.add_update(sec, secret.pk, "PRIVATE-PROGRESS", is_public=False)
    unmoderated = barrier_services.report_barrier(
        reporter, title="UNMODERATED-REPORT", description="x", country="GHA", category="skills"
    )
    org = factories.organization("Open Donor", "XM-OD")
    pledge = pledge_services.create_pledge(
        sec,
        provider=org,
        title="Open pledge",
        amount=Decimal(1000),
        currency="EUR",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
    )
    pledge_services.change_status(sec, pledge.pk, "announced", "launch")
    pledge_services.add_flow(
        sec, pledge.pk, kind="disbursement", amount="400", currency="EUR", date=dt.date(2024, 6, 1)
    )
    pledge_services.create_pledge(
        sec,
        provider=org,
        title="DRAFT-PLEDGE",
        amount=Decimal(1),
        currency="USD",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
    )
    return {"secret": secret, "unmoderated": unmoderated, "pledge": pledge}


def test_export_writes_csv_json_twins_and_a_datapackage(tmp_path: Path, content: dict[str, Any]) -> None:
    out = tmp_path / "open"
    result = runner.invoke(app, ["export-open-data", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (
        summary["licence"] == "CC-BY-4.0" and summary["rows"]["barriers"] == Barrier.objects.public().count()
    )
    for name in REQUIRED:
        header = (out / f"{name}.csv").read_text().splitlines()[0]
        assert header.startswith("id,"), name
        twin = json.loads((out / f"{name}.json").read_text())
        assert twin["licence"]["name"] == "CC-BY-4.0" and twin["as_of"] == summary["as_of"]
        assert [f["name"] for f in twin["fields"]] == header.split(",")
        rows = list(csv.DictReader(io.StringIO((out / f"{name}.csv").read_text())))
        assert len(rows) == twin["count"] == len(twin["rows"])
    package = json.loads((out / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["created"] == summary["as_of"]
    assert "CC BY 4.0" in package["description"]
    paths = {r["path"] for r in package["resources"]}
    assert {f"{n}.{ext}" for n in REQUIRED for ext in ("csv", "json")} <= paths
    for resource in package["resources"]:
        data = (out / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    barriers_csv = next(r for r in package["resources"] if r["path"] == "barriers.csv")
    assert [f["name"] for f in barriers_csv["schema"]["fields"]][:3] == ["id", "title", "description"]


def test_export_publishes_public_fields_only(tmp_path: Path, content: dict[str, Any]) -> None:
    runner.invoke(app, ["export-open-data", "--out", str(tmp_path)])
    everything = "".join(p.read_text() for p in tmp_path.iterdir())
    for hidden in (
        "Kofi Confidential",
        "RESTRICTED-NOTE",
        "PRIVATE-PROGRESS",
        "UNMODERATED-REPORT",
        "DRAFT-PLEDGE",
    ):
        assert hidden not in everything, hidden
    assert "PUBLIC-PROGRESS" in everything
    barriers = {int(r["id"]): r for r in csv.DictReader(io.StringIO((tmp_path / "barriers.csv").read_text()))}
    assert barriers[content["secret"].pk]["reporter"] == ""
    derived_row = next(r for r in barriers.values() if r["origin"] == "derived")
    assert (
        derived_row["source_name"] == "UNCTAD Global Cyberlaw Tracker"
        and derived_row["source_date"] == "2026-04-27"
    )
    history = list(csv.DictReader(io.StringIO((tmp_path / "barrier_history.csv").read_text())))
    assert [h["to_status"] for h in history if int(h["barrier_id"]) == content["secret"].pk] == [
        "reported",
        "verified",
    ]
    pledges = json.loads((tmp_path / "pledges.json").read_text())["rows"]
    (p,) = pledges
    assert (
        p["title"] == "Open pledge" and p["currency"] == "EUR" and p["disbursed_pct"] == pytest.approx(40.0)
    )
    assert isinstance(p["fx_rate"], float) and p["fx_year"] == 2024
    flows = json.loads((tmp_path / "pledge_flows.json").read_text())["rows"]
    assert flows[0]["kind"] == "disbursement" and flows[0]["origin"] == "manual"


def test_export_refuses_a_file_as_out_dir(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = runner.invoke(app, ["export-open-data", "--out", str(target)])
    assert result.exit_code == 2 and "is not a folder" in result.output


def test_derive_barriers_command_is_idempotent() -> None:
    first = runner.invoke(app, ["derive-barriers", "--json"])
    assert first.exit_code == 0, first.output
    body = json.loads(first.stdout)
    assert body["created"] > 100 and body["snapshot"] == "2026-04-27"
    again = json.loads(runner.invoke(app, ["derive-barriers", "--json"]).stdout)
    assert again["created"] == 0 and again["unchanged"] == body["created"]
    assert set(body["by_area"]) == {"etransactions", "consumer_protection", "data_protection", "cybercrime"}


def test_the_same_files_through_the_api(client: Client, content: dict[str, Any]) -> None:
    catalogue = client.get("/api/v1/open-data").json()
    assert catalogue["licenses"][0]["name"] == "CC-BY-4.0" and catalogue["as_of"]
    assert "/api/v1/open-data/barriers.csv" in {r["path"] for r in catalogue["resources"]}
    response = client.get("/api/v1/open-data/barriers.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["X-Licence"] == "CC-BY-4.0" and response["X-As-Of"].endswith("Z")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Barrier.objects.public().count()
    twin = client.get("/api/v1/open-data/pledges.json").json()
    assert twin["count"] == 1 and twin["licence_statement"].startswith("GapBridge open data")
    needs = client.get("/api/v1/open-data/needs.csv").content.decode()
    assert needs.splitlines()[0].startswith("id,")
    assert client.get("/api/v1/open-data/secrets.csv").status_code == 404
    assert client.get("/api/v1/open-data/barriers.xlsx").status_code == 400
