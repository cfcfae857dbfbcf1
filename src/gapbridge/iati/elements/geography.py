"""Where an activity happens: recipient-country, recipient-region, location."""

from __future__ import annotations

from gapbridge.iati.dto import (
    Administrative,
    Location,
    LocationId,
    Narratives,
    RecipientCountry,
    RecipientRegion,
)
from gapbridge.iati.elements.common import (
    Element,
    ReadContext,
    clean,
    format_decimal,
    sub,
    text_element,
    write_narratives,
    xml_safe,
)
from gapbridge.iati.findings import FindingCode

WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"
REGION_CODELISTS = {"1": "Region"}


def read_recipient_country(
    element: Element, ctx: ReadContext, *, activity_level: bool = True
) -> RecipientCountry | None:
    code = ctx.code(element, "code", "Country", required=True)
    if code is None:
        return None
    return RecipientCountry(
        code=code,
        percentage=ctx.percentage(element) if activity_level else None,
        narratives=ctx.narratives(element),
    )


def write_recipient_country(parent: Element, item: RecipientCountry, *, activity_level: bool = True) -> None:
    percentage = item.percentage if activity_level else None
    element = sub(
        parent,
        "recipient-country",
        code=item.code,
        percentage=format_decimal(percentage) if percentage is not None else None,
    )
    write_narratives(element, item.narratives)


def read_recipient_region(
    element: Element, ctx: ReadContext, *, activity_level: bool = True
) -> RecipientRegion | None:
    vocabulary = ctx.code(element, "vocabulary", "RegionVocabulary") or "1"
    list_name = REGION_CODELISTS.get(vocabulary)
    code = ctx.code(element, "code", list_name, required=True)
    if code is None:
        return None
    return RecipientRegion(
        code=code,
        vocabulary=vocabulary,
        vocabulary_uri=clean(element.get("vocabulary-uri")),
        percentage=ctx.percentage(element) if activity_level else None,
        narratives=ctx.narratives(element),
    )


def write_recipient_region(parent: Element, item: RecipientRegion, *, activity_level: bool = True) -> None:
    percentage = item.percentage if activity_level else None
    element = sub(
        parent,
        "recipient-region",
        code=item.code,
        vocabulary=item.vocabulary,
        vocabulary_uri=item.vocabulary_uri,
        percentage=format_decimal(percentage) if percentage is not None else None,
    )
    write_narratives(element, item.narratives)


def _check_pos(pos: str, element: Element, ctx: ReadContext) -> None:
    parts = pos.split()
    try:
        ok = len(parts) == 2 and -90 <= float(parts[0]) <= 90 and -180 <= float(parts[1]) <= 180
    except ValueError:
        ok = False
    if not ok:
        ctx.add(FindingCode.INVALID_POINT, f"pos {pos[:60]!r} is not 'latitude longitude'", element)


def read_location(element: Element, ctx: ReadContext) -> Location:
    reach: str | None = None
    exactness: str | None = None
    location_class: str | None = None
    feature: str | None = None
    srs: str | None = None
    pos: str | None = None
    ids: list[LocationId] = []
    admins: list[Administrative] = []
    name: Narratives = ()
    description: Narratives = ()
    activity_description: Narratives = ()
    for child in element:
        tag = child.tag
        if tag == "name":
            name = ctx.narratives(child)
        elif tag == "description":
            description = ctx.narratives(child)
        elif tag == "activity-description":
            activity_description = ctx.narratives(child)
        elif tag == "point":
            srs = clean(child.get("srsName"))
            for grandchild in child:
                if grandchild.tag == "pos":
                    pos = " ".join((grandchild.text or "").split()) or None
                    if pos is not None:
                        _check_pos(pos, grandchild, ctx)
                    break
        elif tag == "coordinates":  # 1.x
            latitude, longitude = clean(child.get("latitude")), clean(child.get("longitude"))
            if latitude is not None and longitude is not None:
                pos = f"{latitude} {longitude}"
                _check_pos(pos, child, ctx)
        elif tag == "location-id":
            vocabulary = ctx.code(child, "vocabulary", "GeographicVocabulary", required=True)
            code = ctx.code(child, "code", None, required=True)
            if vocabulary is not None and code is not None:
                ids.append(LocationId(vocabulary, code))
        elif tag == "administrative":
            vocabulary = ctx.code(child, "vocabulary", "GeographicVocabulary", required=True)
            code = ctx.code(child, "code", None, required=True)
            if vocabulary is not None and code is not None:
                level = ctx.integer(child, "level")
                admins.append(
                    Administrative(vocabulary, code, level if level is None or level >= 0 else None)
                )
        elif tag == "location-reach":
            reach = ctx.code(child, "code", "GeographicLocationReach", required=True)
        elif tag == "exactness":
            exactness = ctx.code(child, "code", "GeographicExactness", required=True)
        elif tag == "location-class":
            location_class = ctx.code(child, "code", "GeographicLocationClass", required=True)
        elif tag in ("feature-designation", "location-type"):  # location-type is the 1.x name
            feature = ctx.code(child, "code", "LocationType", required=True)
    if pos is None:
        srs = None
    elif srs is None:
        srs = WGS84
    return Location(
        ref=clean(element.get("ref")),
        reach=reach,
        location_ids=tuple(ids),
        name=name,
        description=description,
        activity_description=activity_description,
        administratives=tuple(admins),
        point_srs_name=srs,
        point_pos=pos,
        exactness=exactness,
        location_class=location_class,
        feature_designation=feature,
    )


def write_location(parent: Element, item: Location) -> None:
    element = sub(parent, "location", ref=item.ref)
    if item.reach is not None:
        sub(element, "location-reach", code=item.reach)
    for location_id in item.location_ids:
        sub(element, "location-id", vocabulary=location_id.vocabulary, code=location_id.code)
    text_element(element, "name", item.name)
    text_element(element, "description", item.description)
    text_element(element, "activity-description", item.activity_description)
    for admin in item.administratives:
        sub(
            element,
            "administrative",
            vocabulary=admin.vocabulary,
            level=str(admin.level) if admin.level is not None else None,
            code=admin.code,
        )
    if item.point_pos is not None:
        point = sub(element, "point", srsName=item.point_srs_name or WGS84)
        sub(point, "pos").text = xml_safe(item.point_pos)
    if item.exactness is not None:
        sub(element, "exactness", code=item.exactness)
    if item.location_class is not None:
        sub(element, "location-class", code=item.location_class)
    if item.feature_designation is not None:
        sub(element, "feature-designation", code=item.feature_designation)
