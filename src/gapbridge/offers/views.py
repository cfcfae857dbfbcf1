"""Pages of offers: the catalogue with filters, an offer's page (eligibility, history, where it fits best),
creating and editing, and lifecycle moves. Views validate and call services."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gapbridge.accounts.permissions import PermissionDenied, can_edit, is_secretariat, organization_ids
from gapbridge.countries.models import Economy
from gapbridge.countries.queries import QueryError
from gapbridge.matches import explain
from gapbridge.matches import queries as match_queries
from gapbridge.offers import forms, queries, services
from gapbridge.offers.choices import FocusArea, Language, SupportKind
from gapbridge.offers.lifecycle import TRANSITIONS, OfferStatus
from gapbridge.offers.models import Offer, OfferOrigin
from gapbridge.organizations.models import Organization
from gapbridge.web import scope
from gapbridge.web.service_errors import add_service_error

PAGE_SIZE = 25


def _get(request: HttpRequest, offer_id: int) -> Offer:
    try:
        return queries.get_visible(request.user, offer_id)
    except Offer.DoesNotExist:
        raise Http404(_("No such offer.")) from None


@require_safe
def offer_list(request: HttpRequest) -> HttpResponse:
    f = queries.OfferFilter(
        q=request.GET.get("q", ""),
        focus_area=request.GET.get("focus_area", ""),
        kind=request.GET.get("kind", ""),
        country=request.GET.get("country", ""),
        language=request.GET.get("language", ""),
        origin=request.GET.get("origin", ""),
    )
    error = ""
    try:
        qs = queries.search(request.user, f)
    except QueryError as exc:
        error, qs = str(exc), Offer.objects.none()
    paginator = Paginator(qs, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page_obj,
        "filters": f,
        "error": error,
        "query": params.urlencode(),
        "focus_areas": FocusArea.choices,
        "kinds": SupportKind.choices,
        "languages": Language.choices,
        "origins": OfferOrigin.choices,
        "countries": Economy.objects.order_by("name_en"),
        "can_create": request.user.is_authenticated
        and (is_secretariat(request.user) or bool(organization_ids(request.user))),
    }
    return render(request, "offers/offer_list.html", context, status=400 if error else 200)


@require_safe
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _get(request, offer_id)
    editable = can_edit(request.user, offer)
    fits = match_queries.ranked_needs(offer, limit=10) if offer.status == OfferStatus.PUBLISHED else []
    return render(
        request,
        "offers/offer_detail.html",
        {
            "offer": offer,
            "editable": editable,
            "remaining": queries.remaining(offer),
            "history": offer.history.all(),
            "targets": sorted(t.value for t in TRANSITIONS[OfferStatus(offer.status)]) if editable else [],
            "fits": [
                {"need": r.need, "match": r.match, "score": r.suggestion.score}
                | explain.suggestion_dict(r.suggestion)
                for r in fits
            ],
            "focus_labels": dict(FocusArea.choices),
        },
    )


def _organizations(request: HttpRequest) -> QuerySet[Organization]:
    if is_secretariat(request.user):
        return Organization.objects.order_by("name")
    return Organization.objects.filter(pk__in=organization_ids(request.user)).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    allowed = _organizations(request)
    if not allowed.exists():  # a form whose provider list is empty could never be sent
        return scope.forbidden(_("Only an organization's editors or the secretariat publish offers."))
    if scope.names_other(request, "provider", allowed):
        return scope.forbidden(_("You may not publish offers for this organization."))
    form = forms.OfferForm(request.POST or None, organizations=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.create_offer(request.user, form.cleaned_data["provider"], **form.service_data())
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))
        except services.OfferError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Offer saved as a draft. Publish it when it is ready."))
            return HttpResponseRedirect(offer.get_absolute_url())
    return render(request, "offers/offer_form.html", {"form": form, "offer": None})


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _get(request, offer_id)
    if not can_edit(request.user, offer):
        return scope.forbidden(_("You may not edit this offer."))
    initial = {
        "provider": offer.provider,
        "title": offer.title,
        "description": offer.description,
        "language": offer.language,
        "kind": offer.kind,
        "focus_areas": offer.focus_areas,
        "eligible_countries": list(offer.eligible_countries.all()),
        "eligible_regions": offer.eligible_regions,
        "eligible_groups": list(offer.eligible_groups.all()),
        "requester_types": offer.requester_types,
        "languages": offer.languages,
        "modality": offer.modality,
        "capacity": offer.capacity,
        "budget_usd": offer.budget_usd,
        "opens": offer.opens,
        "closes": offer.closes,
        "contact_name": offer.contact_name,
        "contact_email": offer.contact_email,
        "contact_url": offer.contact_url,
    }
    orgs = Organization.objects.filter(pk=offer.provider_id)
    form = forms.OfferForm(
        request.POST or None,
        initial=initial,
        organizations=orgs,
        translations=offer.translations if isinstance(offer.translations, dict) else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_offer(request.user, offer.pk, **form.service_data())
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))
        except services.OfferError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Offer updated."))
            return HttpResponseRedirect(offer.get_absolute_url())
    return render(request, "offers/offer_form.html", {"form": form, "offer": offer})


def _act(request: HttpRequest, offer_id: int, action: Callable[[], str]) -> HttpResponse:
    _get(request, offer_id)
    try:
        done = action()
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except services.OfferError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("offers:detail", args=[offer_id]))


@login_required
@require_POST
def offer_transition(request: HttpRequest, offer_id: int) -> HttpResponse:
    form = forms.TransitionForm(request.POST)

    def run() -> str:
        if not form.is_valid():
            raise services.OfferError(_("Choose the new status and give a reason."))
        services.change_status(request.user, offer_id, form.cleaned_data["to"], form.cleaned_data["reason"])
        return _("Status changed.")

    return _act(request, offer_id, run)
