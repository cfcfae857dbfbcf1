"""Pages of needs: the need board, a need's page (ranked and explained offers with contact / accept /
decline, providers with a track record, peers further ahead, history), creating, editing, lifecycle moves
and adopting an indicative need. Views validate and call services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gapbridge.accounts.permissions import (
    PermissionDenied,
    can_edit,
    country_ids,
    is_secretariat,
    organization_ids,
)
from gapbridge.countries.labels import pillar_name
from gapbridge.countries.models import Economy
from gapbridge.countries.queries import QueryError
from gapbridge.matches import explain
from gapbridge.matches import queries as match_queries
from gapbridge.matches.services import may_act
from gapbridge.needs import forms, queries, services
from gapbridge.needs.lifecycle import MATCHABLE, TRANSITIONS
from gapbridge.needs.lifecycle import NeedStatus as LifecycleStatus
from gapbridge.needs.models import Need, NeedOrigin, NeedStatus
from gapbridge.offers.choices import FocusArea, SupportKind
from gapbridge.web import scope
from gapbridge.web.service_errors import add_service_error

PAGE_SIZE = 25


def _get(request: HttpRequest, need_id: int) -> Need:
    try:
        return queries.get_visible(request.user, need_id)
    except Need.DoesNotExist:
        raise Http404(_("No such need.")) from None


@require_safe
def need_list(request: HttpRequest) -> HttpResponse:
    f = queries.NeedFilter(
        q=request.GET.get("q", ""),
        country=request.GET.get("country", ""),
        focus_area=request.GET.get("focus_area", ""),
        kind=request.GET.get("kind", ""),
        status=request.GET.get("status", ""),
        origin=request.GET.get("origin", "") or NeedOrigin.REQUESTED,
    )
    error = ""
    try:
        qs = queries.search(request.user, f)
    except QueryError as exc:
        error, qs = str(exc), Need.objects.none()
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    # No country has published a need under these filters: say how many indicative needs (derived from data)
    # they would find, with a link, rather than show an empty board.
    indicative, indicative_query = 0, ""
    if not error and f.origin == NeedOrigin.REQUESTED and page_obj.paginator.count == 0:
        indicative = queries.search(request.user, replace(f, origin=NeedOrigin.DERIVED)).count()
        derived = params.copy()
        derived["origin"] = NeedOrigin.DERIVED
        indicative_query = derived.urlencode()
    return render(
        request,
        "needs/need_list.html",
        {
            "page": page_obj,
            "filters": f,
            "error": error,
            "query": params.urlencode(),
            "focus_areas": FocusArea.choices,
            "kinds": SupportKind.choices,
            "statuses": NeedStatus.choices,
            "origins": NeedOrigin.choices,
            "indicative": indicative,
            "indicative_query": indicative_query,
            "countries": Economy.objects.order_by("name_en"),
            "can_create": request.user.is_authenticated
            and (
                is_secretariat(request.user)
                or bool(country_ids(request.user) or organization_ids(request.user))
            ),
        },
        status=400 if error else 200,
    )


@require_safe
def need_detail(request: HttpRequest, need_id: int) -> HttpResponse:
    need = _get(request, need_id)
    editable = can_edit(request.user, need)
    ranked = (
        match_queries.ranked_offers(need, limit=10) if need.status in MATCHABLE or need.is_indicative else []
    )
    suggestions = []
    for r in ranked:
        suggestions.append(
            {
                "offer": r.offer,
                "match": r.match,
                "score": r.suggestion.score,
                "can_act": request.user.is_authenticated
                and not need.is_indicative
                and may_act(request.user, need, r.offer),
            }
            | explain.suggestion_dict(r.suggestion)
        )
    matches = need.matches.select_related("offer", "offer__provider").order_by("-score")
    return render(
        request,
        "needs/need_detail.html",
        {
            "need": need,
            "editable": editable and not need.is_indicative,
            "can_adopt": need.is_indicative and services.may_validate(request.user, need),
            "targets": [
                (t, NeedStatus(t).label)
                for t in sorted(t.value for t in TRANSITIONS[LifecycleStatus(need.status)])
            ]
            if editable and not need.is_indicative
            else [],
            "suggestions": suggestions,
            "matches": matches,
            "providers": explain.provider_rows(match_queries.providers_for(need, limit=5)),
            "peers": [(p, pillar_name(p.pillar)) for p in match_queries.peers_for(need)],
            "status_label": need.status_label(),
            "history": need.history.all(),
            "focus_labels": dict(FocusArea.choices),
            "kind_labels": dict(SupportKind.choices),
        },
    )


def _countries(request: HttpRequest) -> QuerySet[Economy]:
    if is_secretariat(request.user) or organization_ids(request.user):
        return Economy.objects.order_by("name_en")
    return Economy.objects.filter(pk__in=country_ids(request.user)).order_by("name_en")


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest) -> HttpResponse:
    allowed = _countries(request)
    if scope.names_other(request, "country", allowed, key="iso3"):
        return scope.forbidden(_("You may not publish needs for this country."))
    form = forms.NeedForm(request.POST or None, countries=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.create_need(request.user, form.cleaned_data["country"], **form.service_data())
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))
        except services.NeedError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Need saved as a draft. Submit it when it is ready."))
            return HttpResponseRedirect(need.get_absolute_url())
    return render(request, "needs/need_form.html", {"form": form, "need": None})


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, need_id: int) -> HttpResponse:
    need = _get(request, need_id)
    if not can_edit(request.user, need) or need.is_indicative:
        return scope.forbidden(_("You may not edit this need."))
    initial = {
        "country": need.country,
        "requesting_organization": need.requesting_organization,
        "requester_type": need.requester_type,
        "title": need.title,
        "description": need.description,
        "language": need.language,
        "focus_areas": need.focus_areas,
        "kinds": need.kinds,
        "priority": need.priority,
        "start_by": need.start_by,
        "end_by": need.end_by,
        "languages": need.languages,
        "budget_usd": need.budget_usd,
    }
    form = forms.NeedForm(
        request.POST or None,
        initial=initial,
        countries=Economy.objects.filter(pk=need.country_id),
        translations=need.translations if isinstance(need.translations, dict) else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_need(request.user, need.pk, **form.service_data())
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))
        except services.NeedError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Need updated."))
            return HttpResponseRedirect(need.get_absolute_url())
    return render(request, "needs/need_form.html", {"form": form, "need": need})


def _act(request: HttpRequest, need_id: int, action: Callable[[], str]) -> HttpResponse:
    _get(request, need_id)
    try:
        done = action()
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except services.NeedError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("needs:detail", args=[need_id]))
    messages.success(request, done)
    return HttpResponseRedirect(reverse("needs:detail", args=[need_id]))


@login_required
@require_POST
def need_transition(request: HttpRequest, need_id: int) -> HttpResponse:
    def run() -> str:
        target, reason = request.POST.get("to", ""), request.POST.get("reason", "")
        services.change_status(request.user, need_id, target, reason)
        return _("Status changed.")

    return _act(request, need_id, run)


@login_required
@require_POST
def need_adopt(request: HttpRequest, need_id: int) -> HttpResponse:
    _get(request, need_id)
    try:
        need = services.adopt(request.user, need_id)
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except services.NeedError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("needs:detail", args=[need_id]))
    messages.success(request, _("Adopted as a draft need of the country: review it and submit it."))
    return HttpResponseRedirect(need.get_absolute_url())
