"""Bounds on numbers that come from outside (API bodies, query strings, forms), read from the columns that
store them.

A number beyond what its column holds has to be refused before anything is saved, with a message that names
the field and the limit: SQLite stores a too-large decimal as REAL and then fails on every read of the row,
and refuses an integer beyond 64 bits at query time; PostgreSQL refuses both. The limits come from the model
fields (``max_digits`` and ``decimal_places``, the documented range of an integer field type), so each is
stated once. `OutOfRange` is a `QueryError`, so the API answers it as 400 ``bad_request`` wherever it is
raised.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, overload

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from gapbridge.countries.queries import QueryError

#: Ids are BigAutoField: the largest integer both SQLite and PostgreSQL store and compare.
MAX_ID = 2**63 - 1
#: Far beyond any list here, and small enough that ``offset + limit`` stays an ordinary integer.
MAX_OFFSET = 1_000_000_000
#: Significant digits of a decimal read back from SQLite (django.db.backends.sqlite3, REAL columns).
SQLITE_SIGNIFICANT_DIGITS = 15


class OutOfRange(QueryError):
    """A number outside what its field accepts; the message names the field and the limit."""


def decimal_limit(model: type[models.Model], name: str) -> Decimal:
    """The largest value a DecimalField stores and reads back on every supported database.

    PostgreSQL holds ``10**(max_digits - decimal_places)`` less one cent; SQLite keeps decimals as REAL and
    Django reads them back rounded to `SQLITE_SIGNIFICANT_DIGITS`, so 99999999999999.99 would come back as
    1E+14 and fail every read of the row. The limit is the largest number below both: 99999999999999.9 for
    max_digits=16, decimal_places=2.
    """
    field = model._meta.get_field(name)
    if not isinstance(field, models.DecimalField):
        raise TypeError(f"{model.__name__}.{name} is not a DecimalField")
    whole_digits = field.max_digits - field.decimal_places
    step = max(whole_digits - SQLITE_SIGNIFICANT_DIGITS, -field.decimal_places)
    return Decimal(10) ** whole_digits - Decimal(1).scaleb(step)


def integer_range(model: type[models.Model], name: str) -> tuple[int, int]:
    """The values an integer field holds on every supported database (Django's documented range)."""
    field = model._meta.get_field(name)
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    return low, high


def out_of_range(field: str, low: object, high: object, value: object) -> OutOfRange:
    return OutOfRange(
        _("%(field)s must be between %(min)s and %(max)s; got %(value)s")
        % {"field": field, "min": low, "max": high, "value": value}
    )


def check_amount(field: str, value: Decimal, maximum: Decimal) -> Decimal:
    """``value`` when it is a finite amount from 0 to ``maximum``; OutOfRange names the field otherwise."""
    if not value.is_finite():
        raise OutOfRange(_("%(field)s must be an amount; got %(value)s") % {"field": field, "value": value})
    if not 0 <= value <= maximum:
        raise out_of_range(field, 0, format(maximum, "f"), value)
    return value


def check_integer(field: str, value: int, maximum: int, minimum: int = 0) -> int:
    """``value`` when it lies from ``minimum`` to ``maximum``; OutOfRange names the field otherwise."""
    if not minimum <= value <= maximum:
        raise out_of_range(field, minimum, maximum, value)
    return value


def check_query_integer(field: str, text: str, minimum: int = -MAX_ID - 1) -> int:
    """A whole number written in a query string, if it fits a 64-bit integer (a huge one is not converted)."""
    written = text.strip()
    digits = written.lstrip("+-").lstrip("0") or "0"
    if len(digits) <= len(str(MAX_ID)):
        value = -int(digits) if written.startswith("-") else int(digits)
        if minimum <= value <= MAX_ID:
            return value
    shown = written if len(written) <= 40 else written[:40] + "…"
    raise out_of_range(field, minimum, MAX_ID, shown)


@overload
def check_id(field: str, value: int) -> int: ...
@overload
def check_id(field: str, value: None) -> None: ...
@overload
def check_id(field: str, value: int | None) -> int | None: ...


def check_id(field: str, value: int | None) -> int | None:
    """An id filter from a query string: None (no filter) or 0 to MAX_ID."""
    return None if value is None else check_integer(field, value, MAX_ID)


def _pydantic(check: Callable[[Any], Any]) -> AfterValidator:
    """An API schema validator: OutOfRange becomes a 422 detail whose ``msg`` is the message itself."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except OutOfRange as exc:
            raise PydanticCustomError("out_of_range", str(exc)) from None

    return AfterValidator(validate)


def amount_in(model: type[models.Model], name: str) -> AfterValidator:
    """Validator of a Decimal schema field stored in ``model.name``: ``Annotated[Decimal, amount_in(..)]``."""
    maximum = decimal_limit(model, name)
    return _pydantic(lambda value: check_amount(name, value, maximum))


def integer_in(model: type[models.Model], name: str) -> AfterValidator:
    """Validator of an int schema field stored in ``model.name``: ``Annotated[int, integer_in(..)]``."""
    low, high = integer_range(model, name)
    return _pydantic(lambda value: check_integer(name, value, high, low))
