"""Streaming IATI parser: one file in, one :class:`ParsedActivity` per ``iati-activity`` out.

Memory stays flat: ``lxml.etree.iterparse`` delivers each activity when its end tag is read, the
activity is mapped to a DTO in one pass over its children, then the element and everything before it
is deleted. Parser options: ``resolve_entities=False, no_network=True, load_dtd=False,
huge_tree=False`` (plus the DOCTYPE refusal in :mod:`gapbridge.iati.source`).

Errors: a file that cannot be read at all raises an :class:`~gapbridge.iati.errors.IatiError`
subclass before anything is yielded; a file that breaks in the middle raises after the activities
before the break were yielded. :func:`iter_files` turns errors into items so a run continues with the
next file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from lxml import etree

from gapbridge.iati.activity import read_activity
from gapbridge.iati.codelists import Codelists, load_codelists
from gapbridge.iati.dto import ActivityDTO, OrganisationDTO
from gapbridge.iati.elements.common import clean
from gapbridge.iati.errors import (
    IatiError,
    MalformedXmlError,
    TruncatedXmlError,
    UnsafeXmlError,
    WrongRootError,
)
from gapbridge.iati.findings import CATALOGUE, Finding, FindingCode
from gapbridge.iati.organisation import read_organisation
from gapbridge.iati.source import DEFAULT_MAX_BYTES, SafeReader, Source

#: Options for every lxml parser in the adapter (see docs/iati.md, "Security").
PARSER_OPTIONS: Final[dict[str, Any]] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "recover": False,
    "remove_comments": True,
    "remove_pis": True,
    "remove_blank_text": True,
}

ACTIVITIES_ROOT: Final = "iati-activities"
ORGANISATIONS_ROOT: Final = "iati-organisations"

T = TypeVar("T", ActivityDTO, OrganisationDTO)


@dataclass(frozen=True, slots=True)
class ParsedActivity:
    """One activity read from ``file`` at ``line``; ``activity`` is ``None`` when it was skipped."""

    file: str
    line: int | None
    activity: ActivityDTO | None
    findings: tuple[Finding, ...]

    @property
    def skipped(self) -> bool:
        return self.activity is None


@dataclass(frozen=True, slots=True)
class ParsedOrganisation:
    """One organisation read from ``file`` at ``line``; ``organisation`` is ``None`` when skipped."""

    file: str
    line: int | None
    organisation: OrganisationDTO | None
    findings: tuple[Finding, ...]


def _syntax_error(reader: SafeReader, error: etree.XMLSyntaxError) -> IatiError:
    line = error.lineno or reader.line
    message = f"XML is not well-formed: {error.msg}"
    premature = "Premature end of data" in (error.msg or "") or error.msg == "no element found"
    if premature or (reader.eof and line >= reader.line):
        return TruncatedXmlError(reader.name, line, f"{message} (the file appears to be truncated)")
    return MalformedXmlError(reader.name, line, message)


def _check_document(reader: SafeReader, element: etree._Element, root_tag: str) -> etree._Element:
    """Backstop checks at the first item: no DTD slipped through, and the root is right."""
    tree = element.getroottree()
    info = tree.docinfo
    if info.internalDTD is not None or info.doctype or info.system_url or info.public_id:
        raise UnsafeXmlError(reader.name, 1, "DOCTYPE declarations are not allowed in IATI files")
    root = tree.getroot()
    if root.tag != root_tag:
        raise _wrong_root(reader.name, root.sourceline, str(root.tag), root_tag)
    return root


def _wrong_root(name: str, line: int | None, found: str, expected: str) -> WrongRootError:
    hint = ""
    if found == ORGANISATIONS_ROOT:
        hint = " (an organisation file: use iter_organisation_file)"
    elif found == ACTIVITIES_ROOT:
        hint = " (an activity file: use iter_file)"
    return WrongRootError(name, line, f"root element is <{found}>, expected <{expected}>{hint}", found)


def _iter_items(
    source: Source,
    name: str | None,
    max_bytes: int,
    root_tag: str,
    item_tag: str,
    read: Callable[[etree._Element, str | None], tuple[T | None, list[Finding]]],
) -> Iterator[tuple[str, int | None, T | None, list[Finding]]]:
    with SafeReader(source, name, max_bytes) as reader:
        prolog = reader.prolog
        if prolog.root_tag is not None and prolog.root_tag != root_tag:
            raise _wrong_root(reader.name, prolog.root_line, prolog.root_tag, root_tag)
        events = iter(etree.iterparse(reader, events=("end",), tag=item_tag, **PARSER_OPTIONS))
        root: etree._Element | None = None
        file_version: str | None = None
        while True:
            try:
                _event, element = next(events)
            except StopIteration:
                break
            except etree.XMLSyntaxError as error:
                raise _syntax_error(reader, error) from None
            if root is None:
                root = _check_document(reader, element, root_tag)
                file_version = clean(root.get("version"))
            item, findings = read(element, file_version)
            yield reader.name, element.sourceline, item, findings
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
        if root is None:
            tree_root = getattr(events, "root", None)
            if tree_root is not None and tree_root.tag != root_tag:
                raise _wrong_root(reader.name, tree_root.sourceline, str(tree_root.tag), root_tag)


def iter_file(
    source: Source,
    *,
    codelists: Codelists | None = None,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ParsedActivity]:
    """Stream the activities of an IATI activity file (``.xml`` or gzip, detected by magic bytes).

    ``source`` is a path or a binary file object; ``name`` overrides the name used in errors.
    Raises an :class:`~gapbridge.iati.errors.IatiError` subclass when the file is refused or breaks.
    """
    lists = codelists if codelists is not None else load_codelists()
    seen: set[str] = set()

    def read(element: etree._Element, version: str | None) -> tuple[ActivityDTO | None, list[Finding]]:
        return read_activity(element, lists, version)

    for file, line, activity, findings in _iter_items(
        source, name, max_bytes, ACTIVITIES_ROOT, "iati-activity", read
    ):
        if activity is not None:
            if activity.iati_identifier in seen:
                code = FindingCode.DUPLICATE_IDENTIFIER
                findings.append(
                    Finding(
                        CATALOGUE[code][0],
                        code,
                        f"{activity.iati_identifier!r} occurs earlier in this file",
                        "iati-identifier",
                        line,
                    )
                )
            seen.add(activity.iati_identifier)
        yield ParsedActivity(file, line, activity, tuple(findings))


def iter_organisation_file(
    source: Source,
    *,
    codelists: Codelists | None = None,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[ParsedOrganisation]:
    """Stream the organisations of an IATI organisation file (same rules as :func:`iter_file`)."""
    lists = codelists if codelists is not None else load_codelists()

    def read(element: etree._Element, version: str | None) -> tuple[OrganisationDTO | None, list[Finding]]:
        return read_organisation(element, lists, version)

    for file, line, organisation, findings in _iter_items(
        source, name, max_bytes, ORGANISATIONS_ROOT, "iati-organisation", read
    ):
        yield ParsedOrganisation(file, line, organisation, tuple(findings))


def iter_files(
    sources: Iterable[Source], *, codelists: Codelists | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ParsedActivity | IatiError]:
    """Activities of many files; a bad file yields its error and the run goes on with the next."""
    for source in sources:
        try:
            yield from iter_file(source, codelists=codelists, max_bytes=max_bytes)
        except IatiError as error:
            yield error
