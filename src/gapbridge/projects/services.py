"""Writes of the projects app: importing IATI files, organisations met in them, upload jobs.

Every function checks who acts first. ``actor=None`` is the system (the ``gapbridge`` command line,
``make run``): whoever can run the command already controls the database. Through the web only the
secretariat may import. Each import run is audited (action ``import``) with its summary, and so is every
organization the import creates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from gapbridge.accounts.permissions import Actor, require_secretariat
from gapbridge.audit import services as audit
from gapbridge.iati import dto
from gapbridge.iati.findings import Finding as IatiFinding
from gapbridge.organizations.models import Organization, OrganizationType
from gapbridge.projects import importer
from gapbridge.projects.models import (
    IatiOrganisation,
    ImportJob,
    ImportJobTransition,
    ImportRun,
    OrganisationBudget,
    SourceFile,
)
from gapbridge.projects.models.imports import (
    OrganisationDocumentLink,
    OrganisationExpenditure,
    OrganisationRecipientBudget,
)
from gapbridge.projects.rows import dec, narr

#: The sample ``make run`` loads: every file of the bundled ``data/iati/activities`` and organisations.
BUNDLED = ("activities", "organisations")
_ORG_TYPES = {choice.value for choice in OrganizationType}


def _check(actor: Actor) -> None:
    if actor is not None:
        require_secretariat(actor, "import IATI files")


def ensure_organizations(
    actor: Actor, wanted: dict[str, tuple[str, str]], run: ImportRun | None = None
) -> dict[str, int]:
    """Ids of the organizations with these IATI refs (``{ref: (name, org type)}``), creating the missing
    ones — each creation audited as an ``import``."""
    _check(actor)
    if not wanted:
        return {}
    found = dict(Organization.objects.filter(iati_ref__in=list(wanted)).values_list("iati_ref", "pk"))
    missing = sorted(ref for ref in wanted if ref not in found)
    reason = f"reporting organisation of IATI activities (import run {run.pk})" if run else "IATI import"
    created = Organization.objects.bulk_create(
        Organization(
            name=(wanted[ref][0] or ref)[:300],
            iati_ref=ref[:120],
            org_type=wanted[ref][1] if wanted[ref][1] in _ORG_TYPES else OrganizationType.OTHER,
        )
        for ref in missing
    )
    for ref, org in zip(missing, created, strict=True):
        audit.record(actor, "import", org, after=audit.snapshot(org), reason=reason)
        found[ref] = org.pk
    return {ref: pk for ref, pk in found.items() if ref is not None}


def save_organisations(
    actor: Actor,
    organisations: Sequence[tuple[dto.OrganisationDTO, tuple[IatiFinding, ...]]],
    source_file_id: int | None,
    run: ImportRun | None = None,
) -> dict[str, int]:
    """Store the organisations of an organisation file (newer last-updated wins, as for activities).

    Each organisation is one transaction: its row and every child row (budgets of each kind with their
    lines, expenditures, document links) are replaced together.
    """
    _check(actor)
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    for organisation, _findings in organisations:
        digest = hashlib.sha256(repr(organisation).encode("utf-8", "surrogatepass")).hexdigest()
        with transaction.atomic():
            current = IatiOrganisation.objects.filter(
                organisation_identifier=organisation.organisation_identifier
            ).first()
            if current is not None:
                if current.content_hash == digest:
                    counts["unchanged"] += 1
                    continue
                stored = current.last_updated_datetime
                incoming = organisation.last_updated_datetime
                if stored is not None and (incoming is None or incoming < stored):
                    counts["unchanged"] += 1
                    continue
                if incoming == stored and digest < current.content_hash:
                    # a tie with other content: the larger hash wins, as for activities, so any set of
                    # files gives the same organisation in any order and a re-run changes nothing
                    counts["unchanged"] += 1
                    continue
            name = organisation.display_name or organisation.organisation_identifier
            reporting = organisation.reporting_org
            org_ids = ensure_organizations(
                actor,
                {organisation.organisation_identifier: (name, (reporting.type or "") if reporting else "")},
                run,
            )
            fields: dict[str, Any] = {
                "organization_id": org_ids.get(organisation.organisation_identifier),
                "version": organisation.version or "",
                "last_updated_datetime": organisation.last_updated_datetime,
                "default_language": organisation.default_language or "",
                "default_currency": organisation.default_currency or "",
                "name": narr(organisation.name),
                "reporting_org_data": None
                if reporting is None
                else {
                    "ref": reporting.ref,
                    "type": reporting.type,
                    "secondary": reporting.secondary_reporter,
                    "narratives": narr(reporting.narratives),
                },
                "content_hash": digest,
                "source_file_id": source_file_id,
            }
            stored_org, created = IatiOrganisation.objects.update_or_create(
                organisation_identifier=organisation.organisation_identifier, defaults=fields
            )
            _store_organisation_parts(stored_org, organisation)
            counts["new" if created else "updated"] += 1
    return counts


def _budget_lines(lines: Sequence[dto.OrganisationBudgetLine]) -> list[dict[str, Any]]:
    return [
        {
            "ref": line.ref,
            "value": dec(line.value),
            "currency": line.currency,
            "value_date": line.value_date.isoformat() if line.value_date else None,
            "narratives": narr(line.narratives),
        }
        for line in lines
    ]


def _amount_fields(
    item: dto.OrganisationBudget | dto.RecipientBudget | dto.OrganisationExpenditure,
) -> dict[str, Any]:
    """The columns of an ``OrganisationAmount`` (period, value as published and as a number) and its lines."""
    return {
        "period_start": item.period_start,
        "period_end": item.period_end,
        "value": item.value,
        "value_text": dec(item.value) or "",
        "currency": item.currency or "",
        "value_date": item.value_date,
        "lines": _budget_lines(item.lines),
    }


def _store_organisation_parts(stored: IatiOrganisation, organisation: dto.OrganisationDTO) -> None:
    """Replace the child rows of ``stored`` (inside the caller's transaction)."""
    stored.total_budgets.all().delete()
    stored.recipient_budgets.all().delete()
    stored.total_expenditures.all().delete()
    stored.document_links.all().delete()
    OrganisationBudget.objects.bulk_create(
        OrganisationBudget(
            organisation=stored,
            position=i,
            status=b.status or "",
            **_amount_fields(b),
        )
        for i, b in enumerate(organisation.total_budgets)
    )
    OrganisationRecipientBudget.objects.bulk_create(
        OrganisationRecipientBudget(
            organisation=stored,
            position=i,
            kind=b.kind,
            recipient_code=b.recipient.code or "",
            recipient_vocabulary=b.recipient.vocabulary or "",
            recipient_vocabulary_uri=b.recipient.vocabulary_uri or "",
            recipient_narratives=narr(b.recipient.narratives),
            status=b.status or "",
            **_amount_fields(b),
        )
        for i, b in enumerate(organisation.recipient_budgets)
    )
    OrganisationExpenditure.objects.bulk_create(
        OrganisationExpenditure(
            organisation=stored,
            position=i,
            **_amount_fields(e),
        )
        for i, e in enumerate(organisation.total_expenditures)
    )
    OrganisationDocumentLink.objects.bulk_create(
        OrganisationDocumentLink(
            organisation=stored,
            position=i,
            url=d.link.url,
            format=d.link.format or "",
            title=narr(d.link.title),
            description=narr(d.link.description),
            categories=list(d.link.categories),
            languages=list(d.link.languages),
            document_date=d.link.document_date,
            recipient_countries=[[c.code, narr(c.narratives)] for c in d.recipient_countries],
        )
        for i, d in enumerate(organisation.document_links)
    )


def import_files(
    actor: Actor,
    paths: Sequence[str | os.PathLike[str]],
    *,
    origin: str = "cli",
    workers: int = 0,
    batch_size: int = 500,
    progress: Callable[[importer.ImportProgress], None] | None = None,
    files: list[tuple[str, str]] | None = None,
    missing: Sequence[str] = (),
) -> importer.ImportSummary:
    """Import IATI activity and organisation files (paths or directories); see docs/registry.md.

    Raises :class:`importer.ImportInputError` when a path does not exist. Bad *content* never raises:
    each refused or broken file is reported in the summary's ``errors`` and the other files import.
    ``files`` ((path, name) pairs, :func:`importer.find`) replaces ``paths``; ``missing`` names given
    paths that were not found, recorded in the summary (the command line imports the rest).
    """
    _check(actor)
    todo = files if files is not None else importer.expand(paths)
    run = ImportRun.objects.create(origin=origin, actor_label=audit.actor_label(actor))
    org_cache: dict[str, int] = {}

    def organization_ids(wanted: dict[str, tuple[str, str]]) -> dict[str, int]:
        missing = {ref: value for ref, value in wanted.items() if ref not in org_cache}
        if missing:
            org_cache.update(ensure_organizations(actor, missing, run))
        return {ref: org_cache[ref] for ref in wanted if ref in org_cache}

    def organisations(items: list[Any], source_file_id: int | None) -> dict[str, int]:
        return save_organisations(actor, items, source_file_id, run)

    worker = importer.Importer(run, organization_ids, organisations, progress, batch_size)
    try:
        summary = worker.run_files(todo, workers)
        summary.missing = list(missing)
        importer.rebuild_cube()
    except BaseException:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, finished_at=timezone.now())
        raise
    run.status = ImportRun.Status.FINISHED
    run.finished_at = timezone.now()
    run.summary = summary.as_dict()
    run.save()
    audit.record(actor, "import", run, after=run.summary, reason=f"{origin}: {len(todo)} file(s)")
    return summary


def bundled_paths() -> list[Path]:
    root = Path(settings.DATA_DIR) / "iati"
    return [root / name for name in BUNDLED if (root / name).is_dir()]


def load_bundled_sample(actor: Actor = None) -> importer.ImportSummary:
    """Import the bundled IATI sample (``data/iati/activities`` and ``organisations``) — what ``make run``
    loads. Idempotent: a second call finds every activity unchanged."""
    return import_files(actor, bundled_paths(), origin="bundled")


def refresh_funding_cube() -> bool:
    """Rebuild the funding cube if imports left it stale (normally done at the end of each import)."""
    return importer.rebuild_cube()


# -- upload jobs ------------------------------------------------------------------------------------------
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def upload_file_name(job: ImportJob) -> str:
    """The name an upload's ``SourceFile`` is recorded by: unique per upload job (two uploads called
    ``data.xml`` are two files; a re-run of the same job finds its own record again). Its last part is the
    name the file was uploaded with (``SourceFile.display_name``)."""
    return f"upload/{job.pk}/{job.original_name}"


def upload_source_file(job: ImportJob) -> SourceFile | None:
    """The ``SourceFile`` of an upload job once its import has started (None before)."""
    return SourceFile.objects.filter(name=upload_file_name(job)[:500]).first()


def _transition(job: ImportJob, to: str, actor_label: str, reason: str = "") -> None:
    ImportJobTransition.objects.create(
        job=job, from_status=job.status, to_status=to, actor_label=actor_label, reason=reason
    )
    job.status = to


@transaction.atomic
def create_upload_job(actor: Actor, upload: UploadedFile) -> ImportJob:
    """Store an uploaded file and queue it for the background importer (secretariat only)."""
    require_secretariat(actor, "upload IATI files")
    folder = Path(settings.VAR_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    original = os.path.basename(upload.name or "upload.xml")[:200]
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    stored = folder / f"{stamp}-{_SAFE_NAME.sub('_', original)}"
    size = 0
    with open(stored, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
            size += len(chunk)
    user = actor if actor is not None and actor.is_authenticated else None
    job = ImportJob.objects.create(
        original_name=original,
        stored_path=str(stored),
        size=size,
        created_by=user,  # type: ignore[misc]
    )
    label = audit.actor_label(actor)
    ImportJobTransition.objects.create(job=job, from_status="", to_status=job.status, actor_label=label)
    audit.record(actor, "create", job, after=audit.snapshot(job), reason="IATI file upload")
    return job


#: A running job whose worker gave no sign of life for this long is taken as dead. Workers beat at every
#: batch (about a second); the long pause is the funding-cube rebuild at the end of a very large import.
JOB_STALE_AFTER = dt.timedelta(minutes=15)


def this_worker() -> str:
    """``host:pid`` of this process, recorded on the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(worker: str) -> bool:
    """True when ``worker`` ran on this host and its process no longer exists."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, under another user
        return False
    return False


def stale_reason(job: ImportJob, now: dt.datetime, stale_after: dt.timedelta = JOB_STALE_AFTER) -> str:
    """Why a running ``job`` is taken as dead ("" while it is alive, or when it is not running)."""
    if job.status != ImportJob.Status.RUNNING:
        return ""
    if job.worker and _process_gone(job.worker):
        return f"its worker process ({job.worker}) is gone"
    last = job.heartbeat_at or job.started_at
    if last is not None and now - last > stale_after:
        return f"no sign of life from its worker since {last:%Y-%m-%d %H:%M:%S} UTC"
    return ""


def fail_stale_jobs(
    *, now: dt.datetime | None = None, stale_after: dt.timedelta = JOB_STALE_AFTER
) -> list[int]:
    """Mark running jobs whose worker died (killed, machine restarted) as failed, with a message that says
    so; returns their ids. Called whenever a worker looks for work, so a restarted worker or web process
    cleans up after the one that died. Such a job can be re-run (:func:`retry_job`): an import is
    crash-safe and idempotent, so whatever the dead worker had written is completed, not doubled."""
    moment = now or timezone.now()
    failed: list[int] = []
    for job in ImportJob.objects.filter(status=ImportJob.Status.RUNNING).order_by("id"):
        why = stale_reason(job, moment, stale_after)
        if not why:
            continue
        message = (
            f"The import stopped: {why}. Nothing half-written was kept; re-run the job (or upload the file "
            "again) to complete it."
        )
        with transaction.atomic():
            # Conditional, like a claim: if two workers detect the same dead job, one records it.
            if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.FAILED, message=message, finished_at=moment
            ):
                continue
            ImportJobTransition.objects.create(
                job=job,
                from_status=ImportJob.Status.RUNNING,
                to_status=ImportJob.Status.FAILED,
                actor_label=this_worker(),
                reason=message,
            )
        failed.append(job.pk)
    return failed


@transaction.atomic
def retry_job(actor: Actor, job_id: int) -> ImportJob:
    """Queue a failed upload again (secretariat only); its stored file is imported anew."""
    require_secretariat(actor, "re-run IATI uploads")
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    if job.status != ImportJob.Status.FAILED:
        raise ValueError(f"upload {job.pk} is {job.status}; only a failed upload can be re-run")
    before = audit.snapshot(job)
    _transition(job, ImportJob.Status.QUEUED, audit.actor_label(actor), "re-run")
    job.message = ""
    job.summary, job.run = {}, None  # the previous run's counts and errors must not stand for this one
    job.bytes_done = job.items_done = 0
    job.started_at = job.finished_at = job.heartbeat_at = None
    job.worker = ""
    job.save()
    audit.record(
        actor, "update", job, before=before, after=audit.snapshot(job), reason="re-run a failed upload"
    )
    return job


def claim_next_job(worker: str) -> ImportJob | None:
    """Take the oldest queued job (atomically, so two workers never take the same one). Jobs left running
    by a worker that died are failed first (:func:`fail_stale_jobs`)."""
    fail_stale_jobs()
    while True:
        with transaction.atomic():
            job = ImportJob.objects.filter(status=ImportJob.Status.QUEUED).order_by("id").first()
            if job is None:
                return None
            # A conditional UPDATE is the claim: exactly one worker sees 1 row changed (also on SQLite).
            now = timezone.now()
            taken = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
                status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now, worker=this_worker()
            )
            if not taken:
                continue
            ImportJobTransition.objects.create(
                job=job,
                from_status=ImportJob.Status.QUEUED,
                to_status=ImportJob.Status.RUNNING,
                actor_label=worker,
                reason="picked up by the import worker",
            )
            job.refresh_from_db()
            return job


def run_job(job: ImportJob, worker: str = "import-worker") -> ImportJob:
    """Import a claimed job's file, recording progress on the job as it goes."""
    last = [0.0]

    def progress(p: importer.ImportProgress) -> None:
        moment = timezone.now()
        if moment.timestamp() - last[0] >= 0.5:
            last[0] = moment.timestamp()
            ImportJob.objects.filter(pk=job.pk).update(
                bytes_done=p.bytes_done, items_done=p.activities, heartbeat_at=moment
            )

    try:
        summary = import_files(
            job.created_by,  # the uploader (secretariat) is audited as the importer
            [],
            origin=f"upload:{job.pk}",
            progress=progress,
            files=[(job.stored_path, upload_file_name(job))],
        )
    except Exception as exc:  # the job records any failure; the worker keeps serving other jobs
        with transaction.atomic():
            job.refresh_from_db()
            _transition(job, ImportJob.Status.FAILED, worker, f"{type(exc).__name__}: {exc}")
            job.message = f"{type(exc).__name__}: {exc}"
            job.finished_at = timezone.now()
            job.save()
        return job
    _finish_job(job, summary.as_dict(), summary.run_id, worker)
    return job


def _job_outcome(data: dict[str, Any]) -> tuple[str, str]:
    """A finished job's status and message from its summary: done; partial when its file broke midway
    after some activities, which were kept (as its ``SourceFile`` says); else failed. The message names
    the line of each error when it is known."""
    errors = data["errors"]
    if not errors:
        return ImportJob.Status.DONE, ""
    reason = "; ".join(f"line {e['line']}: {e['message']}" if e["line"] else e["message"] for e in errors)
    partial = all(e.get("status") == SourceFile.Status.PARTIAL for e in errors)
    return (ImportJob.Status.PARTIAL if partial else ImportJob.Status.FAILED), reason[:1000]


@transaction.atomic
def _finish_job(job: ImportJob, data: dict[str, Any], run_id: int, worker: str) -> None:
    job.refresh_from_db()
    status, reason = _job_outcome(data)
    _transition(job, status, worker, reason)
    job.summary = data
    job.message = reason
    job.bytes_done = job.size
    job.items_done = sum(data["activities"].values())
    job.run_id = run_id
    job.finished_at = timezone.now()
    job.save()


def work_queue(
    worker: str = "import-worker", *, once: bool = False, idle: Callable[[], bool] | None = None
) -> int:
    """Run queued upload jobs; returns how many ran. ``once``: stop when the queue is empty.
    ``idle()`` is called when there is nothing to do; returning False stops the loop."""
    done = 0
    while True:
        job = claim_next_job(worker)
        if job is None:
            if once or (idle is not None and not idle()):
                return done
            continue
        run_job(job, worker)
        done += 1
