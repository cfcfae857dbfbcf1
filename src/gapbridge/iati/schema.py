"""Optional XSD validation of a whole file against the bundled official IATI schema.

Schema-invalid files still import (the streaming parser is lenient); this records *why* a file is
invalid as ``schema-invalid`` findings (message, XPath-like path, line). The file is parsed into a
full tree for this — memory grows with the file — using the same safety rules as the parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import IO, Final, cast

from lxml import etree

from gapbridge.iati.codelists import data_dir
from gapbridge.iati.errors import (
    MalformedXmlError,
    SchemaUnavailableError,
    TruncatedXmlError,
    UnsafeXmlError,
)
from gapbridge.iati.findings import Finding, FindingCode
from gapbridge.iati.source import DEFAULT_MAX_BYTES, SafeReader, Source

SCHEMA_FILES: Final = {
    "iati-activities": "iati-activities-schema.xsd",
    "iati-organisations": "iati-organisations-schema.xsd",
}
#: More errors than this in one file are summarised in a last finding.
MAX_ERRORS: Final = 1000


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )


@lru_cache(maxsize=8)
def load_schema(version: str = "2.03", root_tag: str = "iati-activities") -> etree.XMLSchema:
    """The bundled XSD for ``version`` and file type (``iati-activities`` / ``iati-organisations``)."""
    folder = data_dir() / "schemas" / version
    file_name = SCHEMA_FILES.get(root_tag)
    if file_name is None or not (folder / file_name).is_file():
        raise SchemaUnavailableError(
            str(folder), None, f"no bundled IATI {version} schema for <{root_tag}> (bundled: 2.03)"
        )
    return etree.XMLSchema(etree.parse(str(folder / file_name), _safe_parser()))


def _parse(reader: SafeReader) -> etree._ElementTree:
    try:
        tree = etree.parse(cast(IO[bytes], reader), _safe_parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno or reader.line
        if reader.eof and line >= reader.line:
            raise TruncatedXmlError(reader.name, line, f"XML is not well-formed: {error.msg}") from None
        raise MalformedXmlError(reader.name, line, f"XML is not well-formed: {error.msg}") from None
    info = tree.docinfo
    if info.internalDTD is not None or info.doctype:
        raise UnsafeXmlError(reader.name, 1, "DOCTYPE declarations are not allowed in IATI files")
    return tree


def validate_file(
    source: Source, version: str = "2.03", *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Finding]:
    """XSD findings for one activity or organisation file (empty list = valid).

    Raises :class:`IatiError` subclasses for files that cannot be parsed at all, and
    :class:`SchemaUnavailableError` when no schema for ``version`` is bundled.
    """
    with SafeReader(source, name, max_bytes) as reader:
        root_tag = reader.prolog.root_tag or "iati-activities"
        schema = load_schema(version, root_tag if root_tag in SCHEMA_FILES else "iati-activities")
        tree = _parse(reader)
    schema.validate(tree)
    findings: list[Finding] = []
    for entry in cast(Iterable[etree._LogEntry], schema.error_log):
        if len(findings) >= MAX_ERRORS:
            findings.append(
                Finding(
                    "error", FindingCode.SCHEMA_INVALID, f"more than {MAX_ERRORS} schema errors", "", None
                )
            )
            break
        findings.append(
            Finding("error", FindingCode.SCHEMA_INVALID, entry.message, entry.path or "", entry.line)
        )
    return findings
