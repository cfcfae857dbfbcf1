"""Analytics on the registry: money counted once, funding against need, concentration, overlap alerts
with their history and permissions, the allocation advisor and the country brief."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Q
from django.utils import translation

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.analytics import advisor, brief, queries, services
from gapbridge.analytics.models import (
    AlertStatus,
    AlertStatusChange,
    CoordinationAlert,
    DedupWeight,
    FundingFlow,
    Measure,
)
from gapbridge.audit.models import AuditEntry
from gapbridge.countries.queries import QueryError
from gapbridge.domain import overlap
from gapbridge.organizations.models import Organization
from tests import factories
from tests.integration.test_analytics_data import DONOR, FRENCH, IMPLEMENTER, ROADS, load_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(tmp_path: Path) -> dict[str, int]:
    found = load_fixture(tmp_path)
    services.refresh(None)
    return found


def close(a: float, b: float) -> bool:
    return abs(a - b) < 0.01


def test_totals_are_gross_and_deduplicated_by_the_rule(ids: dict[str, int]) -> None:
    totals = queries.totals()
    assert close(totals[Measure.DISBURSEMENT]["gross_usd"], 2_140_000)
    assert close(totals[Measure.DISBURSEMENT]["dedup_usd"], 940_000)
    assert close(totals[Measure.COMMITMENT]["gross_usd"], 2_300_000)
    assert close(totals[Measure.COMMITMENT]["dedup_usd"], 1_300_000)
    implementer = DedupWeight.objects.get(activity_id=ids[IMPLEMENTER])
    assert implementer.reason == "partly-funded-through"
    assert close(implementer.disbursement, 0.25) and implementer.upstream == [DONOR]
    copies = DedupWeight.objects.filter(identifier=DONOR, reason="duplicate-identifier")
    assert copies.count() == 1
    (flow,) = FundingFlow.objects.filter(measure=Measure.DISBURSEMENT)
    assert (flow.upstream, flow.downstream) == (DONOR, IMPLEMENTER)
    assert close(flow.reported_by_upstream, 600_000) and close(flow.reported_by_downstream, 600_000)


def test_funding_cube_by_country_area_and_year(ids: dict[str, int]) -> None:
    cells = queries.funding_cube(
        ["country", "focus_area", "year"], queries.FundingFilter(measure=Measure.DISBURSEMENT)
    )
    kenya_skills = {
        c["year"]: c for c in cells if c["country"] == "KEN" and c["focus_area"] == "digital-skills"
    }
    assert close(kenya_skills[2021]["gross_usd"], 1_200_000) and close(
        kenya_skills[2021]["dedup_usd"], 600_000
    )
    assert close(kenya_skills[2022]["gross_usd"], 800_000) and close(kenya_skills[2022]["dedup_usd"], 200_000)
    digital = queries.totals(queries.FundingFilter(focus_area=queries.DIGITAL))
    assert close(digital[Measure.DISBURSEMENT]["dedup_usd"], 890_000)  # roads are not digital
    with pytest.raises(QueryError, match="group_by"):
        queries.funding_cube(["planet"])
    with pytest.raises(QueryError, match="focus_area"):
        queries.funding_cube(["country"], queries.FundingFilter(focus_area="space"))


def test_need_table_ranks_the_most_under_funded_first(ids: dict[str, int]) -> None:
    table = queries.need_table(iso3=["KEN", "NER", "MLI", "TCD"])
    by_iso = {r.iso3: r for r in table.rows}
    assert set(by_iso) == {"KEN", "NER", "MLI", "TCD"}
    assert close(by_iso["KEN"].disbursements_dedup, 800_000) and close(
        by_iso["KEN"].disbursements_gross, 2_000_000
    )
    assert close(by_iso["NER"].funding, 90_000)
    assert close(sum(r.fair_share or 0 for r in table.rows), table.total_funding)
    coverages = [r.coverage for r in table.rows]
    assert coverages == sorted(coverages)  # type: ignore[type-var]
    unfunded = [r for r in table.rows if r.funding == 0]
    assert [r.neglect_rank for r in unfunded] == [1, 2]
    assert unfunded[0].need >= unfunded[1].need  # type: ignore[operator]
    per_area = queries.need_table(iso3=["KEN"], by_area=True)
    assert {r.focus_area for r in per_area.rows} | {r.focus_area for r in per_area.excluded} >= {
        "digital-skills"
    }
    assert close(next(r for r in per_area.rows if r.focus_area == "digital-skills").funding, 800_000)


def test_provider_matrix_and_concentration(ids: dict[str, int]) -> None:
    kenya = queries.FundingFilter(iso3=["KEN"], focus_area="digital-skills", measure=Measure.DISBURSEMENT)
    (dedup,) = queries.concentration(kenya)
    assert dedup.providers == 2 and close(dedup.hhi, 0.75**2 + 0.25**2)
    assert dedup.top_provider.startswith("GB-GOV-1") and close(dedup.top_share, 0.75)
    (gross,) = queries.concentration(kenya, basis="gross")
    assert gross.providers == 3 and close(gross.total, 2_000_000)
    matrix = queries.provider_matrix(kenya, basis="gross")
    assert close(matrix.cells["KE-NGO-1", "KEN"], 800_000)
    assert close(matrix.total, 2_000_000)


def test_registry_changes_make_analytics_stale(tmp_path: Path) -> None:
    services.refresh(None)
    assert not services.is_stale()
    load_fixture(tmp_path)
    assert services.is_stale()
    assert services.ensure_fresh() is True
    assert services.ensure_fresh() is False
    assert AuditEntry.objects.filter(object_type="analytics.analyticsstate", action="update").exists()


def test_only_the_secretariat_or_the_system_rebuilds() -> None:
    with pytest.raises(PermissionDenied):
        services.refresh(factories.user("someone"))
    services.refresh(factories.user("sec", Role.SECRETARIAT))


# -- overlaps and alerts ----------------------------------------------------------------------------------
def _pair(ids: dict[str, int], a: str, b: str) -> CoordinationAlert:
    x, y = ids[a], ids[b]
    return CoordinationAlert.objects.get(
        Q(a_activity_id=x, b_activity_id=y) | Q(a_activity_id=y, b_activity_id=x)
    )


def test_detection_creates_alerts_in_tiers_and_keeps_decisions(ids: dict[str, int]) -> None:
    run = services.detect_overlaps(None)
    assert run.found["same-identifier"] == 1
    assert run.found["traceability"] == 2  # the donor's activity and its copy both name the implementer
    copy_pair = CoordinationAlert.objects.get(tier="same-identifier")
    assert copy_pair.a_identifier == copy_pair.b_identifier == DONOR
    assert _pair(ids, f"{DONOR}@GB-GOV-1", IMPLEMENTER).tier == "traceability"
    similar = _pair(ids, IMPLEMENTER, FRENCH)
    assert similar.tier in ("high-similarity", "possible-overlap")
    assert set(similar.shared_organisations) == {"KE-NGO-1", "KE-GOV-ICT"}
    assert list(similar.countries.values_list("iso3", flat=True)) == ["KEN"]
    assert not CoordinationAlert.objects.filter(a_identifier=ROADS).exists()
    assert not CoordinationAlert.objects.filter(b_identifier=ROADS).exists()
    assert AlertStatusChange.objects.filter(alert=similar, from_status="", to_status="open").count() == 1
    secretariat = factories.user("sec", Role.SECRETARIAT)
    services.set_alert_status(secretariat, similar.pk, "dismissed", "different target groups")
    count = CoordinationAlert.objects.count()
    services.detect_overlaps(None)
    similar.refresh_from_db()
    assert similar.status == "dismissed" and similar.still_detected
    assert CoordinationAlert.objects.count() == count
    assert next(iter(queries.alerts(queries.AlertFilter(country="KEN")))).tier == "same-identifier"


def test_providers_involved_may_confirm_others_may_not(ids: dict[str, int]) -> None:
    services.detect_overlaps(None)
    alert = _pair(ids, IMPLEMENTER, FRENCH)
    implementer = Organization.objects.get(iati_ref="KE-NGO-1")
    editor = factories.user("kenya", Role.ORG_EDITOR, organization=implementer)
    outsider = factories.user(
        "other", Role.ORG_EDITOR, organization=Organization.objects.get(iati_ref="DE-1")
    )
    with pytest.raises(PermissionDenied):
        services.set_alert_status(outsider, alert.pk, "confirmed", "looks the same")
    with pytest.raises(PermissionDenied):
        services.set_alert_status(None, alert.pk, "confirmed", "looks the same")
    with pytest.raises(services.AlertError, match="reason"):
        services.set_alert_status(editor, alert.pk, "confirmed", "  ")
    services.set_alert_status(editor, alert.pk, "confirmed", "same coding clubs, we co-fund them")
    with pytest.raises(services.AlertError, match="already"):
        services.set_alert_status(editor, alert.pk, "confirmed", "again")
    with pytest.raises(PermissionDenied, match="reopen"):
        services.set_alert_status(editor, alert.pk, "open", "changed my mind")
    services.set_alert_status(
        factories.user("sec", Role.SECRETARIAT), alert.pk, "open", "needs a second look"
    )
    history = list(alert.history.values_list("from_status", "to_status", "actor_label"))
    assert history == [("", "open", "system"), ("open", "confirmed", "kenya"), ("confirmed", "open", "sec")]
    entries = AuditEntry.objects.filter(object_type="analytics.coordinationalert", object_id=str(alert.pk))
    assert entries.filter(action="transition").count() == 2


def test_evaluation_on_the_fixture_finds_the_linked_pair_without_the_link(ids: dict[str, int]) -> None:
    from gapbridge.analytics import source

    records, _info = source.overlap_records()
    result = overlap.evaluate(records)
    assert result.pairs_known == 2  # donor → implementer, and the copy → implementer
    assert result.recall == 1.0
    assert result.precision is not None and 0 < result.precision <= 1


# -- allocation advisor -----------------------------------------------------------------------------------
def test_allocation_sums_to_the_budget_with_reasons(ids: dict[str, int]) -> None:
    advice = advisor.advise(advisor.AdviceRequest(budget=2_500_000.0, group="ldc", floor=10_000.0))
    body = advice.as_json()
    assert set(body) == {"allocations", "budget", "objective"}
    assert round(sum(a["amount"] for a in body["allocations"]), 2) == 2_500_000.0
    assert all(set(a) == {"country", "focus_area", "amount", "reason"} for a in body["allocations"])
    assert all(a["reason"] for a in body["allocations"])
    assert all(c.amount >= 10_000 - 0.01 for c in advice.countries)
    assert "KEN" not in {c.iso3 for c in advice.countries}  # not an LDC
    for country in advice.countries:
        assert country.lower is not None and country.upper is not None
        assert country.lower <= country.amount + 0.01 <= country.upper + 0.02


def test_existing_funding_lowers_the_allocation(ids: dict[str, int]) -> None:
    base = advisor.AdviceRequest(budget=1_000_000.0, iso3=("KEN", "NER"), focus_area="digital-skills")
    with_funding = {c.iso3: c.amount for c in advisor.advise(base).countries}
    # the same request measured on commitments: Kenya's existing skills money is 1,000k (de-duplicated)
    commitments = advisor.advise(
        advisor.AdviceRequest(
            budget=1_000_000.0, iso3=("KEN", "NER"), focus_area="digital-skills", measure="commitment"
        )
    )
    assert sum(with_funding.values()) == pytest.approx(1_000_000.0)
    assert {c.iso3: c.amount for c in commitments.countries}["KEN"] <= with_funding["KEN"]


def test_infeasible_requests_say_why(ids: dict[str, int]) -> None:
    with pytest.raises(advisor.AdviceError, match="floors add up"):
        advisor.advise(advisor.AdviceRequest(budget=1000.0, group="ldc", floor=100.0))
    with pytest.raises(advisor.AdviceError, match="ceilings add up"):
        advisor.advise(advisor.AdviceRequest(budget=1e9, iso3=("KEN", "NER"), ceiling=1000.0))
    with pytest.raises(advisor.AdviceError, match="ZZZ"):
        advisor.advise(advisor.AdviceRequest(budget=1000.0, iso3=("KEN",), bounds={"ZZZ": (1.0, None)}))
    with pytest.raises(QueryError, match="group"):
        advisor.advise(advisor.AdviceRequest(budget=1000.0, group="nowhere"))


def test_bounds_parsing() -> None:
    assert advisor.parse_bounds("NER:100:500, mli::2000") == {"NER": (100.0, 500.0), "MLI": (None, 2000.0)}
    with pytest.raises(QueryError):
        advisor.parse_bounds("NER=100")


# -- country brief ----------------------------------------------------------------------------------------
def test_country_brief_has_money_both_ways_projects_alerts_and_lists_what_is_missing(
    ids: dict[str, int],
) -> None:
    services.detect_overlaps(None)
    found = brief.build("ken")
    skills = next(r for r in found.by_area if r.key == "digital-skills")
    assert close(skills.disbursements_gross, 2_000_000) and close(skills.disbursements_dedup, 800_000)
    assert close(found.total.disbursements_dedup, 850_000)
    assert {p.identifier for p in found.projects} >= {IMPLEMENTER, FRENCH}
    assert found.alerts and all(a.status != AlertStatus.DISMISSED for a in found.alerts)
    for key in ("needs", "matches", "barriers"):  # each other app is either included or named as missing
        assert key in found.sections or any(
            line.startswith(("open " + key, key)) for line in found.not_included
        )
    pdf = brief.render_pdf(found)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_country_brief_pdf_is_written_in_the_readers_language_with_a_font_that_has_its_letters(
    ids: dict[str, int],
) -> None:
    found = brief.build("ken")
    with translation.override("ar"):
        arabic = brief.render_pdf(found)
    english = brief.render_pdf(found)
    assert arabic.startswith(b"%PDF") and b"DejaVuSans" in arabic and b"DejaVuSans-Bold" in arabic
    assert arabic != english and b"DejaVuSans" in english
    assert b"(Coordination brief: Kenya \\(KEN\\))" in english  # the PDF's title metadata
    with translation.override("fr"):
        french = brief.render_pdf(found)
    assert b"Coordination brief" not in french


def test_country_brief_includes_open_barriers_of_the_country() -> None:
    from gapbridge.barriers.models import Barrier
    from gapbridge.countries.models import Economy

    Barrier.objects.create(
        title="Data localisation rule for cloud services",
        description="All personal data must be stored in the country.",
        country=Economy.objects.get(iso3="KEN"),
        category="data_flows",
        status="verified",
    )
    found = brief.build("KEN")
    assert [item["title"] for item in found.sections["barriers"].items] == [
        "Data localisation rule for cloud services"
    ]
    assert found.sections["barriers"].items[0]["url"].endswith("/")
