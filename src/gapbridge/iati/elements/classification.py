"""Classifications of an activity: status, scope, dates, sectors, tags, policy markers, default types."""

from __future__ import annotations

from collections.abc import Mapping

from gapbridge.iati.dto import ActivityDate, AidType, PolicyMarker, Sector, Tag
from gapbridge.iati.elements.common import (
    Element,
    ReadContext,
    clean,
    format_decimal,
    sub,
    write_narratives,
)

#: Vocabulary code -> codelist that holds its codes (vocabularies without an IATI list are not checked).
SECTOR_CODELISTS: Mapping[str, str] = {
    "1": "Sector",
    "2": "SectorCategory",
    "7": "UNSDG-Goals",
    "8": "UNSDG-Targets",
}
TAG_CODELISTS: Mapping[str, str] = {"2": "UNSDG-Goals", "3": "UNSDG-Targets"}
POLICY_MARKER_CODELISTS: Mapping[str, str] = {"1": "PolicyMarker"}
AID_TYPE_CODELISTS: Mapping[str, str] = {
    "1": "AidType",
    "2": "EarmarkingCategory",
    "4": "CashandVoucherModalities",
}


def read_code(element: Element, ctx: ReadContext, list_name: str) -> str | None:
    """``@code`` of a code-only element (activity-status, default-flow-type, …)."""
    return ctx.code(element, "code", list_name, required=True)


def write_code(parent: Element, tag: str, code: str | None) -> None:
    if code is not None:
        sub(parent, tag, code=code)


def _coded(
    element: Element, ctx: ReadContext, vocabulary: str, lists: Mapping[str, str], what: str
) -> str | None:
    code = clean(element.get("code"))
    if code is None:
        ctx.missing(element, "code", f"{what}/@code is missing; the {what} is dropped")
        return None
    list_name = lists.get(vocabulary)
    return ctx.check_code(code, list_name, element, "code") if list_name else code


def read_activity_date(element: Element, ctx: ReadContext) -> ActivityDate | None:
    date_type = ctx.code(element, "type", "ActivityDateType", required=True)
    iso_date = ctx.date_value(element)
    if date_type is None or iso_date is None:
        return None
    return ActivityDate(date_type, iso_date, ctx.narratives(element, text_fallback=False))


def write_activity_date(parent: Element, item: ActivityDate) -> None:
    write_narratives(
        sub(parent, "activity-date", type=item.type, iso_date=item.iso_date.isoformat()), item.narratives
    )


def read_sector(element: Element, ctx: ReadContext, *, activity_level: bool = True) -> Sector | None:
    vocabulary = ctx.code(element, "vocabulary", "SectorVocabulary") or "1"
    code = _coded(element, ctx, vocabulary, SECTOR_CODELISTS, "sector")
    if code is None:
        return None
    return Sector(
        code=code,
        vocabulary=vocabulary,
        vocabulary_uri=clean(element.get("vocabulary-uri")),
        percentage=ctx.percentage(element) if activity_level else None,
        narratives=ctx.narratives(element),
    )


def write_sector(parent: Element, item: Sector, *, activity_level: bool = True) -> None:
    percentage = item.percentage if activity_level else None
    element = sub(
        parent,
        "sector",
        vocabulary=item.vocabulary,
        vocabulary_uri=item.vocabulary_uri,
        code=item.code,
        percentage=format_decimal(percentage) if percentage is not None else None,
    )
    write_narratives(element, item.narratives)


def read_tag(element: Element, ctx: ReadContext) -> Tag | None:
    vocabulary = ctx.code(element, "vocabulary", "TagVocabulary", required=True)
    if vocabulary is None:
        return None
    code = _coded(element, ctx, vocabulary, TAG_CODELISTS, "tag")
    if code is None:
        return None
    return Tag(code, vocabulary, clean(element.get("vocabulary-uri")), ctx.narratives(element))


def write_tag(parent: Element, item: Tag) -> None:
    element = sub(
        parent, "tag", vocabulary=item.vocabulary, vocabulary_uri=item.vocabulary_uri, code=item.code
    )
    write_narratives(element, item.narratives)


def read_policy_marker(element: Element, ctx: ReadContext) -> PolicyMarker | None:
    vocabulary = ctx.code(element, "vocabulary", "PolicyMarkerVocabulary") or "1"
    code = _coded(element, ctx, vocabulary, POLICY_MARKER_CODELISTS, "policy-marker")
    if code is None:
        return None
    return PolicyMarker(
        code=code,
        vocabulary=vocabulary,
        significance=ctx.code(element, "significance", "PolicySignificance"),
        vocabulary_uri=clean(element.get("vocabulary-uri")),
        narratives=ctx.narratives(element),
    )


def write_policy_marker(parent: Element, item: PolicyMarker) -> None:
    element = sub(
        parent,
        "policy-marker",
        vocabulary=item.vocabulary,
        vocabulary_uri=item.vocabulary_uri,
        code=item.code,
        significance=item.significance,
    )
    write_narratives(element, item.narratives)


def read_aid_type(element: Element, ctx: ReadContext) -> AidType | None:
    vocabulary = ctx.code(element, "vocabulary", "AidTypeVocabulary") or "1"
    code = _coded(element, ctx, vocabulary, AID_TYPE_CODELISTS, element.tag)
    return AidType(code, vocabulary) if code is not None else None


def write_aid_type(parent: Element, tag: str, item: AidType) -> None:
    sub(parent, tag, code=item.code, vocabulary=item.vocabulary)
