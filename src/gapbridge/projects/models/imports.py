"""Import bookkeeping and data quality: source files, runs, findings, upload jobs, organisation files."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gapbridge.projects.models.activity import Activity


class SourceFile(models.Model):
    """A file that has been imported (or refused), by the name it was given on."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("imported")
        PARTIAL = "partial", _("partly imported (broke midway)")
        FAILED = "failed", _("refused")

    name = models.CharField(max_length=500, unique=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(default=0)
    kind = models.CharField(max_length=100, blank=True, help_text="iati-activities / iati-organisations")
    status = models.CharField(max_length=100, choices=Status.choices)
    error = models.TextField(blank=True)
    error_line = models.IntegerField(null=True, blank=True)
    items = models.IntegerField(default=0, help_text="activities or organisations read in the last run")
    skipped = models.IntegerField(default=0)
    last_run = models.ForeignKey("projects.ImportRun", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The file's name without the folders it was read from (which are the server's business)."""
        return PurePath(self.name).name or self.name


class ImportRun(models.Model):
    """One call of the importer (CLI, upload job or bundled sample), with its summary."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    origin = models.CharField(max_length=100)
    actor_label = models.CharField(max_length=200)
    status = models.CharField(max_length=100, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.origin}, {self.status})"


class Finding(models.Model):
    """A data-quality finding about a stored activity (from the adapter, or from the money split)."""

    class Severity(models.TextChoices):
        ERROR = "error", _("error")
        WARNING = "warning", _("warning")
        INFO = "info", _("info")

    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="findings",
        help_text="null: an item that could not be stored (no identifier); see source_file",
    )
    source_file = models.ForeignKey(SourceFile, null=True, on_delete=models.SET_NULL, related_name="findings")
    severity = models.CharField(max_length=7, choices=Severity.choices)
    code = models.CharField(max_length=40, db_index=True)
    message = models.TextField()
    path = models.CharField(max_length=500, blank=True)
    line = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["activity_id", "id"]

    def __str__(self) -> str:
        return f"{self.severity} {self.code}: {self.message[:60]}"


class ImportJob(models.Model):
    """A file uploaded by the secretariat, imported by the background worker (docs/registry.md)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        #: the file broke midway; the activities before the break were kept (its SourceFile is partial)
        PARTIAL = "partial", _("partly imported (broke midway)")
        FAILED = "failed", _("failed")

    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    size = models.BigIntegerField()
    status = models.CharField(max_length=100, choices=Status.choices, default=Status.QUEUED)
    items_done = models.IntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    message = models.TextField(blank=True)
    summary = models.JSONField(default=dict)
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: who runs it ("host:pid") and when it last gave a sign of life: a running job whose worker died is
    #: detected by these (services.fail_stale_jobs) instead of staying "running" for ever
    worker = models.CharField(max_length=300, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"upload {self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        """Share of the file read; 100 once the whole file was read. Not shown for a failed job, whose
        bytes were all looked at without importing anything (docs/registry.md, "Uploads")."""
        if self.status in (self.Status.DONE, self.Status.PARTIAL):
            return 100
        return min(99, int(100 * self.bytes_done / self.size)) if self.size else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.PARTIAL, self.Status.FAILED)

    def owning_organization_id(self) -> int | None:
        return None

    def owning_country_id(self) -> int | None:
        return None


class ImportJobTransition(models.Model):
    """History of an upload job's status: from, to, who, when, why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=100, blank=True)
    to_status = models.CharField(max_length=100)
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["job_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class IatiOrganisation(models.Model):
    """An ``iati-organisation`` from an organisation file, linked to the GapBridge organization."""

    organisation_identifier = models.CharField(max_length=255, unique=True)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, on_delete=models.SET_NULL, related_name="iati_files"
    )
    version = models.CharField(max_length=100, blank=True)
    last_updated_datetime = models.DateTimeField(null=True, blank=True)
    default_language = models.CharField(max_length=100, blank=True)
    default_currency = models.CharField(max_length=10, blank=True)
    name = models.JSONField(default=list)
    reporting_org_data = models.JSONField(null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    source_file = models.ForeignKey(SourceFile, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.organisation_identifier


class OrganisationAmount(models.Model):
    """An amount of an organisation file over a period (budgets, expenditure), published and as a number."""

    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    value = models.DecimalField(max_digits=40, decimal_places=10, null=True, blank=True)
    value_text = models.CharField(max_length=120, blank=True)
    currency = models.CharField(max_length=10, blank=True)
    value_date = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["organisation_id", "position"]


class OrganisationBudget(OrganisationAmount):
    organisation = models.ForeignKey(IatiOrganisation, on_delete=models.CASCADE, related_name="total_budgets")
    position = models.IntegerField()
    status = models.CharField(max_length=100, blank=True)
    lines = models.JSONField(default=list, help_text="budget-lines (see OrganisationRecipientBudget)")

    def __str__(self) -> str:
        return f"{self.value_text} {self.currency}"


class OrganisationRecipientBudget(OrganisationAmount):
    """recipient-org-, recipient-country- or recipient-region-budget of an organisation file.

    ``recipient_code`` is the recipient-org @ref, the country or the region code; ``lines`` the
    budget-lines as ``[{"ref", "value", "currency", "value_date", "narratives"}, ...]``.
    """

    class Kind(models.TextChoices):
        ORG = "org", _("recipient organisation")
        COUNTRY = "country", _("recipient country")
        REGION = "region", _("recipient region")

    organisation = models.ForeignKey(
        IatiOrganisation, on_delete=models.CASCADE, related_name="recipient_budgets"
    )
    position = models.IntegerField(help_text="order among all recipient budgets of the organisation")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recipient_code = models.CharField(max_length=255, blank=True)
    recipient_vocabulary = models.CharField(max_length=100, blank=True)
    recipient_vocabulary_uri = models.TextField(blank=True)
    recipient_narratives = models.JSONField(default=list)
    status = models.CharField(max_length=100, blank=True)
    lines = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.kind} {self.recipient_code}: {self.value_text} {self.currency}"


class OrganisationExpenditure(OrganisationAmount):
    """total-expenditure of an organisation file; ``lines`` are its expense-lines (as budget lines)."""

    organisation = models.ForeignKey(
        IatiOrganisation, on_delete=models.CASCADE, related_name="total_expenditures"
    )
    position = models.IntegerField()
    lines = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.value_text} {self.currency}"


class OrganisationDocumentLink(models.Model):
    """document-link of an organisation file; ``recipient_countries`` is ``[[code, narratives], ...]``."""

    organisation = models.ForeignKey(
        IatiOrganisation, on_delete=models.CASCADE, related_name="document_links"
    )
    position = models.IntegerField()
    url = models.TextField()
    format = models.CharField(max_length=255, blank=True)
    title = models.JSONField(default=list)
    description = models.JSONField(default=list)
    categories = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    document_date = models.DateField(null=True, blank=True)
    recipient_countries = models.JSONField(default=list)

    class Meta:
        ordering = ["organisation_id", "position"]

    def __str__(self) -> str:
        return self.url
