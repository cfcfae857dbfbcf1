"""The raw-SQL writer's column lists (rows.TABLES, rows.ACTIVITY_COLUMNS) match the models."""

from __future__ import annotations

from django.apps import apps

from gapbridge.projects.rows import ACTIVITY_COLUMNS, TABLES
from gapbridge.projects.storage import column_limits


def _columns(db_table: str) -> set[str]:
    for model in apps.get_app_config("projects").get_models():
        if model._meta.db_table == db_table:
            return {f.column for f in model._meta.concrete_fields if f.column}
    raise AssertionError(f"no model for {db_table}")


def test_every_written_column_exists_and_every_required_column_is_written() -> None:
    activity = _columns("projects_activity")
    written = {
        *ACTIVITY_COLUMNS,
        "id",
        "reporting_org_id",
        "source_file_id",
        "is_primary",
        "first_imported_at",
        "imported_at",
    }
    assert written == activity
    for key, table in TABLES.items():
        model_columns = _columns(table.db_table)
        extra = {"id", "activity_id"}
        assert set(table.columns) | extra == model_columns, key
        if table.parent:
            assert table.columns[0].endswith("_id") and table.parent in TABLES


def test_size_limits_cover_the_activity_identifier() -> None:
    limits = dict(column_limits()["activity"])
    assert limits[ACTIVITY_COLUMNS.index("iati_identifier")] == 255
