"""Time zones of events: validating a zone name and showing instants in the event's local time."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import lru_cache

#: Unicode's LEFT-TO-RIGHT ISOLATE and POP DIRECTIONAL ISOLATE: a date or time span between them stays one
#: left-to-right run inside a right-to-left sentence (browsers honour them; PDFs strip them, see `plain`).
LRI, PDI = "\u2066", "\u2069"
#: A date, a date and time, a time span or a date with a time span ("2027-03-27 10:00–10:25").
_DATE_OR_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?:[–-]\d{2}:\d{2})?)?|\d{2}:\d{2}(?:[–-]\d{2}:\d{2})?"
)


class TimeZoneError(ValueError):
    """Not an IANA time zone name."""


@lru_cache(maxsize=64)
def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise TimeZoneError(f"unknown time zone {name!r}; use an IANA name such as Africa/Nairobi") from None


@lru_cache(maxsize=1)
def zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def local(instant: dt.datetime, name: str) -> dt.datetime:
    return instant.astimezone(zone(name))


def at_local(day: dt.date, time: dt.time, name: str) -> dt.datetime:
    """The instant of wall-clock `day time` in zone `name` (first occurrence when the clock repeats)."""
    return dt.datetime.combine(day, time).replace(tzinfo=zone(name))


def exists(wall: dt.datetime, name: str) -> bool:
    """False for a wall-clock time skipped when the clocks go forward (e.g. 02:30 on a spring night)."""
    aware = wall.replace(tzinfo=zone(name))
    return aware.astimezone(dt.UTC).astimezone(zone(name)).replace(tzinfo=None) == wall


def span(starts: dt.datetime, ends: dt.datetime, name: str) -> str:
    """`Tue 3 Mar 2026, 10:00–10:30` in the event's zone (numbers only, readable in every language)."""
    a, b = local(starts, name), local(ends, name)
    return f"{a:%Y-%m-%d} {a:%H:%M}–{b:%H:%M}"


def isolate(text: str) -> str:
    """`text` as one left-to-right run, whatever the direction of the sentence around it."""
    return f"{LRI}{text}{PDI}" if text else text


def isolate_dates(text: str) -> str:
    """Every date, time and time span in `text` isolated as a left-to-right run (for right-to-left
    languages: "10:00–10:25" would otherwise read "10:25–10:00" and a date follow its time)."""
    return _DATE_OR_TIME.sub(lambda found: isolate(found.group(0)), plain(text))


def plain(text: str) -> str:
    """`text` without directional isolates (for PDFs, e-mails and anything not laid out by a browser)."""
    return text.replace(LRI, "").replace(PDI, "")
