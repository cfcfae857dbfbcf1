"""Upload jobs whose worker died: detected (dead process, or no heartbeat), shown as failed with the
reason, and re-runnable to completion."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gapbridge.accounts.models import Role
from gapbridge.accounts.permissions import PermissionDenied
from gapbridge.projects import services
from gapbridge.projects.models import Activity, ImportJob, ImportJobTransition

from ..factories import user
from .test_projects_support import ICT_201

pytestmark = pytest.mark.django_db


def _running_job() -> ImportJob:
    staff = user("sec-jobs", Role.SECRETARIAT)
    upload = SimpleUploadedFile("ict.xml", ICT_201.read_bytes(), "application/xml")
    services.create_upload_job(staff, upload)
    job = services.claim_next_job("test-worker")
    assert job is not None and job.status == ImportJob.Status.RUNNING
    assert job.worker == services.this_worker() and job.heartbeat_at is not None
    return job


def _dead_pid() -> int:
    """The pid of a real process that was killed with SIGKILL (and reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    process.kill()
    process.wait()
    return process.pid


def test_a_job_whose_worker_process_was_killed_is_failed_with_the_reason_and_can_be_rerun() -> None:
    job = _running_job()
    host = services.this_worker().rpartition(":")[0]
    ImportJob.objects.filter(pk=job.pk).update(worker=f"{host}:{_dead_pid()}")

    assert services.fail_stale_jobs() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished
    assert "worker process" in job.message and "is gone" in job.message and "re-run" in job.message
    last = ImportJobTransition.objects.filter(job=job).last()
    assert last is not None and (last.from_status, last.to_status) == ("running", "failed")
    assert services.fail_stale_jobs() == []  # recorded once

    staff = user("sec-jobs2", Role.SECRETARIAT)
    with pytest.raises(PermissionDenied):
        services.retry_job(user("editor-jobs", None), job.pk)
    ImportJob.objects.filter(pk=job.pk).update(summary={"errors": [{"message": "an earlier run's error"}]})
    services.retry_job(staff, job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and job.message == "" and job.worker == ""
    assert job.summary == {} and job.run is None, "nothing of the earlier run stands for this one"
    assert services.work_queue("test-worker", once=True) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.summary["activities"]["new"] == 13
    assert Activity.objects.count() == 13
    history = list(ImportJobTransition.objects.filter(job=job).values_list("from_status", "to_status"))
    assert history == [
        ("", "queued"),
        ("queued", "running"),
        ("running", "failed"),
        ("failed", "queued"),
        ("queued", "running"),
        ("running", "done"),
    ]
    with pytest.raises(ValueError, match="only a failed upload"):
        services.retry_job(staff, job.pk)


def test_a_job_without_heartbeat_for_too_long_is_failed_and_a_live_one_is_not() -> None:
    job = _running_job()
    now = timezone.now()
    # alive: this very process, beating just now
    assert services.fail_stale_jobs(now=now + dt.timedelta(minutes=1)) == []
    # a worker on another machine (its process cannot be checked) that stopped beating
    ImportJob.objects.filter(pk=job.pk).update(worker="elsewhere:123", heartbeat_at=now)
    assert services.fail_stale_jobs(now=now + services.JOB_STALE_AFTER - dt.timedelta(seconds=1)) == []
    assert services.fail_stale_jobs(now=now + services.JOB_STALE_AFTER + dt.timedelta(seconds=1)) == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "no sign of life" in job.message


def test_looking_for_work_fails_jobs_left_running_by_a_dead_worker() -> None:
    job = _running_job()
    host = services.this_worker().rpartition(":")[0]
    ImportJob.objects.filter(pk=job.pk).update(worker=f"{host}:{_dead_pid()}")
    assert services.work_queue("another-worker", once=True) == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_progress_is_a_heartbeat() -> None:
    job = _running_job()
    old = timezone.now() - dt.timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=old)
    services.run_job(job, "test-worker")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.heartbeat_at is not None and job.heartbeat_at > old


def test_the_secretariat_reruns_a_failed_upload_from_its_page(client: Client) -> None:
    job = _running_job()
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    staff = user("sec-page", Role.SECRETARIAT)
    client.force_login(staff)
    page = client.get(f"/projects/upload/{job.pk}/").content.decode()  # the page itself notices the dead job
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "Re-run this upload" in page
    response = client.post(f"/projects/upload/{job.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/projects/upload/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and job.message == ""
    assert client.post(f"/projects/upload/{job.pk}/retry/").status_code == 400  # only a failed one
    assert services.work_queue("test-worker", once=True) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Activity.objects.count() == 13
