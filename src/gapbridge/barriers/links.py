"""Resolving a barrier's links to the needs, offers, matches and projects of the other apps.

Links are stored as (kind, object id) so the register works whichever of those apps is installed and
migrated; this module is the one place that knows which model each kind names and how to show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from gapbridge.barriers.models import LinkKind

#: The model each kind of link points at, by (app label, candidate model names), first found wins.
TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    LinkKind.NEED: ("needs", ("Need",)),
    LinkKind.OFFER: ("offers", ("Offer",)),
    LinkKind.MATCH: ("matches", ("Match",)),
    LinkKind.PROJECT: ("projects", ("Activity", "Project")),
}


class LinkError(ValueError):
    """A link that cannot be made: unknown kind, model not available yet, or no such object."""


def target_model(kind: str) -> type[models.Model] | None:
    """The model behind a kind of link, or None while its app has not defined it yet."""
    if kind not in TARGETS:
        raise LinkError(f"unknown link kind {kind!r}; expected one of {', '.join(TARGETS)}")
    app_label, names = TARGETS[kind]
    for name in names:
        try:
            return apps.get_model(app_label, name)
        except LookupError:
            continue
    return None


def available_kinds() -> list[str]:
    return [k for k in TARGETS if target_model(k) is not None]


def _title(obj: Any) -> str:
    for attr in ("title", "name"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(obj)


def resolve(kind: str, object_id: str) -> models.Model:
    """The linked object; LinkError when the kind's model does not exist yet or the id is not found."""
    model = target_model(kind)
    if model is None:
        app_label, names = TARGETS[kind]
        raise LinkError(f"{kind} links need the {app_label} app's {names[0]} model, which does not exist yet")
    try:
        pk = model._meta.pk.to_python(object_id) if model._meta.pk is not None else object_id
    except ValidationError:
        raise LinkError(f"{object_id!r} is not a valid {kind} id") from None
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise LinkError(f"no {kind} with id {object_id!r}")
    return obj


def label_of(obj: models.Model) -> str:
    return _title(obj)[:300]


def url_of(kind: str, obj: models.Model) -> str:
    getter = getattr(obj, "get_absolute_url", None)
    if callable(getter):
        try:
            return str(getter())
        except Exception:  # noqa: BLE001 (a broken URL must not break the barrier page)
            return ""
    return ""


@dataclass(frozen=True)
class ResolvedLink:
    id: int
    kind: str
    object_id: str
    label: str
    url: str
    note: str
    exists: bool


def resolve_links(links: list[Any]) -> list[ResolvedLink]:
    """Each stored link with its current title and page, one query per kind."""
    by_kind: dict[str, dict[str, models.Model]] = {}
    for kind in {link.kind for link in links}:
        model = target_model(kind)
        if model is None:
            by_kind[kind] = {}
            continue
        ids = [link.object_id for link in links if link.kind == kind]
        by_kind[kind] = {str(o.pk): o for o in model._default_manager.filter(pk__in=ids)}
    out = []
    for link in links:
        obj = by_kind.get(link.kind, {}).get(link.object_id)
        out.append(
            ResolvedLink(
                id=link.pk,
                kind=link.kind,
                object_id=link.object_id,
                label=label_of(obj) if obj is not None else link.label,
                url=url_of(link.kind, obj) if obj is not None else "",
                note=link.note,
                exists=obj is not None,
            )
        )
    return out
