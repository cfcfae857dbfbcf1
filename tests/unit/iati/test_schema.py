"""validate_file: XSD findings from the bundled official 2.03 schema (schema-invalid files still import)."""

from __future__ import annotations

import io

import pytest

from gapbridge.iati.errors import NotXmlError, SchemaUnavailableError
from gapbridge.iati.findings import FindingCode
from gapbridge.iati.parser import iter_file
from gapbridge.iati.schema import validate_file

from .conftest import ACTIVITIES, EXAMPLE_ACTIVITY, ORGANISATION_FILES


@pytest.mark.parametrize(
    "path", [EXAMPLE_ACTIVITY, ACTIVITIES / "example_203_file.xml", *ORGANISATION_FILES], ids=lambda p: p.name
)
def test_valid_files(path: object) -> None:
    assert validate_file(path) == []  # type: ignore[arg-type]


def test_invalid_real_file_gives_findings_with_path_and_line() -> None:
    path = ACTIVITIES / "ict-sector-activities_dportal-covid-2021_v2.03.xml"
    findings = validate_file(path, "2.03")
    assert len(findings) == 12
    assert {f.code for f in findings} == {FindingCode.SCHEMA_INVALID}
    assert all(f.severity == "error" and f.line and f.path.startswith("/iati-activities/") for f in findings)
    assert any("budget-item" in f.message and "vocabulary" in f.message for f in findings)
    assert any("'-2e-10' is not a valid value" in f.message for f in findings)
    # ... and the file still imports
    assert len(list(iter_file(path))) == 167


def test_gzip_file() -> None:
    findings = validate_file(ACTIVITIES / "dportal_97.xml.gz")
    assert findings and all(f.code == FindingCode.SCHEMA_INVALID for f in findings)


def test_unbundled_version() -> None:
    with pytest.raises(SchemaUnavailableError):
        validate_file(EXAMPLE_ACTIVITY, "1.01")


def test_not_xml() -> None:
    with pytest.raises(NotXmlError):
        validate_file(ACTIVITIES / "dportal_140.xml.gz")


def test_malformed_file() -> None:
    from gapbridge.iati.errors import MalformedXmlError

    with pytest.raises(MalformedXmlError) as caught:
        validate_file(
            io.BytesIO(b'<iati-activities version="2.03">\n<a></b>\n</iati-activities>'), name="x.xml"
        )
    assert (caught.value.file, caught.value.line) == ("x.xml", 2)
