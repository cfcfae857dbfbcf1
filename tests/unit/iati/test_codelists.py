"""Codelists: generated from the official XML by codelists_build, loaded from the bundled JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gapbridge.iati import codelists_build
from gapbridge.iati.codelists import Codelists, data_dir, load_codelists, parse_codelists

#: Every codelist the readers consult (a typo here would silently disable a check).
USED = [
    "ActivityDateType", "ActivityScope", "ActivityStatus", "AidType", "AidTypeVocabulary",
    "BudgetNotProvided", "BudgetStatus", "BudgetType", "CRSChannelCode", "CashandVoucherModalities",
    "CollaborationType", "Country", "Currency", "DescriptionType", "DisbursementChannel",
    "DocumentCategory", "EarmarkingCategory", "FileFormat",
    "FinanceType", "FlowType", "GeographicExactness", "GeographicLocationClass", "GeographicLocationReach",
    "GeographicVocabulary", "IndicatorMeasure", "Language", "LocationType", "OrganisationRole",
    "OrganisationType", "OtherIdentifierType", "PolicyMarker", "PolicyMarkerVocabulary", "PolicySignificance",
    "Region", "RegionVocabulary", "RelatedActivityType", "ResultType", "Sector", "SectorCategory",
    "SectorVocabulary", "TagVocabulary", "TiedStatus", "TransactionType", "UNSDG-Goals", "UNSDG-Targets",
    "Version",
]  # fmt: skip


def test_bundled_json_has_all_70_official_codelists(codelists: Codelists) -> None:
    assert len(codelists.names()) == 70
    for name in USED:
        assert name in codelists, name


def test_counts_match_the_official_files(codelists: Codelists) -> None:
    # item counts as stated in data/iati/PROVENANCE.md (withdrawn items included)
    assert len(codelists["Sector"].names) == 325
    assert len(codelists["Country"].names) == 251
    assert len(codelists["Currency"].names) == 176
    assert len(codelists["TransactionType"].names) == 13
    assert codelists["Country"].complete is False and codelists["TransactionType"].embedded is True


def test_status(codelists: Codelists) -> None:
    assert codelists.status("Sector", "22040") == "active"
    assert codelists.status("FlowType", "20") == "withdrawn"
    assert codelists.status("Sector", "nope") == "unknown"
    assert codelists.status("NoSuchList", "1") == "unknown"
    assert codelists.code_for_name("OrganisationRole", " funding ") == "1"
    assert codelists["Sector"].categories["22040"] == "220"


def test_sources_are_recorded(codelists: Codelists) -> None:
    assert "75e827bacd29f77356cb43defbc0b655705432f3" in codelists.sources["embedded"]
    assert "7aeece773c60afa0265eb95e988d5e61e96d8482" in codelists.sources["non-embedded"]


def test_build_script(tmp_path: Path) -> None:
    (tmp_path / "embedded").mkdir()
    (tmp_path / "non-embedded").mkdir()
    (tmp_path / "embedded" / "Demo.xml").write_text(
        '<codelist name="Demo" complete="1" embedded="1"><codelist-items>'
        "<codelist-item><code>1</code><name><narrative>One</narrative>"
        '<narrative xml:lang="fr">Un</narrative></name></codelist-item>'
        '<codelist-item status="withdrawn"><code>2</code><name><narrative>Two</narrative></name>'
        "<category>A</category></codelist-item>"
        "</codelist-items></codelist>",
        encoding="utf-8",
    )
    (tmp_path / "non-embedded" / "Other.xml").write_text(
        '<codelist name="Other" complete="0" embedded="0"><codelist-items/></codelist>', encoding="utf-8"
    )
    out = tmp_path / "out" / "codelists.json"
    codelists_build.main(["--source", str(tmp_path), "--out", str(out)])
    document = json.loads(out.read_text(encoding="utf-8"))
    lists = parse_codelists(document)
    assert lists["Demo"].names == {"1": "One", "2": "Two"}
    assert lists["Demo"].withdrawn == {"2"} and lists["Demo"].categories == {"2": "A"}
    assert lists["Other"].complete is False
    assert set(document["inputs_sha256"]) == {"embedded/Demo.xml", "non-embedded/Other.xml"}


def test_build_script_needs_both_folders(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        codelists_build.build(tmp_path)


def test_data_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPBRIDGE_IATI_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("GAPBRIDGE_IATI_DATA")
    assert (data_dir() / "codelists" / "codelists.json").is_file()
    assert load_codelists() is load_codelists()
