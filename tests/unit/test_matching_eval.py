"""`gapbridge eval-providers` on the bundled IATI files: exact interface, no leaks, targets met."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gapbridge.cli  # noqa: F401  (registers the commands)
from gapbridge.cli.app import app
from gapbridge.domain.matching import ProviderQuery, QueryCase
from gapbridge.iati.dto import (
    ActivityDTO,
    Narrative,
    ParticipatingOrg,
    RecipientCountry,
    ReportingOrg,
    Sector,
)
from gapbridge.matches import iati_history

ROOT = Path(__file__).resolve().parents[2]
ACTIVITIES = ROOT / "data" / "iati" / "activities"
runner = CliRunner()


def test_bundled_files_beat_the_popularity_baseline_by_the_targets() -> None:
    result = runner.invoke(
        app,
        [
            "eval-providers",
            "--history",
            str(ACTIVITIES),
            "--queries",
            str(ACTIVITIES),
            "--holdout",
            "0.2",
            "--seed",
            "42",
            "--k",
            "10",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert list(body) == ["queries", "k", "matcher", "popularity"]
    assert set(body["matcher"]) == set(body["popularity"]) == {"recall@1", "recall@5", "recall@10", "mrr"}
    assert body["k"] == 10 and body["queries"] > 150
    matcher, popularity = body["matcher"], body["popularity"]
    assert 1 - matcher["recall@10"] <= 0.5 * (1 - popularity["recall@10"])
    assert matcher["mrr"] >= 1.5 * popularity["mrr"]
    assert matcher["recall@1"] <= matcher["recall@5"] <= matcher["recall@10"]


def test_several_paths_follow_one_flag_and_bad_input_exits_2(tmp_path: Path) -> None:
    files = sorted(ACTIVITIES.glob("ict-sector-*.xml"))
    ok = runner.invoke(
        app,
        [
            "eval-providers",
            "--history",
            str(files[2]),
            str(ACTIVITIES / "dportal_97.xml.gz"),
            "--queries",
            str(files[0]),
            str(files[1]),
            "--k",
            "5",
            "--json",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["k"] == 5
    missing = runner.invoke(
        app, ["eval-providers", "--history", str(tmp_path / "nope.xml"), "--queries", str(files[0])]
    )
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    no_queries = runner.invoke(app, ["eval-providers", "--history", str(files[0])])
    assert no_queries.exit_code == 2 and "--queries needs at least one" in no_queries.output
    same = runner.invoke(app, ["eval-providers", "--history", str(files[0]), "--queries", str(files[0])])
    assert same.exit_code == 2 and "no history left" in same.output
    both = runner.invoke(
        app,
        [
            "eval-providers",
            "--history",
            str(files[1]),
            "--queries",
            str(files[0]),
            "--holdout",
            "0.2",
            "--split-date",
            "2020-01-01",
        ],
    )
    assert both.exit_code == 2 and "give one of them" in both.output


def _activity(identifier: str, reporting: str, funder: str, implementer: str) -> ActivityDTO:
    return ActivityDTO(
        iati_identifier=identifier,
        reporting_org=ReportingOrg(ref=reporting, narratives=(Narrative("Reporter"),)),
        titles=(Narrative(f"Broadband for schools {reporting}"),),
        participating_orgs=(
            ParticipatingOrg(role="1", ref=funder),
            ParticipatingOrg(role="4", ref=implementer),
            ParticipatingOrg(role="3", ref=None),
        ),
        recipient_countries=(RecipientCountry("NE"),),
        sectors=(Sector("22040"),),
    )


def test_queries_carry_no_identifier_and_no_organisation() -> None:
    activity = _activity("XM-DAC-41114-PROJ-1", "XM-DAC-41114", "GB-GOV-1", "NGO-9")
    case = iati_history.query_case(activity)
    assert isinstance(case, QueryCase)
    assert case.truth == frozenset({"XM-DAC-41114", "GB-GOV-1"}), "role 4 is not a provider; refs only"
    assert isinstance(case.query, ProviderQuery)
    exposed = json.dumps(
        [
            sorted(case.query.countries),
            sorted(case.query.regions),
            sorted(case.query.sectors),
            sorted(case.query.focus_areas),
        ]
    )
    for secret in ("XM-DAC-41114", "GB-GOV-1", "NGO-9", "PROJ-1"):
        assert secret not in exposed
    assert case.query.countries == frozenset({"NER"})
    assert "Sub-Saharan Africa" in case.query.regions
    assert "connectivity-infrastructure" in case.query.focus_areas


def test_a_query_activity_is_never_history_too() -> None:
    a = _activity("A-1", "ORG-A", "ORG-F", "X")
    b = _activity("B-1", "ORG-B", "ORG-F", "X")
    split = iati_history.split({"A-1": a, "B-1": b}, {"A-1": a})
    assert split.dropped_from_history == 1
    assert [r.orgs for r in split.history] == [("ORG-B", "ORG-F")]
    assert len(split.cases) == 1 and split.cases[0].truth == frozenset({"ORG-A", "ORG-F"})


@pytest.mark.parametrize("holdout", [0.2, 0.5])
def test_random_holdout_is_fixed_by_the_seed(holdout: float) -> None:
    activities = {f"A-{i}": _activity(f"A-{i}", f"ORG-{i % 3}", "F", "X") for i in range(20)}
    one = iati_history.split(activities, activities, holdout=holdout, seed=1)
    two = iati_history.split(activities, activities, holdout=holdout, seed=1)
    assert [c.truth for c in one.cases] == [c.truth for c in two.cases]
    assert len(one.cases) == round(20 * holdout) and len(one.history) == 20 - len(one.cases)
