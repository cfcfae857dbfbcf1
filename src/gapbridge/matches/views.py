"""Pages of matchmaking: a match's page, acting on a suggestion (contact / accept / decline), the provider
and focal point dashboards, and saved searches with their notifications. Views validate and call services."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gapbridge.accounts.permissions import PermissionDenied, country_ids, is_secretariat, organization_ids
from gapbridge.countries.labels import pillar_name
from gapbridge.countries.models import Economy, PeerAhead
from gapbridge.matches import alerts, explain, queries, services
from gapbridge.matches.lifecycle import TRANSITIONS, MatchStatus
from gapbridge.matches.models import Match, SavedSearch
from gapbridge.matches.models import MatchStatus as StatusLabel
from gapbridge.needs.models import Need, NeedOrigin, NeedStatus
from gapbridge.offers import queries as offer_queries
from gapbridge.offers.choices import FocusArea, SupportKind
from gapbridge.offers.models import OfferStatus
from gapbridge.web import scope


@require_safe
def match_detail(request: HttpRequest, match_id: int) -> HttpResponse:
    try:
        match = queries.get_visible_match(request.user, match_id)
    except Match.DoesNotExist:
        raise Http404(_("No such match.")) from None
    can = request.user.is_authenticated and services.may_act(request.user, match.need, match.offer)
    return render(
        request,
        "matches/match_detail.html",
        {
            "match": match,
            "explanation": explain.stored_rows(match.explanation),
            "history": match.history.all(),
            "targets": [
                (t, StatusLabel(t).label)
                for t in sorted(t.value for t in TRANSITIONS[MatchStatus(match.status)])
            ]
            if can
            else [],
        },
    )


@login_required
@require_POST
def match_act(request: HttpRequest) -> HttpResponse:
    """From a need's (or offer's) page: contact, accept or decline an offer for a need."""
    try:
        need_id, offer_id = int(request.POST.get("need", "")), int(request.POST.get("offer", ""))
    except ValueError:
        return HttpResponse(
            _("need and offer are required"), status=400, content_type="text/plain; charset=utf-8"
        )
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "").strip()
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = reverse("needs:detail", args=[need_id])
    try:
        if action == "contact":
            services.contact(request.user, need_id, offer_id, reason or "contacted")
            messages.success(
                request, _("Contact recorded. The provider's contact details are on the offer's page.")
            )
        elif action in {MatchStatus.ACCEPTED, MatchStatus.DECLINED}:
            with transaction.atomic():  # a refused status change leaves no suggestion behind
                match = services.suggest(request.user, need_id, offer_id)
                services.change_status(request.user, match.pk, action, reason)
            messages.success(request, _("Match updated."))
        else:
            messages.error(request, _("Unknown action."))
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except (services.MatchError, Need.DoesNotExist) as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(back)


@login_required
@require_POST
def match_transition(request: HttpRequest, match_id: int) -> HttpResponse:
    try:
        services.change_status(
            request.user,
            match_id,
            request.POST.get("to", ""),
            request.POST.get("reason", ""),
            iati_identifier=request.POST.get("iati_identifier", ""),
        )
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except services.MatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Status changed."))
    return HttpResponseRedirect(reverse("matches:detail", args=[match_id]))


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """/matches/: where a reader's matches are. A focal point's country dashboard, a provider's dashboard;
    the secretariat, who sees every country, starts at the focal points' dashboard; anyone else at the needs
    (matches start from a need), as matches have no public list of their own."""
    user = request.user
    if user.is_authenticated and (is_secretariat(user) or country_ids(user)):
        return HttpResponseRedirect(reverse("matches:focal-point"))
    if user.is_authenticated and organization_ids(user):
        return HttpResponseRedirect(reverse("matches:provider"))
    return HttpResponseRedirect(reverse("needs:list"))


@login_required
@require_safe
def provider_dashboard(request: HttpRequest) -> HttpResponse:
    """An organization editor's offers, their places, their matches, and where each offer fits best."""
    org_ids = organization_ids(request.user)
    offers = list(offer_queries.by_provider(org_ids))
    matches = (
        Match.objects.filter(offer__provider_id__in=org_ids)
        .select_related("need", "need__country", "offer")
        .order_by("status", "-score")
    )
    fits: list[dict[str, Any]] = []
    for offer in [o for o in offers if o.status == OfferStatus.PUBLISHED][:5]:
        ranked = queries.ranked_needs(offer, limit=3)
        fits.append({"offer": offer, "needs": [(r.need, r.suggestion.score) for r in ranked]})
    return render(
        request,
        "matches/provider_dashboard.html",
        {
            "offers": offers,
            "matches": matches,
            "by_status": [
                (StatusLabel(s).label, n) for s, n in sorted(Counter(m.status for m in matches).items())
            ],
            "fits": fits,
            "has_org": bool(org_ids),
        },
    )


@login_required
@require_safe
def focal_point_dashboard(request: HttpRequest) -> HttpResponse:
    """A focal point's country: needs by status, matches to act on, indicative needs, peers ahead."""
    ids = country_ids(request.user)
    wanted = request.GET.get("country", "").upper()
    if wanted:
        economy = Economy.objects.filter(iso3=wanted).first()
        if economy is not None and (is_secretariat(request.user) or economy.pk in ids):
            ids = {economy.pk}
    economies = Economy.objects.filter(pk__in=ids).order_by("name_en")
    needs = (
        Need.objects.filter(country_id__in=ids).select_related("country").order_by("status", "-updated_at")
    )
    requested = [n for n in needs if n.origin == NeedOrigin.REQUESTED]
    indicative = [n for n in needs if n.origin == NeedOrigin.DERIVED and n.status != "closed"]
    to_act = (
        Match.objects.filter(
            need__country_id__in=ids, status__in=[MatchStatus.SUGGESTED, MatchStatus.CONTACTED]
        )
        .select_related("need", "offer", "offer__provider")
        .order_by("-score")
    )
    peers = list(PeerAhead.objects.filter(economy_id__in=ids, position=0).select_related("peer", "economy"))
    for peer in peers:
        peer.pillar_label = pillar_name(peer.pillar)  # type: ignore[attr-defined]
    return render(
        request,
        "matches/focal_point_dashboard.html",
        {
            "economies": economies,
            "requested": requested,
            "indicative": indicative,
            "by_status": [
                (NeedStatus(s).label, n) for s, n in sorted(Counter(n.status for n in requested).items())
            ],
            "to_act": to_act,
            "peers": peers,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alerts_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "delete":
                alerts.delete_search(request.user, int(request.POST.get("search", "0")))
                messages.success(request, _("Saved search deleted."))
            elif action == "read":
                alerts.mark_read(request.user)
                messages.success(request, _("All notifications marked read."))
            else:
                alerts.save_search(
                    request.user,
                    name=request.POST.get("name", ""),
                    country_iso3=request.POST.get("country", ""),
                    focus_area=request.POST.get("focus_area", ""),
                    kind=request.POST.get("kind", ""),
                    target=request.POST.get("target", SavedSearch.Target.OFFERS),
                    threshold=float(request.POST.get("threshold", "0.4") or 0.4),
                    frequency=request.POST.get("frequency", SavedSearch.Frequency.INSTANT),
                )
                messages.success(
                    request, _("Search saved: you will be told once about each new item that fits.")
                )
        except (alerts.AlertError, ValueError, SavedSearch.DoesNotExist) as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))
        return HttpResponseRedirect(reverse("matches:alerts"))
    return render(
        request,
        "matches/alerts.html",
        {
            "searches": queries.searches_of(request.user),
            "notifications": queries.notifications_of(request.user)[:100],
            "countries": Economy.objects.order_by("name_en"),
            "focus_areas": FocusArea.choices,
            "kinds": SupportKind.choices,
            "targets": SavedSearch.Target.choices,
            "frequencies": SavedSearch.Frequency.choices,
        },
    )
