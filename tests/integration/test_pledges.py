"""Pledges: recording with USD conversion at the bundled annual rate, lifecycle with history, money entered
by hand and from real IATI transactions (imported by the registry), fulfilment over time, and counting
an activity's money toward one pledge only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.audit.models import AuditEntry
from gapbridge.organizations.models import Organization
from gapbridge.pledges import fulfilment, queries, services
from gapbridge.pledges.models import FlowOrigin, PledgeFlow
from gapbridge.projects import services as registry
from gapbridge.projects.fx import load_rates
from gapbridge.projects.models import Activity, ParticipatingOrg
from tests import factories

pytestmark = pytest.mark.django_db

ICT_FILE = (
    Path(__file__).resolve().parents[2]
    / "data/iati/activities/ict-sector-activities_dportal-covid-2021_v2.03.xml"
)


@pytest.fixture
def donor() -> dict[str, Any]:
    org = factories.organization("Agence de coopération numérique", "XM-TEST-1")
    return {
        "org": org,
        "editor": factories.user("donor_ed", Role.ORG_EDITOR, organization=org),
        "other": factories.user(
            "other_ed", Role.ORG_EDITOR, organization=factories.organization("Other", "XM-2")
        ),
        "sec": factories.user("sec", Role.SECRETARIAT),
    }


def _pledge(actor: Any, org: Organization, **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "provider": org,
        "title": "Digital skills for 10,000 women entrepreneurs",
        "amount": Decimal("5000000"),
        "currency": "EUR",
        "period_start": dt.date(2024, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "announced_on": dt.date(2024, 3, 8),
        "focus_areas": ["digital-skills", "ecommerce-sme"],
        "target_countries": ["SEN", "NER"],
        "target_groups": ["ldc"],
    }
    fields.update(extra)
    return services.create_pledge(actor, **fields)


def test_pledge_is_converted_at_the_annual_rate_of_its_announcement(donor: dict[str, Any]) -> None:
    p = _pledge(donor["editor"], donor["org"])
    rate = load_rates().rate("EUR", 2024)
    assert rate is not None
    assert p.fx_rate == Decimal(rate).quantize(Decimal("1e-10")) and p.fx_year == 2024
    assert p.fx_status == "converted"
    assert p.amount_usd == (Decimal("5000000") / p.fx_rate).quantize(Decimal("0.01"))
    assert abs(p.amount_usd - Decimal("5000000") / rate) < Decimal("0.01")
    assert p.fx_source.startswith("imf-ifs")
    assert sorted(e.iso3 for e in p.target_countries.all()) == ["NER", "SEN"]
    assert p.status == "draft" and p.history.get().to_status == "draft"
    assert AuditEntry.objects.filter(
        object_type="pledges.pledge", object_id=str(p.pk), action="create"
    ).exists()


def test_only_the_providers_editors_or_the_secretariat_record_pledges(donor: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        _pledge(donor["other"], donor["org"])
    with pytest.raises(PermissionDenied):
        _pledge(None, donor["org"])
    assert _pledge(donor["sec"], donor["org"]).provider == donor["org"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"amount": "-5"}, "must be more than 0"),
        ({"amount": "lots"}, "is not a number"),
        ({"currency": "EURO"}, "ISO 4217"),
        ({"currency": "ZZZ"}, "not an ISO 4217"),
        ({"period_end": dt.date(2023, 1, 1)}, "period_end: the period ends"),
        ({"focus_areas": ["space"]}, "unknown focus area"),
        ({"target_countries": ["ZZZ"]}, "no economy"),
        ({"amount": Decimal("1e30")}, "amount must be between 0 and "),
    ],
)
def test_invalid_pledges_are_refused_with_the_field_named(
    donor: dict[str, Any], extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(services.PledgeError, match=message):
        _pledge(donor["editor"], donor["org"], **extra)


def test_a_currency_without_rates_is_kept_and_shown_unconverted(donor: dict[str, Any]) -> None:
    p = _pledge(donor["editor"], donor["org"], currency="FKP", amount="100000")
    assert p.amount_usd is None and p.fx_status == "no-rate" and p.currency == "FKP"
    f = queries.figures(queries.get_visible(donor["editor"], p.pk))
    assert f.totals.pledged_usd is None and f.totals.disbursed_pct is None


def test_lifecycle_with_reasons_and_visibility(donor: dict[str, Any]) -> None:
    p = _pledge(donor["editor"], donor["org"])
    assert not queries.visible(None).filter(pk=p.pk).exists()  # drafts are not public
    with pytest.raises(services.PledgeError, match="cannot go from draft to completed"):
        services.change_status(donor["editor"], p.pk, "completed", "done")
    with pytest.raises(services.PledgeError, match="reason"):
        services.change_status(donor["editor"], p.pk, "announced", "")
    with pytest.raises(PermissionDenied):
        services.change_status(donor["other"], p.pk, "announced", "x")
    services.change_status(donor["editor"], p.pk, "announced", "announced at the WTO MC14")
    assert queries.visible(None).filter(pk=p.pk).exists()
    assert [(h.from_status, h.to_status) for h in p.history.all()] == [("", "draft"), ("draft", "announced")]


def test_manual_flows_make_fulfilment_over_time(donor: dict[str, Any]) -> None:
    p = _pledge(donor["editor"], donor["org"], currency="USD", amount="1000000")
    services.add_flow(
        donor["editor"], p.pk, kind="commitment", amount="600000", currency="USD", date=dt.date(2024, 5, 1)
    )
    services.add_flow(
        donor["editor"], p.pk, kind="disbursement", amount="200000", currency="USD", date=dt.date(2024, 9, 1)
    )
    eur = services.add_flow(
        donor["editor"], p.pk, kind="disbursement", amount="100000", currency="EUR", date=dt.date(2025, 2, 1)
    )
    services.add_flow(
        donor["editor"], p.pk, kind="disbursement", amount="5000", currency="FKP", date=dt.date(2025, 3, 1)
    )
    with pytest.raises(PermissionDenied):
        services.add_flow(
            donor["other"], p.pk, kind="commitment", amount="1", currency="USD", date=dt.date(2025, 1, 1)
        )
    with pytest.raises(services.PledgeError, match="commitment or disbursement"):
        services.add_flow(
            donor["editor"], p.pk, kind="gift", amount="1", currency="USD", date=dt.date(2025, 1, 1)
        )
    rate_2025 = load_rates().rate("EUR", 2025)
    assert rate_2025 is not None and eur.fx_year == 2025
    eur_usd = (Decimal(100000) / Decimal(rate_2025).quantize(Decimal("1e-10"))).quantize(Decimal("0.01"))
    assert eur.amount_usd == eur_usd
    f = queries.figures(queries.get_visible(donor["editor"], p.pk))
    assert f.totals.committed_usd == Decimal(600000)
    assert f.totals.disbursed_usd == Decimal(200000) + eur_usd
    assert f.totals.unconverted_flows == 1
    assert f.totals.committed_pct == pytest.approx(60.0)
    years = {y.year: y for y in f.series}
    assert years[2024].disbursed_usd == Decimal(200000) and years[2024].disbursed_pct == pytest.approx(20.0)
    assert years[2025].disbursed_usd == Decimal(200000) + eur_usd  # cumulative
    assert years[2026].disbursed_usd == years[2025].disbursed_usd


def test_provider_totals_leave_out_withdrawn_pledges(donor: dict[str, Any]) -> None:
    a = _pledge(donor["editor"], donor["org"], currency="USD", amount="1000")
    b = _pledge(donor["editor"], donor["org"], currency="USD", amount="3000", title="Second")
    services.add_flow(
        donor["editor"], a.pk, kind="disbursement", amount="500", currency="USD", date=dt.date(2024, 6, 1)
    )
    services.change_status(donor["editor"], b.pk, "withdrawn", "budget cut")
    items = [queries.figures(p) for p in queries.pledges(donor["editor"])]
    (provider,) = queries.by_provider(items)
    assert provider.pledges == 1 and provider.pledged_usd == Decimal(1000)
    assert provider.totals.disbursed_pct == pytest.approx(50.0)


def test_fulfilment_arithmetic_never_adds_unconverted_or_mixes_kinds() -> None:
    flows = [
        fulfilment.FlowIn("commitment", dt.date(2023, 1, 1), Decimal(100)),
        fulfilment.FlowIn("disbursement", dt.date(2024, 1, 1), Decimal(40)),
        fulfilment.FlowIn("disbursement", dt.date(2024, 6, 1), None),
    ]
    t = fulfilment.totals(Decimal(200), flows)
    assert (t.committed_usd, t.disbursed_usd, t.unconverted_flows) == (Decimal(100), Decimal(40), 1)
    assert (t.committed_pct, t.disbursed_pct) == (50.0, 20.0)
    points = fulfilment.by_year(Decimal(200), flows, 2024, 2025)
    assert [(p.year, p.committed_usd, p.disbursed_usd) for p in points] == [
        (2024, Decimal(100), Decimal(40)),  # the 2023 commitment counts from the first year shown
        (2025, Decimal(100), Decimal(40)),
    ]
    assert fulfilment.totals(None, flows).disbursed_pct is None


def test_iati_transactions_count_toward_one_pledge_only(donor: dict[str, Any]) -> None:
    registry.import_files(None, [ICT_FILE])
    activity = (
        Activity.objects.primary()
        .filter(transactions__type__in=["2", "3"], transactions__value_usd__isnull=False)
        .distinct()
        .order_by("iati_identifier")
        .first()
    )
    assert activity is not None
    p = _pledge(
        donor["editor"], donor["org"], currency="USD", amount="10000000", period_start=dt.date(2019, 1, 1)
    )
    with pytest.raises(PermissionDenied):
        services.link_activity(donor["other"], p.pk, activity.pk)
    # Another funder's activity cannot count toward this provider's pledge...
    with pytest.raises(services.PledgeError, match="only an activity it reports, funds or extends"):
        services.link_activity(donor["editor"], p.pk, activity.pk)
    assert not PledgeFlow.objects.filter(pledge=p).exists()
    # ... a participating organisation in a role other than funding or extending does not make it theirs...
    position = activity.participating_orgs.count() + 1
    implementer = ParticipatingOrg.objects.create(
        activity=activity, position=position, role="4", ref=donor["org"].iati_ref
    )
    with pytest.raises(services.PledgeError):
        services.link_activity(donor["editor"], p.pk, activity.pk)
    # ... funding it does.
    implementer.role = "1"
    implementer.save()
    link = services.link_activity(donor["editor"], p.pk, activity.pk)
    expected = [
        t for t in activity.transactions.filter(type__in=["2", "3", "4"]).order_by("position") if t.value
    ]
    flows = list(PledgeFlow.objects.filter(source=link).order_by("transaction_position"))
    assert len(flows) == len(expected) > 0
    for flow, t in zip(flows, expected, strict=True):
        assert flow.origin == FlowOrigin.IATI and flow.iati_identifier == activity.iati_identifier
        assert flow.amount == t.value and flow.currency == t.currency
        assert flow.kind == ("commitment" if t.type == "2" else "disbursement")
        if t.value_usd is not None:
            assert flow.amount_usd == t.value_usd.quantize(Decimal("0.01"))
    # Linking again changes nothing; linking to another pledge is refused (money counts once).
    services.link_activity(donor["editor"], p.pk, activity.pk)
    assert PledgeFlow.objects.filter(pledge=p).count() == len(expected)
    other = _pledge(donor["editor"], donor["org"], title="Another")
    with pytest.raises(services.PledgeError, match="already counts toward pledge"):
        services.link_activity(donor["editor"], other.pk, activity.pk)
    # A re-import (rows replaced) followed by a resync keeps the same flows.
    assert services.resync_all() == len(expected)
    with pytest.raises(services.PledgeError, match="unlink the activity"):
        services.remove_flow(donor["editor"], PledgeFlow.objects.filter(source=link).first().pk)  # type: ignore[union-attr]
    services.unlink_activity(donor["editor"], link.pk)
    assert not PledgeFlow.objects.filter(pledge=p).exists()


def test_money_and_announcements_are_not_dated_in_the_future(donor: dict[str, Any]) -> None:
    """A disbursement dated 2099 would count as done what is not: refused, naming the field; today is fine,
    and so is tomorrow in UTC (it is already tomorrow east of UTC)."""
    from django.utils import timezone

    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=2)  # later than today anywhere on Earth
    with pytest.raises(services.PledgeError, match=r"announced_on: .* is in the future"):
        _pledge(donor["editor"], donor["org"], announced_on=tomorrow)
    p = _pledge(donor["editor"], donor["org"], currency="USD", amount="1000")
    with pytest.raises(services.PledgeError, match="announced_on"):
        services.update_pledge(donor["editor"], p.pk, announced_on=dt.date(2099, 1, 1))
    flow: dict[str, Any] = {"kind": "disbursement", "amount": "100", "currency": "USD"}
    later = (("date", {"date": tomorrow}), ("value_date", {"date": today, "value_date": tomorrow}))
    for field, dates in later:
        with pytest.raises(services.PledgeError, match=f"^{field}: "):
            services.add_flow(donor["editor"], p.pk, **flow, **dates)
    assert not p.flows.exists()
    services.add_flow(donor["editor"], p.pk, **flow, date=today)
    services.add_flow(donor["editor"], p.pk, **flow, date=today + dt.timedelta(days=1))
    assert p.flows.count() == 2
