"""Pledges by providers, and the commitments and disbursements that fulfil them.

A pledge states an amount in its own currency over a period, for focus areas and target countries or
groups. Money linked to it is a `PledgeFlow`: entered by hand, or taken from the transactions of an IATI
activity the provider links (`PledgeActivity`). Every amount keeps its original currency next to its US
dollar value, the rate and the rate's year; an amount that could not be converted has no dollar value
and says why (`fx_status`), it is never counted as dollars.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PledgeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Allowed moves; every move is a PledgeStatusChange row with a reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    PledgeStatus.DRAFT: frozenset({PledgeStatus.ANNOUNCED, PledgeStatus.WITHDRAWN}),
    PledgeStatus.ANNOUNCED: frozenset({PledgeStatus.COMPLETED, PledgeStatus.WITHDRAWN}),
    PledgeStatus.COMPLETED: frozenset({PledgeStatus.ANNOUNCED}),
    PledgeStatus.WITHDRAWN: frozenset({PledgeStatus.DRAFT}),
}
PUBLIC_STATUSES = (PledgeStatus.ANNOUNCED, PledgeStatus.COMPLETED, PledgeStatus.WITHDRAWN)


class Converted(models.Model):
    """An amount in its currency with its dollar value and the rate used (units of currency per USD)."""

    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    amount_usd = models.DecimalField(max_digits=24, decimal_places=2, null=True, blank=True)
    fx_rate = models.DecimalField(max_digits=24, decimal_places=10, null=True, blank=True)
    fx_year = models.IntegerField(null=True, blank=True)
    fx_status = models.CharField(max_length=12, blank=True)
    fx_source = models.CharField(max_length=40, blank=True)

    class Meta:
        abstract = True


class PledgeQuerySet(models.QuerySet["Pledge"]):
    def public(self) -> PledgeQuerySet:
        return self.filter(status__in=PUBLIC_STATUSES)


class Pledge(Converted):
    provider = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="pledges"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    source_url = models.URLField(_("announcement"), max_length=500, blank=True)
    focus_areas = models.JSONField(_("focus areas"), default=list, blank=True)
    target_countries = models.ManyToManyField("countries.Economy", blank=True, related_name="pledges")
    target_groups = models.ManyToManyField("countries.CountryGroup", blank=True, related_name="pledges")
    status = models.CharField(max_length=12, choices=PledgeStatus.choices, default=PledgeStatus.DRAFT)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["provider__name", "period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="pledge_period_order"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.provider_id})"

    def owning_organization_id(self) -> int | None:
        return self.provider_id

    def owning_country_id(self) -> int | None:
        return None


class PledgeStatusChange(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=PledgeStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=PledgeStatus.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"pledge {self.pledge_id}: {self.from_status or '∅'} → {self.to_status}"


class FlowKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    DISBURSEMENT = "disbursement", _("Disbursement")


class FlowOrigin(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IATI = "iati", _("IATI transaction")


class PledgeActivity(models.Model):
    """An IATI activity whose commitments and disbursements count toward a pledge."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="activities")
    activity = models.ForeignKey("projects.Activity", on_delete=models.CASCADE, related_name="pledge_links")
    linked_at = models.DateTimeField(auto_now_add=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One activity's money counts toward one pledge only: never twice.
            models.UniqueConstraint(fields=["activity"], name="activity_counts_for_one_pledge")
        ]

    def __str__(self) -> str:
        return f"pledge {self.pledge_id} ← activity {self.activity_id}"


class PledgeFlow(Converted):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="flows")
    kind = models.CharField(max_length=12, choices=FlowKind.choices)
    date = models.DateField(_("date"))
    value_date = models.DateField(
        _("value date"), null=True, blank=True, help_text="the date of the rate; default: date"
    )
    origin = models.CharField(max_length=6, choices=FlowOrigin.choices, default=FlowOrigin.MANUAL)
    # For IATI flows: the activity and the transaction's position in it (rows there are replaced on re-import)
    source = models.ForeignKey(
        PledgeActivity, null=True, blank=True, on_delete=models.CASCADE, related_name="flows"
    )
    iati_identifier = models.CharField(max_length=255, blank=True)
    transaction_position = models.IntegerField(null=True, blank=True)
    transaction_type = models.CharField(max_length=3, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        # IATI amounts may be negative (a decommitment or a correction), so no sign constraint here;
        # amounts entered by hand are checked positive by the service.

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} on {self.date}"

    def owning_organization_id(self) -> int | None:
        return self.pledge.provider_id

    def owning_country_id(self) -> int | None:
        return None
