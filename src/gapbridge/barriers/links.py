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
from django.urls import reverse
from django.utils.translation import gettext as _

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
        raise LinkError(
            _("unknown link kind %(kind)s; expected one of %(known)s")
            % {"kind": repr(kind), "known": ", ".join(TARGETS)}
        )
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
        raise LinkError(
            _("%(kind)s links need the %(app)s app's %(model)s model, which does not exist yet")
            % {"kind": kind, "app": app_label, "model": names[0]}
        )
    if kind == LinkKind.PROJECT and not str(object_id).strip().isdigit():
        # a project is also named by its IATI identifier (its primary copy, when two publishers carry it)
        by_identifier = model._default_manager.filter(iati_identifier=str(object_id).strip())
        found = by_identifier.order_by("-is_primary", "pk").first()
        if found is None:
            raise LinkError(
                _("no project with the number or IATI identifier %(id)s") % {"id": repr(object_id)}
            )
        return found
    try:
        pk = model._meta.pk.to_python(object_id) if model._meta.pk is not None else object_id
    except ValidationError:
        raise LinkError(
            _("%(id)s is not a valid %(kind)s id") % {"id": repr(object_id), "kind": kind}
        ) from None
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise LinkError(_("no %(kind)s with id %(id)s") % {"kind": kind, "id": repr(object_id)})
    return obj


def visible_to(actor: Any, kind: str, obj: models.Model) -> bool:
    """Whether ``actor`` may see the object: each app's own rule (a draft offer or need stays with its
    owners, a match with its parties); registry projects are public."""
    if kind == LinkKind.NEED:
        from gapbridge.needs import queries as need_queries

        return need_queries.visible(actor).filter(pk=obj.pk).exists()
    if kind == LinkKind.OFFER:
        from gapbridge.offers import queries as offer_queries

        return offer_queries.visible(actor).filter(pk=obj.pk).exists()
    if kind == LinkKind.MATCH:
        from gapbridge.matches import queries as match_queries

        return bool(match_queries.visible_matches(actor).filter(pk=obj.pk).exists())
    return True


def label_of(obj: models.Model) -> str:
    return _title(obj)[:300]


def url_of(kind: str, obj: models.Model) -> str:
    getter = getattr(obj, "get_absolute_url", None)
    if callable(getter):
        try:
            return str(getter())
        except Exception:  # a broken URL must not break the barrier page
            return ""
    if kind == LinkKind.PROJECT:
        return reverse("projects:activity", args=[obj.pk])
    return ""


@dataclass(frozen=True)
class ResolvedLink:
    id: int | None  # None for a link that follows from another (a linked need's match, offer, project)
    kind: str
    object_id: str
    label: str
    url: str
    note: str
    exists: bool
    via: str = ""  # e.g. "need #12" for a derived link


def _public_ids(model: type[models.Model], ids: list[str]) -> set[str] | None:
    """Ids among `ids` the public may see (the model's `public()` queryset), or None if all are public."""
    manager: Any = model._default_manager
    public = getattr(manager, "public", None)
    if not callable(public):
        return None
    return {str(pk) for pk in public().filter(pk__in=ids).values_list("pk", flat=True)}


def resolve_links(links: list[Any], *, public_only: bool = False) -> list[ResolvedLink]:
    """Each stored link with its current title and page, one query per kind.

    With `public_only`, a link to an object its app does not show the public (a draft need, say) is left
    out, so a barrier's public page never reveals it.
    """
    by_kind: dict[str, dict[str, models.Model]] = {}
    hidden: set[tuple[str, str]] = set()
    for kind in {link.kind for link in links}:
        model = target_model(kind)
        if model is None:
            by_kind[kind] = {}
            continue
        ids = [link.object_id for link in links if link.kind == kind]
        found = {str(o.pk): o for o in model._default_manager.filter(pk__in=ids)}
        by_kind[kind] = found
        if public_only:
            visible = _public_ids(model, list(found))
            if visible is not None:
                hidden |= {(kind, i) for i in found if i not in visible}
    out = []
    for link in links:
        if (link.kind, link.object_id) in hidden:
            continue
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


def follow_chain(items: list[ResolvedLink], *, public_only: bool = False) -> list[ResolvedLink]:
    """The links that follow from the linked needs: their matches, those matches' offers, and the IATI
    activities the matches carried into projects (by identifier, the primary copy)."""
    need_model = target_model(LinkKind.NEED)
    match_model = target_model(LinkKind.MATCH)
    project_model = target_model(LinkKind.PROJECT)
    need_ids = [i.object_id for i in items if i.kind == LinkKind.NEED and i.exists]
    if not need_ids or need_model is None or match_model is None:
        return []
    seen = {(i.kind, i.object_id) for i in items}
    matches: Any = match_model._default_manager.filter(need_id__in=need_ids).select_related("offer", "need")
    if public_only and callable(getattr(matches, "public", None)):
        matches = matches.public()
    out: list[ResolvedLink] = []

    def add(kind: str, obj: models.Model, via: str) -> None:
        key = (kind, str(obj.pk))
        if key in seen:
            return
        seen.add(key)
        out.append(ResolvedLink(None, kind, str(obj.pk), label_of(obj), url_of(kind, obj), "", True, via))

    identifiers: dict[str, str] = {}
    for match in matches.order_by("need_id", "-score", "pk"):
        via = f"need #{match.need_id}"
        add(LinkKind.MATCH, match, via)
        offer = match.offer
        offer_public = _public_ids(type(offer), [str(offer.pk)])
        if not public_only or offer_public is None or str(offer.pk) in offer_public:
            add(LinkKind.OFFER, offer, f"match #{match.pk}")
        if getattr(match, "iati_identifier", ""):
            identifiers[match.iati_identifier] = f"match #{match.pk}"
    if identifiers and project_model is not None:
        manager: Any = project_model._default_manager
        projects = manager.filter(iati_identifier__in=list(identifiers))
        if callable(getattr(projects, "primary", None)):
            projects = projects.primary()
        for project in projects:
            add(LinkKind.PROJECT, project, identifiers[project.iati_identifier])
    return out
