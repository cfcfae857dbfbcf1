"""Limit/offset pagination and CSV rendering shared by the list endpoints.

`page` refuses, before the query runs, an offset beyond `limits.MAX_OFFSET` and any whole number in the query
string that no database column can hold (ids are 64-bit): SQLite would raise on it, and every list endpoint
gets the same 400 naming the parameter. CSV cells go through `web.csvsafe` (no spreadsheet formulas).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from pydantic import BaseModel

from gapbridge.api.limits import MAX_OFFSET, check_integer, check_query_integer
from gapbridge.countries.queries import QueryError
from gapbridge.web import csvsafe

T = TypeVar("T")
MAX_LIMIT = 500
WHOLE_NUMBER = re.compile(r"[+-]?\d+")


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(
            _("limit must be between 1 and %(max)s; got %(value)s") % {"max": MAX_LIMIT, "value": limit}
        )
    check_integer("offset", offset, MAX_OFFSET)


#: Query parameters that are free text: a long number there is something to search for, not an id.
FREE_TEXT = frozenset({"q"})


def check_whole_numbers(request: HttpRequest) -> None:
    """Every whole number in the query string (ids of filters above all) must fit the databases' integers;
    free-text search (`FREE_TEXT`) is left alone."""
    for name, values in request.GET.lists():
        if name in FREE_TEXT:
            continue
        for value in values:
            if WHOLE_NUMBER.fullmatch(value.strip()):
                check_query_integer(name, value)


def page(
    request: HttpRequest, qs: QuerySet[Any] | Sequence[Any], limit: int, offset: int
) -> tuple[int, list[Any], str | None]:
    check_page(limit, offset)
    check_whole_numbers(request)
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    items = list(qs[offset : offset + limit])
    next_url = None
    if offset + limit < count:
        params = request.GET.copy()
        params["offset"] = str(offset + limit)
        params["limit"] = str(limit)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return count, items, next_url


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csvsafe.Writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def flatten(model: BaseModel) -> dict[str, Any]:
    return model.model_dump()
