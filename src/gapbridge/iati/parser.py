"""Streaming IATI parser: one file in, one :class:`ParsedActivity` per ``iati-activity`` out.

Memory stays flat: ``lxml.etree.iterparse`` delivers each activity when its end tag is read, the
activity is mapped to a DTO in one pass over its children, then the element and everything before it
is deleted. Whatever else the file holds is dropped as the stream advances: before each read, every
finished element outside the activity being read is deleted (:class:`_Guard`), so a file of millions
of stray elements costs no more than one activity. One activity is bounded too: an item with more
than :data:`MAX_ITEM_ELEMENTS` elements, :data:`MAX_ITEM_ATTRIBUTES` attributes or about
:data:`MAX_ITEM_BYTES` bytes is skipped with an error finding (its content is dropped as it is read)
and the rest of the file is read as usual. Parser options: ``resolve_entities=False,
no_network=True, load_dtd=False, huge_tree=False`` (plus the DOCTYPE refusal in
:mod:`gapbridge.iati.source`).

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

# Limits per item (one iati-activity or iati-organisation with everything inside it). The largest item
# among the bundled and shared real files (XI-IATI-CWSEC-YXCWG1033, D-Portal 2021) has 15,675 elements,
# 21,971 attributes and 0.9 MB of XML: the limits are more than ten times that, and keep a hostile item
# to roughly 100 MB of memory.
MAX_ITEM_ELEMENTS: Final = 200_000
MAX_ITEM_ATTRIBUTES: Final = 400_000
MAX_ITEM_BYTES: Final = 64 << 20
#: The code of the finding that reports a skipped oversized item (the catalogue has no closer one).
OVERSIZED_CODE: Final = FindingCode.TOO_LARGE

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


#: No element (``<a/>``) or attribute (`` a=""``) takes fewer bytes of XML than this.
_MIN_NODE_BYTES: Final = 4
#: Slack for bytes libxml2 may hold back (a partial token) before it reports a start tag.
_LAG: Final = 1 << 16
_ELEMENTS = etree.XPath("count(descendant-or-self::*)")
_ATTRIBUTES = etree.XPath("count(descendant-or-self::*/@*)")
# Elements after a node in document order are those parsed after it (the item is still open, so
# nothing outside it follows).
_NEW_ELEMENTS = etree.XPath("count(descendant::*) + count(following::*)")
_NEW_ATTRIBUTES = etree.XPath("count(descendant::*/@*) + count(following::*/@*)")
_IDENTIFIERS: Final = ("iati-identifier", "organisation-identifier")


def _count(expression: etree.XPath, element: etree._Element) -> int:
    result = expression(element)
    assert isinstance(result, float)
    return int(result)


def _last_descendant(element: etree._Element) -> etree._Element:
    # ``element[-1]`` is found from the end; ``len()`` would walk all the children.
    while True:
        try:
            element = element[-1]
        except IndexError:
            return element


def _oversized(message: str, line: int | None) -> Finding:
    return Finding(CATALOGUE[OVERSIZED_CODE][0], OVERSIZED_CODE, message, "", line)


def _discard(element: etree._Element) -> None:
    """Empty a finished item and delete the elements before it."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _Guard:
    """The file object lxml reads; between two reads it keeps the tree small.

    lxml asks for the next chunk only when every event of the previous one has been handled, so at
    that moment the items that ended have been delivered and the parser is not inside a call. Only the
    open path (root, ..., the element being parsed) and the open item are needed then: the finished
    elements before them and the text of open elements that already have children are deleted (never
    a last child or its text, which libxml2 may still be appending to). The open item is counted,
    elements and attributes, once its size in bytes says it could be over a limit, and from then on at
    every read, each time only what was parsed since; over a limit it is refused and pruned like the
    rest. When the item ends, :meth:`close` decides exactly.
    """

    def __init__(self, reader: SafeReader, noun: str) -> None:
        self.name = reader.name  # lxml names the document after its source, as before
        self._reader = reader
        self._noun = noun
        self.root: etree._Element | None = None
        self.item: etree._Element | None = None
        self.refusal: str | None = None
        self._fed = 0  # bytes handed to lxml
        self._before = 0  # ``_fed`` before the last read: where the chunk being parsed starts
        self._item_from = 0  # the open item's content starts after this offset
        self._open_at: int | None = None  # ``_fed`` at the first read the item was open for
        self._elements = self._attributes = 0  # of the open item, up to and including ``_marker``
        self._marker: etree._Element | None = None  # the item's last element when last counted

    def read(self, size: int = -1) -> bytes:
        self._prune()
        data = self._reader.read(size)
        self._before = self._fed
        self._fed += len(data)
        return data

    def open(self, item: etree._Element) -> None:
        """Start event of an item (the outermost one: items inside items count towards it)."""
        if self.item is None:
            self.item = item
            self._item_from = max(self._before - _LAG, 0)

    def in_refused(self, element: etree._Element) -> bool:
        """``element`` ended inside the refused open item (an item nested in it): drop it unread."""
        return self.refusal is not None and self.item is not None and element is not self.item

    def close(self, item: etree._Element) -> str | None:
        """End event of an item: ``None`` if it may be read, else why it is skipped."""
        if item is not self.item:
            return None  # nested in a healthy item: read as before
        refusal = self.refusal
        if refusal is None and self._could_exceed(item):
            refusal = self._over(item, _count(_ELEMENTS, item), _count(_ATTRIBUTES, item))
        self.item = self._marker = self.refusal = self._open_at = None
        self._elements = self._attributes = 0
        return refusal

    def _could_exceed(self, item: etree._Element) -> bool:
        """Whether the bytes fed since the item's start tag could hold more elements or attributes
        than allowed (its own attributes may have come earlier: a start tag can span many reads)."""
        most = (self._fed - self._item_from) // _MIN_NODE_BYTES
        return 1 + most > MAX_ITEM_ELEMENTS or len(item.attrib) + most > MAX_ITEM_ATTRIBUTES

    def _over(self, item: etree._Element, elements: int, attributes: int) -> str | None:
        if elements > MAX_ITEM_ELEMENTS:
            what = f"more than {MAX_ITEM_ELEMENTS} elements"
        elif attributes > MAX_ITEM_ATTRIBUTES:
            what = f"more than {MAX_ITEM_ATTRIBUTES} attributes"
        else:
            return None
        return self._refused(item, f"has {what}")

    def _refused(self, item: etree._Element, what: str) -> str:
        identifier = None
        for tag in _IDENTIFIERS:
            found = item.find(tag)
            identifier = clean(found.text) if found is not None else None
            if identifier:
                break
        name = f"{self._noun} {identifier!r}" if identifier else f"{self._noun} (identifier not read)"
        return f"{name} {what} (the limit per {self._noun}); skipped"

    def _check_item(self, item: etree._Element) -> None:
        if self._open_at is None:
            self._open_at = self._fed
        elif self._fed - self._open_at > MAX_ITEM_BYTES:
            self.refusal = self._refused(item, f"is larger than {MAX_ITEM_BYTES} bytes")
            return
        if self._marker is not None:
            self._elements += _count(_NEW_ELEMENTS, self._marker)
            self._attributes += _count(_NEW_ATTRIBUTES, self._marker)
        elif self._could_exceed(item):
            self._elements, self._attributes = _count(_ELEMENTS, item), _count(_ATTRIBUTES, item)
        else:
            return
        self._marker = _last_descendant(item)
        self.refusal = self._over(item, self._elements, self._attributes)

    def _prune(self) -> None:
        node = self.root
        while node is not None:
            if node is self.item:
                if self.refusal is None:
                    self._check_item(node)
                if self.refusal is None:
                    return
            count = len(node)
            if not count:
                return
            if count > 1:
                del node[: count - 1]
            node.text = None
            node = node[-1]


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
        guard = _Guard(reader, item_tag.removeprefix("iati-"))
        # Start events: the root's (in any namespace) so stray elements can be dropped from the first
        # read on, and the items' so the guard knows which item is open.
        tags = (f"{{*}}{root_tag}", item_tag)
        events = iter(etree.iterparse(guard, events=("start", "end"), tag=tags, **PARSER_OPTIONS))
        root: etree._Element | None = None
        file_version: str | None = None
        while True:
            try:
                event, element = next(events)
            except StopIteration:
                break
            except etree.XMLSyntaxError as error:
                raise _syntax_error(reader, error) from None
            if guard.root is None:
                guard.root = element.getroottree().getroot()
            if element.tag != item_tag:
                continue
            if event == "start":
                guard.open(element)
                continue
            if root is None:
                root = _check_document(reader, element, root_tag)
                file_version = clean(root.get("version"))
            if guard.in_refused(element):
                _discard(element)
                continue
            refusal = guard.close(element)
            if refusal is None:
                item, findings = read(element, file_version)
            else:
                item, findings = None, [_oversized(refusal, element.sourceline)]
            yield reader.name, element.sourceline, item, findings
            _discard(element)
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
