"""References from an activity: other-identifier, document-link, related-activity."""

from __future__ import annotations

from datetime import date

from gapbridge.iati.dto import DocumentLink, Narratives, OtherIdentifier, RelatedActivity
from gapbridge.iati.elements.common import (
    Element,
    ReadContext,
    clean,
    sub,
    text_element,
    write_narratives,
)


def read_other_identifier(element: Element, ctx: ReadContext) -> OtherIdentifier | None:
    ref = clean(element.get("ref"))
    owner_ref = None
    owner: Narratives = ()
    for child in element:
        if child.tag == "owner-org":
            owner_ref = clean(child.get("ref"))
            owner = ctx.narratives(child)
            break
    if ref is None and ctx.is_v1:
        # 1.x: <other-identifier owner-ref="GB-1" owner-name="DFID">105838</other-identifier>
        ref = clean(element.text)
        owner_ref = clean(element.get("owner-ref"))
        owner_name = clean(element.get("owner-name"))
        if owner_name is not None:
            owner = ctx.narratives_from_text(owner_name, element)
    if ref is None:
        ctx.missing(element, "ref", "other-identifier/@ref is missing; the identifier is dropped")
        return None
    return OtherIdentifier(
        ref=ref,
        type=ctx.code(element, "type", "OtherIdentifierType", required=not ctx.is_v1),
        owner_ref=owner_ref,
        owner_narratives=owner,
    )


def write_other_identifier(parent: Element, item: OtherIdentifier) -> None:
    element = sub(parent, "other-identifier", ref=item.ref, type=item.type)
    if item.owner_ref is not None or item.owner_narratives:
        write_narratives(sub(element, "owner-org", ref=item.owner_ref), item.owner_narratives)


def read_document_link(element: Element, ctx: ReadContext) -> DocumentLink | None:
    url = clean(element.get("url"))
    if url is None:
        ctx.missing(element, "url", "document-link/@url is missing; the link is dropped")
        return None
    title: Narratives = ()
    description: Narratives = ()
    categories: list[str] = []
    languages: list[str] = []
    document_date: date | None = None
    for child in element:
        tag = child.tag
        if tag == "category":
            code = ctx.code(child, "code", "DocumentCategory", required=True)
            if code is not None:
                categories.append(code)
        elif tag == "title":
            title = ctx.narratives(child)
        elif tag == "language":
            language = ctx.code(child, "code", None, required=True)
            if language is not None:
                languages.append(ctx.check_code(language.lower(), "Language", child, "code"))
        elif tag == "description":
            description = ctx.narratives(child)
        elif tag == "document-date":
            document_date = ctx.date_value(child)
    return DocumentLink(
        url=url,
        format=ctx.code(element, "format", "FileFormat"),
        title=title,
        description=description,
        categories=tuple(categories),
        languages=tuple(languages),
        document_date=document_date,
    )


def write_document_link(parent: Element, item: DocumentLink) -> None:
    element = sub(parent, "document-link", url=item.url, format=item.format)
    text_element(element, "title", item.title, always=True)
    text_element(element, "description", item.description)
    for category in item.categories:
        sub(element, "category", code=category)
    for language in item.languages:
        sub(element, "language", code=language)
    if item.document_date is not None:
        sub(element, "document-date", iso_date=item.document_date.isoformat())


def read_related_activity(element: Element, ctx: ReadContext) -> RelatedActivity | None:
    ref = clean(element.get("ref"))
    if ref is None:
        ctx.missing(element, "ref", "related-activity/@ref is missing; the relation is dropped")
        return None
    return RelatedActivity(ref, ctx.code(element, "type", "RelatedActivityType", required=True))


def write_related_activity(parent: Element, item: RelatedActivity) -> None:
    sub(parent, "related-activity", ref=item.ref, type=item.type)
