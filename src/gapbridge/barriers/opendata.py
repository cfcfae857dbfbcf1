"""GapBridge open data: public CSV and JSON files of barriers, offers, needs, matches, pledges and their
histories, with a licence statement, an as-of timestamp, and a Frictionless `datapackage.json`.

One definition per dataset (name, title, fields, rows) serves the command line (`gapbridge
export-open-data --out DIR`) and the API (`/api/v1/open-data/...`), so both publish the same thing.
Rows are what an anonymous visitor may see: moderated barriers without withheld reporter identities or
restricted notes, public progress only, announced pledges, public needs. Datasets of apps whose tables
do not exist yet are written with their header row and no rows, and say so in their description.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.utils import timezone

from gapbridge.barriers import queries as barrier_queries
from gapbridge.barriers.models import BarrierStatusChange, BarrierUpdate
from gapbridge.web import csvsafe

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
LICENCE_STATEMENT = (
    "GapBridge open data is published under the Creative Commons Attribution 4.0 International licence "
    '(CC BY 4.0): reuse it freely, citing "GapBridge" and the as-of date. Rows derived from other sources '
    "name them: barriers derived from the UNCTAD Global Cyberlaw Tracker (source_name, source_date), and "
    "commitments and disbursements read from IATI data (origin 'iati', iati_identifier), which remain "
    "under their publishers' licences as recorded in the IATI Registry."
)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Frictionless table schema types: string, integer, number, boolean, date, datetime
    description: str


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[], Iterable[dict[str, Any]]]
    available: Callable[[], bool] = lambda: True


def F(name: str, type_: str, description: str) -> Field:
    return Field(name, type_, description)


def _join(values: Iterable[Any]) -> str:
    return ";".join(str(v) for v in values)


# --- Barriers -------------------------------------------------------------------------------------------

BARRIER_FIELDS = (
    F("id", "integer", "GapBridge barrier number"),
    F("title", "string", "short statement of the barrier"),
    F("description", "string", "what the barrier is and whom it affects"),
    F("language", "string", "language of title and description (en, fr, es, ar)"),
    F("country", "string", "ISO 3166-1 alpha-3 code; empty when the barrier concerns a group"),
    F("group", "string", "GapBridge country group code (e.g. ldc) when the barrier concerns a group"),
    F("category", "string", "barrier category code"),
    F("focus_areas", "string", "GapBridge focus-area slugs, separated by ';'"),
    F("measure_title", "string", "the measure (law, rule, practice) that creates the barrier"),
    F("measure_reference", "string", "official reference of the measure"),
    F("measure_url", "string", "link to the measure"),
    F("measure_date", "date", "date of the measure"),
    F("reporter", "string", "who reported it; empty when the reporter withheld their identity"),
    F("reporter_organization", "string", "organization of the reporter, when public"),
    F("evidence", "string", "evidence given"),
    F("evidence_url", "string", "link to evidence"),
    F("impact", "string", "estimated impact: low, medium, high, critical"),
    F("priority", "string", "priority: low, medium, high, critical"),
    F("status", "string", "lifecycle status"),
    F("status_changed_at", "datetime", "when the status last changed (UTC)"),
    F("origin", "string", "reported (by a user) or derived (from a data source)"),
    F("source_name", "string", "for derived barriers: the data source"),
    F("source_date", "date", "for derived barriers: the date of the source data"),
    F("created_at", "datetime", "when the barrier was recorded (UTC)"),
)


def _public_barriers() -> Any:
    return (
        barrier_queries.visible(None)
        .select_related("country", "group", "reporter_organization")
        .order_by("id")
    )


def barrier_rows() -> Iterator[dict[str, Any]]:
    for b in _public_barriers():
        v = barrier_queries.view(None, b)
        yield {
            "id": v.id,
            "title": v.title,
            "description": v.description,
            "language": v.language,
            "country": v.country_iso3 or "",
            "group": v.group_code or "",
            "category": v.category,
            "focus_areas": _join(v.focus_areas),
            "measure_title": v.measure_title,
            "measure_reference": v.measure_reference,
            "measure_url": v.measure_url,
            "measure_date": v.measure_date,
            "reporter": v.reporter or "",
            "reporter_organization": v.reporter_organization or "",
            "evidence": v.evidence,
            "evidence_url": v.evidence_url,
            "impact": v.impact,
            "priority": v.priority,
            "status": v.status,
            "status_changed_at": v.status_changed_at,
            "origin": v.origin,
            "source_name": v.source_name,
            "source_date": v.source_date,
            "created_at": v.created_at,
        }


HISTORY_FIELDS = (
    F("barrier_id", "integer", "the barrier"),
    F("from_status", "string", "status before (empty at creation)"),
    F("to_status", "string", "status after"),
    F("at", "datetime", "when (UTC)"),
    F("reason", "string", "why"),
)


def barrier_history_rows() -> Iterator[dict[str, Any]]:
    public_ids = _public_barriers().values("id")
    qs = BarrierStatusChange.objects.filter(barrier_id__in=public_ids).order_by("barrier_id", "at", "id")
    for h in qs:
        yield {
            "barrier_id": h.barrier_id,
            "from_status": h.from_status,
            "to_status": h.to_status,
            "at": h.at,
            "reason": h.reason,
        }


PROGRESS_FIELDS = (
    F("barrier_id", "integer", "the barrier"),
    F("at", "datetime", "when (UTC)"),
    F("text", "string", "the public progress update"),
)


def barrier_progress_rows() -> Iterator[dict[str, Any]]:
    public_ids = _public_barriers().values("id")
    for u in BarrierUpdate.objects.filter(barrier_id__in=public_ids, is_public=True).order_by(
        "barrier_id", "at", "id"
    ):
        yield {"barrier_id": u.barrier_id, "at": u.at, "text": u.text}


# --- Pledges --------------------------------------------------------------------------------------------

PLEDGE_FIELDS = (
    F("id", "integer", "GapBridge pledge number"),
    F("provider", "string", "the organization that pledged"),
    F("provider_ref", "string", "its IATI organisation identifier"),
    F("title", "string", "the pledge"),
    F("status", "string", "announced, completed or withdrawn"),
    F("period_start", "date", "start of the pledge period"),
    F("period_end", "date", "end of the pledge period"),
    F("announced_on", "date", "date of the announcement"),
    F("source_url", "string", "link to the announcement"),
    F("amount", "number", "pledged amount in its currency"),
    F("currency", "string", "ISO 4217 currency of the amount"),
    F("pledged_usd", "number", "pledged amount in US dollars; empty when it could not be converted"),
    F("fx_rate", "number", "units of the currency per US dollar used"),
    F("fx_year", "integer", "year of that annual average rate"),
    F("committed_usd", "number", "commitments linked to the pledge, US dollars"),
    F("disbursed_usd", "number", "disbursements linked to the pledge, US dollars"),
    F("committed_pct", "number", "committed as a percentage of pledged (US dollars)"),
    F("disbursed_pct", "number", "disbursed as a percentage of pledged: the fulfilment"),
    F("unconverted_flows", "integer", "linked amounts that could not be converted (not in the totals)"),
    F("focus_areas", "string", "focus-area slugs, separated by ';'"),
    F("target_countries", "string", "ISO3 codes, separated by ';'"),
    F("target_groups", "string", "country group codes, separated by ';'"),
)


def _public_pledges() -> Any:
    from gapbridge.pledges import queries as pledge_queries

    return pledge_queries.pledges(None).order_by("id")


def pledge_rows() -> Iterator[dict[str, Any]]:
    from gapbridge.pledges import queries as pledge_queries

    for p in _public_pledges():
        t = pledge_queries.figures(p).totals
        yield {
            "id": p.pk,
            "provider": p.provider.name,
            "provider_ref": p.provider.iati_ref or "",
            "title": p.title,
            "status": p.status,
            "period_start": p.period_start,
            "period_end": p.period_end,
            "announced_on": p.announced_on,
            "source_url": p.source_url,
            "amount": p.amount,
            "currency": p.currency,
            "pledged_usd": p.amount_usd,
            "fx_rate": p.fx_rate,
            "fx_year": p.fx_year,
            "committed_usd": t.committed_usd,
            "disbursed_usd": t.disbursed_usd,
            "committed_pct": round(t.committed_pct, 2) if t.committed_pct is not None else None,
            "disbursed_pct": round(t.disbursed_pct, 2) if t.disbursed_pct is not None else None,
            "unconverted_flows": t.unconverted_flows,
            "focus_areas": _join(p.focus_areas),
            "target_countries": _join(sorted(e.iso3 for e in p.target_countries.all())),
            "target_groups": _join(sorted(g.code for g in p.target_groups.all())),
        }


FLOW_FIELDS = (
    F("pledge_id", "integer", "the pledge"),
    F("kind", "string", "commitment or disbursement"),
    F("date", "date", "date of the commitment or disbursement"),
    F("amount", "number", "amount in its currency"),
    F("currency", "string", "ISO 4217 currency"),
    F("amount_usd", "number", "amount in US dollars; empty when it could not be converted"),
    F("fx_rate", "number", "units of the currency per US dollar used"),
    F("fx_year", "integer", "year of the annual average rate"),
    F("fx_status", "string", "usd, converted, or why it was not converted"),
    F("origin", "string", "manual (entered by the provider) or iati (an IATI transaction)"),
    F("iati_identifier", "string", "for IATI flows: the activity"),
    F(
        "transaction_type",
        "string",
        "for IATI flows: TransactionType code (2 commitment, 3 disbursement, 4 expenditure)",
    ),
)


def pledge_flow_rows() -> Iterator[dict[str, Any]]:
    from gapbridge.pledges.models import PledgeFlow

    for x in PledgeFlow.objects.filter(pledge__in=_public_pledges().values("id")).order_by(
        "pledge_id", "date", "id"
    ):
        yield {
            "pledge_id": x.pledge_id,
            "kind": x.kind,
            "date": x.date,
            "amount": x.amount,
            "currency": x.currency,
            "amount_usd": x.amount_usd,
            "fx_rate": x.fx_rate,
            "fx_year": x.fx_year,
            "fx_status": x.fx_status,
            "origin": x.origin,
            "iati_identifier": x.iati_identifier,
            "transaction_type": x.transaction_type,
        }


PLEDGE_HISTORY_FIELDS = (
    F("pledge_id", "integer", "the pledge"),
    F("from_status", "string", "status before (empty at creation)"),
    F("to_status", "string", "status after"),
    F("at", "datetime", "when (UTC)"),
    F("reason", "string", "why"),
)


def pledge_history_rows() -> Iterator[dict[str, Any]]:
    from gapbridge.pledges.models import PledgeStatusChange

    for h in PledgeStatusChange.objects.filter(pledge__in=_public_pledges().values("id")).order_by(
        "pledge_id", "at", "id"
    ):
        yield {
            "pledge_id": h.pledge_id,
            "from_status": h.from_status,
            "to_status": h.to_status,
            "at": h.at,
            "reason": h.reason,
        }


# --- Offers, needs, matches (tables of the matchmaking apps) --------------------------------------------
# Each app's own `public()` queryset decides what is public: published offers, needs past draft, matches
# accepted or later between a public need and a public offer. Contact details are not exported.


def _model(app_label: str, name: str) -> Any:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


OFFER_FIELDS = (
    F("id", "integer", "GapBridge offer number"),
    F("provider", "string", "the organization offering support"),
    F("provider_ref", "string", "its IATI organisation identifier"),
    F("title", "string", "the offer"),
    F("description", "string", "what is offered"),
    F("language", "string", "language of title and description"),
    F("kind", "string", "kind of support"),
    F("focus_areas", "string", "focus-area slugs, separated by ';'"),
    F("eligible_countries", "string", "ISO3 codes, separated by ';' (empty: see regions and groups)"),
    F("eligible_regions", "string", "regions, separated by ';'"),
    F("eligible_groups", "string", "country group codes, separated by ';'"),
    F("requester_types", "string", "who may apply, separated by ';'"),
    F("languages", "string", "working languages, separated by ';'"),
    F("modality", "string", "in person, remote, hybrid, self-service"),
    F("capacity", "integer", "number of beneficiaries it can take"),
    F("budget_usd", "number", "budget in US dollars"),
    F("opens", "date", "applications open"),
    F("closes", "date", "applications close"),
    F("status", "string", "lifecycle status"),
    F("origin", "string", "provider, dpg-registry or iati (where the offer came from)"),
    F("created_at", "datetime", "when recorded (UTC)"),
)


def offer_rows() -> Iterator[dict[str, Any]]:
    model = _model("offers", "Offer")
    if model is None:
        return
    qs = (
        model.objects.public()
        .select_related("provider")
        .prefetch_related("eligible_countries", "eligible_groups")
    )
    for o in qs.order_by("pk"):
        yield {
            "id": o.pk,
            "provider": o.provider.name,
            "provider_ref": o.provider.iati_ref or "",
            "title": o.title,
            "description": o.description,
            "language": o.language,
            "kind": o.kind,
            "focus_areas": _join(o.focus_areas),
            "eligible_countries": _join(sorted(e.iso3 for e in o.eligible_countries.all())),
            "eligible_regions": _join(o.eligible_regions),
            "eligible_groups": _join(sorted(g.code for g in o.eligible_groups.all())),
            "requester_types": _join(o.requester_types),
            "languages": _join(o.languages),
            "modality": o.modality,
            "capacity": o.capacity,
            "budget_usd": o.budget_usd,
            "opens": o.opens,
            "closes": o.closes,
            "status": o.status,
            "origin": o.origin,
            "created_at": o.created_at,
        }


NEED_FIELDS = (
    F("id", "integer", "GapBridge need number"),
    F("country", "string", "requesting country (ISO3)"),
    F("requesting_organization", "string", "the ministry, agency or firm asking"),
    F("requester_type", "string", "government, sme-agency, sme, ngo, academic, other"),
    F("title", "string", "the need"),
    F("description", "string", "what is needed"),
    F("language", "string", "language of title and description"),
    F("focus_areas", "string", "focus-area slugs, separated by ';'"),
    F("kinds", "string", "kinds of support sought, separated by ';'"),
    F("priority", "string", "low, medium, high, critical"),
    F("start_by", "date", "wanted from"),
    F("end_by", "date", "wanted until"),
    F("budget_usd", "number", "budget in US dollars"),
    F("status", "string", "lifecycle status"),
    F("origin", "string", "requested (by the country) or derived (indicative, computed from data)"),
    F("created_at", "datetime", "when recorded (UTC)"),
)


def _public_needs() -> Any:
    model = _model("needs", "Need")
    return model.objects.public() if model is not None else None


def need_rows() -> Iterator[dict[str, Any]]:
    qs = _public_needs()
    if qs is None:
        return
    for n in qs.select_related("country", "requesting_organization").order_by("pk"):
        yield {
            "id": n.pk,
            "country": n.country.iso3,
            "requesting_organization": n.requesting_organization.name if n.requesting_organization else "",
            "requester_type": n.requester_type,
            "title": n.title,
            "description": n.description,
            "language": n.language,
            "focus_areas": _join(n.focus_areas),
            "kinds": _join(n.kinds),
            "priority": n.priority,
            "start_by": n.start_by,
            "end_by": n.end_by,
            "budget_usd": n.budget_usd,
            "status": n.status,
            "origin": n.origin,
            "created_at": n.created_at,
        }


MATCH_FIELDS = (
    F("id", "integer", "GapBridge match number"),
    F("need_id", "integer", "the need (needs.csv)"),
    F("offer_id", "integer", "the offer (offers.csv)"),
    F("country", "string", "the need's country (ISO3)"),
    F("provider", "string", "the offer's provider"),
    F("score", "number", "matching score, 0 to 1"),
    F("status", "string", "accepted, project_started or completed"),
    F("iati_identifier", "string", "the IATI activity that carries the project, once started"),
    F("created_at", "datetime", "when suggested (UTC)"),
    F("status_changed_at", "datetime", "when the status last changed (UTC)"),
)


def _public_matches() -> Any:
    model, needs, offers = _model("matches", "Match"), _public_needs(), _model("offers", "Offer")
    if model is None or needs is None or offers is None:
        return None
    return model.objects.public().filter(
        need__in=needs.values("pk"), offer__in=offers.objects.public().values("pk")
    )


def match_rows() -> Iterator[dict[str, Any]]:
    qs = _public_matches()
    if qs is None:
        return
    for m in qs.select_related("need__country", "offer__provider").order_by("pk"):
        yield {
            "id": m.pk,
            "need_id": m.need_id,
            "offer_id": m.offer_id,
            "country": m.need.country.iso3,
            "provider": m.offer.provider.name,
            "score": round(m.score, 4),
            "status": m.status,
            "iati_identifier": m.iati_identifier,
            "created_at": m.created_at,
            "status_changed_at": m.status_changed_at,
        }


def _history_fields(subject: str) -> tuple[Field, ...]:
    return (
        F(f"{subject}_id", "integer", f"the {subject}"),
        F("from_status", "string", "status before (empty at creation)"),
        F("to_status", "string", "status after"),
        F("at", "datetime", "when (UTC)"),
        F("reason", "string", "why"),
    )


def _history_rows(
    app_label: str, model_name: str, subject: str, public: Callable[[], Any]
) -> Iterator[dict[str, Any]]:
    model = _model(app_label, model_name)
    owners = public()
    if model is None or owners is None:
        return
    qs = model.objects.filter(**{f"{subject}__in": owners.values("pk")}).order_by(f"{subject}_id", "at", "id")
    for h in qs:
        yield {
            f"{subject}_id": getattr(h, f"{subject}_id"),
            "from_status": h.from_status,
            "to_status": h.to_status,
            "at": h.at,
            "reason": h.reason,
        }


def _public_offers() -> Any:
    model = _model("offers", "Offer")
    return model.objects.public() if model is not None else None


def _pending(app_label: str, name: str) -> str:
    return "" if _model(app_label, name) else f" Not available yet: the {app_label} app has no {name} table."


# --- The catalogue --------------------------------------------------------------------------------------


def datasets() -> list[Dataset]:
    return [
        Dataset(
            "barriers",
            "Barriers",
            "Moderated barriers to digital trade and development (public fields only).",
            BARRIER_FIELDS,
            barrier_rows,
        ),
        Dataset(
            "barrier_history",
            "Barrier status history",
            "Every status change of the published barriers.",
            HISTORY_FIELDS,
            barrier_history_rows,
        ),
        Dataset(
            "barrier_progress",
            "Barrier progress updates",
            "Public progress updates on the published barriers.",
            PROGRESS_FIELDS,
            barrier_progress_rows,
        ),
        Dataset(
            "offers",
            "Offers of support",
            "Published offers." + _pending("offers", "Offer"),
            OFFER_FIELDS,
            offer_rows,
        ),
        Dataset(
            "offer_history",
            "Offer status history",
            "Every status change of the published offers." + _pending("offers", "Offer"),
            _history_fields("offer"),
            lambda: _history_rows("offers", "OfferStatusChange", "offer", _public_offers),
        ),
        Dataset(
            "needs",
            "Needs for assistance",
            "Needs past the draft stage; `origin` derived marks indicative needs computed from data, not "
            "requested by the country." + _pending("needs", "Need"),
            NEED_FIELDS,
            need_rows,
        ),
        Dataset(
            "need_history",
            "Need status history",
            "Every status change of the public needs." + _pending("needs", "Need"),
            _history_fields("need"),
            lambda: _history_rows("needs", "NeedStatusChange", "need", _public_needs),
        ),
        Dataset(
            "matches",
            "Matches",
            "Accepted matches between public needs and published offers, and the projects they started."
            + _pending("matches", "Match"),
            MATCH_FIELDS,
            match_rows,
        ),
        Dataset(
            "match_history",
            "Match status history",
            "Every status change of the public matches." + _pending("matches", "Match"),
            _history_fields("match"),
            lambda: _history_rows("matches", "MatchStatusChange", "match", _public_matches),
        ),
        Dataset(
            "pledges",
            "Pledges and their fulfilment",
            "Announced, completed and withdrawn pledges with pledged, committed and disbursed US dollars.",
            PLEDGE_FIELDS,
            pledge_rows,
        ),
        Dataset(
            "pledge_flows",
            "Commitments and disbursements",
            "Money linked to the published pledges, with the exchange rate used.",
            FLOW_FIELDS,
            pledge_flow_rows,
        ),
        Dataset(
            "pledge_history",
            "Pledge status history",
            "Every status change of the published pledges.",
            PLEDGE_HISTORY_FIELDS,
            pledge_history_rows,
        ),
    ]


def dataset(name: str) -> Dataset:
    for d in datasets():
        if d.name == name:
            return d
    raise KeyError(name)


# --- Writing ---------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_value(value: Any, type_: str) -> Any:
    if value is None or (value == "" and type_ != "string"):
        return None
    if type_ == "number":
        return float(value) if isinstance(value, Decimal | int | float) else float(str(value))
    if type_ == "integer":
        return int(value)
    if type_ in ("date", "datetime"):
        return _cell(value)
    return value if isinstance(value, bool | str) else str(value)


def _csv_cell(value: Any, type_: str) -> str:
    """Text columns are made formula-safe; typed columns (numbers, dates...) keep their schema's form, so a
    negative amount stays a number."""
    text = _cell(value)
    return str(csvsafe.cell(text)) if type_ == "string" else text


def render_csv(d: Dataset) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in d.fields])
    for row in d.rows():
        writer.writerow([_csv_cell(row.get(f.name), f.type) for f in d.fields])
    return buffer.getvalue()


def render_json(d: Dataset, as_of: dt.datetime) -> str:
    rows = [{f.name: _json_value(row.get(f.name), f.type) for f in d.fields} for row in d.rows()]
    body = {
        "name": d.name,
        "title": d.title,
        "description": d.description,
        "as_of": _cell(as_of),
        "licence": LICENCE,
        "licence_statement": LICENCE_STATEMENT,
        "publisher": "GapBridge",
        "fields": [{"name": f.name, "type": f.type, "description": f.description} for f in d.fields],
        "count": len(rows),
        "rows": rows,
    }
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def descriptor(
    as_of: dt.datetime, files: dict[str, bytes] | None = None, *, path_prefix: str = ""
) -> dict[str, Any]:
    """The Frictionless data package: licence, as-of time, and one resource per file with its schema."""
    resources = []
    for d in datasets():
        schema = {
            "fields": [{"name": f.name, "type": f.type, "description": f.description} for f in d.fields]
        }
        for fmt, mediatype in (("csv", "text/csv"), ("json", "application/json")):
            path = f"{d.name}.{fmt}"
            resource: dict[str, Any] = {
                "name": f"{d.name.replace('_', '-')}-{fmt}",
                "path": path_prefix + path,
                "title": d.title,
                "description": d.description,
                "format": fmt,
                "mediatype": mediatype,
                "encoding": "utf-8",
                "licenses": [LICENCE],
            }
            if fmt == "csv":
                resource["profile"] = "tabular-data-resource"
                resource["dialect"] = {"delimiter": ",", "header": True}
                resource["schema"] = schema
            if files is not None and path in files:
                resource["bytes"] = len(files[path])
                resource["hash"] = "sha256:" + hashlib.sha256(files[path]).hexdigest()
            resources.append(resource)
    return {
        "profile": "data-package",
        "name": "gapbridge-open-data",
        "title": "GapBridge open data: barriers, offers, needs, matches and pledges",
        "description": LICENCE_STATEMENT,
        "created": _cell(as_of),
        "as_of": _cell(as_of),
        "licenses": [LICENCE],
        "homepage": "/api/v1/open-data",
        "resources": resources,
    }


def build(
    as_of: dt.datetime | None = None, progress: Callable[[str], None] | None = None
) -> tuple[dt.datetime, dict[str, bytes]]:
    """Every file of the export, by file name, rendered from one consistent read of the database."""
    as_of = as_of or timezone.now().replace(microsecond=0)
    files: dict[str, bytes] = {}
    for d in datasets():
        if progress is not None:
            progress(d.name)
        files[f"{d.name}.csv"] = render_csv(d).encode("utf-8")
        files[f"{d.name}.json"] = render_json(d, as_of).encode("utf-8")
    package = descriptor(as_of, files)
    files["datapackage.json"] = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return as_of, files


def write(out: Path, files: dict[str, bytes]) -> None:
    """Write each file atomically (a reader never sees half a file)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)  # open data: readable by everyone (mkstemp creates 0600)
            os.replace(tmp, out / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
