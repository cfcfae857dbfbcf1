"""IATI adapter: stream IATI activity/organisation XML into DTOs with findings, and write DTOs back as
IATI 2.03 XML. Pure Python + lxml; no Django (services map DTOs to ORM rows). See docs/iati.md.
"""

from gapbridge.iati.codelists import Codelists, load_codelists
from gapbridge.iati.dto import ActivityDTO, OrganisationDTO
from gapbridge.iati.errors import (
    IatiError,
    MalformedXmlError,
    NotXmlError,
    SchemaUnavailableError,
    TooLargeError,
    TruncatedXmlError,
    UnreadableFileError,
    UnsafeXmlError,
    UnwritableActivityError,
    WrongRootError,
)
from gapbridge.iati.findings import Finding, FindingCode
from gapbridge.iati.parser import (
    ParsedActivity,
    ParsedOrganisation,
    iter_file,
    iter_files,
    iter_organisation_file,
)
from gapbridge.iati.schema import validate_file
from gapbridge.iati.writer import (
    prepare_for_write,
    prepare_organisation,
    write_activities,
    write_organisations,
)

__all__ = [
    "ActivityDTO",
    "Codelists",
    "Finding",
    "FindingCode",
    "IatiError",
    "MalformedXmlError",
    "NotXmlError",
    "OrganisationDTO",
    "ParsedActivity",
    "ParsedOrganisation",
    "SchemaUnavailableError",
    "TooLargeError",
    "TruncatedXmlError",
    "UnreadableFileError",
    "UnsafeXmlError",
    "UnwritableActivityError",
    "WrongRootError",
    "iter_file",
    "iter_files",
    "iter_organisation_file",
    "load_codelists",
    "prepare_for_write",
    "prepare_organisation",
    "validate_file",
    "write_activities",
    "write_organisations",
]
