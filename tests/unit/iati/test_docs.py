"""Documented means tested (house rule 6): docs/iati.md covers every finding, error and public name."""

from __future__ import annotations

import re
from pathlib import Path

import gapbridge.iati as iati
from gapbridge.iati import errors
from gapbridge.iati.findings import CATALOGUE, FindingCode

DOC = Path(__file__).resolve().parents[3] / "docs" / "iati.md"


def test_every_finding_is_in_the_catalogue_table_with_its_severity() -> None:
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (error|warning|info) \|", DOC.read_text(), re.MULTILINE))
    assert set(rows) == {code.value for code in FindingCode}
    for code, (severity, _meaning) in CATALOGUE.items():
        assert rows[code.value] == severity, code


def test_every_error_is_documented() -> None:
    text = DOC.read_text()
    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, errors.IatiError):
            documented = f"`{name}`" in text or f"{name}(file, line, message)" in text
            assert documented, name


def test_every_public_name_is_documented() -> None:
    text = DOC.read_text()
    for name in iati.__all__:
        assert name in text, name
