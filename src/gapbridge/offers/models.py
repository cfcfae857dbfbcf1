"""Offers of support: what a provider organization offers, to whom, in which languages, with what capacity.

An offer moves draft → published → closed (`gapbridge.offers.lifecycle`); every move is an
`OfferStatusChange` row (from, to, who, when, why). Offers seeded from open data (the Digital Public Goods
registry, IATI technical cooperation) carry their source, so they are never mistaken for a provider's own
entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gapbridge.offers.choices import Language, Modality, SupportKind
from gapbridge.offers.lifecycle import OfferStatus as _S


class OfferStatus(models.TextChoices):
    DRAFT = _S.DRAFT.value, _("Draft")
    PUBLISHED = _S.PUBLISHED.value, _("Published")
    CLOSED = _S.CLOSED.value, _("Closed")


class OfferOrigin(models.TextChoices):
    PROVIDER = "provider", _("Entered by the provider")
    DPG_REGISTRY = "dpg-registry", _("Digital Public Goods registry")
    IATI = "iati", _("IATI technical cooperation activity")


def _on_record() -> Q:
    """Published offers, and offers closed while published (their last move was published → closed): a
    closed offer stays on the public record as it was shown (matches and results point to it); a draft
    closed, even one published once and taken back to draft for rewriting, stays private."""
    later = OfferStatusChange.objects.filter(offer=OuterRef("offer"), pk__gt=OuterRef("pk"))
    closed_in_public = OfferStatusChange.objects.filter(
        offer=OuterRef("pk"), from_status=OfferStatus.PUBLISHED, to_status=OfferStatus.CLOSED
    ).filter(~Exists(later))
    return Q(status=OfferStatus.PUBLISHED) | Q(Q(status=OfferStatus.CLOSED), Exists(closed_in_public))


class OfferQuerySet(models.QuerySet["Offer"]):
    def public(self) -> OfferQuerySet:
        """What anyone may read: published offers and closed ones that were published (see `_on_record`)."""
        return self.filter(_on_record())

    def visible_to(self, organization_ids: set[int], secretariat: bool) -> OfferQuerySet:
        """The public record, plus the drafts and closed offers of the viewer's organizations."""
        if secretariat:
            return self.all()
        return self.filter(_on_record() | Q(provider_id__in=organization_ids))

    def search(
        self,
        *,
        q: str = "",
        focus_area: str = "",
        kind: str = "",
        country_id: int | None = None,
        country_region: str = "",
        country_group_ids: frozenset[int] = frozenset(),
        provider_id: int | None = None,
        language: str = "",
        status: str = "",
    ) -> OfferQuerySet:
        qs = self
        if q:
            qs = qs.filter(
                Q(title__icontains=q) | Q(description__icontains=q) | Q(provider__name__icontains=q)
            )
        if focus_area:
            qs = qs.filter(focus_areas__icontains=f'"{focus_area}"')
        if kind:
            qs = qs.filter(kind=kind)
        if provider_id:
            qs = qs.filter(provider_id=provider_id)
        if language:
            qs = qs.filter(Q(languages__icontains=f'"{language}"') | Q(languages=[]))
        if status:
            qs = qs.filter(status=status)
        if country_id:
            # open to all, or listing the country, its region or a group it belongs to (today)
            covered = Q(eligible_countries__id=country_id) | Q(
                eligible_countries__isnull=True, eligible_regions=[], eligible_groups__isnull=True
            )
            if country_region:
                covered |= Q(eligible_regions__icontains=f'"{country_region}"')
            if country_group_ids:
                covered |= Q(eligible_groups__id__in=country_group_ids)
            qs = qs.filter(pk__in=Offer.objects.filter(covered).values("pk"))
        return qs


class Offer(models.Model):
    provider = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("provider"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    language = models.CharField(
        _("language of the text"), max_length=2, choices=Language.choices, default=Language.EN
    )
    #: {"fr": {"title": "...", "description": "..."}, ...}: the same offer in other languages
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    kind = models.CharField(_("kind of support"), max_length=30, choices=SupportKind.choices)
    focus_areas = models.JSONField(_("focus areas"), default=list)

    # Eligibility: empty geography = every country; a country is eligible when it is listed, its region
    # (UN M49 sub-region) is listed, or it belongs to a listed group on the date of the need.
    eligible_countries = models.ManyToManyField(
        "countries.Economy", blank=True, related_name="eligible_offers", verbose_name=_("eligible countries")
    )
    eligible_regions = models.JSONField(_("eligible regions"), default=list, blank=True)
    eligible_groups = models.ManyToManyField(
        "countries.CountryGroup",
        blank=True,
        related_name="eligible_offers",
        verbose_name=_("eligible groups"),
    )
    requester_types = models.JSONField(_("eligible requesters"), default=list, blank=True)

    languages = models.JSONField(_("working languages"), default=list, blank=True)
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices, blank=True)
    capacity = models.PositiveIntegerField(
        _("places (needs it can take)"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    budget_usd = models.DecimalField(
        _("budget (US$)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    opens = models.DateField(_("applications open"), null=True, blank=True)
    closes = models.DateField(_("applications close"), null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_url = models.URLField(_("contact or information page"), max_length=500, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    origin = models.CharField(max_length=20, choices=OfferOrigin.choices, default=OfferOrigin.PROVIDER)
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_note = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["provider", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__isnull=True) | Q(closes__isnull=True) | Q(opens__lte=models.F("closes")),
                name="offer_window_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("offers:detail", args=[self.pk])

    @property
    def is_seeded(self) -> bool:
        return self.origin != OfferOrigin.PROVIDER

    def matching_text(self) -> str:
        """Title and description in every language given (the matcher compares across languages)."""
        parts = [self.title, self.description]
        for value in (self.translations or {}).values():
            if isinstance(value, dict):
                parts += [str(value.get("title", "")), str(value.get("description", ""))]
        return "\n".join(p for p in parts if p)

    # The ownership protocol of gapbridge.accounts.permissions: the provider's editors own an offer.
    def owning_organization_id(self) -> int | None:
        return self.provider_id

    def owning_country_id(self) -> int | None:
        return None


class OfferStatusChange(models.Model):
    """One move along the lifecycle; `from_status` is empty for the creation."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=OfferStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OfferStatus.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"offer #{self.offer_id} {self.from_status or '∅'} → {self.to_status}"
