"""The upload job page (QA5 4.2): a refused file's message carries its line and links to the file's
report, the re-run button appears in the polled part, a failed job shows no near-full progress, and a
file that broke midway after some activities is "partly imported", like its source file."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gapbridge.accounts.models import Role
from gapbridge.projects import services
from gapbridge.projects.models import Activity, ImportJob, SourceFile

from ..factories import PASSWORD, user
from ..integration.test_projects_support import ICT_202

pytestmark = pytest.mark.django_db

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    b"<iati-activities><iati-activity><iati-identifier>&e;</iati-identifier></iati-activity>"
    b"</iati-activities>"
)


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def staff_client(client: Client) -> Client:
    staff = user("sec-page", Role.SECRETARIAT)
    client.login(username=staff.username, password=PASSWORD)
    return client


def _run(name: str, content: bytes) -> ImportJob:
    staff = user(f"sec-{name}", Role.SECRETARIAT)
    job = services.create_upload_job(staff, SimpleUploadedFile(name, content, "application/xml"))
    services.work_queue("test-worker", once=True)
    job.refresh_from_db()
    return job


def test_a_refused_file_says_its_line_and_links_to_its_report(staff_client: Client) -> None:
    job = _run("xxe.xml", XXE)
    assert job.status == ImportJob.Status.FAILED
    source = SourceFile.objects.get()
    assert source.error_line == 2
    page = staff_client.get(f"/projects/upload/{job.pk}/").content.decode()
    assert "line 2" in page and "DOCTYPE" in page
    assert f'href="/projects/files/{source.pk}/"' in page


def test_a_failed_job_offers_the_re_run_in_the_polled_part_and_no_near_full_bar(
    staff_client: Client,
) -> None:
    job = _run("xxe.xml", XXE)
    polled = staff_client.get(f"/projects/upload/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert f'action="/projects/upload/{job.pk}/retry/"' in polled and "Re-run this upload" in polled
    full = staff_client.get(f"/projects/upload/{job.pk}/").content.decode()
    assert full.count("Re-run this upload") == 1
    for html in (polled, full):
        assert "99 %" not in html and 'value="99"' not in html and "<progress" not in html


def test_a_running_job_shows_its_progress_and_no_re_run(staff_client: Client) -> None:
    staff = user("sec-run", Role.SECRETARIAT)
    job = services.create_upload_job(staff, SimpleUploadedFile("a.xml", XXE, "application/xml"))
    ImportJob.objects.filter(pk=job.pk).update(bytes_done=job.size // 2)
    polled = staff_client.get(f"/projects/upload/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<progress" in polled and "Re-run this upload" not in polled


def test_a_truncated_upload_that_kept_activities_is_partly_imported(staff_client: Client) -> None:
    text = ICT_202.read_bytes()
    job = _run("truncated.xml.gz", gzip.compress(text[: int(len(text) * 0.6)]))
    source = SourceFile.objects.get()
    assert source.status == SourceFile.Status.PARTIAL
    assert Activity.objects.filter(source_file=source).exists()
    assert job.status == ImportJob.Status.PARTIAL and job.finished
    page = staff_client.get(f"/projects/upload/{job.pk}/").content.decode()
    assert "partly imported" in page and f"line {source.error_line}" in page
    assert "Re-run this upload" not in page  # a re-run would read the same broken file
