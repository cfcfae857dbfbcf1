"""Pages of the barrier register: the list with a map, a barrier's page with its chain and history,
reporting and editing, moderation actions, and what a user follows. Views validate and call services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gapbridge.accounts.permissions import PermissionDenied, is_secretariat, organization_ids
from gapbridge.barriers import forms, notifications, queries, services
from gapbridge.barriers.focus import focus_choices
from gapbridge.barriers.lifecycle import allowed_targets
from gapbridge.barriers.links import available_kinds
from gapbridge.barriers.models import (
    Barrier,
    BarrierCategory,
    BarrierNotification,
    BarrierStatus,
    BarrierSubscription,
    LinkKind,
    Origin,
)
from gapbridge.charts import worldmap
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.countries.queries import QueryError
from gapbridge.organizations.models import Organization
from gapbridge.web import scope
from gapbridge.web.i18n import map_summary, text_dir, whole_number
from gapbridge.web.service_errors import add_service_error

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> queries.BarrierFilter:
    g = request.GET
    return queries.BarrierFilter(
        q=g.get("q", ""),
        country=g.get("country", ""),
        group=g.get("group", ""),
        region=g.get("region", ""),
        category=g.get("category", ""),
        status=g.get("status", ""),
        focus_area=g.get("focus_area", ""),
        origin=g.get("origin", ""),
        sort=g.get("sort", "-created"),
    )


def _map(request: HttpRequest) -> str:
    counts = queries.counts_by_country(request.user)
    top = max(counts.values(), default=0)
    return worldmap.choropleth_svg(
        counts,
        title=_("Open barriers by country"),
        legend_label=_("Open barriers"),
        link_template="/barriers/?country={iso3}",
        domain=(0, max(top, 4)),
        n_classes=4,
        names=Economy.objects.names(),
        no_data_label=_("none recorded"),
        number_format=whole_number,
        summary=map_summary(),
        lang_dir=text_dir(),
        id_prefix="barriers",
    )


@require_safe
def barrier_list(request: HttpRequest) -> HttpResponse:
    error = ""
    filters = _filters(request)
    try:
        qs = queries.barriers(request.user, filters)
    except QueryError as exc:
        filters, qs, error = queries.BarrierFilter(), Barrier.objects.none(), str(exc)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context: dict[str, Any] = {
        "rows": [queries.view(request.user, b) for b in page],
        "page": page,
        "total": page.paginator.count,
        "page_query": params.urlencode(),
        "filters": filters,
        "error": error,
        "categories": BarrierCategory.choices,
        "statuses": BarrierStatus.choices,
        "focus_areas": focus_choices(),
        "origins": Origin.choices,
        "groups": CountryGroup.objects.all(),
        "economies": Economy.objects.only("iso3", "name_en", "name_fr", "name_es", "name_ar"),
        "map": _map(request) if not error else "",
        "query_string": request.GET.urlencode(),
    }
    return render(request, "barriers/barrier_list.html", context, status=400 if error else 200)


def _get(request: HttpRequest, barrier_id: int) -> Barrier:
    try:
        return queries.get_visible(request.user, barrier_id)
    except Barrier.DoesNotExist:
        raise Http404(_("No barrier #%(id)s") % {"id": barrier_id}) from None


@require_safe
def barrier_detail(request: HttpRequest, barrier_id: int) -> HttpResponse:
    barrier = _get(request, barrier_id)
    actor = request.user
    responsible = services.is_responsible(actor, barrier)
    moderator = is_secretariat(actor)
    moves = allowed_targets(barrier.status, moderator=moderator, responsible=responsible)
    transition_form = forms.TransitionForm()
    transition_form.fields["to"].choices = [  # type: ignore[attr-defined]
        (m.value, BarrierStatus(m.value).label) for m in moves
    ]
    related = queries.related(actor, barrier)
    kinds = set(available_kinds())
    link_form = forms.LinkForm()
    link_form.fields["kind"].choices = [(k, v) for k, v in LinkKind.choices if k in kinds]  # type: ignore[attr-defined]
    return render(
        request,
        "barriers/barrier_detail.html",
        {
            "barrier": barrier,
            "v": queries.view(actor, barrier),
            "history": queries.history(barrier),
            "updates": queries.updates(actor, barrier),
            "hidden_reporter": queries.hidden_reporter(actor, barrier),
            "chain": queries.chain(barrier, actor),
            "related": related,
            "related_by_region": queries.related_by_region(related),
            "moves": moves,
            "can_edit": responsible
            or (
                services.is_reporter(actor, barrier)
                and barrier.status in (BarrierStatus.REPORTED, BarrierStatus.UNDER_REVIEW)
            ),
            "can_update": responsible or services.is_reporter(actor, barrier),
            "can_link": responsible and bool(kinds),
            "can_raise_need": responsible
            and "need" in kinds
            and not barrier.links.filter(kind="need").exists(),
            "link_kinds_missing": [str(label) for k, label in LinkKind.choices if k not in kinds],
            "moderator": moderator,
            "transition_form": transition_form,
            "update_form": forms.UpdateForm(),
            "link_form": link_form,
            "merge_form": forms.MergeForm(auto_id="merge_%s"),  # its "reason" is not the status form's
        },
    )


def _organizations(request: HttpRequest) -> Any:
    if is_secretariat(request.user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=organization_ids(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def barrier_report(request: HttpRequest) -> HttpResponse:
    allowed = _organizations(request)
    if scope.names_other(request, "reporter_organization", allowed):
        return scope.forbidden(_("You may not report on behalf of this organization."))
    form = forms.BarrierForm(request.POST or None, organizations=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            barrier = services.report_barrier(request.user, **form.service_fields())
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))
        except services.BarrierError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you: the barrier is recorded and will be reviewed."))
            return HttpResponseRedirect(reverse("barriers:detail", args=[barrier.pk]))
    return render(
        request,
        "barriers/barrier_form.html",
        {"form": form, "editing": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def barrier_edit(request: HttpRequest, barrier_id: int) -> HttpResponse:
    barrier = _get(request, barrier_id)
    in_moderation = barrier.status in (BarrierStatus.REPORTED, BarrierStatus.UNDER_REVIEW)
    if not (
        services.is_responsible(request.user, barrier)
        or (services.is_reporter(request.user, barrier) and in_moderation)
    ):
        return scope.forbidden(_("You may not edit this barrier."))
    initial = {
        name: getattr(barrier, name)
        for name in forms.BarrierForm.base_fields
        if name not in ("country", "group", "reporter_organization") and not name.startswith("translation_")
    }
    initial |= {
        "country": barrier.country.iso3 if barrier.country else None,
        "group": barrier.group.code if barrier.group else None,
        "reporter_organization": barrier.reporter_organization_id,
    }
    form = forms.BarrierForm(
        request.POST or None,
        initial=initial,
        organizations=_organizations(request),
        translations=barrier.translations,
    )
    if not services.sees_reporter(request.user, barrier):  # who reported it stays withheld, and unchanged
        for name in services.REPORTER_FIELDS:
            form.fields.pop(name, None)
            form.initial.pop(name, None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        changed = {k: v for k, v in fields.items() if k in form.changed_data or k == "translations"}
        if "country" in form.changed_data or "group" in form.changed_data:
            changed["country"] = form.cleaned_data.get("country")
            changed["group"] = form.cleaned_data.get("group")
        try:
            services.update_barrier(request.user, barrier.pk, **changed)
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))
        except services.BarrierError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("barriers:detail", args=[barrier.pk]))
    return render(
        request,
        "barriers/barrier_form.html",
        {"form": form, "editing": barrier},
        status=400 if form.errors else 200,
    )


def _act(request: HttpRequest, barrier_id: int, action: Any) -> HttpResponse:
    """Run a POSTed action; errors come back as a message on the barrier page."""
    _get(request, barrier_id)
    try:
        done = action()
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except services.BarrierError as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)
    return HttpResponseRedirect(reverse("barriers:detail", args=[barrier_id]))


@login_required
@require_POST
def barrier_transition(request: HttpRequest, barrier_id: int) -> HttpResponse:
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new status and give a reason."))
        return HttpResponseRedirect(reverse("barriers:detail", args=[barrier_id]))

    def run() -> str:
        services.change_status(request.user, barrier_id, form.cleaned_data["to"], form.cleaned_data["reason"])
        return _("Status changed.")

    return _act(request, barrier_id, run)


@login_required
@require_POST
def barrier_update(request: HttpRequest, barrier_id: int) -> HttpResponse:
    form = forms.UpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the progress update."))
        return HttpResponseRedirect(reverse("barriers:detail", args=[barrier_id]))

    def run() -> str:
        services.add_update(
            request.user, barrier_id, form.cleaned_data["text"], is_public=form.cleaned_data["public"]
        )
        return _("Progress update posted.")

    return _act(request, barrier_id, run)


@login_required
@require_POST
def barrier_link(request: HttpRequest, barrier_id: int) -> HttpResponse:
    form = forms.LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to link and its id."))
        return HttpResponseRedirect(reverse("barriers:detail", args=[barrier_id]))

    def run() -> str:
        d = form.cleaned_data
        services.link(request.user, barrier_id, d["kind"], d["object_id"], d["note"])
        return _("Linked.")

    return _act(request, barrier_id, run)


@login_required
@require_POST
def barrier_unlink(request: HttpRequest, barrier_id: int, link_id: int) -> HttpResponse:
    barrier = _get(request, barrier_id)
    if not barrier.links.filter(pk=link_id).exists():
        raise Http404(_("No such link"))

    def run() -> str:
        services.unlink(request.user, link_id)
        return _("Link removed.")

    return _act(request, barrier_id, run)


@login_required
@require_POST
def barrier_raise_need(request: HttpRequest, barrier_id: int) -> HttpResponse:
    def run() -> str:
        country = request.POST.get("country", "").strip() or None
        services.raise_as_need(request.user, barrier_id, country=country)
        return _("Raised as a draft need for assistance; complete and submit it from the needs pages.")

    return _act(request, barrier_id, run)


@login_required
@require_POST
def barrier_merge(request: HttpRequest, barrier_id: int) -> HttpResponse:
    form = forms.MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the barrier to merge into and a reason."))
        return HttpResponseRedirect(reverse("barriers:detail", args=[barrier_id]))
    try:
        survivor = services.merge(
            request.user, barrier_id, form.cleaned_data["into"], form.cleaned_data["reason"]
        )
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except (services.BarrierError, Barrier.DoesNotExist) as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("barriers:detail", args=[barrier_id]))
    messages.success(request, _("Merged."))
    return HttpResponseRedirect(reverse("barriers:detail", args=[survivor.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def following(request: HttpRequest) -> HttpResponse:
    form = forms.SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.subscribe(request.user, country=d["country"], category=d["category"], email=d["email"])
        except services.BarrierError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("You follow these barriers now."))
            return HttpResponseRedirect(reverse("barriers:following"))
    notes = [
        (note, notifications.describe(note))
        for note in BarrierNotification.objects.filter(user_id=int(request.user.pk or 0)).select_related(
            "barrier", "barrier__country", "barrier__group", "status_change"
        )[:100]
    ]
    return render(
        request,
        "barriers/following.html",
        {
            "form": form,
            "subscriptions": BarrierSubscription.objects.filter(
                user_id=int(request.user.pk or 0)
            ).select_related("country"),
            "notifications": notes,
            "unread": sum(1 for n, _text in notes if n.read_at is None),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def unfollow(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        services.unsubscribe(request.user, subscription_id)
    except BarrierSubscription.DoesNotExist:
        raise Http404(_("No such subscription")) from None
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    messages.success(request, _("You no longer follow these barriers."))
    return HttpResponseRedirect(reverse("barriers:following"))


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(request.user)
    return HttpResponseRedirect(reverse("barriers:following"))
