"""Text in PDFs (ReportLab) for every language of the site: fonts that have the glyphs, and Arabic script
joined and laid out right to left.

ReportLab's standard fonts cover only Windows-1252, and ReportLab neither joins Arabic letters nor orders
right-to-left text without a bidi package that is not on PyPI. So:

* **fonts**: the bundled DejaVu Sans, regular and bold (``web/fonts``; Latin, Greek, Cyrillic, Arabic), for
  any document with a character outside Windows-1252, Helvetica otherwise (smaller files);
* **Arabic script**: letters are joined with ``arabic-reshaper`` (presentation forms, which DejaVu Sans
  has); a paragraph is broken into lines in reading order at the width it is given at layout time; each
  line is then put in display order with ``python-bidi`` (the Unicode bidirectional algorithm, the one
  browsers use). A right-to-left document has its paragraphs right-aligned; a text with Arabic letters
  is laid out right to left in it (elsewhere: when its first letter is Arabic), and a text without any
  stays left to right, as an isolated run in a browser would.

:func:`paragraph` is the one entry point for a text; :func:`fonts_for` picks the fonts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper  # type: ignore[import-untyped]
from bidi.algorithm import get_display  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph  # type: ignore[import-untyped]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
#: Strong right-to-left letters: Hebrew, Arabic, Syriac, Thaana, NKo and the Arabic presentation forms.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


@lru_cache(maxsize=1)
def unicode_fonts() -> tuple[str, str]:
    """Register the bundled DejaVu Sans (regular, bold) with ReportLab once; their names."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    return REGULAR, BOLD


def needs_unicode(texts: Iterable[str]) -> bool:
    """True if a text has a character the standard fonts (Windows-1252) cannot show."""
    try:
        for text in texts:
            text.encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False


def fonts_for(texts: Iterable[str]) -> tuple[str, str]:
    """(regular, bold) font names for a document made of ``texts``."""
    if needs_unicode(texts):
        return unicode_fonts()
    return "Helvetica", "Helvetica-Bold"


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def missing_glyphs(text: str, font: str = REGULAR) -> set[str]:
    """Characters of ``text`` (after shaping) that ``font`` has no glyph for: what would print as boxes."""
    unicode_fonts()
    face = pdfmetrics.getFont(font).face
    shaped = arabic_reshaper.reshape(text) if has_rtl(text) else text
    return {
        char
        for char in shaped
        if not char.isspace()
        and unicodedata.category(char) not in ("Cf", "Mn")
        and ord(char) not in face.charToGlyph
    }


def starts_rtl(text: str) -> bool:
    """Is the first strong letter of ``text`` a right-to-left one (HTML's ``dir="auto"``)?"""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def visual_lines(text: str, width: float, font: str, size: float, rtl: bool) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (a word longer than that gets a line of
    its own), in reading order; each line joined (Arabic) and in display order, with a right-to-left base
    direction when ``rtl``."""
    base = "R" if rtl else "L"
    lines: list[str] = []
    for part in text.split("\n"):
        shaped = arabic_reshaper.reshape(part) if has_rtl(part) else part
        words = shaped.split()
        current: list[str] = []
        for word in words:
            trial = " ".join([*current, word])
            if current and pdfmetrics.stringWidth(trial, font, size) > width:
                lines.append(" ".join(current))
                current = [word]
            else:
                current.append(word)
        lines.append(" ".join(current))
    return [get_display(line, base_dir=base) for line in lines]


class _BidiParagraph(Paragraph):  # type: ignore[misc]
    """A paragraph whose lines are laid out here (see module docstring) at the width it is wrapped to.
    The pieces ReportLab makes when it splits one across pages are plain paragraphs of those lines."""

    logical: str | None = None
    rtl = False
    _laid_width: float | None = None

    def wrap(self, avail_width: float, avail_height: float) -> Any:
        if self.logical is not None and avail_width != self._laid_width:
            self._laid_width = avail_width
            style = self.style
            width = max(1.0, avail_width - style.leftIndent - style.rightIndent)
            lines = visual_lines(self.logical, width, style.fontName, style.fontSize, self.rtl)
            Paragraph.__init__(self, "<br/>".join(escape(line) for line in lines), style)
        return super().wrap(avail_width, avail_height)


@lru_cache(maxsize=64)
def _right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)


def paragraph(text: str, style: ParagraphStyle, *, rtl: bool = False) -> Paragraph:
    """A paragraph of plain ``text`` (newlines break lines); in a right-to-left document (``rtl``) it is
    right-aligned, and Arabic script is joined and ordered for display in either direction."""
    if rtl:
        style = _right_aligned(style)
    if not has_rtl(text):
        # no right-to-left letter: left to right even in a right-to-left document, as a browser shows an
        # isolated run ("09:00–09:25", "World Bank (IBRD)"); only the alignment follows the document
        return Paragraph(escape(text).replace("\n", "<br/>"), style)
    laid = _BidiParagraph(escape(text), style)
    laid.logical = text
    laid.rtl = rtl or starts_rtl(text)
    return laid


def styled(style: ParagraphStyle, fonts: tuple[str, str], **changes: Any) -> ParagraphStyle:
    """A copy of ``style`` in ``fonts`` (bold where the original was bold), with ``changes``."""
    regular, bold = fonts
    font = bold if "Bold" in style.fontName else regular
    return ParagraphStyle(f"{style.name}-{font}", parent=style, fontName=font, **changes)
