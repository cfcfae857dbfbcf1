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


#: Per-run bookkeeping, not registry content: which run did what, and when.
_RUN_TABLES = {"projects_importrun", "projects_importjob", "projects_importjobtransition"}
#: Columns that record *when* or *by which run* a row was written, never what it holds.
_WHEN_COLUMNS = {"first_imported_at", "imported_at", "cube_built_at", "last_run_id"}
_NATURAL = {
    "projects_activity": ("iati_identifier", "publisher_ref"),
    "projects_sourcefile": ("name",),
    "projects_iatiorganisation": ("organisation_identifier",),
    "organizations_organization": ("iati_ref", "name"),
}


def _registry_models() -> list[Any]:
    from django.apps import apps

    models = [m for m in apps.get_app_config("projects").get_models() if m._meta.db_table not in _RUN_TABLES]
    return [*models, apps.get_model("organizations", "Organization")]


def _content_fields(fields: list[Any]) -> list[Any]:
    return [
        f
        for f in fields
        if not f.primary_key
        and f.column not in _WHEN_COLUMNS
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def snapshot_columns(table: str) -> list[str]:
    """The columns of ``table`` in :func:`full_snapshot`, in its order (foreign keys by their column)."""
    model = next(m for m in _registry_models() if m._meta.db_table == table)
    return [f.column for f in _content_fields(list(model._meta.concrete_fields))]


def activity_key(identifier: str, publisher: str) -> str:
    """How :func:`full_snapshot` shows a foreign key to this activity."""
    return repr((_text(identifier), _text(publisher)))


def full_snapshot(cursor: Any) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every registry table (all projects tables but the per-run bookkeeping, and the
    organizations the import creates), every column but surrogate ids and write timestamps. Foreign keys
    are replaced by the natural key of the row they point to (an activity's identifier and publisher, a
    result's activity and position, a file's name...), so two databases filled in different orders, or
    with a killed run in between, compare equal exactly when they hold the same registry."""
    tables: dict[str, dict[Any, dict[str, Any]]] = {}
    fields: dict[str, list[Any]] = {}
    for model in _registry_models():
        table = model._meta.db_table
        fields[table] = list(model._meta.concrete_fields)
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names from the models
        names = [d[0] for d in cursor.description]
        tables[table] = {
            row[names.index("id")]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()
        }
    cache: dict[tuple[str, Any], str] = {}

    def natural(table: str, pk: Any) -> str:
        if pk is None:
            return ""
        key = (table, pk)
        if key not in cache:
            row = tables[table].get(pk)
            if row is None:
                cache[key] = f"<dangling {table} {pk}>"
            elif table in _NATURAL:
                cache[key] = repr(tuple(_text(row[c]) for c in _NATURAL[table]))
            else:
                parts = [
                    natural(f.related_model._meta.db_table, row[f.column])
                    for f in fields[table]
                    if f.is_relation
                ]
                cache[key] = repr((*parts, _text(row.get("position"))))
        return cache[key]

    out: dict[str, list[tuple[str, ...]]] = {}
    for table, rows in tables.items():
        columns = _content_fields(fields[table])
        out[table] = sorted(
            tuple(
                natural(f.related_model._meta.db_table, row[f.column])
                if f.is_relation
                else _text(row[f.column])
                for f in columns
            )
            for row in rows.values()
        )
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
