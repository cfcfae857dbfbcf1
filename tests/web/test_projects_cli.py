"""`gapbridge import-iati`, `export-iati`, `export-iati-organisations` and `import-worker`, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gapbridge.cli import app
from gapbridge.iati.parser import iter_file
from gapbridge.iati.schema import validate_file
from gapbridge.projects.models import Activity

from ..integration.test_projects_support import ICT_201, ICT_203, JSON_FILE, NL_203, ORGANISATION

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_import_iati_json_summary_and_a_second_run_changes_nothing() -> None:
    args = ["import-iati", str(ICT_201), str(NL_203), str(JSON_FILE), "--json", "--workers", "0"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    body = json.loads(first.stdout)
    assert body["files"] == 3 and body["files_failed"] == 1
    assert body["activities"] == {"new": 26, "updated": 0, "unchanged": 0, "skipped": 0}
    assert body["errors"][0]["file"] == str(JSON_FILE) and body["errors"][0]["line"] == 1
    assert isinstance(body["findings"], int)
    again = json.loads(runner.invoke(app, args).stdout)
    assert again["activities"] == {"new": 0, "updated": 0, "unchanged": 26, "skipped": 0}


def test_import_iati_human_summary_names_bad_files() -> None:
    result = runner.invoke(app, ["import-iati", str(ICT_201), str(JSON_FILE)])
    assert result.exit_code == 0
    assert "13 new" in result.output and "dportal_140.xml.gz:1" in result.output


def test_import_iati_bad_input_exits_2() -> None:
    missing = runner.invoke(app, ["import-iati", "/no/such/file.xml"])
    assert missing.exit_code == 2 and "/no/such/file.xml" in missing.output
    nothing = runner.invoke(app, ["import-iati"])
    assert nothing.exit_code == 2 and "--bundled" in nothing.output


def test_export_iati_with_filters_writes_valid_iati(tmp_path: Path) -> None:
    runner.invoke(app, ["import-iati", str(ICT_203), str(NL_203), "--workers", "0"])
    out = tmp_path / "kenya.xml"
    result = runner.invoke(app, ["export-iati", "--out", str(out), "--country", "KEN"])
    assert result.exit_code == 0, result.output
    assert validate_file(out) == []
    exported = {p.activity.iati_identifier for p in iter_file(out) if p.activity}
    assert exported == set(Activity.objects.in_country("KEN").values_list("iati_identifier", flat=True))

    by_publisher = tmp_path / "nl.xml"
    runner.invoke(app, ["export-iati", "--out", str(by_publisher), "--publisher", "XM-DAC-7"])
    assert len(list(iter_file(by_publisher))) == 13

    digital = tmp_path / "digital.xml"
    ok = runner.invoke(
        app, ["export-iati", "--out", str(digital), "--focus-area", "connectivity-infrastructure"]
    )
    assert ok.exit_code == 0 and validate_file(digital) == []
    bad = runner.invoke(app, ["export-iati", "--out", str(digital), "--focus-area", "space"])
    assert bad.exit_code == 2 and "unknown focus area" in bad.output
    nowhere = runner.invoke(app, ["export-iati", "--out", "/no/such/dir/x.xml"])
    assert nowhere.exit_code == 2


def test_organisation_export_and_worker(tmp_path: Path) -> None:
    out = tmp_path / "orgs.xml"
    empty = runner.invoke(app, ["export-iati-organisations", "--out", str(out)])
    assert empty.exit_code == 1 and "nothing written" in empty.output and not out.exists()
    runner.invoke(app, ["import-iati", str(ORGANISATION)])
    unknown = runner.invoke(app, ["export-iati-organisations", "--out", str(out), "--publisher", "NOPE"])
    assert unknown.exit_code == 2 and "no organisation 'NOPE'" in unknown.output and not out.exists()
    result = runner.invoke(app, ["export-iati-organisations", "--out", str(out)])
    assert result.exit_code == 0 and validate_file(out) == []
    worker = runner.invoke(app, ["import-worker", "--once"])
    assert worker.exit_code == 0 and "0 upload(s)" in worker.output


def test_error_messages_are_not_broken_inside_a_long_path(tmp_path: Path) -> None:
    missing = tmp_path / ("a-rather-long-folder-name-" * 4) / "activities.xml"
    result = runner.invoke(app, ["import-iati", str(missing)])
    assert result.exit_code == 2
    assert f"error: {missing}: no such file or directory" in result.output


def test_workers_default_to_the_cpus_for_large_runs_only(tmp_path: Path) -> None:
    from gapbridge.projects.importer import AUTO_WORKERS_FROM, auto_workers

    small = [(str(ICT_201), str(ICT_201))]
    big = tmp_path / "big.xml"
    big.write_bytes(b" " * AUTO_WORKERS_FROM)
    large = [(str(big), str(big))]
    assert auto_workers(small, cpus=8) == 0
    assert auto_workers(large, cpus=1) == 0
    assert auto_workers(large, cpus=2) == 2 and auto_workers(large, cpus=16) == 4
    result = runner.invoke(app, ["import-iati", str(ICT_201), "--workers", "-1"])
    assert result.exit_code == 2 and "--workers must be 0 or more; got -1" in result.output
