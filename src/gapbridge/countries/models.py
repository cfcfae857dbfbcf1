"""Economies, dated country groups, indicator observations, legal frameworks and the computed Gap Index."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class IncomeGroup(models.TextChoices):
    LOW = "L", _("Low income")
    LOWER_MIDDLE = "LM", _("Lower-middle income")
    UPPER_MIDDLE = "UM", _("Upper-middle income")
    HIGH = "H", _("High income")
    UNCLASSIFIED = "", _("Not classified")


class EconomyQuerySet(models.QuerySet["Economy"]):
    def in_group_on(self, group_code: str, on: dt.date) -> EconomyQuerySet:
        return self.filter(
            Q(memberships__group__code=group_code)
            & (Q(memberships__start_date__isnull=True) | Q(memberships__start_date__lte=on))
            & (Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gt=on))
        ).distinct()

    def names(self) -> dict[str, str]:
        """ISO3 -> name in the active language (English where the data has no translation)."""
        rows = self.values_list("iso3", "name_en", "name_fr", "name_es", "name_ar")
        lang = (get_language() or "en")[:2]
        column = {"fr": 2, "es": 3, "ar": 4}.get(lang)
        return {row[0]: (row[column] if column else "") or row[1] for row in rows}

    def by_name(self) -> list[tuple[str, str]]:
        """(ISO3, localised name) pairs sorted by the localised name, accents ignored."""

        def key(item: tuple[str, str]) -> str:
            decomposed = unicodedata.normalize("NFKD", item[1])
            return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

        return sorted(self.names().items(), key=key)


class Economy(models.Model):
    """A country or territory with an ISO 3166-1 code. Aggregates (WLD, LIC, ...) are never economies."""

    iso3 = models.CharField(max_length=3, unique=True)
    iso2 = models.CharField(max_length=2, blank=True)
    m49 = models.CharField(max_length=3, blank=True)
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)
    name_es = models.CharField(max_length=200, blank=True)
    name_ar = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=100, blank=True)
    sub_region = models.CharField(max_length=100, blank=True)
    wb_region = models.CharField(max_length=100, blank=True)
    income_group = models.CharField(max_length=2, choices=IncomeGroup.choices, blank=True)
    lending_category = models.CharField(max_length=20, blank=True)
    latest_population = models.FloatField(null=True, blank=True)

    objects = EconomyQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = "economies"

    def __str__(self) -> str:
        return f"{self.name_en} ({self.iso3})"

    @property
    def name(self) -> str:
        """The name in the active language where the data has it, else English."""
        lang = (get_language() or "en")[:2]
        localised: str = getattr(self, f"name_{lang}", "") if lang in {"fr", "es", "ar"} else ""
        return localised or self.name_en

    @property
    def region_label(self) -> str:
        """The UN M49 region in the active language (the data stores it in English)."""
        from gapbridge.countries.labels import region  # labels imports this module

        return region(self.region)


class CountryGroup(models.Model):
    """A grouping such as LDC, LLDC, SIDS, WTO members or DCO member states; data, not code."""

    class Kind(models.TextChoices):
        UN = "un", _("UN category")
        INCOME = "income", _("World Bank income group")
        MEMBERSHIP = "membership", _("Organization membership")
        REGION = "region", _("Region")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=300)
    source_url = models.URLField(max_length=500, blank=True)
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The group's name in the active language where the interface has it, else the stored name."""
        from gapbridge.countries.labels import group_name  # labels imports this module

        return group_name(self.code, self.name)

    def members_on(self, on: dt.date) -> EconomyQuerySet:
        return Economy.objects.in_group_on(self.code, on)


class GroupMembership(models.Model):
    """Membership over [start_date, end_date): a graduation on D means 'not a member on D'."""

    class Origin(models.TextChoices):
        REFERENCE = "reference", _("Bundled reference data")
        SECRETARIAT = "secretariat", _("Edited by the secretariat")

    group = models.ForeignKey(CountryGroup, on_delete=models.CASCADE, related_name="memberships")
    economy = models.ForeignKey(Economy, on_delete=models.CASCADE, related_name="memberships")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True, help_text="e.g. member, observer")
    source = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.REFERENCE)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["group__code", "economy__iso3", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gt=models.F("start_date")),
                name="membership_end_after_start",
            )
        ]
        indexes = [models.Index(fields=["group", "economy"])]

    def __str__(self) -> str:
        return f"{self.economy_id} in {self.group_id} [{self.start_date or '…'}, {self.end_date or '…'})"

    def active_on(self, on: dt.date) -> bool:
        return (self.start_date is None or self.start_date <= on) and (
            self.end_date is None or on < self.end_date
        )


class Indicator(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=100)
    pillar = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=300)
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["pillar", "code"]

    def __str__(self) -> str:
        return self.name


class Observation(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    economy = models.ForeignKey(Economy, on_delete=models.CASCADE, related_name="observations")
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()
    source = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "economy", "year"], name="one_value_per_year")
        ]
        indexes = [models.Index(fields=["economy", "indicator", "-year"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.economy_id} {self.year}={self.value}"


class LegalArea(models.TextChoices):
    E_TRANSACTIONS = "etransactions", _("Electronic transactions")
    CONSUMER_PROTECTION = "consumer_protection", _("Consumer protection")
    DATA_PROTECTION = "data_protection", _("Privacy and data protection")
    CYBERCRIME = "cybercrime", _("Cybercrime")
    INDIRECT_TAXATION = "indirect_taxation", _("Indirect taxation (e-commerce)")


class LegalStatus(models.Model):
    """A country's legislation status in one area (UNCTAD Global Cyberlaw Tracker), with its laws."""

    class Status(models.TextChoices):
        LEGISLATION = "legislation", _("Legislation")
        DRAFT = "draft", _("Draft legislation")
        NONE = "none", _("No legislation")
        NO_DATA = "no_data", _("No data")

    economy = models.ForeignKey(Economy, on_delete=models.CASCADE, related_name="legal_statuses")
    area = models.CharField(max_length=30, choices=LegalArea.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    laws = models.JSONField(default=list, blank=True, help_text="[[url, title], ...]")
    source = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["economy", "area"], name="one_status_per_area")]
        ordering = ["economy__iso3", "area"]

    def __str__(self) -> str:
        return f"{self.economy_id} {self.area}: {self.status}"


class ReferenceLoad(models.Model):
    """One successful load of the bundled reference data; the checksum makes `load-reference` idempotent."""

    loaded_at = models.DateTimeField(auto_now_add=True)
    checksum = models.CharField(max_length=64)
    summary = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"reference load {self.loaded_at:%Y-%m-%d %H:%M} {self.checksum[:10]}"


class CountryScore(models.Model):
    """The computed Gap Index for one economy (recomputed after every reference load)."""

    economy = models.OneToOneField(Economy, on_delete=models.CASCADE, related_name="score")
    overall = models.FloatField(null=True, blank=True)
    overall_coverage = models.FloatField()
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.economy_id}: {self.overall}"


class PillarScore(models.Model):
    economy = models.ForeignKey(Economy, on_delete=models.CASCADE, related_name="pillar_scores")
    pillar = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=100)
    score = models.FloatField(null=True, blank=True)
    coverage = models.FloatField()
    status = models.CharField(max_length=40)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["economy", "pillar"], name="one_score_per_pillar")]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.economy_id} {self.pillar}: {self.score}"


class IndicatorValue(models.Model):
    """The value the index used for one indicator (most recent in the window), or a recorded data gap."""

    economy = models.ForeignKey(Economy, on_delete=models.CASCADE, related_name="indicator_values")
    pillar = models.CharField(max_length=40)
    code = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=100)
    value = models.FloatField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    normalised = models.FloatField(null=True, blank=True)
    gap_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["economy", "code"], name="one_value_per_indicator")]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.economy_id} {self.code}={self.value} ({self.year})"


class PeerAhead(models.Model):
    """A peer of similar context that scores clearly higher on a pillar, with what it has."""

    economy = models.ForeignKey(Economy, on_delete=models.CASCADE, related_name="peers_ahead")
    pillar = models.CharField(max_length=40)
    peer = models.ForeignKey(Economy, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    peer_score = models.FloatField()
    score_gap = models.FloatField()
    differences = models.JSONField(default=list)

    class Meta:
        ordering = ["pillar", "position"]
        indexes = [models.Index(fields=["economy", "pillar"])]

    def __str__(self) -> str:
        return f"{self.economy_id} {self.pillar}: {self.peer_id} +{self.score_gap:.1f}"
