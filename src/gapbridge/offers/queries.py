"""Named reads of offers: what a viewer may see, catalogue filters, remaining places."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, is_secretariat, organization_ids
from gapbridge.api.limits import check_id
from gapbridge.countries.models import Economy, GroupMembership
from gapbridge.countries.queries import QueryError
from gapbridge.matches.lifecycle import TAKES_CAPACITY
from gapbridge.offers.choices import FocusArea, Language, SupportKind
from gapbridge.offers.models import Offer, OfferQuerySet, OfferStatus


def visible(actor: Actor) -> OfferQuerySet:
    return Offer.objects.visible_to(organization_ids(actor), is_secretariat(actor))


def get_visible(actor: Actor, offer_id: int) -> Offer:
    """The offer if the viewer may see it; Offer.DoesNotExist otherwise (a draft is not revealed)."""
    return (
        visible(actor)
        .select_related("provider")
        .prefetch_related("eligible_countries", "eligible_groups")
        .get(pk=offer_id)
    )


@dataclass(frozen=True)
class OfferFilter:
    q: str = ""
    focus_area: str = ""
    kind: str = ""
    country: str = ""
    provider: int | None = None
    language: str = ""
    status: str = ""
    origin: str = ""


def search(actor: Actor, f: OfferFilter) -> OfferQuerySet:
    if f.focus_area and f.focus_area not in FocusArea.values:
        raise QueryError(
            _("unknown %(field)s %(value)s; expected one of %(expected)s")
            % {"field": "focus_area", "value": repr(f.focus_area), "expected": ", ".join(FocusArea.values)}
        )
    if f.kind and f.kind not in SupportKind.values:
        raise QueryError(
            _("unknown %(field)s %(value)s; expected one of %(expected)s")
            % {"field": "kind", "value": repr(f.kind), "expected": ", ".join(SupportKind.values)}
        )
    if f.language and f.language not in Language.values:
        raise QueryError(
            _("unknown %(field)s %(value)s; expected one of %(expected)s")
            % {"field": "language", "value": repr(f.language), "expected": ", ".join(Language.values)}
        )
    if f.status and f.status not in OfferStatus.values:
        raise QueryError(
            _("unknown %(field)s %(value)s; expected one of %(expected)s")
            % {"field": "status", "value": repr(f.status), "expected": ", ".join(OfferStatus.values)}
        )
    country_id, region, group_ids = None, "", frozenset[int]()
    if f.country:
        economy = Economy.objects.filter(iso3=f.country.upper()).first()
        if economy is None:
            raise QueryError(_("no economy with ISO3 code %(code)s") % {"code": repr(f.country)})
        country_id, region = economy.pk, economy.sub_region
        today = timezone.localdate()
        group_ids = frozenset(
            m.group_id for m in GroupMembership.objects.filter(economy=economy) if m.active_on(today)
        )
    qs = visible(actor).search(
        q=f.q.strip(),
        focus_area=f.focus_area,
        kind=f.kind,
        country_id=country_id,
        country_region=region,
        country_group_ids=group_ids,
        provider_id=check_id("provider", f.provider),
        language=f.language,
        status=f.status
        or ("" if is_secretariat(actor) or organization_ids(actor) else OfferStatus.PUBLISHED),
    )
    if f.origin:
        qs = qs.filter(origin=f.origin)
    return qs.select_related("provider").order_by("-updated_at", "-id")


def taken(offer: Offer) -> int:
    return offer.matches.filter(status__in=[s.value for s in TAKES_CAPACITY]).count()


def remaining(offer: Offer) -> int | None:
    return None if offer.capacity is None else max(offer.capacity - taken(offer), 0)


def by_provider(org_ids: set[int]) -> OfferQuerySet:
    return (
        Offer.objects.filter(provider_id__in=org_ids)
        .annotate(
            n_matches=Count("matches"),
            n_taken=Count("matches", filter=Q(matches__status__in=[s.value for s in TAKES_CAPACITY])),
        )
        .select_related("provider")
        .order_by("status", "-updated_at")
    )
