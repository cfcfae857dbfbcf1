"""One `SourceFile` per file actually read: two different files with the same name (two uploads called
`data.xml`, or `data.xml` imported from two folders) keep separate records, reports and activities, while
re-importing the same file (same path, same upload) finds its own record again and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from typer.testing import CliRunner

from gapbridge.accounts.models import Role
from gapbridge.cli import app
from gapbridge.projects import services
from gapbridge.projects.models import Activity, ImportJob, SourceFile

from ..factories import user
from .test_projects_support import ICT_201

pytestmark = pytest.mark.django_db
runner = CliRunner()
NOT_XML = b'{"result": [], "note": "this is JSON, not IATI"}'


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _upload(name: str, content: bytes) -> ImportJob:
    staff = user(f"sec-{ImportJob.objects.count()}", Role.SECRETARIAT)
    job = services.create_upload_job(staff, SimpleUploadedFile(name, content, "application/xml"))
    services.work_queue("test-worker", once=True)
    job.refresh_from_db()
    return job


def test_two_uploads_with_the_same_name_keep_their_own_file_record() -> None:
    good = _upload("data.xml", ICT_201.read_bytes())
    bad = _upload("data.xml", NOT_XML)
    assert good.status == ImportJob.Status.DONE and bad.status == ImportJob.Status.FAILED

    assert SourceFile.objects.count() == 2
    first = SourceFile.objects.get(status=SourceFile.Status.IMPORTED)
    second = SourceFile.objects.get(status=SourceFile.Status.FAILED)
    assert first.size == len(ICT_201.read_bytes())
    assert "not XML" in second.error
    assert second.size == len(NOT_XML)
    assert Activity.objects.filter(source_file=first).count() == 13
    assert not Activity.objects.filter(source_file=second).exists()
    # Both are shown by the name they were uploaded with, without any server folder.
    assert first.display_name == second.display_name == "data.xml"


def test_re_running_an_upload_reuses_its_file_record() -> None:
    job = _upload("data.xml", ICT_201.read_bytes())
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED)  # as if its worker died
    services.retry_job(user("sec-retry", Role.SECRETARIAT), job.pk)
    services.work_queue("test-worker", once=True)
    job.refresh_from_db()
    assert job.summary["activities"]["unchanged"] == 13
    assert SourceFile.objects.count() == 1


def test_the_same_name_in_two_folders_is_two_files_and_the_same_path_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "d1").mkdir()
    (tmp_path / "d2").mkdir()
    (tmp_path / "d1" / "data.xml").write_bytes(ICT_201.read_bytes())
    (tmp_path / "d2" / "data.xml").write_bytes(NOT_XML)

    monkeypatch.chdir(tmp_path / "d1")
    assert runner.invoke(app, ["import-iati", "data.xml", "--workers", "0"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "d2")
    runner.invoke(app, ["import-iati", "data.xml", "--workers", "0"])

    first = SourceFile.objects.get(name=str(tmp_path / "d1" / "data.xml"))
    second = SourceFile.objects.get(name=str(tmp_path / "d2" / "data.xml"))
    assert first.status == SourceFile.Status.IMPORTED and second.status == SourceFile.Status.FAILED
    assert Activity.objects.filter(source_file=first).count() == 13
    assert first.display_name == second.display_name == "data.xml"

    # The same file again, given relatively, through "..", or absolutely: the same record, unchanged.
    monkeypatch.chdir(tmp_path / "d1")
    for given in ("data.xml", "../d1/data.xml", str(tmp_path / "d1" / "data.xml")):
        again = runner.invoke(app, ["import-iati", given, "--json", "--workers", "0"])
        assert again.exit_code == 0, again.output
        assert '"unchanged": 13' in again.stdout
    assert SourceFile.objects.count() == 2
    assert Activity.objects.filter(source_file=first).count() == 13
