"""IATI 1.x -> 2.x: the fixed table, the codelist-derived mappings, and real 1.x files."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from gapbridge.iati.codelists import Codelists
from gapbridge.iati.findings import FindingCode
from gapbridge.iati.legacy import LEGACY_CODES, NAME_DERIVED, to_v2
from gapbridge.iati.parser import iter_file

from .conftest import ACTIVITIES


@pytest.mark.parametrize(
    ("list_name", "old", "new"),
    [
        ("TransactionType", "IF", "1"),
        ("TransactionType", "C", "2"),
        ("TransactionType", "D", "3"),
        ("TransactionType", "E", "4"),
        ("TransactionType", "IR", "5"),
        ("TransactionType", "LR", "6"),
        ("TransactionType", "R", "7"),
        ("TransactionType", "QP", "8"),
        ("TransactionType", "QS", "9"),
        ("TransactionType", "CG", "10"),
        ("SectorVocabulary", "DAC", "1"),
        ("SectorVocabulary", "DAC-3", "2"),
        ("SectorVocabulary", "RO", "99"),
        ("PolicyMarkerVocabulary", "DAC", "1"),
        ("ActivityDateType", "start-planned", "1"),
        ("ActivityDateType", "start-actual", "2"),
        ("ActivityDateType", "end-planned", "3"),
        ("ActivityDateType", "end-actual", "4"),
        ("OrganisationRole", "Funding", "1"),
        ("OrganisationRole", "Accountable", "2"),
        ("OrganisationRole", "Extending", "3"),
        ("OrganisationRole", "Implementing", "4"),
        ("OrganisationRole", "implementing", "4"),
        ("BudgetType", "Original", "1"),
        ("BudgetType", "Revised", "2"),
    ],
)
def test_mapping(codelists: Codelists, list_name: str, old: str, new: str) -> None:
    assert to_v2(list_name, old, codelists) == new


def test_unmapped_values_stay_unmapped(codelists: Codelists) -> None:
    assert to_v2("SectorVocabulary", "WB", codelists) is None  # 1.x World Bank: no 2.x equivalent
    assert to_v2("TransactionType", "Q3", codelists) is None  # the changelog's misprint of QS
    assert to_v2("Country", "Kenya", codelists) is None  # names are only used where 1.x used names


def test_fixed_table_targets_are_codes_with_the_matching_meaning(codelists: Codelists) -> None:
    """Every target of the hand-written table exists in the official 2.x codelist, and its name
    carries the meaning of the 1.x code (checked against the 1.x codelist names)."""
    for list_name, table in LEGACY_CODES.items():
        for target in table.values():
            assert target in codelists[list_name], (list_name, target)
    names = codelists["TransactionType"].names
    assert names["1"] == "Incoming Funds"
    assert names["3"] == "Disbursement" and names["4"] == "Expenditure"
    assert names["8"] == "Purchase of Equity" and names["9"] == "Sale of Equity"
    assert names["10"] == "Credit Guarantee"
    sector_vocabularies = codelists["SectorVocabulary"].names
    assert "5 digit" in sector_vocabularies["1"] and "3 digit" in sector_vocabularies["2"]
    assert sector_vocabularies["6"] == "AidData" and sector_vocabularies["99"] == "Reporting Organisation"
    dates = codelists["ActivityDateType"].names
    for old, new in LEGACY_CODES["ActivityDateType"].items():
        when, what = old.split("-")  # start-planned -> "Planned start"
        assert dates[new].casefold() == f"{what} {when}"


def test_name_derived_lists_are_the_upgrade_guide_mapping(codelists: Codelists) -> None:
    assert {"OrganisationRole", "BudgetType"} == NAME_DERIVED
    roles = {name: code for code, name in codelists["OrganisationRole"].names.items()}
    assert roles == {"Funding": "1", "Accountable": "2", "Extending": "3", "Implementing": "4"}


def test_real_v1_file_is_mapped() -> None:
    parsed = list(iter_file(ACTIVITIES / "legacy-v1_CD.xml.gz"))
    activities = [p.activity for p in parsed if p.activity is not None]
    types = Counter(t.type for a in activities for t in a.transactions)
    assert types == {"4": 522, "3": 159, "2": 134}  # E, D, C in the file
    roles = Counter(o.role for a in activities for o in a.participating_orgs)
    assert set(roles) == {"1", "3", "4"}
    budget_types = Counter(b.type for a in activities for b in a.budgets)
    assert budget_types == {"2": 383, "1": 59}  # Revised, Original
    dates = Counter(d.type for a in activities for d in a.activity_dates)
    assert dates == {"1": 205, "2": 205, "3": 205, "4": 205}
    # 1.x dates were given as element text
    assert all(d.iso_date is not None for a in activities for d in a.activity_dates)
    markers = {m.vocabulary for a in activities for m in a.policy_markers}
    assert markers == {"1"}
    # a 1.x activity gets no legacy-code findings: the codes are what 1.x prescribed
    assert not any(f.code == FindingCode.LEGACY_CODE for p in parsed for f in p.findings)


def test_real_v1_narratives_and_other_identifiers() -> None:
    activity = next(
        p.activity for p in iter_file(ACTIVITIES / "legacy-v1_CD.xml.gz") if p.activity is not None
    )
    assert activity.titles[0].text == "Support to the Poverty Reduction Strategy Process"
    assert activity.titles[0].lang == "en"
    assert activity.reporting_org is not None
    assert activity.reporting_org.narratives[0].text == "Department for International Development"
    (other,) = activity.other_identifiers
    assert (other.ref, other.owner_ref, other.type) == ("105838", "GB-1", None)
    assert other.owner_narratives[0].text == "DFID"


def test_v1_sector_vocabularies() -> None:
    activities = [
        p.activity
        for p in iter_file(ACTIVITIES / "legacy-v1_complex_example_dfid.xml")
        if p.activity is not None
    ]
    vocabularies = Counter(s.vocabulary for a in activities for s in a.sectors)
    assert vocabularies == {"1": 106}  # DAC -> 1; the RO sectors have no @code and are dropped
    types = Counter(t.type for a in activities for t in a.transactions)
    assert types == {"3": 208, "1": 150}  # D, IF


def test_legacy_code_in_a_2x_activity_is_mapped_with_a_finding() -> None:
    xml = b"""<iati-activities version="2.03"><iati-activity>
      <iati-identifier>XX-1</iati-identifier>
      <transaction><transaction-type code="D"/><transaction-date iso-date="2020-01-01"/>
        <value currency="EUR" value-date="2020-01-01">10</value></transaction>
    </iati-activity></iati-activities>"""
    (parsed,) = iter_file(io.BytesIO(xml))
    assert parsed.activity is not None and parsed.activity.transactions[0].type == "3"
    (finding,) = [f for f in parsed.findings if f.code == FindingCode.LEGACY_CODE]
    assert finding.severity == "info"
    assert finding.path == "transaction/transaction-type/@code"
    assert finding.line == 3


def test_dportal_v2_activities_with_1x_codes() -> None:
    # Real quirk: 2.x activities in dportal_97 use 1.x transaction-type letters.
    parsed = list(iter_file(ACTIVITIES / "dportal_97.xml.gz"))
    legacy = [f for p in parsed for f in p.findings if f.code == FindingCode.LEGACY_CODE]
    assert legacy
    assert all(
        t.type is None or t.type.isdigit() for p in parsed if p.activity for t in p.activity.transactions
    )
