"""Shared reading/writing helpers for the element-family modules.

``ReadContext`` carries what every element reader needs (codelists, the activity's defaults, whether it
is a 1.x activity) and collects findings with the element's line and a path relative to the activity.
Value parsers here are total: they return ``None`` for anything unusable and never raise.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from lxml import etree

from gapbridge.iati import legacy
from gapbridge.iati.codelists import Codelists
from gapbridge.iati.dto import Narrative, Narratives
from gapbridge.iati.findings import CATALOGUE, Finding, FindingCode, Severity

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

Element = etree._Element

_DATE = re.compile(r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T[0-9:.]*)?(?:Z|[+-][0-9]{2}:[0-9]{2})?\s*\Z")
_INTEGER = re.compile(r"\s*[+-]?[0-9]{1,9}\s*\Z")
_HUNDRED = Decimal(100)
#: cap on 1.x codes remembered per codelist for the fast path
_MAX_LEARNED = 10_000
#: Money beyond 10**18 or finer than 10**-30 is refused: no real amount needs it, and formatting such a
#: Decimal as plain digits (xsd:decimal has no exponent) would be a denial-of-service vector.
_MAX_ADJUSTED_EXPONENT = 18
_MIN_EXPONENT = -30
_MAX_ZONE = timedelta(hours=14)


def parse_date(text: str | None) -> date | None:
    """``YYYY-MM-DD`` (a trailing time or zone is tolerated and ignored) -> date, else ``None``."""
    if text is None:
        return None
    if len(text) == 10 and text.isascii() and text[4] == "-" and text[7] == "-":
        try:  # fast path for the usual case
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = _DATE.match(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_datetime(text: str | None) -> datetime | None:
    """ISO 8601 date-time -> aware datetime (naive values are taken as UTC), else ``None``."""
    if text is None:
        return None
    stripped = text.strip()
    if not stripped or len(stripped) > 40 or not stripped[:4].isascii() or not stripped[:4].isdigit():
        return None
    try:
        value = datetime.fromisoformat(stripped)
    except ValueError:
        return None
    offset = value.utcoffset()
    if offset is None:
        return value.replace(tzinfo=UTC)
    # xs:dateTime zones are whole minutes within +-14:00 (Python also accepts seconds and +-23:59)
    if offset.seconds % 60 or offset.microseconds or abs(offset) > _MAX_ZONE:
        return None
    return value


def parse_decimal(text: str | None) -> Decimal | None:
    """A finite decimal in a sane range (plain or exponent notation) -> Decimal, else ``None``."""
    if text is None or len(text) > 100 or not text.isascii() or "_" in text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if value.is_zero():
        return Decimal(0)
    if "e" in text or "E" in text:  # plain digits are bounded by the length check already
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int) or exponent < _MIN_EXPONENT:
            return None
    if value.adjusted() > _MAX_ADJUSTED_EXPONENT:
        return None
    return value


_LANGUAGE_TAG = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*\Z")
#: raw xml:lang -> normalised tag, or "" when it is not a language tag
_language_cache: dict[str, str] = {}


def language_tag(text: str) -> str | None:
    """``xml:lang`` normalised to lower case; ``None`` if it is not a language tag (xs:language)."""
    cached = _language_cache.get(text)
    if cached is not None:
        return cached or None
    value = text.strip().lower()
    result = value if value.isascii() and _LANGUAGE_TAG.match(value) else ""
    if len(_language_cache) < 1000:
        _language_cache[text] = result
    return result or None


def parse_int(text: str | None) -> int | None:
    if text is None or _INTEGER.match(text) is None:
        return None
    return int(text.strip())


def parse_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    return None


def clean(text: str | None) -> str | None:
    """Stripped text, or ``None`` when empty."""
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


def _itertext(element: Element) -> str:
    return "".join(text for text in element.itertext() if isinstance(text, str))


def source_line(element: Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def element_path(element: Element, top: Element | None) -> str:
    """``transaction/value`` style path of ``element`` below ``top``: a field name, not an address
    (the finding's line says which transaction)."""
    parts: list[str] = []
    node: Element | None = element
    while node is not None and node is not top:
        parts.append(node.tag if isinstance(node.tag, str) else "node()")
        node = node.getparent()
    return "/".join(reversed(parts))


class ReadContext:
    """Per-activity state for the element readers; collects :class:`Finding` values."""

    __slots__ = ("_fast", "codelists", "default_currency", "default_lang", "findings", "is_v1", "top")

    def __init__(
        self,
        codelists: Codelists,
        top: Element | None,
        *,
        default_lang: str | None = None,
        default_currency: str | None = None,
        is_v1: bool = False,
    ) -> None:
        self.codelists = codelists
        self.top = top
        self.default_lang = default_lang
        self.default_currency = default_currency
        self.is_v1 = is_v1
        self.findings: list[Finding] = []
        self._fast = codelists.active_v1 if is_v1 else codelists.active

    # -- findings ---------------------------------------------------------------------------------
    def add(
        self,
        code: FindingCode,
        message: str,
        element: Element,
        attribute: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        path = element_path(element, self.top)
        if attribute is not None:
            path = f"{path}/@{attribute}" if path else f"@{attribute}"
        self.findings.append(
            Finding(severity or CATALOGUE[code][0], code, message, path, source_line(element))
        )

    def missing(self, element: Element, attribute: str | None, what: str) -> None:
        self.add(FindingCode.MISSING_REQUIRED, what, element, attribute)

    # -- codes ------------------------------------------------------------------------------------
    def code(
        self, element: Element, attribute: str, list_name: str | None, *, required: bool = False
    ) -> str | None:
        """The (2.x) code in ``element/@attribute``, checked against ``list_name``."""
        raw = element.get(attribute)
        if raw is not None and list_name is not None:
            active = self._fast.get(list_name)
            if active is not None:
                hit = active.get(raw)
                if hit is not None:  # fast path: an exact, active code
                    return hit
        value = raw.strip() if raw is not None else None
        if not value:
            if required:
                self.missing(element, attribute, f"{element.tag}/@{attribute} is missing")
            return None
        if list_name is None:
            return value
        return self.check_code(value, list_name, element, attribute)

    def check_code(self, value: str, list_name: str, element: Element, attribute: str) -> str:
        active = self.codelists.active.get(list_name)
        if active is None:
            return value
        hit = active.get(value)
        if hit is not None:
            return hit
        codelist = self.codelists[list_name]
        if value not in codelist.names:
            value = codelist.folded.get(value.casefold(), value)
        if value in codelist.names:
            if value in codelist.withdrawn:
                self.add(
                    FindingCode.WITHDRAWN_CODE,
                    f"{value!r} is withdrawn from codelist {list_name}",
                    element,
                    attribute,
                )
            return value
        mapped = legacy.to_v2(list_name, value, self.codelists)
        if mapped is not None:
            if self.is_v1:
                learned = self.codelists.active_v1[list_name]
                if len(learned) < _MAX_LEARNED:
                    learned[value] = mapped
            else:
                self.add(
                    FindingCode.LEGACY_CODE,
                    f"1.x code {value!r} mapped to {list_name} {mapped!r}",
                    element,
                    attribute,
                )
            return mapped
        self.add(
            FindingCode.UNKNOWN_CODE,
            f"{value!r} is not on codelist {list_name}",
            element,
            attribute,
            severity="warning" if codelist.complete else "info",
        )
        return value

    # -- text -------------------------------------------------------------------------------------
    def narratives(self, element: Element, *, text_fallback: bool = True) -> Narratives:
        """``narrative`` children (2.x) or, with ``text_fallback``, the element's own text (1.x)."""
        if len(element) == 0:
            if text_fallback:
                text = element.text
                if text:
                    text = text.strip()
                    if text:
                        return (Narrative(text, self._lang(element)),)
            return ()
        found: list[Narrative] = []
        has_children = False
        for child in element:
            if child.tag != "narrative":
                continue
            has_children = True
            text = child.text if len(child) == 0 else _itertext(child)
            if text:
                text = text.strip()
                if text:
                    found.append(Narrative(text, self._lang(child)))
        if not has_children and text_fallback:
            text = element.text
            if text:
                text = text.strip()
                if text:
                    found.append(Narrative(text, self._lang(element)))
        return tuple(found)

    def narratives_from_text(self, text: str, element: Element) -> Narratives:
        """One narrative from an attribute value (1.x ``owner-name`` and the like)."""
        return (Narrative(text, self._lang(element)),)

    def _lang(self, element: Element) -> str | None:
        lang = element.get(XML_LANG)
        if lang is None:
            return self.default_lang
        tag = _language_cache.get(lang)
        if tag is None:
            tag = language_tag(lang) or ""
        return tag or self.default_lang

    def child_narratives(self, element: Element, tag: str) -> Narratives:
        """Narratives of the first ``tag`` child of ``element``."""
        for child in element:
            if child.tag == tag:
                return self.narratives(child)
        return ()

    # -- values -----------------------------------------------------------------------------------
    def date_value(
        self,
        element: Element,
        attribute: str = "iso-date",
        *,
        required: bool = True,
        text_fallback: bool = True,
    ) -> date | None:
        """``@attribute`` as a date; with ``text_fallback`` the element text (1.x style) is used when
        the attribute is missing or unusable."""
        raw = element.get(attribute)
        if raw is not None and len(raw) == 10 and raw.isascii():
            try:  # fast path for the usual case
                return date.fromisoformat(raw)
            except ValueError:
                pass
        value = parse_date(raw)
        if value is not None:
            return value
        text = element.text if text_fallback else None
        fallback = parse_date(text) if text else None
        if raw is None or not raw.strip():
            if fallback is not None:
                return fallback
            if required:
                self.missing(element, attribute, f"{element.tag}/@{attribute} is missing")
            return None
        self.add(
            FindingCode.INVALID_DATE, f"{raw[:40]!r} is not an ISO date (YYYY-MM-DD)", element, attribute
        )
        return fallback

    def datetime_value(self, element: Element, attribute: str) -> datetime | None:
        raw = element.get(attribute)
        if raw is None:
            return None
        value = parse_datetime(raw)
        if value is None:
            self.add(
                FindingCode.INVALID_DATETIME, f"{raw[:40]!r} is not an ISO date-time", element, attribute
            )
        return value

    def money(self, element: Element) -> tuple[Decimal | None, str | None, date | None]:
        """(amount, effective currency, value-date) of a ``value`` element."""
        text = element.text
        amount = parse_decimal(text)
        if amount is None:
            shown = (text or "").strip()[:40]
            self.add(
                FindingCode.INVALID_VALUE,
                f"value {shown!r} is not a finite decimal amount" if shown else "value is empty",
                element,
            )
        currency = self.code(element, "currency", "Currency")
        if currency is None:
            currency = self.default_currency
            if currency is None:
                self.add(
                    FindingCode.MISSING_CURRENCY,
                    "value has no @currency and the activity has no @default-currency",
                    element,
                )
        value_date = None
        if element.get("value-date") is not None:
            value_date = self.date_value(element, "value-date", required=False, text_fallback=False)
        return amount, currency, value_date

    def percentage(self, element: Element) -> Decimal | None:
        raw = element.get("percentage")
        if raw is None or not raw.strip():
            return None
        value = parse_decimal(raw)
        if value is None or value < 0 or value > _HUNDRED:
            self.add(
                FindingCode.INVALID_PERCENTAGE,
                f"percentage {raw[:20]!r} is not a number from 0 to 100",
                element,
                "percentage",
            )
            return None
        return value

    def boolean(self, element: Element, attribute: str) -> bool | None:
        raw = element.get(attribute)
        if raw is None:
            return None
        value = parse_bool(raw)
        if value is None:
            self.add(FindingCode.INVALID_NUMBER, f"{raw[:20]!r} is not a boolean", element, attribute)
        return value

    def integer(self, element: Element, attribute: str) -> int | None:
        raw = element.get(attribute)
        if raw is None:
            return None
        value = parse_int(raw)
        if value is None:
            self.add(FindingCode.INVALID_NUMBER, f"{raw[:20]!r} is not an integer", element, attribute)
        return value


# -- writing ---------------------------------------------------------------------------------------


def format_decimal(value: Decimal) -> str:
    """Plain decimal notation (xsd:decimal has no exponent form)."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def format_bool(value: bool) -> str:
    return "1" if value else "0"


def set_attributes(element: Element, **attributes: str | None) -> None:
    """Set each attribute that is not ``None`` (``_`` in names becomes ``-``)."""
    for name, value in attributes.items():
        if value is not None:
            element.set(name.replace("_", "-"), xml_safe(value))


def sub(parent: Element, tag: str, **attributes: str | None) -> Element:
    element = etree.SubElement(parent, tag)
    set_attributes(element, **attributes)
    return element


def write_narratives(parent: Element, narratives: Narratives, *, required: bool = False) -> None:
    """Append ``narrative`` children; with ``required`` an empty narrative keeps the schema happy."""
    for narrative in narratives:
        element = etree.SubElement(parent, "narrative")
        if narrative.lang is not None:
            element.set(XML_LANG, narrative.lang)
        element.text = xml_safe(narrative.text)
    if required and not narratives:
        etree.SubElement(parent, "narrative")


def text_element(parent: Element, tag: str, narratives: Narratives, *, always: bool = False) -> None:
    """``<tag><narrative>…</narrative></tag>`` when there is text (or ``always``)."""
    if narratives or always:
        write_narratives(sub(parent, tag), narratives, required=True)


def write_money(
    parent: Element, value: Decimal, currency: str | None, value_date: date | None, tag: str = "value"
) -> None:
    element = sub(parent, tag, currency=currency, value_date=value_date.isoformat() if value_date else None)
    element.text = format_decimal(value)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without characters XML 1.0 cannot carry (only DTOs built by hand can contain them)."""
    return _XML_INVALID.sub("", text) if _XML_INVALID.search(text) else text
