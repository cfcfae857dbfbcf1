"""What `import-iati` and `export-iati` report (QA5 3.4, 4.3, 4.4, 4.6): every item the export could not
write, refused filters, no empty (schema-invalid) file, missing paths named while the rest imports, and
partial files called partial."""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from gapbridge.cli import app
from gapbridge.iati.errors import UnwritableActivityError
from gapbridge.iati.schema import validate_file
from gapbridge.iati.writer import prepare_for_write
from gapbridge.projects.export import activity_dtos, left_out_key
from gapbridge.projects.models import Activity

from ..integration.test_projects_support import ICT_201, ICT_202, ICT_203, LEGACY, edit_file

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _strip_some(root: etree._Element) -> None:
    """Take away what the 2.03 schema requires of an indicator, an other-identifier, a document-link."""
    indicator = root.find(".//result/indicator[@measure]")
    other = root.find(".//other-identifier[@type]")
    link = root.find(".//document-link[@format]")
    assert indicator is not None and other is not None and link is not None
    del indicator.attrib["measure"]
    del other.attrib["type"]
    del link.attrib["format"]


def _expected_left_out() -> Counter[str]:
    expected: Counter[str] = Counter()
    for item in activity_dtos(Activity.objects.all()):
        try:
            _prepared, notes = prepare_for_write(item)
        except UnwritableActivityError:
            continue
        expected.update(left_out_key(note) for note in notes)
    return expected


def test_export_reports_every_item_it_could_not_write(tmp_path: Path) -> None:
    edited = edit_file(ICT_203, tmp_path / "ict.xml", _strip_some)
    runner.invoke(app, ["import-iati", str(edited), str(LEGACY), "--workers", "0"])
    out = tmp_path / "all.xml"
    result = runner.invoke(app, ["export-iati", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert validate_file(out) == []
    expected = _expected_left_out()
    kinds = {key.split(":")[0] for key in expected}
    assert {"indicator", "other-identifier", "document-link"} <= kinds
    for key, count in expected.items():
        assert f"{count} {key}" in result.output, key
    assert f"{sum(expected.values())} item(s) of written activities left out or changed" in result.output
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask, "readable as the umask says, not private"


def test_export_refuses_an_unknown_country_or_publisher(tmp_path: Path) -> None:
    runner.invoke(app, ["import-iati", str(ICT_203), "--workers", "0"])
    out = tmp_path / "x.xml"
    country = runner.invoke(app, ["export-iati", "--out", str(out), "--country", "ZZZ"])
    assert country.exit_code == 2 and "unknown country 'ZZZ'" in country.output
    publisher = runner.invoke(app, ["export-iati", "--out", str(out), "--publisher", "NOPE"])
    assert publisher.exit_code == 2 and "no activity of publisher 'NOPE'" in publisher.output
    assert not out.exists()
    lower = runner.invoke(app, ["export-iati", "--out", str(out), "--country", "ken"])
    assert lower.exit_code == 0, lower.output
    assert validate_file(out) == []


def test_export_writes_no_empty_file_when_nothing_matches(tmp_path: Path) -> None:
    runner.invoke(app, ["import-iati", str(ICT_203), "--workers", "0"])
    out = tmp_path / "x.xml"
    out.write_bytes(b"kept")
    nothing = runner.invoke(app, ["export-iati", "--out", str(out), "--country", "ISL"])
    assert nothing.exit_code == 1 and "no activity matches" in nothing.output
    assert out.read_bytes() == b"kept"  # an existing file is left alone


def test_export_writes_no_file_when_no_matching_activity_can_be_written(tmp_path: Path) -> None:
    def undated(root: etree._Element) -> None:
        for activity in root.findall("iati-activity"):
            for date in activity.findall("activity-date"):
                activity.remove(date)

    runner.invoke(app, ["import-iati", str(edit_file(ICT_201, tmp_path / "u.xml", undated))])
    out = tmp_path / "x.xml"
    result = runner.invoke(app, ["export-iati", "--out", str(out)])
    assert result.exit_code == 1 and "none of the 13 matching activities" in result.output
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


def test_a_missing_path_is_named_and_the_others_still_import(tmp_path: Path) -> None:
    missing = str(tmp_path / "nonexist.xml")
    result = runner.invoke(app, ["import-iati", str(ICT_201), missing, "--workers", "0"])
    assert result.exit_code == 2
    assert "13 new" in result.output and f"{missing}: no such file or directory" in result.output
    assert Activity.objects.count() == 13

    as_json = runner.invoke(app, ["import-iati", str(ICT_201), missing, "--json", "--workers", "0"])
    assert as_json.exit_code == 2
    body = json.loads(as_json.stdout)
    assert body["missing"] == [missing] and body["activities"]["unchanged"] == 13
    only_missing = runner.invoke(app, ["import-iati", missing])
    assert only_missing.exit_code == 2 and missing in only_missing.output


def test_a_file_that_kept_activities_is_reported_partial_not_refused(tmp_path: Path) -> None:
    text = ICT_202.read_bytes()
    truncated = tmp_path / "truncated.xml.gz"
    truncated.write_bytes(gzip.compress(text[: int(len(text) * 0.6)]))
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"\x00\x01 not xml")
    result = runner.invoke(app, ["import-iati", str(truncated), str(garbage), "--workers", "0"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("partial ") and "truncated.xml.gz:" in line for line in lines), lines
    assert any(line.startswith("refused ") and "garbage.xml" in line for line in lines), lines
    assert not any(line.startswith("refused ") and "truncated" in line for line in lines)
    body = json.loads(runner.invoke(app, ["import-iati", str(truncated), str(garbage), "--json"]).stdout)
    statuses = {Path(e["file"]).name: e["status"] for e in body["errors"]}
    assert statuses == {"truncated.xml.gz": "partial", "garbage.xml": "failed"}
