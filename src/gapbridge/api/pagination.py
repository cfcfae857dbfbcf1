"""Limit/offset pagination and CSV rendering shared by the list endpoints."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from pydantic import BaseModel

from gapbridge.countries.queries import QueryError

T = TypeVar("T")
MAX_LIMIT = 500


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}; got {limit}")
    if offset < 0:
        raise QueryError(f"offset must be 0 or more; got {offset}")


def page(
    request: HttpRequest, qs: QuerySet[Any] | Sequence[Any], limit: int, offset: int
) -> tuple[int, list[Any], str | None]:
    check_page(limit, offset)
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
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def flatten(model: BaseModel) -> dict[str, Any]:
    return model.model_dump()
