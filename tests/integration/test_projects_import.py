"""Importing real IATI files: idempotence, newer-wins, publishers, hostile files, organisations, audit."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.db import connection
from lxml import etree

from gapbridge.audit.models import AuditEntry
from gapbridge.organizations.models import Organization
from gapbridge.projects import services
from gapbridge.projects.importer import ImportInputError, context
from gapbridge.projects.models import (
    Activity,
    Finding,
    FundingFact,
    IatiOrganisation,
    ImportRun,
    RecipientCountry,
    Result,
    SourceFile,
    Transaction,
)
from gapbridge.projects.pipeline import Batch, pack, read_file
from gapbridge.projects.storage import newer, primary_of

from .test_projects_support import (
    ACTIVITIES,
    ICT_201,
    ICT_202,
    JSON_FILE,
    LEGACY,
    NL_203,
    ORGANISATION,
    SMALL,
    edit_file,
    full_snapshot,
    run_import,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_bundled_sample_imports_and_a_second_run_changes_nothing() -> None:
    first = services.load_bundled_sample()
    data = first.as_dict()
    assert data["files"] == 10 and data["files_failed"] == 1
    acts = data["activities"]
    # 969 activities in the 8 activity files; 3 are older copies of activities in dportal-2023 (skipped)
    assert acts["new"] + acts["skipped"] + acts["unchanged"] + acts["updated"] == 969
    assert acts["new"] == Activity.objects.count() == 966
    assert data["organisations"]["new"] == 1
    assert [e["file"].endswith("dportal_140.xml.gz") for e in data["errors"]] == [True]
    with connection.cursor() as cursor:
        before = snapshot(cursor)
    second = services.load_bundled_sample().as_dict()
    assert second["activities"] == {"new": 0, "updated": 0, "unchanged": 966, "skipped": 3}
    assert second["organisations"]["unchanged"] == 1
    with connection.cursor() as cursor:
        assert snapshot(cursor) == before
    assert ImportRun.objects.filter(status="finished").count() == 2
    audit = AuditEntry.objects.filter(object_type="projects.importrun", action="import")
    assert audit.count() == 2 and audit.first().after["activities"]["unchanged"] == 966  # type: ignore[union-attr]


def test_everything_modelled_is_stored() -> None:
    run_import([NL_203, ICT_202, LEGACY])
    nl = Activity.objects.get(iati_identifier="NL-1-PPR-24706")
    assert nl.publisher_ref == "XM-DAC-7" and nl.reporting_org is not None
    assert nl.reporting_org.iati_ref == "XM-DAC-7"
    assert nl.titles and all(len(pair) == 2 for pair in nl.titles)
    assert nl.transactions.count() > 0 and nl.budgets.count() > 0
    # transactions keep original and USD values
    t = Transaction.objects.filter(activity=nl, currency="EUR").exclude(value_usd=None).first()
    assert t is not None and t.value_usd is not None and t.value is not None and t.value_usd != t.value
    # legacy 1.x codes are stored as 2.x codes
    legacy = Activity.objects.filter(publisher_ref="GB-CHC-285776").first()
    assert legacy is not None and legacy.version.startswith("1")
    assert set(
        Transaction.objects.filter(activity__publisher_ref="GB-CHC-285776").values_list("type", flat=True)
    ) <= {str(n) for n in range(1, 14)}
    assert RecipientCountry.objects.filter(iso3="JOR").exists()


def test_results_chain_is_stored_in_order() -> None:
    services.load_bundled_sample()
    result = Result.objects.filter(indicators__periods__values__isnull=False).first()
    assert result is not None
    indicator = result.indicators.first()
    assert indicator is not None and indicator.activity_id == result.activity_id
    period = indicator.periods.first()
    assert period is not None and {v.kind for v in period.values.all()} <= {"target", "actual"}


def _set_updated(
    root: etree._Element, when: str, title: str | None = None, identifier: str | None = None
) -> None:
    first = root.find("iati-activity")
    assert first is not None
    first.set("last-updated-datetime", when)
    if title is not None:
        narrative = first.find("title/narrative")
        assert narrative is not None
        narrative.text = title
    if identifier is not None:
        node = first.find("iati-identifier")
        assert node is not None
        node.text = identifier


def test_newer_wins_and_older_never_overwrites(tmp_path: Path) -> None:
    base = edit_file(ICT_202, tmp_path / "base.xml", lambda r: _set_updated(r, "2021-03-01T00:00:00"))
    run_import([base])
    first = etree.parse(str(base)).getroot().find("iati-activity/iati-identifier")
    assert first is not None
    identifier = first.text
    stored = Activity.objects.get(iati_identifier=identifier)
    original_title = stored.title

    older = edit_file(
        ICT_202, tmp_path / "older.xml", lambda r: _set_updated(r, "2020-01-01T00:00:00", "OLD")
    )
    summary = run_import([older]).as_dict()
    assert summary["activities"]["skipped"] == 1
    assert Activity.objects.get(iati_identifier=identifier).title == original_title

    newer_file = edit_file(
        ICT_202, tmp_path / "newer.xml", lambda r: _set_updated(r, "2022-06-01T00:00:00", "NEW")
    )
    summary = run_import([newer_file]).as_dict()
    assert summary["activities"]["updated"] == 1
    updated = Activity.objects.get(iati_identifier=identifier)
    assert updated.title == "NEW" and updated.pk == stored.pk  # the row keeps its id
    assert updated.first_imported_at == stored.first_imported_at

    # the older file again, in any order: still the newer version
    run_import([older, base])
    assert Activity.objects.get(iati_identifier=identifier).title == "NEW"


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_two_versions_in_one_run_count_alike_in_either_order(tmp_path: Path, order: str) -> None:
    """Batches of one activity each: the two versions meet in different transactions (as with workers)."""
    older = edit_file(
        ICT_202, tmp_path / "older.xml", lambda r: _set_updated(r, "2020-01-01T00:00:00", "OLD")
    )
    newer_file = edit_file(
        ICT_202, tmp_path / "newer.xml", lambda r: _set_updated(r, "2022-06-01T00:00:00", "NEW")
    )
    files = [older, newer_file] if order == "older first" else [newer_file, older]
    activities = run_import(files, batch_size=1).as_dict()["activities"]
    total = sum(1 for _ in etree.parse(str(ICT_202)).getroot().iter("iati-activity"))
    assert activities == {"new": total, "updated": 0, "unchanged": total - 1, "skipped": 1}
    assert Activity.objects.filter(title="NEW").count() == 1


def test_tie_break_is_order_independent() -> None:
    from datetime import UTC, datetime

    moment = datetime(2021, 1, 1, tzinfo=UTC)
    assert newer(moment, "b", moment, "a") and not newer(moment, "a", moment, "b")
    assert newer(moment, "a", None, "z") and not newer(None, "z", moment, "a")
    assert primary_of("XM-1-9", [(1, "XM-2", moment), (2, "XM-1", None)]) == 2
    assert primary_of("ZZ-9", [(1, "A", None), (2, "B", moment)]) == 2


def test_same_identifier_from_two_publishers_is_kept_for_each_and_linked(tmp_path: Path) -> None:
    run_import([ICT_202])

    def other_publisher(root: etree._Element) -> None:
        for org in root.iter("reporting-org"):
            org.set("ref", "XX-OTHER-1")

    copy = edit_file(ICT_202, tmp_path / "copy.xml", other_publisher)
    run_import([copy])
    activity = Activity.objects.filter(publisher_ref="XM-DAC-41122").first()
    assert activity is not None
    twins = activity.same_identifier()
    assert [t.publisher_ref for t in twins] == ["XX-OTHER-1"]
    assert activity.is_primary and not twins[0].is_primary  # the publisher named in the identifier counts
    # facts of non-primary copies exist but are not counted in the cube
    assert (
        FundingFact.objects.filter(activity=twins[0]).exists()
        or not FundingFact.objects.filter(activity=activity).exists()
    )


def test_hostile_and_broken_files_are_reported_and_the_rest_imports(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        "<iati-activities><iati-activity><iati-identifier>&lol2;</iati-identifier></iati-activity></iati-activities>"
    )
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        "<iati-activities><iati-activity><iati-identifier>&e;</iati-identifier></iati-activity></iati-activities>"
    )
    text = ICT_202.read_bytes()
    truncated = tmp_path / "truncated.xml.gz"
    cut = text[: int(len(text) * 0.6)]
    truncated.write_bytes(gzip.compress(cut))
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"\x00\x01\x02 not xml at all")
    summary = run_import([bomb, xxe, truncated, garbage, JSON_FILE, ICT_201]).as_dict()
    errors = {Path(e["file"]).name: e for e in summary["errors"]}
    assert set(errors) == {"bomb.xml", "xxe.xml", "truncated.xml.gz", "garbage.xml", "dportal_140.xml.gz"}
    assert errors["bomb.xml"]["error"] == "UnsafeXmlError" and errors["bomb.xml"]["line"] == 2
    assert errors["xxe.xml"]["error"] == "UnsafeXmlError"
    assert (
        errors["truncated.xml.gz"]["error"] == "TruncatedXmlError"
        and errors["truncated.xml.gz"]["line"] > 100
    )
    assert (
        errors["dportal_140.xml.gz"]["error"] == "NotXmlError"
        and "JSON" in errors["dportal_140.xml.gz"]["message"]
    )
    assert errors["garbage.xml"]["error"] == "NotXmlError"
    assert summary["files_failed"] == 5
    # the good file imported in full; the truncated one up to the break
    assert Activity.objects.filter(source_file__name=str(ICT_201)).count() == 13
    partial = SourceFile.objects.get(name=str(truncated))
    assert (
        partial.status == SourceFile.Status.PARTIAL
        and partial.error_line == errors["truncated.xml.gz"]["line"]
    )
    assert 0 < Activity.objects.filter(source_file=partial).count() < 13
    assert SourceFile.objects.get(name=str(bomb)).status == SourceFile.Status.FAILED
    assert not Activity.objects.filter(iati_identifier__contains="lol").exists()
    assert not Activity.objects.filter(title__contains="root:").exists()


def test_activity_without_identifier_is_skipped_with_a_finding(tmp_path: Path) -> None:
    def drop_identifier(root: etree._Element) -> None:
        first = root.find("iati-activity")
        assert first is not None
        node = first.find("iati-identifier")
        assert node is not None
        first.remove(node)

    path = edit_file(ICT_201, tmp_path / "noid.xml", drop_identifier)
    summary = run_import([path]).as_dict()
    assert summary["activities"]["skipped"] == 1 and summary["activities"]["new"] == 12
    finding = Finding.objects.get(activity__isnull=True, source_file__name=str(path))
    assert finding.code == "missing-identifier" and finding.severity == "error" and finding.line


def test_findings_are_stored_per_activity_with_severity() -> None:
    run_import([ACTIVITIES / "ict-sector-activities_dportal-covid-2021_v2.03.xml"])
    codes = set(Finding.objects.values_list("code", flat=True))
    assert Finding.objects.filter(activity__isnull=False).exists()
    assert set(Finding.objects.values_list("severity", flat=True)) <= {"error", "warning", "info"}
    assert {"percentage-sum", "split-normalised"} <= codes
    # every activity whose split was normalised also carries the adapter's percentage finding
    normalised = set(Finding.objects.filter(code="split-normalised").values_list("activity", flat=True))
    flagged = set(
        Finding.objects.filter(code__in=["percentage-sum", "missing-percentage"]).values_list(
            "activity", flat=True
        )
    )
    assert normalised and normalised <= flagged


def test_reporting_orgs_become_organizations_through_an_audited_import() -> None:
    run_import(SMALL)
    refs = set(Activity.objects.exclude(publisher_ref="").values_list("publisher_ref", flat=True))
    orgs = Organization.objects.filter(iati_ref__in=refs)
    assert orgs.count() == len(refs)
    entry = AuditEntry.objects.filter(object_type="organizations.organization", action="import").first()
    assert entry is not None and "import run" in entry.reason
    assert all(a.reporting_org_id for a in Activity.objects.exclude(publisher_ref=""))


def test_organisation_file_is_imported_and_linked() -> None:
    summary = run_import([ORGANISATION]).as_dict()
    assert summary["organisations"]["new"] == 1 and not summary["errors"]
    org = IatiOrganisation.objects.get()
    assert org.organization is not None and org.organization.iati_ref == org.organisation_identifier
    assert org.total_budgets.count() > 0
    assert SourceFile.objects.get(name=str(ORGANISATION)).kind == "iati-organisations"


def test_missing_path_is_an_input_error() -> None:
    with pytest.raises(ImportInputError, match="no-such-dir"):
        run_import(["/no-such-dir"])


def test_parallel_workers_give_the_same_database() -> None:
    # Workers only read and prepare; the writer stays in this process (so the test database is fine).
    paths = [ACTIVITIES, ORGANISATION]
    serial_run = run_import(paths)
    with connection.cursor() as cursor:
        serial = full_snapshot(cursor)
    for workers in (1, 2):
        Activity.objects.all().delete()
        summary = run_import(paths, workers=workers)
        assert sum(summary.activities.values()) == sum(serial_run.activities.values()) == 969
        assert summary.findings == serial_run.findings and summary.files == serial_run.files
        with connection.cursor() as cursor:
            assert full_snapshot(cursor) == serial, f"--workers {workers} gives another database"


def test_batches_from_worker_processes_arrive_exactly_as_prepared() -> None:
    ctx = context()
    batches = [
        message
        for index, path in enumerate(sorted(ACTIVITIES.iterdir()))
        for message in read_file(index, str(path), path.name, ctx, 50)
        if isinstance(message, Batch)
    ]
    assert sum(len(b.items) for b in batches) == 969
    for batch in batches:
        packed = pack(batch)
        assert packed.packed is not None and packed.items == [] and packed.size == batch.size
        assert packed.prepared() == batch.items


def test_garbage_values_longer_than_a_column_do_not_abort_the_batch(tmp_path: Path) -> None:
    def garbage(root: etree._Element) -> None:
        first = root.find("iati-activity")
        assert first is not None
        sector = first.find("sector")
        assert sector is not None
        sector.set("code", "9" * 300)
        status = first.find("activity-status")
        assert status is not None
        status.set("code", "NOT A STATUS " * 20)

    path = edit_file(ICT_201, tmp_path / "garbage.xml", garbage)
    summary = run_import([path]).as_dict()
    assert summary["activities"]["new"] == 13 and not summary["errors"]
    assert Activity.objects.filter(activity_status__startswith="NOT A STATUS").count() == 1
    assert all(len(code) <= 100 for code in Activity.objects.values_list("sectors__code", flat=True) if code)


def test_planner_statistics_are_refreshed_as_an_import_grows_the_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gapbridge.projects import storage

    monkeypatch.setattr(storage, "ANALYZE_AFTER", 200)
    sizes: list[int] = []
    analyze = storage.Writer.analyze

    def counting(self: storage.Writer) -> None:
        sizes.append(self._table_size())
        analyze(self)

    monkeypatch.setattr(storage.Writer, "analyze", counting)
    run_import([ACTIVITIES], batch_size=200)
    if connection.vendor != "postgresql":
        assert sizes == []  # SQLite plans these lookups with the indexes anyway
        return
    # refreshed as the table grew by half, not after every batch
    assert sizes == sorted(sizes) and 2 <= len(sizes) < 966 // 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'projects_activity'")
        assert cursor.fetchone()[0] >= sizes[-1]
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stats "
            "WHERE tablename = 'projects_activity' AND attname = 'iati_identifier'"
        )
        assert cursor.fetchone()[0] == 1
