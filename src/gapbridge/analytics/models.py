"""Models of the analytics app: money counted once, coordination alerts and their history.

The first group is *derived*, rebuilt from the IATI registry by
:func:`gapbridge.analytics.services.refresh` (de-duplication weights, funding chains, the funding table
with gross and de-duplicated USD). The second group has a lifecycle: coordination alerts found by overlap
detection, which the secretariat or the providers involved confirm or dismiss, each move recorded in
:class:`AlertStatusChange`.

Activities are referred to by their registry row id as a plain integer and by (identifier, publisher),
never by a foreign key, so analytics can be rebuilt without touching the registry (see ``source.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    COMMITMENT = "commitment", _("Commitments")
    DISBURSEMENT = "disbursement", _("Disbursements and expenditure")


class Basis(models.TextChoices):
    DEDUPLICATED = "dedup", _("De-duplicated (money counted once)")
    GROSS = "gross", _("Gross (everything reported, added up)")


class AnalyticsState(models.Model):
    """One row: what the derived tables were built from, and when."""

    registry_fingerprint = models.CharField(max_length=200, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"analytics state ({self.refreshed_at or 'never built'})"

    def owning_organization_id(self) -> int | None:
        return None

    def owning_country_id(self) -> int | None:
        return None


class DedupReason(models.TextChoices):
    COUNTED = "counted", _("Counted in full")
    DUPLICATE = "duplicate-identifier", _("Another publisher's copy of the same identifier is counted")
    FUNDED_THROUGH = "funded-through", _("All of its money came from activities counted upstream")
    PARTLY_FUNDED_THROUGH = (
        "partly-funded-through",
        _("Part of its money came from activities counted upstream"),
    )


class DedupWeight(models.Model):
    """The de-duplication weight of an activity whose money does not count in full (others weigh 1)."""

    activity_id = models.BigIntegerField(unique=True, help_text="projects.Activity id")
    identifier = models.CharField(max_length=255, db_index=True)
    publisher = models.CharField(max_length=255)
    commitment = models.FloatField()
    disbursement = models.FloatField()
    reason = models.CharField(max_length=30, choices=DedupReason.choices)
    upstream = models.JSONField(default=list)
    downstream = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.identifier} × ({self.commitment:.2f}, {self.disbursement:.2f})"


class FundingFlow(models.Model):
    """A link of a funding chain: money from an upstream activity to a downstream one (by identifier)."""

    upstream = models.CharField(max_length=255, db_index=True)
    downstream = models.CharField(max_length=255, db_index=True)
    measure = models.CharField(max_length=20, choices=Measure.choices)
    reported_by_upstream = models.FloatField()
    reported_by_downstream = models.FloatField()
    counted = models.FloatField(help_text="USD subtracted downstream (rule in docs/analytics.md)")

    def __str__(self) -> str:
        return f"{self.upstream} → {self.downstream} ({self.measure})"


class FundingRow(models.Model):
    """Funding by country, focus area, year, provider and measure, gross and de-duplicated (USD)."""

    iso3 = models.CharField(max_length=3, blank=True, help_text="'' = a region or not stated")
    focus_area = models.CharField(max_length=40, blank=True, help_text="'' = outside the focus areas")
    year = models.IntegerField(null=True, blank=True)
    provider_key = models.CharField(max_length=255, blank=True)
    provider_name = models.TextField(blank=True)
    measure = models.CharField(max_length=20, choices=Measure.choices)
    gross_usd = models.FloatField()
    dedup_usd = models.FloatField()
    unconverted = models.IntegerField(
        help_text="facts whose value could not be converted to USD (not summed)"
    )
    facts = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["iso3", "focus_area", "year"], name="fundingrow_cube"),
            models.Index(fields=["provider_key"], name="fundingrow_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.iso3}/{self.focus_area}/{self.year} {self.measure}: {self.dedup_usd:,.0f}"


class OverlapRun(models.Model):
    """One run of overlap detection, with what it compared and found."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    records = models.IntegerField(default=0)
    blocks = models.IntegerField(default=0)
    comparisons = models.BigIntegerField(default=0)
    all_pairs = models.BigIntegerField(default=0)
    candidates = models.BigIntegerField(default=0)
    found = models.JSONField(default=dict, help_text="pairs by tier")
    params = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"overlap run {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"

    def owning_organization_id(self) -> int | None:
        return None

    def owning_country_id(self) -> int | None:
        return None


class AlertTier(models.TextChoices):
    SAME_IDENTIFIER = "same-identifier", _("Same identifier")
    TRACEABILITY = "traceability", _("Traceability link")
    HIGH_SIMILARITY = "high-similarity", _("High similarity")
    POSSIBLE_OVERLAP = "possible-overlap", _("Possible overlap")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed overlap")
    DISMISSED = "dismissed", _("Dismissed")


class CoordinationAlertQuerySet(models.QuerySet["CoordinationAlert"]):
    def open(self) -> CoordinationAlertQuerySet:
        return self.filter(status=AlertStatus.OPEN)

    def current(self) -> CoordinationAlertQuerySet:
        """Alerts whose pair the last detection run still found."""
        return self.filter(still_detected=True)

    def in_country(self, iso3: str) -> CoordinationAlertQuerySet:
        return self.filter(countries__iso3=iso3.upper())

    def involving_organizations(self, ids: set[int]) -> CoordinationAlertQuerySet:
        return self.filter(models.Q(a_organization_id__in=ids) | models.Q(b_organization_id__in=ids))


class CoordinationAlert(models.Model):
    """Two activities of different publishers that may overlap, with the evidence and a status."""

    a_activity_id = models.BigIntegerField(help_text="projects.Activity id")
    a_identifier = models.CharField(max_length=255)
    a_publisher = models.CharField(max_length=255)
    a_title = models.TextField(blank=True)
    a_organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    b_activity_id = models.BigIntegerField(help_text="projects.Activity id")
    b_identifier = models.CharField(max_length=255)
    b_publisher = models.CharField(max_length=255)
    b_title = models.TextField(blank=True)
    b_organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.CharField(max_length=20, choices=AlertTier.choices)
    score = models.FloatField()
    text_similarity = models.FloatField()
    shared_organisations = models.JSONField(default=list)
    places = models.JSONField(default=list)
    areas = models.JSONField(default=list)
    countries = models.ManyToManyField("countries.Economy", blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    still_detected = models.BooleanField(default=True)
    run = models.ForeignKey(
        OverlapRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )

    objects = CoordinationAlertQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["a_identifier", "a_publisher", "b_identifier", "b_publisher"],
                name="one_alert_per_pair",
            )
        ]
        indexes = [models.Index(fields=["status", "tier"], name="alert_status_tier")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.a_identifier} ~ {self.b_identifier} ({self.tier})"

    # the ownership protocol of gapbridge.accounts.permissions; the services also let the *other*
    # provider act (see services.can_act_on_alert)
    def owning_organization_id(self) -> int | None:
        return self.a_organization_id

    def owning_country_id(self) -> int | None:
        return None

    def organization_ids(self) -> set[int]:
        return {i for i in (self.a_organization_id, self.b_organization_id) if i is not None}


class AlertStatusChange(models.Model):
    """One move of an alert's status; ``from_status`` is empty when the alert was first detected."""

    alert = models.ForeignKey(CoordinationAlert, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=AlertStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=AlertStatus.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.alert_id} {self.from_status or '∅'} → {self.to_status} ({self.at:%Y-%m-%d})"
