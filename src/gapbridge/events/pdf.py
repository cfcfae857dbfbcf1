"""A participant's printable agenda as PDF (ReportLab): the event, then one row per meeting in time order.

Fonts and right-to-left text come from :mod:`gapbridge.web.pdf_text`: Helvetica when every character is in
Windows-1252 (small files), the bundled DejaVu Sans otherwise; Arabic script is joined and laid out right
to left, and an agenda in a right-to-left language (``rtl``) is right-aligned with its columns mirrored.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gapbridge.events import times
from gapbridge.web import pdf_text


@dataclass(frozen=True)
class PdfRow:
    when: str
    other: str
    place: str
    ref: str
    note: str = ""


@dataclass(frozen=True)
class PdfAgenda:
    title: str
    participant: str
    facts: Sequence[str]
    headers: tuple[str, str, str, str]
    rows: Sequence[PdfRow]
    empty: str
    footer: str
    rtl: bool = False  # the reader's language is written right to left


def render(agenda: PdfAgenda) -> bytes:
    texts = [agenda.title, agenda.participant, *agenda.facts, *agenda.headers, agenda.empty, agenda.footer]
    texts += [x for r in agenda.rows for x in (r.when, r.other, r.place, r.ref, r.note)]
    fonts = pdf_text.fonts_for(texts)
    font = fonts[0]
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=font, fontSize=9.5, leading=12)
    title = ParagraphStyle("title", parent=base["Title"], fontName=font, fontSize=17, leading=21, alignment=0)
    sub = ParagraphStyle("sub", parent=base["Heading2"], fontName=font, fontSize=13, leading=16)
    small = ParagraphStyle("small", parent=body, fontSize=8, textColor=colors.grey)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        # directional isolates are for browsers: the PDF lays out runs itself and its fonts lack the marks
        return pdf_text.paragraph(times.plain(text), style, rtl=agenda.rtl)

    story: list[Any] = [p(agenda.title, title), p(agenda.participant, sub)]
    story += [p(f) for f in agenda.facts if f]
    story.append(Spacer(1, 5 * mm))
    if agenda.rows:
        data = [[p(h) for h in agenda.headers]]
        for r in agenda.rows:
            data.append([p(r.when), p(r.other + (f"\n{r.note}" if r.note else "")), p(r.place), p(r.ref)])
        widths = [42 * mm, 68 * mm, 50 * mm, 18 * mm]
        if agenda.rtl:  # columns read from the right
            data = [row[::-1] for row in data]
            widths = widths[::-1]
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f6")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#d9dee7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(p(agenda.empty))
    story += [Spacer(1, 6 * mm), p(agenda.footer, small)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=agenda.title,
        author="GapBridge",
        subject=agenda.participant,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(story)
    return buffer.getvalue()
