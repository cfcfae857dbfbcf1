"""Money that adds up: USD conversion (bundled annual rates, unconvertible values kept apart), percentage
splits with normalisation, transaction-level precedence, focus areas, and the stored facts and cube."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum

from gapbridge.iati.codelists import load_codelists
from gapbridge.iati.dto import (
    ActivityDTO,
    Narrative,
    RecipientCountry,
    RecipientRegion,
    ReportingOrg,
    Sector,
    Transaction,
    TransactionOrg,
)
from gapbridge.projects import money
from gapbridge.projects.focus import load_focus_map
from gapbridge.projects.fx import FxStatus, load_rates
from gapbridge.projects.models import Activity, FundingCube, FundingFact
from gapbridge.projects.models import Transaction as TransactionRow

from .test_projects_support import ICT_203, NL_203, run_import

FX = Path(settings.DATA_DIR) / "fx" / "usd-rates-annual.csv"


def _tx(
    kind: str, value: str, currency: str | None = "EUR", when: date = date(2020, 6, 1), **extra: object
) -> Transaction:
    return Transaction(kind, when, Decimal(value), currency, when, **extra)  # type: ignore[arg-type]


def _activity(**fields: object) -> ActivityDTO:
    base: dict[str, object] = {
        "iati_identifier": "XM-TEST-1",
        "reporting_org": ReportingOrg("XM-TEST", "10", (Narrative("Test donor", "en"),)),
        "titles": (Narrative("Broadband for schools", "en"),),
    }
    base.update(fields)
    return ActivityDTO(**base)  # type: ignore[arg-type]


# -- exchange rates ------------------------------------------------------------------------------------------
def test_bundled_rates_are_units_per_dollar_from_the_sources() -> None:
    rates = load_rates()
    with open(FX, encoding="utf-8") as handle:
        rows = {(r["currency"], r["year"]): r for r in csv.DictReader(handle)}
    # IMF IFS euro-area (U2) annual average, 2020: 0.8755 EUR per USD
    assert rows["EUR", "2020"]["source"] == "imf-ifs:U2"
    assert rates.rate("EUR", 2020) == Decimal(rows["EUR", "2020"]["units_per_usd"])
    assert Decimal("0.87") < rates.rate("EUR", 2020) < Decimal("0.88")  # type: ignore[operator]
    assert 100 < rates.rate("JPY", 2020) < 115  # type: ignore[operator]
    assert rates.rate("USD", 1999) == 1
    # Haiti is labelled USD in the IMF file: the gourde comes from the World Bank instead
    assert rows["HTG", "2020"]["source"].startswith("wdi:")
    # coverage: most IATI currencies have a 2020 rate; the donor currencies have every year 2000-2024
    currencies = set(load_codelists()["Currency"].names)
    assert len({c for c, y in rows if y == "2020"} & currencies) >= 140
    for code in ("EUR", "GBP", "SEK", "NOK", "DKK", "CHF", "JPY", "CAD", "AUD", "NZD", "KRW"):
        assert all((code, str(y)) in rows for y in range(2000, 2025)), code


def test_conversion_uses_the_value_date_year_and_never_guesses() -> None:
    rates = load_rates()
    converted = rates.convert(Decimal("875.506396987998"), "EUR", date(2020, 3, 1))
    assert converted.status == FxStatus.CONVERTED and converted.year == 2020
    assert converted.usd is not None and abs(converted.usd - 1000) < Decimal("0.01")
    assert rates.convert(Decimal(5), "USD", None).usd == 5
    assert rates.convert(Decimal(5), None, date(2020, 1, 1)).status == FxStatus.NO_CURRENCY
    assert rates.convert(Decimal(5), "EUR", None).status == FxStatus.NO_DATE
    future = rates.convert(Decimal(5), "EUR", date(2090, 1, 1))
    assert future.status == FxStatus.NO_RATE and future.usd is None
    assert rates.convert(Decimal(5), "XYZ", date(2020, 1, 1)).status == FxStatus.NO_RATE


# -- splits ------------------------------------------------------------------------------------------------
def test_percentages_that_do_not_sum_to_100_are_normalised_with_a_note() -> None:
    activity = _activity(
        recipient_countries=(RecipientCountry("KE", Decimal(40)), RecipientCountry("UG", Decimal(40))),
        sectors=(Sector("22040", "1", None, Decimal(50)), Sector("11110", "1", None, Decimal(25))),
        transactions=(_tx("3", "1000", "USD"),),
    )
    result = money.compute(activity, load_rates(), load_focus_map())
    by_country: dict[str, Decimal] = {}
    by_focus: dict[str, Decimal] = {}
    for fact in result.facts:
        by_country[fact.country] = by_country.get(fact.country, Decimal(0)) + fact.value
        by_focus[fact.focus_area] = by_focus.get(fact.focus_area, Decimal(0)) + fact.value
    assert by_country == {"KE": Decimal(500), "UG": Decimal(500)}
    assert abs(by_focus["connectivity-infrastructure"] - Decimal("666.6667")) < Decimal("0.001")
    assert abs(sum(by_focus.values()) - 1000) < Decimal("0.000001")
    assert {n.path for n in result.notes} == {"recipient-country", "sector[@vocabulary='1']"}


def test_missing_percentages_share_what_is_left() -> None:
    activity = _activity(
        recipient_countries=(RecipientCountry("KE", Decimal(70)), RecipientCountry("UG")),
        recipient_regions=(RecipientRegion("298", "1", None, None),),
        transactions=(_tx("2", "100", "USD"),),
    )
    shares = {
        (f.country, f.region): f.value for f in money.compute(activity, load_rates(), load_focus_map()).facts
    }
    assert shares == {("KE", ""): Decimal(70), ("UG", ""): Decimal(15), ("", "298"): Decimal(15)}


def test_transaction_level_country_and_sector_take_precedence() -> None:
    activity = _activity(
        recipient_countries=(RecipientCountry("KE", Decimal(100)),),
        sectors=(Sector("11110", "1", None, Decimal(100)),),
        transactions=(
            _tx("3", "10", "USD", recipient_country=RecipientCountry("TZ"), sectors=(Sector("22020", "1"),)),
            _tx("3", "5", "USD"),
        ),
    )
    facts = {
        (f.country, f.focus_area): f.value
        for f in money.compute(activity, load_rates(), load_focus_map()).facts
    }
    assert facts == {("TZ", "connectivity-infrastructure"): Decimal(10), ("KE", ""): Decimal(5)}


def test_unconvertible_values_are_counted_in_their_own_currency() -> None:
    activity = _activity(
        recipient_countries=(RecipientCountry("KE"),),
        transactions=(
            _tx("3", "100", "EUR", date(2020, 1, 1)),
            _tx("3", "7", "EUR", date(2091, 1, 1)),
            _tx("3", "9", None),
        ),
    )
    result = money.compute(activity, load_rates(), load_focus_map())
    assert result.unconvertible == 2
    lost = {(f.currency, f.value) for f in result.facts if not f.convertible}
    assert lost == {("EUR", Decimal(7)), ("", Decimal(9))}
    assert result.totals_usd["3"] == load_rates().convert(Decimal(100), "EUR", date(2020, 1, 1)).usd


def test_an_implausible_value_is_kept_but_left_out_of_the_totals_with_a_finding() -> None:
    activity = _activity(
        recipient_countries=(RecipientCountry("MA"),),
        transactions=(
            _tx("2", "200000000000", "USD"),  # a real published typo: 200 billion dollars
            _tx("2", "1000000", "USD"),
            _tx("2", "25000000000", "USD"),  # exactly the limit: still counted
        ),
    )
    result = money.compute(activity, load_rates(), load_focus_map())
    assert result.totals_usd["2"] == Decimal(25_001_000_000)
    assert sum(f.value for f in result.facts) == Decimal(25_001_000_000)
    (note,) = [n for n in result.notes if n.code == money.VALUE_IMPLAUSIBLE]
    assert note.path == "transaction[1]/value" and "200,000,000,000" in note.message
    assert len(result.conversions) == 3  # every transaction keeps its conversion, as published


def test_provider_is_the_provider_org_else_the_reporting_org() -> None:
    activity = _activity(
        transactions=(
            _tx(
                "3",
                "1",
                "USD",
                provider_org=TransactionOrg("XM-DAC-41114", None, None, (Narrative("UNDP", None),)),
            ),
            _tx(
                "3",
                "1",
                "USD",
                provider_org=TransactionOrg(None, None, None, (Narrative("A foundation", None),)),
            ),
            _tx("3", "1", "USD"),
        )
    )
    keys = {f.provider_key for f in money.compute(activity, load_rates(), load_focus_map()).facts}
    assert keys == {"XM-DAC-41114", "A foundation", "XM-TEST"}


def test_focus_area_rules_use_codes_and_keywords() -> None:
    focus = load_focus_map()
    assert focus.focus_area("1", "22020", "") == "connectivity-infrastructure"
    assert focus.focus_area("1", "22040", "Cybersecurity for ministries") == "emerging-technology"
    assert focus.focus_area("1", "11330", "Formation informatique des jeunes") == "digital-skills"
    assert focus.focus_area("1", "11330", "Plumbing apprenticeships") == ""
    assert focus.focus_area("1", "33120", "") == "trade-facilitation"
    assert focus.focus_area("2", "220", "") == "connectivity-infrastructure"
    # every DAC 5-digit code in the mapping exists on the Sector codelist
    sectors = load_codelists()["Sector"].names
    assert all(r.code in sectors for r in focus.rules if r.vocabulary == "1")
    assert len(focus.areas) == 9


# -- stored facts --------------------------------------------------------------------------------------------
pytestmark_db = pytest.mark.django_db


@pytest.mark.django_db
def test_stored_facts_add_up_to_the_converted_transactions() -> None:
    run_import([NL_203, ICT_203])
    for activity in Activity.objects.filter(transactions__type="3").distinct()[:40]:
        usd = TransactionRow.objects.filter(activity=activity, type="3", value_usd__isnull=False).aggregate(
            s=Sum("value_usd")
        )["s"] or Decimal(0)
        facts = FundingFact.objects.filter(activity=activity, transaction_type="3").aggregate(
            s=Sum("value_usd")
        )["s"]
        assert abs(Decimal(str(facts or 0)) - Decimal(str(usd))) < Decimal("0.05"), activity.iati_identifier
        assert activity.disbursements_usd is None or abs(
            activity.disbursements_usd - Decimal(str(usd))
        ) < Decimal("0.05")
    # the cube holds the same total as the facts of primary activities
    cube = FundingCube.objects.aggregate(s=Sum("value_usd"))["s"]
    facts_total = FundingFact.objects.filter(activity__is_primary=True).aggregate(s=Sum("value_usd"))["s"]
    assert abs(Decimal(str(cube)) - Decimal(str(facts_total))) < Decimal("0.5")


@pytest.mark.django_db
def test_unconvertible_transactions_are_stored_without_usd() -> None:
    run_import([ICT_203])
    lost = TransactionRow.objects.filter(value_usd__isnull=True).exclude(value=None)
    for row in lost[:20]:
        assert row.fx_status in {"no-rate", "no-currency", "no-date"}
    assert all(
        t.value_usd is not None
        for t in TransactionRow.objects.filter(fx_status__in=["usd", "converted"])[:50]
    )


@pytest.mark.django_db
def test_the_published_200_billion_typo_does_not_reach_the_funding_totals() -> None:
    from gapbridge.projects.models import Finding

    from .test_projects_support import ACTIVITIES

    run_import([ACTIVITIES / "dportal-2023_covid-dportal.xml.gz"])
    activity = Activity.objects.get(iati_identifier="XM-DAC-701-2-2020003078")
    assert TransactionRow.objects.filter(activity=activity, value=Decimal(200_000_000_000)).exists()
    finding = Finding.objects.get(activity=activity, code=money.VALUE_IMPLAUSIBLE)
    assert finding.severity == "warning"
    assert (activity.commitments_usd or 0) < 1_000_000_000
    biggest = FundingFact.objects.order_by("-value_usd").values_list("value_usd", flat=True).first()
    assert biggest is not None and biggest < money.IMPLAUSIBLE_USD
