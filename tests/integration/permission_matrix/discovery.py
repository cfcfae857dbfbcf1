"""Enumerate every write the code offers, so that a new one cannot escape the matrix.

API: every POST/PUT/PATCH/DELETE operation of the NinjaAPI's OpenAPI document (and of its routers, in
case one is left out of the document). Pages: every URL pattern whose view accepts POST, read from the
view itself: the method list of `require_http_methods` (and `require_POST`/`require_GET`), the handlers
of a class-based view; a function view that declares no methods accepts POST and is enumerated too.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from gapbridge.api.v1 import api

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
API_PREFIX = "/api/v1"


def api_writes() -> set[str]:
    """{"POST /api/v1/needs/{need_id}/transitions", ...}: the OpenAPI document's writes, and any operation
    the routers hold that the document leaves out (`include_in_schema=False`)."""
    schema = api.get_openapi_schema()
    documented = {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() in WRITE_METHODS
    }
    return documented | _routed_writes()


def _routed_writes() -> set[str]:
    found: set[str] = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            full = re.sub(r"/+", "/", f"{API_PREFIX}/{prefix}/{path}").rstrip("/")
            full = re.sub(r"{\w+:(\w+)}", r"{\1}", full)  # {int:need_id} -> {need_id}, as OpenAPI spells it
            found |= {f"{m} {full}" for op in view.operations for m in op.methods if m in WRITE_METHODS}
    return found


def _declared_methods(view: Callable[..., Any]) -> set[str] | None:
    """The HTTP methods a view accepts, or None when it does not say (then it accepts every method)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    fn: Any = view
    while fn is not None:
        try:
            methods = inspect.getclosurevars(fn).nonlocals.get("request_method_list")
        except TypeError:
            methods = None
        if methods is not None:
            return {m.upper() for m in methods}
        fn = getattr(fn, "__wrapped__", None)
    return None


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def page_writes() -> set[str]:
    """{"POST needs/<int:need_id>/status/", ...}: URL patterns (outside the API) whose view accepts POST."""
    found: set[str] = set()
    for route, pattern in _patterns(get_resolver()):
        if route.startswith(API_PREFIX.lstrip("/") + "/"):
            continue
        methods = _declared_methods(pattern.callback)
        if methods is None or "POST" in methods:
            found.add(f"POST {route}")
    return found
