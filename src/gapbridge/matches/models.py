"""Matches between needs and offers, with their lifecycle history; saved searches and their notifications.

A match keeps the score and the explanation it had when it was suggested (components and constraints, in
words), so what a focal point saw can be shown again later. Every move of its lifecycle
(`gapbridge.matches.lifecycle`) is a `MatchStatusChange` row. A `Notification` is unique per saved search
and object: the same alert is never sent twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gapbridge.matches.lifecycle import PUBLIC
from gapbridge.matches.lifecycle import MatchStatus as _S
from gapbridge.offers.choices import FocusArea, SupportKind


class MatchStatus(models.TextChoices):
    SUGGESTED = _S.SUGGESTED.value, _("Suggested")
    CONTACTED = _S.CONTACTED.value, _("Contacted")
    ACCEPTED = _S.ACCEPTED.value, _("Accepted")
    DECLINED = _S.DECLINED.value, _("Declined")
    PROJECT_STARTED = _S.PROJECT_STARTED.value, _("Project started")
    COMPLETED = _S.COMPLETED.value, _("Completed")


class MatchOrigin(models.TextChoices):
    BATCH = "batch", _("Batch assignment")
    NEED_PAGE = "need-page", _("Chosen on the need's page")
    OFFER_PAGE = "offer-page", _("Chosen on the offer's page")
    API = "api", _("API")
    EVENT_MEETING = "event-meeting", _("Agreed at a matchmaking event meeting")


class MatchQuerySet(models.QuerySet["Match"]):
    def public(self) -> MatchQuerySet:
        return self.filter(status__in=[s.value for s in PUBLIC])


class Match(models.Model):
    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey("offers.Offer", on_delete=models.CASCADE, related_name="matches")
    score = models.FloatField()
    #: {"components": [...], "checks": [...]} as the matcher gave them (codes, values, English text)
    explanation = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=20, choices=MatchOrigin.choices, default=MatchOrigin.NEED_PAGE)
    #: the IATI activity that carries the project, once started (iati-identifier)
    iati_identifier = models.CharField(_("IATI activity identifier"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["need", "offer"], name="one_match_per_need_and_offer")]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"match #{self.pk}: need #{self.need_id} ↔ offer #{self.offer_id}"

    def get_absolute_url(self) -> str:
        return reverse("matches:detail", args=[self.pk])

    # Both sides are responsible: the provider's editors and the need's country focal points (and, through
    # the services, the requesting organization's editors).
    def owning_organization_id(self) -> int | None:
        return self.offer.provider_id

    def owning_country_id(self) -> int | None:
        return self.need.country_id


class MatchStatusChange(models.Model):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=MatchStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=MatchStatus.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"match #{self.match_id} {self.from_status or '∅'} → {self.to_status}"


class SavedSearch(models.Model):
    class Target(models.TextChoices):
        OFFERS = "offers", _("New offers")
        NEEDS = "needs", _("New needs")
        BOTH = "both", _("New offers and needs")

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("At once")
        DAILY = "daily", _("Daily digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.ForeignKey(
        "countries.Economy",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("country"),
    )
    focus_area = models.CharField(_("focus area"), max_length=40, choices=FocusArea.choices, blank=True)
    kind = models.CharField(_("kind of support"), max_length=30, choices=SupportKind.choices, blank=True)
    target = models.CharField(
        _("alert me about"), max_length=10, choices=Target.choices, default=Target.OFFERS
    )
    threshold = models.FloatField(_("minimum score"), default=0.4)
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.INSTANT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def owning_organization_id(self) -> int | None:
        return None

    def owning_country_id(self) -> int | None:
        return None


class Notification(models.Model):
    class Subject(models.TextChoices):
        OFFER = "offer", _("Offer")
        NEED = "need", _("Need")

    search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_notifications"
    )
    subject = models.CharField(max_length=10, choices=Subject.choices)
    object_id = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["search", "subject", "object_id"], name="one_notification_per_search_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.subject} #{self.object_id}"
