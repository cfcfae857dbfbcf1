"""Needs for support: what a country (a ministry, an SME agency, an SME) asks for.

A need moves along `gapbridge.needs.lifecycle`; every move is a `NeedStatusChange` row (from, to, who,
when, why). "Indicative" needs (origin = derived) are computed from a country's weakest Gap Index pillars:
they are labelled as derived from data everywhere and are never presented as the country's request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gapbridge.needs.lifecycle import PUBLIC
from gapbridge.needs.lifecycle import NeedStatus as _S
from gapbridge.offers.choices import Language, RequesterType


class NeedStatus(models.TextChoices):
    DRAFT = _S.DRAFT.value, _("Draft")
    SUBMITTED = _S.SUBMITTED.value, _("Submitted")
    VALIDATED = _S.VALIDATED.value, _("Validated")
    MATCHING = _S.MATCHING.value, _("Matching")
    MATCHED = _S.MATCHED.value, _("Matched")
    IN_IMPLEMENTATION = _S.IN_IMPLEMENTATION.value, _("In implementation")
    FULFILLED = _S.FULFILLED.value, _("Fulfilled")
    CLOSED = _S.CLOSED.value, _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class NeedOrigin(models.TextChoices):
    REQUESTED = "requested", _("Requested by the country")
    DERIVED = "derived", _("Indicative, derived from data")


class NeedQuerySet(models.QuerySet["Need"]):
    def public(self) -> NeedQuerySet:
        return self.filter(status__in=[s.value for s in PUBLIC])

    def requested(self) -> NeedQuerySet:
        return self.filter(origin=NeedOrigin.REQUESTED)

    def indicative(self) -> NeedQuerySet:
        return self.filter(origin=NeedOrigin.DERIVED)

    def visible_to(
        self, country_ids: set[int], organization_ids: set[int], secretariat: bool
    ) -> NeedQuerySet:
        if secretariat:
            return self.all()
        return self.filter(
            Q(status__in=[s.value for s in PUBLIC])
            | Q(country_id__in=country_ids)
            | Q(requesting_organization_id__in=organization_ids)
        )

    def search(
        self,
        *,
        q: str = "",
        country_id: int | None = None,
        focus_area: str = "",
        kind: str = "",
        status: str = "",
        origin: str = "",
    ) -> NeedQuerySet:
        qs = self
        if q:
            qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
        if country_id:
            qs = qs.filter(country_id=country_id)
        if focus_area:
            qs = qs.filter(focus_areas__icontains=f'"{focus_area}"')
        if kind:
            qs = qs.filter(kinds__icontains=f'"{kind}"')
        if status:
            qs = qs.filter(status=status)
        if origin:
            qs = qs.filter(origin=origin)
        return qs


class Need(models.Model):
    country = models.ForeignKey(
        "countries.Economy", on_delete=models.PROTECT, related_name="needs", verbose_name=_("country")
    )
    requesting_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
        verbose_name=_("requesting organization"),
    )
    requester_type = models.CharField(
        _("requester type"), max_length=20, choices=RequesterType.choices, default=RequesterType.GOVERNMENT
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    language = models.CharField(
        _("language of the text"), max_length=2, choices=Language.choices, default=Language.EN
    )
    #: {"fr": {"title": "...", "description": "..."}, ...}: the same need in other languages
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    focus_areas = models.JSONField(_("focus areas"), default=list)
    kinds = models.JSONField(_("kinds of support sought"), default=list, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    start_by = models.DateField(_("wanted from"), null=True, blank=True)
    end_by = models.DateField(_("wanted until"), null=True, blank=True)
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    budget_usd = models.DecimalField(
        _("budget (US$)"), max_digits=16, decimal_places=2, null=True, blank=True
    )

    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    origin = models.CharField(max_length=20, choices=NeedOrigin.choices, default=NeedOrigin.REQUESTED)
    #: for derived needs: {"pillar": ..., "score": ..., "rank": ..., "computed_at": ...}
    derived_from = models.JSONField(default=dict, blank=True)
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["country", "status"]), models.Index(fields=["status", "origin"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_by__isnull=True)
                | Q(end_by__isnull=True)
                | Q(start_by__lte=models.F("end_by")),
                name="need_timeframe_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("needs:detail", args=[self.pk])

    @property
    def is_indicative(self) -> bool:
        return self.origin == NeedOrigin.DERIVED

    def status_label(self) -> str:
        """What readers are told of its status: an indicative need has no lifecycle (it is stored as
        validated only so that it is public), so it is "Indicative", never "Validated"."""
        return str(_("Indicative")) if self.is_indicative else self.get_status_display()

    def matching_text(self) -> str:
        """Title and description in every language given (the matcher compares across languages)."""
        parts = [self.title, self.description]
        for value in (self.translations or {}).values():
            if isinstance(value, dict):
                parts += [str(value.get("title", "")), str(value.get("description", ""))]
        return "\n".join(p for p in parts if p)

    # Ownership: the country's focal points, and the requesting organization's editors.
    def owning_organization_id(self) -> int | None:
        return self.requesting_organization_id

    def owning_country_id(self) -> int | None:
        return self.country_id


class NeedStatusChange(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=NeedStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=NeedStatus.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"need #{self.need_id} {self.from_status or '∅'} → {self.to_status}"
