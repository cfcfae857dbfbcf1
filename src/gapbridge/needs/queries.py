"""Named reads of needs: what a viewer may see and the need board's filters."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, country_ids, is_secretariat, organization_ids
from gapbridge.countries.models import Economy
from gapbridge.countries.queries import QueryError
from gapbridge.needs.models import Need, NeedOrigin, NeedQuerySet, NeedStatus
from gapbridge.offers.choices import FocusArea, SupportKind


def visible(actor: Actor) -> NeedQuerySet:
    return Need.objects.visible_to(country_ids(actor), organization_ids(actor), is_secretariat(actor))


def get_visible(actor: Actor, need_id: int) -> Need:
    return visible(actor).select_related("country", "requesting_organization").get(pk=need_id)


@dataclass(frozen=True)
class NeedFilter:
    q: str = ""
    country: str = ""
    focus_area: str = ""
    kind: str = ""
    status: str = ""
    origin: str = ""


def search(actor: Actor, f: NeedFilter) -> NeedQuerySet:
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
    if f.status and f.status not in NeedStatus.values:
        raise QueryError(
            _("unknown %(field)s %(value)s; expected one of %(expected)s")
            % {"field": "status", "value": repr(f.status), "expected": ", ".join(NeedStatus.values)}
        )
    if f.origin and f.origin not in NeedOrigin.values:
        raise QueryError(
            _("unknown %(field)s %(value)s; expected one of %(expected)s")
            % {"field": "origin", "value": repr(f.origin), "expected": ", ".join(NeedOrigin.values)}
        )
    country_id = None
    if f.country:
        economy = Economy.objects.filter(iso3=f.country.upper()).first()
        if economy is None:
            raise QueryError(_("no economy with ISO3 code %(code)s") % {"code": repr(f.country)})
        country_id = economy.pk
    qs = visible(actor).search(
        q=f.q.strip(),
        country_id=country_id,
        focus_area=f.focus_area,
        kind=f.kind,
        status=f.status,
        origin=f.origin,
    )
    return qs.select_related("country", "requesting_organization").order_by("origin", "-updated_at", "-id")
