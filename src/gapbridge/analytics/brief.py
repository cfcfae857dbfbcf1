"""The country coordination brief: one country's gap profile, who funds what there (gross and
de-duplicated), active projects, overlap alerts, and — where those apps exist — open needs, matches and
barriers. Assembled here for the HTML page, the API and the PDF (:func:`render_pdf`, reportlab).

Apps built in parallel (needs, matches, barriers) are read through guarded imports: what cannot be
read is listed in ``Brief.not_included`` instead of failing the brief.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gapbridge.analytics import source
from gapbridge.analytics.models import AlertStatus, CoordinationAlert, Measure
from gapbridge.analytics.need import CountryNeed, needs
from gapbridge.analytics.queries import (
    AlertFilter,
    Concentration,
    FundingFilter,
    alerts,
    concentration,
    funding_cube,
)
from gapbridge.countries import labels
from gapbridge.countries import queries as country_queries
from gapbridge.countries.models import CountryScore, Economy, PillarScore
from gapbridge.web.i18n import local_number

RULE = gettext_lazy(
    "Gross: every commitment, disbursement and expenditure as reported, added up. De-duplicated: money "
    "counted once, at the first funder in the data."
)


@dataclass
class MoneyRow:
    key: str
    label: str
    commitments_gross: float = 0.0
    commitments_dedup: float = 0.0
    disbursements_gross: float = 0.0
    disbursements_dedup: float = 0.0
    unconverted: int = 0

    def add(self, measure: str, gross: float, dedup: float, unconverted: int) -> None:
        if measure == Measure.COMMITMENT:
            self.commitments_gross += gross
            self.commitments_dedup += dedup
        else:
            self.disbursements_gross += gross
            self.disbursements_dedup += dedup
        self.unconverted += unconverted

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "commitments_gross_usd": round(self.commitments_gross, 2),
            "commitments_dedup_usd": round(self.commitments_dedup, 2),
            "disbursements_gross_usd": round(self.disbursements_gross, 2),
            "disbursements_dedup_usd": round(self.disbursements_dedup, 2),
            "unconverted_facts": self.unconverted,
        }


@dataclass
class Section:
    """An optional part of the brief from another app (needs, matches, barriers)."""

    title: str
    items: list[dict[str, Any]]


@dataclass
class Brief:
    economy: Economy
    need: CountryNeed
    overall: float | None
    rank: int | None
    pillars: list[PillarScore]
    #: What the ranks run over: economies with an overall score, and with a score in each pillar.
    scored_countries: int
    pillar_scored: dict[str, int]
    by_area: list[MoneyRow]
    by_provider: list[MoneyRow]
    total: MoneyRow
    concentration: Concentration | None
    projects_total: int
    projects: list[source.ActivityInfo]
    alerts: list[CoordinationAlert]
    sections: dict[str, Section] = field(default_factory=dict)
    not_included: list[str] = field(default_factory=list)
    generated: dt.datetime = field(default_factory=dt.datetime.now)
    year: int = field(default_factory=lambda: dt.date.today().year)


def _money(iso3: str, by: str, labels: dict[str, str]) -> list[MoneyRow]:
    rows: dict[str, MoneyRow] = {}
    for cell in funding_cube([by, "measure"], FundingFilter(iso3=[iso3])):
        key = cell[by] or ""
        label = labels.get(key) or cell.get("provider_name") or key
        row = rows.setdefault(key, MoneyRow(key, label))
        row.add(cell["measure"], cell["gross_usd"], cell["dedup_usd"], cell["unconverted_facts"])
    return list(rows.values())


# -- other apps, if they exist ----------------------------------------------------------------------------
def _barriers(economy: Economy) -> Section:
    from gapbridge.barriers.models import Barrier

    qs = Barrier.objects.public().open().for_country(economy.pk).order_by("-created_at")[:20]
    items = []
    for barrier in qs:
        try:
            url = reverse("barriers:detail", args=[barrier.pk])
        except NoReverseMatch:
            url = ""
        items.append(
            {
                "title": barrier.title,
                "status": barrier.get_status_display(),
                "category": barrier.category,
                "url": url,
            }
        )
    return Section(_("Open barriers"), items)


def _url(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url())
    except (AttributeError, NoReverseMatch):
        return ""


def _needs(economy: Economy) -> Section:
    from gapbridge.needs.models import Need, NeedStatus
    from gapbridge.offers.content import shown

    closed = [NeedStatus.FULFILLED, NeedStatus.CLOSED]
    qs = Need.objects.public().filter(country=economy).exclude(status__in=closed).order_by("-id")[:20]
    return Section(
        _("Open needs"),
        [{"title": shown(n).fields["title"], "status": n.status_label(), "url": _url(n)} for n in qs],
    )


def _matches(economy: Economy) -> Section:
    from gapbridge.matches.lifecycle import OPEN, PUBLIC
    from gapbridge.matches.models import Match
    from gapbridge.offers.content import shown

    public = [s.value for s in OPEN & PUBLIC]
    qs = Match.objects.filter(need__country=economy, status__in=public).select_related("need", "offer")
    return Section(
        _("Matches under way"),
        [
            {
                "title": f"{shown(m.need).fields['title']} ↔ {shown(m.offer).fields['title']}",
                "status": m.get_status_display(),
                "url": _url(m),
            }
            for m in qs.order_by("-id")[:20]
        ],
    )


OPTIONAL: dict[str, tuple[str, Callable[[Economy], Section]]] = {
    "needs": ("open needs", _needs),
    "matches": ("matches", _matches),
    "barriers": ("open barriers", _barriers),
}


def _optional(economy: Economy) -> tuple[dict[str, Section], list[str]]:
    """Each other app's section, or a line saying why it is missing (each read in its own savepoint, so
    a table another engineer has not migrated yet cannot break the page's transaction)."""
    sections: dict[str, Section] = {}
    missing: list[str] = []
    for key, (what, read) in OPTIONAL.items():
        try:
            with transaction.atomic():
                sections[key] = read(economy)
        except Exception as exc:  # another app's schema may be mid-change: the brief still renders
            missing.append(f"{what}: {type(exc).__name__}: {exc}"[:300])
    return sections, missing


# -- assembling -------------------------------------------------------------------------------------------
def build(iso3: str) -> Brief:
    """The brief of ``iso3``; raises ``Economy.DoesNotExist`` for an unknown code."""
    economy = Economy.objects.get(iso3=iso3.upper())
    need = needs([economy])[economy.iso3]
    score = CountryScore.objects.filter(economy=economy).first()
    area_names = dict(source.focus_areas()) | {"": _("Outside GapBridge's focus areas")}
    by_area = _money(economy.iso3, "focus_area", area_names)
    order = {slug: i for i, slug in enumerate(area_names)}
    by_area.sort(key=lambda r: order.get(r.key, 99))
    by_provider = _money(economy.iso3, "provider", {"": _("(provider not stated)")})
    by_provider.sort(key=lambda r: -(r.disbursements_dedup + r.commitments_dedup))
    total = MoneyRow("total", _("Total"))
    for row in by_area:
        total.commitments_gross += row.commitments_gross
        total.commitments_dedup += row.commitments_dedup
        total.disbursements_gross += row.disbursements_gross
        total.disbursements_dedup += row.disbursements_dedup
        total.unconverted += row.unconverted
    hhi = concentration(FundingFilter(iso3=[economy.iso3], measure=Measure.DISBURSEMENT))
    year = dt.date.today().year
    projects_total, projects = source.active_projects(economy.iso3, year, limit=50)
    found_alerts = list(alerts(AlertFilter(country=economy.iso3)).exclude(status=AlertStatus.DISMISSED)[:50])
    sections, missing = _optional(economy)
    scored, pillar_scored = country_queries.scored_counts()
    return Brief(
        economy=economy,
        need=need,
        overall=score.overall if score else None,
        rank=score.rank if score else None,
        pillars=list(PillarScore.objects.filter(economy=economy).order_by("position")),
        scored_countries=scored,
        pillar_scored=pillar_scored,
        by_area=by_area,
        by_provider=by_provider[:20],
        total=total,
        concentration=hhi[0] if hhi else None,
        projects_total=projects_total,
        projects=projects,
        alerts=found_alerts,
        sections=sections,
        not_included=missing,
        year=year,
    )


def pillar_rows(found: Brief) -> list[tuple[str, PillarScore, int]]:
    """(name in the reader's language, pillar, economies ranked in it) for pages and the PDF.

    The API keeps the English names.
    """
    return [
        (labels.pillar_name(p.pillar, p.name), p, found.pillar_scored.get(p.pillar, 0)) for p in found.pillars
    ]


def rank_text(rank: int | None, over: int) -> str:
    """The rank "12 of 197" in the reader's language, or a dash when unranked."""
    return _("%(r)s of %(n)s") % {"r": rank, "n": over} if rank else "—"


# -- PDF --------------------------------------------------------------------------------------------------
def _usd(value: float) -> str:
    return local_number(value, 0)


def render_pdf(brief: Brief) -> bytes:
    """The brief as an A4 PDF (tables only; the HTML page has the charts), in the active language: the
    bundled DejaVu Sans for every script the site speaks, right to left (text and table columns) in
    Arabic (:mod:`gapbridge.web.pdf_text`)."""
    from django.utils.translation import get_language_bidi
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.styles import getSampleStyleSheet  # type: ignore[import-untyped]
    from reportlab.lib.units import mm  # type: ignore[import-untyped]
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]

    from gapbridge.web import pdf_text

    rtl = get_language_bidi()
    fonts = pdf_text.unicode_fonts()
    styles = getSampleStyleSheet()
    body = pdf_text.styled(styles["BodyText"], fonts)
    small = pdf_text.styled(styles["BodyText"], fonts, fontSize=8, leading=10)
    heading_style = pdf_text.styled(styles["Heading2"], fonts)
    title_style = pdf_text.styled(styles["Title"], fonts)
    story: list[Any] = []

    def heading(text: str) -> None:
        story.append(Spacer(1, 4 * mm))
        story.append(pdf_text.paragraph(text, heading_style, rtl=rtl))

    def para(text: str, style: Any = body) -> None:
        story.append(pdf_text.paragraph(text, style, rtl=rtl))

    def table(rows: list[list[str]], widths: list[float] | None = None) -> None:
        cells = [[pdf_text.paragraph(str(c), small, rtl=rtl) for c in row] for row in rows]
        if rtl:  # columns read from the right
            cells = [row[::-1] for row in cells]
            widths = widths[::-1] if widths else widths
        t = Table(cells, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(t)

    economy = brief.economy
    document_title = _("Coordination brief: %(name)s (%(iso3)s)") % {
        "name": economy.name,
        "iso3": economy.iso3,
    }
    para(document_title, title_style)
    para(
        _("Generated %(when)s by GapBridge.") % {"when": date_format(brief.generated, "DATETIME_FORMAT")},
        small,
    )
    heading(_("Gap profile"))
    overall = local_number(brief.overall, 1) if brief.overall is not None else _("insufficient data")
    para(
        _("Gap Index overall score %(score)s (rank %(rank)s); population %(pop)s.")
        % {
            "score": overall,
            "rank": rank_text(brief.rank, brief.scored_countries),
            "pop": local_number(economy.latest_population, 0) if economy.latest_population else "—",
        }
    )
    table(
        [[_("Pillar"), _("Score (0–100, higher is better)"), _("Rank")]]
        + [
            [
                name,
                local_number(p.score, 1) if p.score is not None else _("insufficient data"),
                rank_text(p.rank, scored),
            ]
            for name, p, scored in pillar_rows(brief)
        ]
    )
    heading(_("Funding by focus area (USD)"))
    para(str(RULE), small)
    money_head = [
        _("Commitments, gross"),
        _("Commitments, de-duplicated"),
        _("Disbursements, gross"),
        _("Disbursements, de-duplicated"),
    ]

    def money(row: MoneyRow) -> list[str]:
        return [
            _usd(row.commitments_gross),
            _usd(row.commitments_dedup),
            _usd(row.disbursements_gross),
            _usd(row.disbursements_dedup),
        ]

    widths = [60 * mm, 28 * mm, 28 * mm, 28 * mm, 28 * mm]
    table(
        [[_("Focus area"), *money_head]] + [[r.label, *money(r)] for r in [*brief.by_area, brief.total]],
        widths,
    )
    if brief.total.unconverted:
        para(
            _("%(n)s values could not be converted to US dollars and are not included.")
            % {"n": brief.total.unconverted},
            small,
        )
    heading(_("Funding by provider, all sectors (USD)"))
    table([[_("Provider"), *money_head]] + [[r.label, *money(r)] for r in brief.by_provider], widths)
    if brief.concentration is not None:
        c = brief.concentration
        para(
            _(
                "Concentration of de-duplicated disbursements: HHI %(hhi).2f over %(n)s providers; "
                "the largest, %(top)s, gives %(share).0f%%."
            )
            % {"hhi": c.hhi, "n": c.providers, "top": c.top_provider, "share": c.top_share * 100},
            small,
        )
    heading(_("Active projects in %(year)s") % {"year": brief.year})
    para(
        _("%(n)s activities from all publishers are active this year; the most recent:")
        % {"n": brief.projects_total},
        small,
    )
    table(
        [[_("Project"), _("Publisher"), _("Start"), _("End")]]
        + [[p.title[:160], p.publisher, str(p.start or ""), str(p.end or "")] for p in brief.projects[:25]],
        [80 * mm, 50 * mm, 20 * mm, 20 * mm],
    )
    heading(_("Overlap alerts"))
    if brief.alerts:
        table(
            [[_("Tier"), _("Activity A"), _("Activity B"), _("Status")]]
            + [
                [a.get_tier_display(), a.a_title[:90], a.b_title[:90], a.get_status_display()]
                for a in brief.alerts
            ],
            [28 * mm, 62 * mm, 62 * mm, 20 * mm],
        )
    else:
        para(_("No open or confirmed overlap alert involves this country."), small)
    for section in brief.sections.values():
        heading(section.title)
        if section.items:
            for item in section.items:
                para(
                    "• "
                    + str(item.get("title", ""))
                    + (f" ({item['status']})" if item.get("status") else ""),
                    small,
                )
        else:
            para(_("None."), small)
    if brief.not_included:
        heading(_("Not included"))
        for line in brief.not_included:
            para("• " + line, small)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=document_title,  # the PDF's metadata, in the reader's language too
        author="GapBridge",
    )
    doc.build(story)
    return buffer.getvalue()
