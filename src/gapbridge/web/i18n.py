"""Small language helpers for views: text direction and numbers in the active locale.

Numbers follow Django's format files for the active language (`DECIMAL_SEPARATOR`, `THOUSAND_SEPARATOR`,
`NUMBER_GROUPING`), the same ones the templates use through `floatformat`, so a figure reads the same in
a table, a chart label and a map tooltip: 1,234,567.8 in English, 1 234 567,8 in French and Spanish,
1234567,8 in Arabic (Django's `ar` formats: Western digits, decimal comma, no grouping; see docs/i18n.md).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Literal

from django.utils.formats import get_format, number_format
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from gapbridge.web.content_language import primary


def interface_language(allowed: Collection[str], default: str = "en") -> str:
    """The visitor's interface language (primary subtag) when it is one of ``allowed``, else ``default``:
    the initial "language of the text" of a form, since people write in the language they browse in."""
    language = primary(get_language() or default)
    return language if language in allowed else default


def text_dir() -> Literal["ltr", "rtl"]:
    return "rtl" if get_language_bidi() else "ltr"


def local_number(value: float | Decimal, decimals: int = 0) -> str:
    """`value` rounded half up to `decimals` (as the templates' ``floatformat`` does, so a page and its PDF
    agree), with the active locale's separators and grouping."""
    # number_format truncates extra decimals; round first so 12345.6 shows as 12,346.
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    if not exact.is_finite():
        return str(value)
    # enough digits for any amount the money columns hold (the default context stops at 28)
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=Context(prec=80))
    return number_format(rounded, decimals, force_grouping=True)


def chart_number(value: float) -> str:
    """The charts' default rounding in the active locale: one decimal below 1000 without a trailing zero
    ("43,2", "40"), whole and grouped numbers from 1000 ("12 345" in French)."""
    if abs(value) >= 1000:
        return local_number(value, 0)
    text = local_number(value, 1)
    zero = f"{get_format('DECIMAL_SEPARATOR')}0"
    text = text.removesuffix(zero)
    return "0" if text == "-0" else text


def whole_number(value: float) -> str:
    """A count or an amount as a whole, grouped number in the active locale."""
    return local_number(value, 0)


def map_summary() -> str:
    """The world maps' `<desc>` template in the active language (`choropleth_svg(summary=...)`)."""
    return _("{legend}. {with_data} of {total} countries have data; classes {classes}.")


def sparkline_summary() -> str:
    """The sparklines' `<desc>` template in the active language (`sparkline_svg(summary=...)`)."""
    return _("{first_year}: {first}; {last_year}: {last} (min {min}, max {max}).")


def percent(value: float, decimals: int = 0) -> str:
    """ "50%" / "50 %" (French, Spanish) / "50%" (Arabic), as each catalogue writes a percentage."""
    return _("%(value)s%%") % {"value": local_number(value, decimals)}
