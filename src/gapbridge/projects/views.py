"""Pages of the registry: project search, project page, publishers with their data-quality report, source
files, country funding, and the secretariat's upload page (imported by a background worker)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import close_old_connections, connection
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gapbridge.accounts.permissions import PermissionDenied, is_secretariat
from gapbridge.charts import svg, worldmap
from gapbridge.countries import labels
from gapbridge.countries.models import Economy
from gapbridge.organizations.models import Organization
from gapbridge.projects import queries, services
from gapbridge.projects.detail import activity_detail, xml_problem
from gapbridge.projects.focus import load_focus_map
from gapbridge.projects.models import Activity, ImportJob, SourceFile
from gapbridge.web import codelist_names
from gapbridge.web.content_language import pick_narrative
from gapbridge.web.i18n import chart_number, local_number, map_summary, text_dir

PAGE_SIZE = 25


def _filters(request: HttpRequest) -> queries.ActivityFilter:
    return queries.ActivityFilter(
        q=request.GET.get("q", ""),
        country=request.GET.get("country", "").upper(),
        focus_area=request.GET.get("focus_area", ""),
        sector=request.GET.get("sector", "").strip(),
        publisher=request.GET.get("publisher", "").strip(),
        status=request.GET.get("status", ""),
        year=queries.parse_year(request.GET.get("year", "")),
    )


def _asked(request: HttpRequest) -> SimpleNamespace:
    """The search filters as typed (unchecked): what the form shows again after a refused filter."""
    asked = {name: request.GET.get(name, "").strip() for name in FILTER_NAMES}
    asked["country"] = asked["country"].upper()
    return SimpleNamespace(**asked)


FILTER_NAMES = ("q", "country", "focus_area", "sector", "publisher", "status", "year")


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    error = ""
    filters: Any
    try:
        filters = _filters(request)
        qs = queries.activities(filters).order_by(F("last_updated_datetime").desc(nulls_last=True), "pk")
        paginator = Paginator(qs, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    except queries.QueryError as exc:
        # the form keeps what was asked, so one bad filter can be mended without choosing the rest again
        filters, page, error = _asked(request), None, str(exc)
    params = request.GET.copy()
    params.pop("page", None)
    statuses = codelist_names.names("ActivityStatus")
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "error": error,
        "focus_areas": [
            {"slug": a.slug, "name": labels.focus_area_name(a.slug, a.name)} for a in load_focus_map().areas
        ],
        "statuses": sorted(statuses.items()),
        "economies": Economy.objects.by_name(),
        "query_string": params.urlencode(),
    }
    template = "projects/_activity_rows.html" if request.headers.get("HX-Request") else "projects/search.html"
    return render(request, template, context, status=400 if error else 200)


@require_safe
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Activity.objects.select_related("reporting_org", "source_file"), pk=pk)
    wanted = get_language() or settings.LANGUAGE_CODE
    default = item.default_language or None
    # The general description (IATI DescriptionType 1) leads; else whichever comes first.
    descriptions = sorted(item.descriptions or [], key=lambda d: d[0] != "1")
    return render(
        request,
        "projects/activity.html",
        {
            "activity": item,
            "detail": activity_detail(item),
            "xml_problem": xml_problem(item),
            "focus_areas": load_focus_map().by_slug,
            "title_shown": pick_narrative(item.titles, wanted, default),
            "description_shown": pick_narrative(descriptions[0][1] if descriptions else [], wanted, default),
        },
    )


@require_safe
def publishers(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/publishers.html", {"rows": queries.publishers()})


@require_safe
def publisher(request: HttpRequest, ref: str) -> HttpResponse:
    if not Activity.objects.filter(publisher_ref=ref).exists():
        raise Http404(_("No activities published by %(ref)s") % {"ref": ref})
    report = queries.quality_report(ref)
    organization = Organization.objects.filter(iati_ref=ref).first() if ref else None
    recent = Activity.objects.filter(publisher_ref=ref).order_by(
        F("last_updated_datetime").desc(nulls_last=True), "pk"
    )[:50]
    return render(
        request,
        "projects/publisher.html",
        {"ref": ref, "organization": organization, "report": report, "recent": recent},
    )


@require_safe
def source_file(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(SourceFile, pk=pk)
    return render(request, "projects/file.html", {"file": source, "report": queries.file_report(source)})


def millions(value: float) -> str:
    """Millions of USD on the map: two decimals under one million (a class of 0.01–0.05 is not "0–0")."""
    return local_number(value, 2) if abs(value) < 1 else chart_number(value)


@require_safe
def funding_index(request: HttpRequest) -> HttpResponse:
    result = queries.funding(["country"])
    names = Economy.objects.names()
    rows = [
        {
            "iso3": r.key["country"],
            "name": names.get(r.key["country"] or "", ""),
            "commitments": float(r.usd["commitments"]) / 1e6,
            "disbursements": float(r.usd["disbursements"]) / 1e6,
            "unconvertible": r.unconvertible.transactions,
        }
        for r in result.rows
    ]
    rows.sort(key=lambda r: -r["disbursements"])
    values = {r["iso3"]: r["disbursements"] for r in rows if r["iso3"]}
    world = (
        worldmap.choropleth_svg(
            values,
            title=_("Disbursements recorded in IATI, million USD"),
            legend_label=_("million USD"),
            names=names,
            link_template="/projects/funding/{iso3}/",
            scale="quantile",
            no_data_label=_("no data"),
            lang_dir=text_dir(),
            number_format=millions,
            summary=map_summary(),
        )
        if values
        else ""
    )
    return render(request, "projects/funding_index.html", {"rows": rows, "world_map": world})


@require_safe
def country_funding(request: HttpRequest, iso3: str) -> HttpResponse:
    economy = Economy.objects.filter(iso3=iso3.upper()).first()
    if economy is None:
        raise Http404(_("No economy with ISO3 code %(code)s") % {"code": iso3})
    direction = text_dir()
    by_year = queries.funding(["year"], country=economy.iso3)
    by_focus = queries.funding(["focus_area"], country=economy.iso3)
    by_provider = queries.funding(["provider"], country=economy.iso3)
    focus = load_focus_map()
    years = [r for r in by_year.rows if r.key["year"] is not None]
    year_chart = focus_chart = ""
    if years:
        commitments = [float(r.usd["commitments"]) / 1e6 for r in years]
        disbursements = [float(r.usd["disbursements"]) / 1e6 for r in years]
        top = max([*commitments, *disbursements, 0.001])
        year_chart = svg.bar_chart_svg(
            [str(r.key["year"]) for r in years],
            [svg.BarSeries(_("Commitments"), commitments), svg.BarSeries(_("Disbursements"), disbursements)],
            title=_("Funding by year, million USD"),
            lang_dir=direction,
            max_value=top,
            number_format=chart_number,
            axis_label=_("million USD"),
        )
    focus_rows = sorted(by_focus.rows, key=lambda r: -float(r.usd["disbursements"] + r.usd["commitments"]))
    labelled = [
        (
            labels.focus_area_name(r.key["focus_area"], focus.name(r.key["focus_area"]))
            if r.key["focus_area"]
            else _("Not a digital focus area"),
            r,
        )
        for r in focus_rows
    ]
    if labelled:
        values = [float(r.usd["disbursements"]) / 1e6 for _label, r in labelled]
        focus_chart = svg.bar_chart_svg(
            [label for label, _r in labelled],
            [svg.BarSeries(_("Disbursements"), values)],
            title=_("Disbursements by focus area, million USD"),
            lang_dir=direction,
            max_value=max([*values, 0.001]),
            number_format=chart_number,
            axis_label=_("million USD"),
        )
    providers = sorted(by_provider.rows, key=lambda r: -float(r.usd["disbursements"] + r.usd["commitments"]))
    return render(
        request,
        "projects/country_funding.html",
        {
            "economy": economy,
            "years": by_year.rows,
            "focus_rows": labelled,
            "providers": providers[:50],
            "totals": by_year.totals(),
            "year_chart": year_chart,
            "focus_chart": focus_chart,
            "source": by_year.source,
            "activities": Activity.objects.in_country(economy.iso3).count(),
        },
    )


# -- uploads ----------------------------------------------------------------------------------------------
_worker_lock = threading.Lock()
_worker: threading.Thread | None = None


def _run_queue() -> None:
    try:
        services.work_queue("web-thread", once=True)
    finally:
        connection.close()


def start_worker_thread() -> None:
    """Run queued uploads in a thread of this process (one at a time). Tests run the queue themselves;
    a deployment may instead run `gapbridge import-worker` (docs/registry.md)."""
    global _worker
    if settings.ENV == "test":
        return
    with _worker_lock:
        if _worker is not None and _worker.is_alive():
            return
        close_old_connections()
        _worker = threading.Thread(target=_run_queue, name="gapbridge-import", daemon=True)
        _worker.start()


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if not is_secretariat(request.user):
        return HttpResponseForbidden(_("Only the secretariat may upload IATI files."))
    error = ""
    services.fail_stale_jobs()
    limit_mb = settings.IATI_UPLOAD_MAX_BYTES // (1024 * 1024)
    too_large = _("The file is larger than %(mb)s MB, the upload limit.") % {"mb": limit_mb}
    if request.method == "POST" and _declared_length(request) > settings.IATI_UPLOAD_MAX_BYTES:
        # Refused from the declared length, before the body is read or stored.
        return render(request, "projects/upload.html", {"jobs": [], "error": too_large}, status=413)
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        if upload_file is not None and (upload_file.size or 0) > settings.IATI_UPLOAD_MAX_BYTES:
            return render(request, "projects/upload.html", {"jobs": [], "error": too_large}, status=413)
        if upload_file is None:
            error = _("Choose an IATI XML file (.xml or .xml.gz) to upload.")
        else:
            try:
                job = services.create_upload_job(request.user, upload_file)
            except PermissionDenied as exc:
                return HttpResponseForbidden(str(exc))
            start_worker_thread()
            return redirect("projects:upload-job", pk=job.pk)
    jobs = ImportJob.objects.all()[:20]
    return render(
        request, "projects/upload.html", {"jobs": jobs, "error": error}, status=400 if error else 200
    )


@login_required
@require_safe
def upload_job(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_secretariat(request.user):
        return HttpResponseForbidden(_("Only the secretariat may see uploads."))
    services.fail_stale_jobs()
    job = get_object_or_404(ImportJob, pk=pk)
    if not job.finished:
        start_worker_thread()
    template = "projects/_job.html" if request.headers.get("HX-Request") else "projects/upload_job.html"
    source = services.upload_source_file(job) if job.finished else None
    return render(request, template, {"job": job, "source_file": source})


@login_required
@require_POST
def upload_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed upload again; the job's page (which it redirects to) starts the worker."""
    if not is_secretariat(request.user):
        return HttpResponseForbidden(_("Only the secretariat may re-run uploads."))
    get_object_or_404(ImportJob, pk=pk)
    try:
        services.retry_job(request.user, pk)
    except PermissionDenied as exc:
        return HttpResponseForbidden(str(exc))
    except ValueError:
        return HttpResponseBadRequest(_("Only a failed upload can be re-run."))
    return redirect("projects:upload-job", pk=pk)
