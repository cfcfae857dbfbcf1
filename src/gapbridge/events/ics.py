"""A participant's agenda as an iCalendar file (RFC 5545), written by hand.

- Lines end with CRLF and are folded at 75 octets (never inside a UTF-8 character), continuation lines
  starting with one space (3.1).
- TEXT values escape backslash, semicolon, comma and newlines (3.3.11).
- Times are local times of the event's zone (`DTSTART;TZID=Africa/Nairobi:20260303T100000`) with a VTIMEZONE
  built from the zone database (3.6.5): the offset in force before the event and every transition around it,
  so calendar programs show the right time even across a daylight-saving change. `DTSTAMP` is UTC.
- Each meeting is a VEVENT whose UID is the meeting's stable id, with a SEQUENCE bumped on each change;
  cancelled or dropped meetings stay in the file with `STATUS:CANCELLED`, so a re-imported calendar
  removes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gapbridge.events import times

CRLF = "\r\n"
PRODID = "-//GapBridge//Matchmaking events//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    updated_at: dt.datetime | None = None


def escape_text(value: str) -> str:
    """TEXT escaping of RFC 5545 3.3.11; CR LF and lone CR become `\\n` too."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line into chunks of at most `limit` octets (the first) and `limit - 1` (the rest)."""
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    parts: list[str] = []
    start = 0
    room = limit
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # do not cut a multi-byte character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
        room = limit - 1  # the leading space of a continuation line counts
    return (CRLF + " ").join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: dt.datetime, zone_name: str) -> str:
    return times.local(value, zone_name).strftime("%Y%m%dT%H%M%S")


def _offset(delta: dt.timedelta | None) -> str:
    seconds = int((delta or dt.timedelta()).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def transitions(zone_name: str, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """UTC instants in [start, end) where the zone's UTC offset changes (to the minute)."""
    zone = times.zone(zone_name)
    found = []
    step = dt.timedelta(hours=1)
    t = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    before = t.astimezone(zone).utcoffset()
    while t < end:
        nxt = t + step
        after = nxt.astimezone(zone).utcoffset()
        if after != before:
            lo, hi = t, nxt  # offset(lo) == before, offset(hi) == after
            while hi - lo > dt.timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    break
                if mid.astimezone(zone).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
            before = after
        t = nxt
    return found


def vtimezone(zone_name: str, start: dt.datetime, end: dt.datetime) -> list[str]:
    """A VTIMEZONE covering [start, end): the observance in force at `start`, then one per transition."""
    zone = times.zone(zone_name)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone_name}"]
    first = start.astimezone(zone)

    def observance(
        kind: str, local_start: str, frm: dt.timedelta | None, to: dt.timedelta | None, name: str
    ) -> None:
        lines.extend(
            [
                f"BEGIN:{kind}",
                f"DTSTART:{local_start}",
                f"TZOFFSETFROM:{_offset(frm)}",
                f"TZOFFSETTO:{_offset(to)}",
                *([f"TZNAME:{escape_text(name)}"] if name else []),
                f"END:{kind}",
            ]
        )

    kind = "DAYLIGHT" if first.dst() else "STANDARD"
    # The observance in force before the window: valid from long before, same offset on both sides.
    observance(kind, "19700101T000000", first.utcoffset(), first.utcoffset(), first.tzname() or "")
    for moment in transitions(zone_name, start, end):
        old = (moment - dt.timedelta(minutes=1)).astimezone(zone)
        new = moment.astimezone(zone)
        # DTSTART of an observance is the local time *before* the change (RFC 5545 3.6.5 examples).
        local_start = (moment + (old.utcoffset() or dt.timedelta())).replace(tzinfo=None)
        observance(
            "DAYLIGHT" if new.dst() else "STANDARD",
            local_start.strftime("%Y%m%dT%H%M%S"),
            old.utcoffset(),
            new.utcoffset(),
            new.tzname() or "",
        )
    lines.append("END:VTIMEZONE")
    return lines


def calendar(
    entries: Sequence[CalendarEntry],
    *,
    zone_name: str,
    name: str,
    now: dt.datetime,
    host: str = "gapbridge",
) -> str:
    """The VCALENDAR text (CRLF line ends, folded), one VEVENT per entry."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{zone_name}",
    ]
    if entries:
        start = min(e.starts_at for e in entries) - dt.timedelta(days=1)
        end = max(e.ends_at for e in entries) + dt.timedelta(days=1)
        lines += vtimezone(zone_name, start, end)
    for e in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}@{host}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART;TZID={zone_name}:{_local(e.starts_at, zone_name)}",
            f"DTEND;TZID={zone_name}:{_local(e.ends_at, zone_name)}",
            f"SEQUENCE:{e.sequence}",
            f"STATUS:{'CANCELLED' if e.cancelled else 'CONFIRMED'}",
            f"SUMMARY:{escape_text(e.summary)}",
        ]
        if e.location:
            lines.append(f"LOCATION:{escape_text(e.location)}")
        if e.description:
            lines.append(f"DESCRIPTION:{escape_text(e.description)}")
        if e.url:
            lines.append(f"URL:{e.url}")
        if e.updated_at is not None:
            lines.append(f"LAST-MODIFIED:{_utc(e.updated_at)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def unfold(text: str) -> list[str]:
    """Content lines of an iCalendar text (the inverse of `fold`), for tests and checks."""
    return text.replace(CRLF + " ", "").replace(CRLF + "\t", "").split(CRLF)[:-1]


def unescape_text(value: str) -> str:
    out = []
    chars: Iterator[str] = iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append("\n" if nxt in ("n", "N") else nxt)
        else:
            out.append(ch)
    return "".join(out)
