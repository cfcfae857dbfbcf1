"""Helpers shared by the registry tests (no tests here): bundled files, imports, database snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from lxml import etree

from gapbridge.projects import services
from gapbridge.projects.importer import ImportSummary
from gapbridge.projects.rows import TABLES

IATI = Path(settings.DATA_DIR) / "iati"
ACTIVITIES = IATI / "activities"
ICT_201 = ACTIVITIES / "ict-sector-activities_dportal-covid-2021_v2.01.xml"
ICT_202 = ACTIVITIES / "ict-sector-activities_dportal-covid-2021_v2.02.xml"
ICT_203 = ACTIVITIES / "ict-sector-activities_dportal-covid-2021_v2.03.xml"
NL_203 = ACTIVITIES / "example_203_file.xml"
LEGACY = ACTIVITIES / "legacy-v1_complex_example_dfid.xml"
JSON_FILE = ACTIVITIES / "dportal_140.xml.gz"
ORGANISATION = IATI / "organisations" / "example_organisation_203.xml"
SMALL = [ICT_201, ICT_202, NL_203]


def run_import(paths: Iterable[Path | str], **options: Any) -> ImportSummary:
    return services.import_files(None, [str(p) for p in paths], **options)


def snapshot_sql() -> dict[str, list[tuple[Any, ...]]]:
    """Every registry row, with ids replaced by natural keys, as SQL that runs on any connection."""
    key = "a.iati_identifier, a.publisher_ref"
    queries = {
        "activity": "SELECT iati_identifier, publisher_ref, content_hash, derivation, is_primary, "
        "commitments_usd, disbursements_usd, expenditure_usd, unconvertible_transactions "
        "FROM projects_activity a",
    }
    for name, table in TABLES.items():
        columns = [c for c in table.columns if not c.endswith("_id")]
        select = ", ".join(f"t.{c}" for c in columns)
        queries[name] = (
            f"SELECT {key}, {select} FROM {table.db_table} t JOIN projects_activity a ON a.id = t.activity_id"  # noqa: S608
        )
    return queries


def snapshot(cursor: Any) -> dict[str, list[tuple[str, ...]]]:
    """Sorted rows of every registry table (values as text so SQLite and PostgreSQL compare alike)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for name, sql in snapshot_sql().items():
        cursor.execute(sql)
        out[name] = sorted(tuple(_text(v) for v in row) for row in cursor.fetchall())
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    try:  # numbers as numbers: '12.50' == '12.5'
        return repr(round(float(text), 4)) if text.replace(".", "", 1).lstrip("-").isdigit() else text
    except ValueError:
        return text


def edit_file(source: Path, target: Path, edit: Any) -> Path:
    """Copy an IATI file with ``edit(root)`` applied (trusted test data, parsed with lxml)."""
    tree = etree.parse(str(source), etree.XMLParser(resolve_entities=False, no_network=True))
    edit(tree.getroot())
    tree.write(str(target), xml_declaration=True, encoding="utf-8")
    return target
