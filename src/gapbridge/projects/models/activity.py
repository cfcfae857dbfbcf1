"""An IATI activity and its descriptive parts (organisations, places, sectors, classifications, links).

Conventions shared by every table of the registry:

* ``position`` keeps the published order of repeated elements (0-based), so an activity is rebuilt
  exactly as it was read (:mod:`gapbridge.projects.export`).
* Narratives are JSON lists of ``[text, lang]`` pairs (``lang`` ``null`` = the activity's default).
* Codes are stored as the IATI 2.x codes the adapter produced; names come from the codelists.
* Child rows are replaced whenever a newer version of the activity is imported; the ``Activity`` row
  keeps its id (other apps may point at it). Link to results by (activity, position), not by row id.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

Narratives = list[list[Any]]


def pick(narratives: Narratives | None, lang: str | None = None) -> str:
    """The narrative in ``lang`` if present, else the first one, else ``""``."""
    if not narratives:
        return ""
    if lang:
        for text, narrative_lang in narratives:
            if narrative_lang == lang:
                return str(text)
    return str(narratives[0][0])


class ActivityQuerySet(models.QuerySet["Activity"]):
    """Named queries used by the pages, the API and the export."""

    def _facet(self, kind: str, value: str) -> ActivityQuerySet:
        return self.filter(
            Exists(ActivityFacet.objects.filter(activity=OuterRef("pk"), kind=kind, value=value))
        )

    def in_country(self, iso3: str) -> ActivityQuerySet:
        """Activities with ``iso3`` as a recipient, at activity or transaction level."""
        return self._facet(ActivityFacet.Kind.COUNTRY, iso3.upper())

    def in_focus_area(self, slug: str) -> ActivityQuerySet:
        return self._facet(ActivityFacet.Kind.FOCUS_AREA, slug)

    def with_sector(self, code: str) -> ActivityQuerySet:
        """Activities with a sector ``code`` (any vocabulary, activity or transaction level)."""
        return self._facet(ActivityFacet.Kind.SECTOR, code)

    def by_publisher(self, ref: str) -> ActivityQuerySet:
        return self.filter(publisher_ref=ref)

    def with_status(self, code: str) -> ActivityQuerySet:
        return self.filter(activity_status=code)

    def active_in(self, year: int) -> ActivityQuerySet:
        """Running at some time in ``year`` (start year <= year <= end year; open ends count)."""
        return self.filter(
            (Q(start_year__isnull=True) | Q(start_year__lte=year))
            & (Q(end_year__isnull=True) | Q(end_year__gte=year))
        ).exclude(start_year__isnull=True, end_year__isnull=True)

    def search(self, text: str) -> ActivityQuerySet:
        """Every word of ``text`` occurs in a title or description (any language, case-insensitive)."""
        qs = self
        for word in text.lower().split()[:8]:
            qs = qs.filter(search_text__contains=word)
        return qs

    def primary(self) -> ActivityQuerySet:
        return self.filter(is_primary=True)


class Activity(models.Model):
    """One ``iati-activity`` as last published by one publisher (reporting organisation).

    Identity is (``iati_identifier``, ``publisher_ref``): the same identifier published by two
    organisations is two rows, linked by the identifier; exactly one of them is ``is_primary`` and only
    primaries count in funding totals (so nothing is counted twice).
    """

    iati_identifier = models.CharField(max_length=255, db_index=True)
    publisher_ref = models.CharField(
        max_length=255, db_index=True, help_text="reporting-org/@ref ('' when not given)"
    )
    reporting_org = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iati_activities",
    )
    #: reporting-org as published: {"ref", "type", "secondary", "narratives"}; null = element absent
    reporting_org_data = models.JSONField(null=True, blank=True)
    version = models.CharField(max_length=100, blank=True)
    last_updated_datetime = models.DateTimeField(null=True, blank=True)
    default_language = models.CharField(max_length=100, blank=True)
    default_currency = models.CharField(max_length=10, blank=True)
    hierarchy = models.IntegerField(null=True, blank=True)
    humanitarian = models.BooleanField(null=True, blank=True)
    budget_not_provided = models.CharField(max_length=100, blank=True)
    titles = models.JSONField(default=list, help_text="[[text, lang], ...]")
    descriptions = models.JSONField(default=list, help_text="[[type, [[text, lang], ...]], ...]")
    title = models.TextField(blank=True, help_text="title in the default language, else the first")
    activity_status = models.CharField(max_length=100, blank=True, db_index=True)
    activity_scope = models.CharField(max_length=100, blank=True)
    collaboration_type = models.CharField(max_length=100, blank=True)
    default_flow_type = models.CharField(max_length=100, blank=True)
    default_finance_type = models.CharField(max_length=100, blank=True)
    default_aid_types = models.JSONField(default=list, help_text="[[code, vocabulary], ...]")
    default_tied_status = models.CharField(max_length=100, blank=True)
    start_date = models.DateField(null=True, blank=True, help_text="actual start, else planned")
    end_date = models.DateField(null=True, blank=True, help_text="actual end, else planned")
    start_year = models.IntegerField(null=True, blank=True, db_index=True)
    end_year = models.IntegerField(null=True, blank=True, db_index=True)
    commitments_usd = models.DecimalField(max_digits=30, decimal_places=2, null=True, blank=True)
    disbursements_usd = models.DecimalField(max_digits=30, decimal_places=2, null=True, blank=True)
    expenditure_usd = models.DecimalField(max_digits=30, decimal_places=2, null=True, blank=True)
    unconvertible_transactions = models.IntegerField(default=0)
    search_text = models.TextField(blank=True, help_text="lower-cased titles and descriptions, all languages")
    content_hash = models.CharField(max_length=64)
    derivation = models.CharField(
        max_length=64, help_text="fingerprint of the FX and focus-area data the derived values used"
    )
    is_primary = models.BooleanField(default=True, db_index=True)
    source_file = models.ForeignKey(
        "projects.SourceFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    source_line = models.IntegerField(null=True, blank=True)
    first_imported_at = models.DateTimeField()
    imported_at = models.DateTimeField()

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["iati_identifier", "publisher_ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier", "publisher_ref"], name="activity_per_publisher"
            )
        ]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.iati_identifier

    def owning_organization_id(self) -> int | None:
        return self.reporting_org_id

    def owning_country_id(self) -> int | None:
        return None

    def display_title(self, lang: str | None = None) -> str:
        return pick(self.titles, lang or self.default_language or None) or self.title

    def description_text(self, lang: str | None = None) -> str:
        for _type, narratives in self.descriptions:
            text = pick(narratives, lang or self.default_language or None)
            if text:
                return text
        return ""

    def same_identifier(self) -> ActivityQuerySet:
        """The same iati-identifier as published by other organisations."""
        return Activity.objects.filter(iati_identifier=self.iati_identifier).exclude(pk=self.pk)


class ActivityPart(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    position = models.IntegerField()

    class Meta:
        abstract = True
        ordering = ["activity_id", "position"]


class ActivityFacet(models.Model):
    """Search index: one row per (activity, kind, value) for the country, focus-area and sector filters."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "recipient country (ISO3)"
        FOCUS_AREA = "focus", "focus area"
        SECTOR = "sector", "sector code"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=100, choices=Kind.choices)
    value = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["kind", "value", "activity"], name="facet_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class ActivityDate(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="dates")
    type = models.CharField(max_length=100)
    iso_date = models.DateField()
    narratives = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class ParticipatingOrg(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participating_orgs")
    role = models.CharField(max_length=100, blank=True)
    ref = models.CharField(max_length=255, blank=True, db_index=True)
    type = models.CharField(max_length=100, blank=True)
    activity_ref = models.CharField(max_length=255, blank=True, help_text="participating-org/@activity-id")
    crs_channel_code = models.CharField(max_length=100, blank=True)
    narratives = models.JSONField(default=list)
    #: ``role`` absent in the source (``""`` above is then not a code)
    role_given = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"

    @property
    def name(self) -> str:
        return pick(self.narratives) or self.ref


class OtherIdentifier(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="other_identifiers")
    ref = models.CharField(max_length=255)
    type = models.CharField(max_length=100, blank=True)
    owner_ref = models.CharField(max_length=255, blank=True)
    owner_narratives = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class RecipientCountry(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="recipient_countries")
    code = models.CharField(max_length=100, help_text="ISO 3166-1 alpha-2 as published")
    iso3 = models.CharField(max_length=3, blank=True, db_index=True)
    percentage = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    narratives = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class RecipientRegion(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="recipient_regions")
    code = models.CharField(max_length=100)
    vocabulary = models.CharField(max_length=100)
    vocabulary_uri = models.CharField(max_length=500, blank=True)
    percentage = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    narratives = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class Location(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="locations")
    ref = models.CharField(max_length=255, blank=True)
    reach = models.CharField(max_length=100, blank=True)
    location_ids = models.JSONField(default=list, help_text="[[vocabulary, code], ...]")
    name = models.JSONField(default=list)
    description = models.JSONField(default=list)
    activity_description = models.JSONField(default=list)
    administratives = models.JSONField(default=list, help_text="[[vocabulary, code, level], ...]")
    point_srs_name = models.CharField(max_length=255, blank=True)
    point_pos = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    exactness = models.CharField(max_length=100, blank=True)
    location_class = models.CharField(max_length=100, blank=True)
    feature_designation = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class Sector(ActivityPart):
    """An activity-level sector (transaction-level sectors live on the transaction)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sectors")
    code = models.CharField(max_length=100, db_index=True)
    vocabulary = models.CharField(max_length=100)
    vocabulary_uri = models.CharField(max_length=500, blank=True)
    percentage = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    narratives = models.JSONField(default=list)
    focus_area = models.CharField(max_length=40, blank=True, help_text="GapBridge focus area ('' = none)")

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class Tag(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tags")
    code = models.CharField(max_length=100)
    vocabulary = models.CharField(max_length=100)
    vocabulary_uri = models.CharField(max_length=500, blank=True)
    narratives = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class PolicyMarker(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="policy_markers")
    code = models.CharField(max_length=100)
    vocabulary = models.CharField(max_length=100)
    significance = models.CharField(max_length=100, blank=True)
    vocabulary_uri = models.CharField(max_length=500, blank=True)
    narratives = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class DocumentLink(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="document_links")
    url = models.TextField()
    format = models.CharField(max_length=255, blank=True)
    title = models.JSONField(default=list)
    description = models.JSONField(default=list)
    categories = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    document_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"


class RelatedActivity(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="related_activities")
    ref = models.CharField(max_length=255, db_index=True)
    type = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.position}"
