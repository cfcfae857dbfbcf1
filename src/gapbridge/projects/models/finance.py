"""Money: budgets, planned disbursements, transactions, and the precomputed funding facts and cube.

Original values are kept exactly (``value_text``, the published decimal) next to a numeric ``value`` for
sums; ``value_usd`` is ``NULL`` whenever a value could not be converted (``fx_status`` says why).
``FundingFact`` rows are derived at import by :mod:`gapbridge.projects.money`; ``FundingCube`` is a
GROUP BY of the facts of primary activities, rebuilt after each import run (``RegistryState``).
"""

from __future__ import annotations

from django.db import models

from gapbridge.projects.models.activity import Activity, ActivityPart


class Money(ActivityPart):
    value = models.DecimalField(max_digits=40, decimal_places=10, null=True, blank=True)
    value_text = models.CharField(max_length=120, blank=True, help_text="the value exactly as parsed")
    currency = models.CharField(max_length=10, blank=True, help_text="@currency, else @default-currency")
    value_date = models.DateField(null=True, blank=True)
    value_usd = models.DecimalField(max_digits=30, decimal_places=4, null=True, blank=True)
    fx_rate = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)
    fx_status = models.CharField(max_length=12, blank=True)

    class Meta(ActivityPart.Meta):
        abstract = True


class Budget(Money):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="budgets")
    type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=100, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)


class PlannedDisbursement(Money):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="planned_disbursements")
    type = models.CharField(max_length=100, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    #: {"ref", "type", "activity_id", "narratives"}; null = element absent
    provider_org = models.JSONField(null=True, blank=True)
    receiver_org = models.JSONField(null=True, blank=True)


class Transaction(Money):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="transactions")
    type = models.CharField(max_length=100, blank=True, db_index=True)
    date = models.DateField(null=True, blank=True)
    ref = models.CharField(max_length=255, blank=True)
    humanitarian = models.BooleanField(null=True, blank=True)
    description = models.JSONField(default=list)
    provider_org = models.JSONField(null=True, blank=True)
    receiver_org = models.JSONField(null=True, blank=True)
    provider_ref = models.CharField(max_length=255, blank=True, db_index=True)
    provider_name = models.TextField(blank=True)
    provider_activity_id = models.CharField(max_length=255, blank=True)
    receiver_ref = models.CharField(max_length=255, blank=True, db_index=True)
    receiver_name = models.TextField(blank=True)
    receiver_activity_id = models.CharField(max_length=255, blank=True)
    disbursement_channel = models.CharField(max_length=100, blank=True)
    sectors = models.JSONField(
        default=list, help_text="[[code, vocabulary, vocabulary_uri, narratives], ...]"
    )
    recipient_country = models.JSONField(null=True, blank=True, help_text="[code, narratives]")
    recipient_country_code = models.CharField(max_length=100, blank=True)
    recipient_region = models.JSONField(
        null=True, blank=True, help_text="[code, vocabulary, uri, narratives]"
    )
    flow_type = models.CharField(max_length=100, blank=True)
    finance_type = models.CharField(max_length=100, blank=True)
    aid_types = models.JSONField(default=list)
    tied_status = models.CharField(max_length=100, blank=True)


class FundingFact(models.Model):
    """Part of an activity's commitments/disbursements/expenditure for one country, focus area, provider,
    year and currency (see :mod:`gapbridge.projects.money` for the split rules)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="funding_facts")
    transaction_type = models.CharField(max_length=2)
    year = models.IntegerField(null=True, blank=True)
    iso3 = models.CharField(max_length=3, blank=True, help_text="'' = a region or not stated")
    country_code = models.CharField(
        max_length=100, blank=True, help_text="recipient-country code as published"
    )
    region = models.CharField(max_length=120, blank=True)
    focus_area = models.CharField(max_length=40, blank=True)
    provider_key = models.CharField(max_length=255, blank=True)
    provider_name = models.TextField(blank=True)
    currency = models.CharField(max_length=10, blank=True)
    value = models.DecimalField(max_digits=40, decimal_places=10)
    value_usd = models.DecimalField(max_digits=30, decimal_places=4, null=True, blank=True)
    transactions = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["iso3", "year"], name="fact_country_year")]

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.year} {self.iso3 or self.region} {self.value_usd}"


class FundingCube(models.Model):
    """Sum of the funding facts of primary activities by every dimension the funding API groups by."""

    transaction_type = models.CharField(max_length=2)
    year = models.IntegerField(null=True, blank=True)
    iso3 = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=120, blank=True)
    focus_area = models.CharField(max_length=40, blank=True)
    provider_key = models.CharField(max_length=255, blank=True)
    provider_name = models.TextField(blank=True)
    #: '' for converted values; the original currency for values that could not be converted
    unconverted_currency = models.CharField(max_length=10, blank=True)
    value_usd = models.DecimalField(max_digits=30, decimal_places=4, null=True, blank=True)
    unconverted_value = models.DecimalField(max_digits=40, decimal_places=10, null=True, blank=True)
    transactions = models.IntegerField(help_text="a transaction split over several rows counts in each")

    class Meta:
        indexes = [
            models.Index(fields=["iso3", "year"], name="cube_country_year"),
            models.Index(fields=["focus_area"], name="cube_focus"),
            models.Index(fields=["provider_key"], name="cube_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.year} {self.iso3 or self.region} {self.value_usd}"


class RegistryState(models.Model):
    """One row: whether the funding cube is in step with the facts (``cube_dirty``)."""

    cube_dirty = models.BooleanField(default=True)
    cube_built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "cube dirty" if self.cube_dirty else "cube current"
