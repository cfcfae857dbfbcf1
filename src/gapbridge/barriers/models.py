"""The barrier register: barriers to digital trade and development, with history, progress, links, followers.

A barrier belongs to one country or to a group of countries. Its status moves along the lifecycle in
`gapbridge.barriers.lifecycle`; every move is a `BarrierStatusChange` row (from, to, who, when, why).
Fields meant for the public and fields kept restricted are separated in `gapbridge.barriers.queries`
(`public_view`): a reporter may withhold their identity, and moderators keep restricted notes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gapbridge.barriers.lifecycle import OPEN, PUBLIC, Status


class BarrierCategory(models.TextChoices):
    DATA_FLOWS = "data_flows", _("Cross-border data flows and localisation")
    E_PAYMENTS = "e_payments", _("E-payments")
    CUSTOMS = "customs_de_minimis", _("Customs and de minimis")
    DIGITAL_TAXATION = "digital_taxation", _("Digital taxation")
    LICENSING = "licensing_market_entry", _("Licensing and market entry")
    CONNECTIVITY = "connectivity_infrastructure", _("Connectivity and infrastructure access")
    E_TRANSACTIONS = "e_transactions", _("E-transactions and e-signature law")
    CONSUMER_PROTECTION = "consumer_protection", _("Consumer protection")
    DATA_PROTECTION = "data_protection", _("Data protection")
    CYBERSECURITY = "cybersecurity", _("Cybersecurity")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property")
    STANDARDS = "standards_interoperability", _("Standards and interoperability")
    SKILLS = "skills", _("Skills")


class BarrierStatus(models.TextChoices):
    REPORTED = Status.REPORTED.value, _("Reported")
    UNDER_REVIEW = Status.UNDER_REVIEW.value, _("Under review")
    VERIFIED = Status.VERIFIED.value, _("Verified")
    BEING_ADDRESSED = Status.BEING_ADDRESSED.value, _("Being addressed")
    RESOLVED_IN_PART = Status.RESOLVED_IN_PART.value, _("Resolved in part")
    RESOLVED_IN_FULL = Status.RESOLVED_IN_FULL.value, _("Resolved in full")
    DORMANT = Status.DORMANT.value, _("Dormant")
    ARCHIVED = Status.ARCHIVED.value, _("Archived")


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Origin(models.TextChoices):
    REPORTED = "reported", _("Reported by a user")
    DERIVED = "derived", _("Derived from a data source")


class Language(models.TextChoices):
    EN = "en", "English"
    FR = "fr", "Français"
    ES = "es", "Español"
    AR = "ar", "العربية"


class BarrierQuerySet(models.QuerySet["Barrier"]):
    def public(self) -> BarrierQuerySet:
        return self.filter(status__in=[s.value for s in PUBLIC], merged_into__isnull=True)

    def open(self) -> BarrierQuerySet:
        return self.filter(status__in=[s.value for s in OPEN])

    def for_country(self, economy_id: int) -> BarrierQuerySet:
        """Barriers of this country, and of every group it belongs to (membership is not dated here)."""
        return self.filter(Q(country_id=economy_id) | Q(group__memberships__economy_id=economy_id)).distinct()


class Barrier(models.Model):
    # What and where
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    #: {"fr": {"title": "...", "description": "..."}, ...}: the same barrier in other languages
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    country = models.ForeignKey(
        "countries.Economy", null=True, blank=True, on_delete=models.PROTECT, related_name="barriers"
    )
    group = models.ForeignKey(
        "countries.CountryGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="barriers"
    )
    category = models.CharField(_("category"), max_length=40, choices=BarrierCategory.choices)
    focus_areas = models.JSONField(_("focus areas"), default=list, blank=True)

    # The measure that creates the barrier (if any: a missing law has none)
    measure_title = models.CharField(_("measure"), max_length=300, blank=True)
    measure_reference = models.CharField(_("measure reference"), max_length=200, blank=True)
    measure_url = models.URLField(_("measure link"), max_length=500, blank=True)
    measure_date = models.DateField(_("measure date"), null=True, blank=True)

    # Who reported it; the identity is public only when the reporter agrees
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_name = models.CharField(_("reporter"), max_length=200, blank=True)
    reporter_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="barriers",
    )
    reporter_is_public = models.BooleanField(_("show the reporter's identity publicly"), default=False)

    evidence = models.TextField(_("evidence"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    impact = models.CharField(_("estimated impact"), max_length=10, choices=Level.choices, blank=True)
    impact_note = models.TextField(_("impact estimate"), blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Level.choices, default=Level.MEDIUM)
    restricted_notes = models.TextField(_("restricted notes (moderators only)"), blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=BarrierStatus.choices, default=BarrierStatus.REPORTED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_duplicates"
    )

    # Provenance: a derived barrier names its source and the date of the data
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.REPORTED)
    source_name = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_date = models.DateField(null=True, blank=True)
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BarrierQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(country__isnull=False, group__isnull=True)
                    | Q(country__isnull=True, group__isnull=False)
                ),
                name="barrier_country_xor_group",
            )
        ]
        indexes = [models.Index(fields=["status", "category"]), models.Index(fields=["country", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def where(self) -> str:
        if self.country_id is not None and self.country is not None:
            return self.country.name
        return self.group.name if self.group is not None else ""

    # The ownership protocol of gapbridge.accounts.permissions: a country's focal points and the reporting
    # organization's editors are responsible for a barrier (the secretariat moderates all).
    def owning_organization_id(self) -> int | None:
        return self.reporter_organization_id

    def owning_country_id(self) -> int | None:
        return self.country_id


class BarrierStatusChange(models.Model):
    """One move along the lifecycle; `from_status` is empty for the creation."""

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=BarrierStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=BarrierStatus.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.barrier_id} {self.from_status or '∅'} → {self.to_status} ({self.at:%Y-%m-%d})"


class BarrierUpdate(models.Model):
    """A dated progress note; restricted notes are seen only by moderators and those responsible."""

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    text = models.TextField()
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.barrier_id} update {self.at:%Y-%m-%d}"


class LinkKind(models.TextChoices):
    NEED = "need", _("Need for assistance")
    OFFER = "offer", _("Offer")
    MATCH = "match", _("Match")
    PROJECT = "project", _("Project")


class BarrierLink(models.Model):
    """A link from a barrier to the need, offer, match or project that addresses it.

    A generic reference (kind + object id) so the register does not depend on the other apps' tables;
    `gapbridge.barriers.links` checks the object exists when the link is made and resolves it for display.
    """

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    object_id = models.CharField(max_length=100)
    label = models.CharField(max_length=300, blank=True, help_text="the object's title when it was linked")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["barrier", "kind", "object_id"], name="one_link_per_object")
        ]

    def __str__(self) -> str:
        return f"#{self.barrier_id} → {self.kind} {self.object_id}"


class BarrierSubscription(models.Model):
    """A user follows barriers of a country and/or a category (empty means any)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="barrier_subscriptions"
    )
    country = models.ForeignKey(
        "countries.Economy", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(max_length=40, choices=BarrierCategory.choices, blank=True)
    email = models.BooleanField(default=True, help_text="also send an e-mail, not only the page notification")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "country", "category"], name="one_subscription_per_scope"
            ),
            models.CheckConstraint(
                condition=Q(country__isnull=False) | ~Q(category=""), name="subscription_has_a_scope"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user_id} follows {self.country_id or 'any country'} / {self.category or 'any category'}"
        )


class BarrierNotification(models.Model):
    """One notification to one user about one event; the unique key makes a second delivery impossible."""

    class Event(models.TextChoices):
        ADDED = "added", _("New barrier")
        STATUS = "status", _("Status changed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="barrier_notifications"
    )
    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=10, choices=Event.choices)
    status_change = models.ForeignKey(
        BarrierStatusChange, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    event_key = models.CharField(max_length=80)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="notify_once_per_event")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.event_key}"
