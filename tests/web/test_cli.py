"""The `gapbridge` commands that the foundation promises, run in-process against the test database."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gapbridge.cli import app
from gapbridge.countries.models import PillarScore

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_gap_index_json_matches_stored_scores() -> None:
    result = runner.invoke(app, ["gap-index", "--country", "NER", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["iso3"] == "NER" and body["income_group"]["code"] == "L"
    stored = {p.pillar: p.score for p in PillarScore.objects.filter(economy__iso3="NER")}
    assert {p["code"]: p["score"] for p in body["gap_index"]["pillars"]} == {
        k: (round(v, 1) if v is not None else None) for k, v in stored.items()
    }
    assert "ldc" in {g["code"] for g in body["groups"]}


def test_gap_index_table_and_unknown_country() -> None:
    ok = runner.invoke(app, ["gap-index", "--country", "ken"])
    assert ok.exit_code == 0 and "Kenya" in ok.stdout and "Connectivity" in ok.stdout
    bad = runner.invoke(app, ["gap-index", "--country", "ZZZ"])
    assert bad.exit_code == 2 and "no economy with ISO3 code 'ZZZ'" in bad.output


def test_load_reference_json_reports_unchanged() -> None:
    result = runner.invoke(app, ["load-reference", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "unchanged"


def test_add_user_with_role(monkeypatch: pytest.MonkeyPatch) -> None:
    from gapbridge.accounts.models import RoleAssignment

    monkeypatch.setenv("GAPBRIDGE_PASSWORD", "a-long-enough-passphrase")
    result = runner.invoke(
        app, ["add-user", "amina", "--email", "a@example.org", "--role", "focal_point", "--country", "NER"]
    )
    assert result.exit_code == 0, result.output
    assert RoleAssignment.objects.get(user__username="amina").economy.iso3 == "NER"  # type: ignore[union-attr]
    weak = runner.invoke(
        app, ["add-user", "bob", "--email", "b@example.org"], env={"GAPBRIDGE_PASSWORD": "123"}
    )
    assert weak.exit_code == 2 and "password rejected" in weak.output
