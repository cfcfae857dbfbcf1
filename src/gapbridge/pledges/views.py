"""Pages: the public accountability page (per provider and per pledge), a pledge's page, recording pledges
and money, and project results with their roll-ups. Views validate and call services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gapbridge.accounts.permissions import PermissionDenied, can_edit, is_secretariat, organization_ids
from gapbridge.barriers.focus import focus_choices
from gapbridge.charts import svg
from gapbridge.countries.models import Economy
from gapbridge.countries.queries import QueryError
from gapbridge.organizations.models import Organization
from gapbridge.pledges import forms, queries, results, services
from gapbridge.pledges.models import TRANSITIONS, Pledge, PledgeActivity, PledgeStatus
from gapbridge.projects.models import Activity
from gapbridge.web import scope
from gapbridge.web.i18n import chart_number, percent, sparkline_summary, text_dir
from gapbridge.web.service_errors import add_service_error


def _spark(points: list[Any], title: str) -> str:
    return svg.sparkline_svg(
        [(p.year, p.disbursed_pct) for p in points],
        title=title,
        lang_dir=text_dir(),
        no_data_label=_("no data"),
        number_format=percent,
        summary=sparkline_summary(),
    )


@require_safe
def accountability(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        qs = queries.pledges(
            request.user,
            provider=request.GET.get("provider", ""),
            country=request.GET.get("country", ""),
            status=request.GET.get("status", ""),
            focus_area=request.GET.get("focus_area", ""),
        )
        items = [queries.figures(p) for p in qs]
    except QueryError as exc:
        items, error = [], str(exc)
    providers = queries.by_provider(items)
    # xgettext:no-python-format (a chart label, never %-formatted)
    rows = [(f, _spark(f.series, _("Disbursed, % of pledge, by year"))) for f in items]
    # xgettext:no-python-format (a chart label, never %-formatted)
    provider_rows = [(p, _spark(p.series, _("Disbursed, % of pledges, by year"))) for p in providers]
    return render(
        request,
        "pledges/accountability.html",
        {
            "rows": rows,
            "providers": provider_rows,
            "error": error,
            "statuses": PledgeStatus.choices,
            "focus_areas": focus_choices(),
            "economies": Economy.objects.only("iso3", "name_en", "name_fr", "name_es", "name_ar"),
            "params": request.GET,
            "can_record": request.user.is_authenticated
            and (is_secretariat(request.user) or bool(organization_ids(request.user))),
        },
        status=400 if error else 200,
    )


def _get(request: HttpRequest, pledge_id: int) -> Pledge:
    try:
        return queries.get_visible(request.user, pledge_id)
    except Pledge.DoesNotExist:
        raise Http404(_("No pledge #%(id)s") % {"id": pledge_id}) from None


@require_safe
def pledge_detail(request: HttpRequest, pledge_id: int) -> HttpResponse:
    pledge = _get(request, pledge_id)
    f = queries.figures(pledge)
    chart = ""
    if f.series and pledge.amount_usd:
        top = max(
            [100.0] + [p.committed_pct or 0 for p in f.series] + [p.disbursed_pct or 0 for p in f.series]
        )
        chart = svg.bar_chart_svg(
            [str(p.year) for p in f.series],
            [
                # xgettext:no-python-format (a chart label, never %-formatted)
                svg.BarSeries(_("Committed, % of pledge"), [p.committed_pct for p in f.series]),
                # xgettext:no-python-format (a chart label, never %-formatted)
                svg.BarSeries(_("Disbursed, % of pledge"), [p.disbursed_pct for p in f.series]),
            ],
            title=_("Fulfilment over time (cumulative, in US dollars)"),
            lang_dir=text_dir(),
            max_value=top,
            insufficient_label=_("no data"),
            number_format=chart_number,
        )
    editable = can_edit(request.user, pledge)
    transition_form = forms.TransitionForm()
    transition_form.fields["to"].choices = [  # type: ignore[attr-defined]
        (s, PledgeStatus(s).label) for s in PledgeStatus.values if s in TRANSITIONS[pledge.status]
    ]
    return render(
        request,
        "pledges/pledge_detail.html",
        {
            "f": f,
            "pledge": pledge,
            "chart": chart,
            "history": pledge.history.all(),
            "activities": PledgeActivity.objects.filter(pledge=pledge).select_related("activity"),
            "editable": editable,
            "flow_form": forms.FlowForm(),
            "transition_form": transition_form,
            "activity_form": forms.ActivityForm(),
            "focus_labels": dict(focus_choices()),
        },
    )


def _organizations(request: HttpRequest) -> Any:
    if is_secretariat(request.user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=organization_ids(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def pledge_new(request: HttpRequest) -> HttpResponse:
    orgs = _organizations(request)
    if not orgs.exists():
        return scope.forbidden(_("Only an organization's editors or the secretariat record pledges."))
    if scope.names_other(request, "provider", orgs):
        return scope.forbidden(_("You may not record pledges for this organization."))
    form = forms.PledgeForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            pledge = services.create_pledge(
                request.user,
                provider=d["provider"],
                title=d["title"],
                description=d["description"],
                amount=d["amount"],
                currency=d["currency"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                announced_on=d["announced_on"],
                source_url=d["source_url"],
                focus_areas=d["focus_areas"],
                target_countries=list(d["target_countries"]),
                target_groups=list(d["target_groups"]),
            )
        except PermissionDenied as exc:
            return scope.forbidden(str(exc))
        except services.PledgeError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Pledge recorded as a draft; announce it to publish it."))
            return HttpResponseRedirect(reverse("pledges:detail", args=[pledge.pk]))
    return render(request, "pledges/pledge_form.html", {"form": form}, status=400 if form.errors else 200)


def _act(request: HttpRequest, pledge_id: int, action: Any) -> HttpResponse:
    _get(request, pledge_id)
    try:
        done = action()
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except (services.PledgeError, Activity.DoesNotExist) as exc:
        messages.error(request, str(exc) or _("Not found."))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("pledges:detail", args=[pledge_id]))


@login_required
@require_POST
def pledge_flow(request: HttpRequest, pledge_id: int) -> HttpResponse:
    form = forms.FlowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the amount, currency and date."))
        return HttpResponseRedirect(reverse("pledges:detail", args=[pledge_id]))

    def run() -> str:
        services.add_flow(request.user, pledge_id, **form.cleaned_data)
        return _("Recorded.")

    return _act(request, pledge_id, run)


@login_required
@require_POST
def pledge_transition(request: HttpRequest, pledge_id: int) -> HttpResponse:
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new status and give a reason."))
        return HttpResponseRedirect(reverse("pledges:detail", args=[pledge_id]))

    def run() -> str:
        services.change_status(request.user, pledge_id, form.cleaned_data["to"], form.cleaned_data["reason"])
        return _("Status changed.")

    return _act(request, pledge_id, run)


@login_required
@require_POST
def pledge_activity(request: HttpRequest, pledge_id: int) -> HttpResponse:
    form = forms.ActivityForm(request.POST)

    def run() -> str:
        if not form.is_valid():
            raise services.PledgeError(_("Give a registry activity id or an IATI identifier."))
        activity_id = form.cleaned_data.get("activity_id")
        if not activity_id:
            ident = form.cleaned_data.get("iati_identifier") or ""
            found = Activity.objects.primary().filter(iati_identifier=ident.strip()).first()
            if found is None:
                raise services.PledgeError(_("No activity %(id)s in the registry.") % {"id": ident})
            activity_id = found.pk
        link = services.link_activity(request.user, pledge_id, activity_id)
        return _("Linked: %(n)d commitments and disbursements counted.") % {"n": link.flows.count()}

    return _act(request, pledge_id, run)


@require_safe
def results_overview(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "country")
    if by not in ("country", "focus_area"):
        by = "country"
    country = request.GET.get("country", "")
    focus_area = request.GET.get("focus_area", "")
    report = results.rollup(by, country=country, focus_area=focus_area)
    names = Economy.objects.names() if by == "country" else dict(focus_choices())
    return render(
        request,
        "pledges/results.html",
        {
            "report": report,
            # the domain writes its reasons in English; they are in the catalogue (results.DOMAIN_TEXTS)
            "note": _(report.note) if report.note else "",
            "reasons": [(_(reason), count) for reason, count in report.reasons.items()],
            "by": by,
            "names": names,
            "country": country,
            "focus_area": focus_area,
            "focus_areas": focus_choices(),
            "economies": Economy.objects.only("iso3", "name_en", "name_fr", "name_es", "name_ar"),
            "activities": Activity.objects.primary()
            .filter(results__isnull=False)
            .distinct()
            .order_by("iati_identifier")[:200],
        },
    )


@require_safe
def project_results(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise Http404(_("No activity #%(id)s") % {"id": activity_id})
    return render(
        request,
        "pledges/project_results.html",
        {"activity": activity, "results": results.project_results(activity)},
    )
