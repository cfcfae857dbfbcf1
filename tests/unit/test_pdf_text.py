"""PDF text in every language of the site: glyphs exist, Arabic is joined, lines break in reading order and
are shown right to left (gapbridge.web.pdf_text)."""

from __future__ import annotations

import arabic_reshaper
import pytest
from django.utils import translation
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics

from gapbridge.web import pdf_text

SENTENCE = "تقرير التنسيق القطري يجمع التمويل والمشاريع والحواجز أمام التجارة الرقمية في بلد واحد"


def test_every_translated_message_has_glyphs_in_the_bundled_font() -> None:
    for language in ("ar", "fr", "es"):
        catalogue = translation.trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        texts = [v for _key, v in catalogue.items() if isinstance(v, str)]
        assert len(texts) > 1000, language
        missing = set().union(*(pdf_text.missing_glyphs(t) for t in texts))
        assert not missing, (language, sorted(missing)[:20])
        if language == "ar":
            assert pdf_text.needs_unicode(texts)


def test_characters_without_a_glyph_are_caught() -> None:
    regular, _bold = pdf_text.unicode_fonts()
    assert not pdf_text.missing_glyphs(SENTENCE, regular)
    assert pdf_text.missing_glyphs("中文", regular) == {"中", "文"}


def test_arabic_is_joined_broken_in_reading_order_and_shown_right_to_left() -> None:
    regular, _bold = pdf_text.unicode_fonts()
    width = 120.0
    lines = pdf_text.visual_lines(SENTENCE, width, regular, 10, rtl=True)
    assert len(lines) >= 3
    for line in lines:
        assert pdf_text.has_rtl(line)
        # joined: presentation forms, no bare letters of the Arabic block
        assert not any("\u0621" <= c <= "\u064a" for c in line), line
        if " " in line:
            assert pdfmetrics.stringWidth(line, regular, 10) <= width
    words = arabic_reshaper.reshape(SENTENCE).split()
    # the first words of the sentence are on the first line, at its right end (read first)
    assert lines[0].endswith(words[0][::-1])
    assert lines[-1].startswith(words[-1][::-1])
    # every word once, in order, when the lines are read right to left, top to bottom
    read = [w[::-1] for line in lines for w in reversed(line.split())]
    assert read == words


def test_latin_numbers_inside_arabic_keep_their_order() -> None:
    regular, _bold = pdf_text.unicode_fonts()
    (line,) = pdf_text.visual_lines("الالتزامات 1,250,000 دولار", 500, regular, 10, rtl=True)
    assert "1,250,000" in line


def test_paragraphs_are_right_aligned_only_in_a_right_to_left_document() -> None:
    style = getSampleStyleSheet()["BodyText"]
    assert pdf_text.paragraph("Niger", style).style.alignment == style.alignment
    assert pdf_text.paragraph("Niger", style, rtl=True).style.alignment == 2  # TA_RIGHT
    laid = pdf_text.paragraph(SENTENCE, pdf_text.styled(style, pdf_text.unicode_fonts()), rtl=True)
    _w, height = laid.wrap(100, 1000)
    _w, wider = laid.wrap(400, 1000)
    assert height > wider > 0  # laid out again at each width


@pytest.mark.parametrize(
    ("texts", "expected"), [(["Côte d'Ivoire"], "Helvetica"), (["Türkiye şirket"], "DejaVuSans")]
)
def test_fonts_follow_the_characters(texts: list[str], expected: str) -> None:
    assert pdf_text.fonts_for(texts)[0] == expected


def test_text_without_arabic_stays_left_to_right_in_a_right_to_left_document() -> None:
    style = pdf_text.styled(getSampleStyleSheet()["BodyText"], pdf_text.unicode_fonts())
    times = pdf_text.paragraph("2026-03-03 09:00–09:25", style, rtl=True)
    assert "09:00–09:25" in times.text and times.style.alignment == 2
    # an Arabic name in an English document is still shown right to left
    name = pdf_text.paragraph("وزارة التجارة (Egypt)", style)
    name.wrap(400, 100)
    assert name.text.startswith("(Egypt)")
