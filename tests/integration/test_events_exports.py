"""Agenda exports: the hand-written iCalendar file (RFC 5545 escaping, folding, time zones) and the PDF."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
import zlib
import zoneinfo

from gapbridge.events import ics, pdf

UTC = dt.UTC


def test_text_values_are_escaped() -> None:
    assert (
        ics.escape_text("Room 1, Hall B; ask\\desk\nfloor 2") == "Room 1\\, Hall B\\; ask\\\\desk\\nfloor 2"
    )
    assert ics.escape_text("a\r\nb\rc") == "a\\nb\\nc"
    original = "Côte d'Ivoire, Niger; \\ ok\nnext"
    assert ics.unescape_text(ics.escape_text(original)) == original


def test_lines_are_folded_at_75_octets_without_cutting_a_character() -> None:
    line = "SUMMARY:" + "Réunion avec la délégation de la République démocratique du Congo – مصر " * 3
    folded = ics.fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 2
    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    for p in physical:
        p.encode("utf-8").decode("utf-8")  # each physical line is whole UTF-8
    assert ics.unfold(folded + "\r\n") == [line]
    assert ics.fold("SHORT:x") == "SHORT:x"


def test_vtimezone_has_the_offset_before_and_each_transition() -> None:
    start = dt.datetime(2026, 3, 28, tzinfo=UTC)
    end = dt.datetime(2026, 3, 31, tzinfo=UTC)
    assert ics.transitions("Europe/Paris", start, end) == [dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)]
    lines = ics.vtimezone("Europe/Paris", start, end)
    text = "\n".join(lines)
    assert lines[:2] == ["BEGIN:VTIMEZONE", "TZID:Europe/Paris"] and lines[-1] == "END:VTIMEZONE"
    assert "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nTZNAME:CET" in text
    # RFC 5545: the observance starts at the local time before the change, 02:00 CET.
    assert (
        "BEGIN:DAYLIGHT\nDTSTART:20260329T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST" in text
    )
    nairobi = ics.vtimezone("Africa/Nairobi", start, end)
    assert "TZOFFSETTO:+0300" in nairobi and nairobi.count("BEGIN:STANDARD") == 1
    assert "TZOFFSETTO:+0530" in "\n".join(ics.vtimezone("Asia/Kolkata", start, end))
    assert "TZOFFSETTO:-0330" in "\n".join(
        ics.vtimezone(
            "America/St_Johns", dt.datetime(2026, 1, 5, tzinfo=UTC), dt.datetime(2026, 1, 6, tzinfo=UTC)
        )
    )


def _entry(**kw: object) -> ics.CalendarEntry:
    base: dict[str, object] = {
        "uid": "gapbridge-event1-meeting7-p3",
        "starts_at": dt.datetime(2026, 3, 29, 7, 30, tzinfo=UTC),
        "ends_at": dt.datetime(2026, 3, 29, 7, 55, tzinfo=UTC),
        "summary": "Meeting with Kenya, Ministry of ICT; room B",
        "description": "Bilateral meeting M7.\nWith: Kenya (Country delegation)",
        "location": "Table 3, Palais des Congrès",
        "url": "https://meet.example.org/room-3",
        "sequence": 2,
        "updated_at": dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    }
    base.update(kw)
    return ics.CalendarEntry(**base)  # type: ignore[arg-type]


def test_calendar_is_valid_rfc5545_with_local_times() -> None:
    entries = [_entry(), _entry(uid="x-2", cancelled=True, sequence=3)]
    text = ics.calendar(
        entries,
        zone_name="Europe/Paris",
        name="WTO matchmaking – ITU",
        now=dt.datetime(2026, 3, 1, 9, tzinfo=UTC),
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert all(len(p.encode()) <= 75 for p in physical)
    lines = ics.unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert {"VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"} <= set(lines)
    assert lines.count("BEGIN:VEVENT") == 2 and lines.count("BEGIN:VTIMEZONE") == 1
    first = lines[lines.index("BEGIN:VEVENT") : lines.index("END:VEVENT")]
    props = dict(line.split(":", 1) for line in first[1:])
    assert props["UID"] == "gapbridge-event1-meeting7-p3@gapbridge"
    assert props["DTSTAMP"] == "20260301T090000Z"
    assert props["SEQUENCE"] == "2" and props["STATUS"] == "CONFIRMED"
    assert props["SUMMARY"] == "Meeting with Kenya\\, Ministry of ICT\\; room B"
    assert props["DESCRIPTION"] == "Bilateral meeting M7.\\nWith: Kenya (Country delegation)"
    # The local time with its TZID is the same instant: 07:30 UTC on the 29th is 09:30 CEST.
    start = props["DTSTART;TZID=Europe/Paris"]
    assert start == "20260329T093000"
    back = dt.datetime.strptime(start, "%Y%m%dT%H%M%S").replace(tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    assert back == entries[0].starts_at
    assert "STATUS:CANCELLED" in lines and "SEQUENCE:3" in lines
    assert any(line.startswith("X-WR-CALNAME:WTO matchmaking – ITU") for line in lines)


def test_empty_calendar_has_no_timezone() -> None:
    text = ics.calendar([], zone_name="UTC", name="none", now=dt.datetime(2026, 1, 1, tzinfo=UTC))
    assert "BEGIN:VTIMEZONE" not in text and "BEGIN:VEVENT" not in text


def _pdf_text(data: bytes) -> str:
    """The content streams of a PDF, decoded (ASCII85 and Flate, as ReportLab writes them)."""
    chunks = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        head = data[data.rfind(b"<<", 0, m.start()) : m.start()]
        raw = m.group(1).strip()
        if b"ASCII85Decode" in head:
            raw = base64.a85decode(raw.removesuffix(b"~>"))
        if b"FlateDecode" in head:
            raw = zlib.decompress(raw)
        chunks.append(raw.decode("latin-1"))
    return "\n".join(chunks)


def _agenda(rows: list[pdf.PdfRow], participant: str = "ITU Academy") -> pdf.PdfAgenda:
    return pdf.PdfAgenda(
        title="Digital trade matchmaking",
        participant=f"Agenda of {participant}",
        facts=["2026-03-03 – 2026-03-04", "KICC, Nairobi"],
        headers=("When", "Meeting with", "Table or room", "Ref."),
        rows=rows,
        empty="No meeting scheduled yet.",
        footer="GapBridge",
    )


def test_pdf_lists_the_meetings() -> None:
    rows = [
        pdf.PdfRow("2026-03-03 09:00–09:25", "Kenya (Country delegation)", "Table 1, KICC", "M1"),
        pdf.PdfRow(
            "2026-03-03 09:30–09:55", "Côte d'Ivoire & Niger <x>", "Room 2 https://meet.example.org", "M2"
        ),
    ]
    data = pdf.render(_agenda(rows))
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = _pdf_text(data)
    for expected in ("Agenda of ITU Academy", "Kenya \\(Country delegation\\)", "M2", "Helvetica"):
        assert expected in text or expected.encode() in data, expected
    empty = _pdf_text(pdf.render(_agenda([])))
    assert "No meeting scheduled yet." in empty


def test_pdf_uses_the_bundled_unicode_font_for_non_latin_names() -> None:
    data = pdf.render(_agenda([pdf.PdfRow("09:00", "مصر", "Table 1", "M1")], participant="Égypte"))
    assert b"DejaVuSans" in data


def test_right_to_left_agenda_mirrors_its_columns() -> None:
    agenda = _agenda([pdf.PdfRow("09:00", "وزارة التجارة", "Table 1", "M1")], participant="مصر")
    ltr = pdf.render(agenda)
    rtl = pdf.render(dataclasses.replace(agenda, rtl=True))
    assert rtl.startswith(b"%PDF-") and b"DejaVuSans" in rtl
    # the same glyphs, placed differently: the first column (When) is now drawn at the right
    assert rtl != ltr
    when_ltr = _x_of(_pdf_text(ltr), "09:00")
    when_rtl = _x_of(_pdf_text(rtl), "09:00")
    assert when_rtl > when_ltr + 100


def _x_of(stream: str, text: str) -> float:
    """Where ``text`` is drawn across the page, relative to its table: the cell's offset (the last
    ``1 0 0 1 x y cm`` before it) plus the text's own offset in the cell (``BT 1 0 0 1 x y Tm``)."""
    at = stream.find(f"({text})")
    assert at > 0, f"{text!r} not drawn"
    cell = list(re.finditer(r"1 0 0 1 ([\d.]+) [\d.]+ cm", stream[:at]))[-1]
    own = list(re.finditer(r"BT 1 0 0 1 ([\d.]+) [\d.]+ Tm", stream[:at]))[-1]
    return float(cell.group(1)) + float(own.group(1))
