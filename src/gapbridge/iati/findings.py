"""Structured findings about one activity (or one file): what is wrong, how badly, and where.

A finding never stops an import: the activity is stored with the finding attached, except for
``missing-identifier`` (an activity without an ``iati-identifier`` cannot be stored or updated and is
skipped). The catalogue below is the single list of codes; docs/iati.md renders the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Severity = Literal["error", "warning", "info"]


class FindingCode(StrEnum):
    """Every finding code the adapter emits."""

    MISSING_IDENTIFIER = "missing-identifier"
    DUPLICATE_IDENTIFIER = "duplicate-identifier"
    MISSING_REQUIRED = "missing-required"
    UNKNOWN_CODE = "unknown-code"
    WITHDRAWN_CODE = "withdrawn-code"
    LEGACY_CODE = "legacy-code"
    INVALID_DATE = "invalid-date"
    INVALID_DATETIME = "invalid-datetime"
    DATE_ORDER = "date-order"
    INVALID_VALUE = "invalid-value"
    MISSING_CURRENCY = "missing-currency"
    INVALID_PERCENTAGE = "invalid-percentage"
    MISSING_PERCENTAGE = "missing-percentage"
    PERCENTAGE_SUM = "percentage-sum"
    SECTOR_BOTH_LEVELS = "sector-both-levels"
    INVALID_NUMBER = "invalid-number"
    INVALID_POINT = "invalid-point"
    SCHEMA_INVALID = "schema-invalid"
    NOT_WRITTEN = "not-written"
    TOO_LARGE = "too-large"


#: code -> (default severity, meaning). Rendered in docs/iati.md; a test keeps the two in step.
CATALOGUE: dict[FindingCode, tuple[Severity, str]] = {
    FindingCode.MISSING_IDENTIFIER: ("error", "activity has no iati-identifier; it is skipped"),
    FindingCode.DUPLICATE_IDENTIFIER: (
        "warning",
        "the same iati-identifier occurs earlier in the same file; both are delivered",
    ),
    FindingCode.MISSING_REQUIRED: (
        "error",
        "a required element/attribute is missing (e.g. sector without @code); the item is dropped "
        "when it cannot be used without it",
    ),
    FindingCode.UNKNOWN_CODE: (
        "warning",
        "code is not on the official codelist (info when the codelist is marked incomplete)",
    ),
    FindingCode.WITHDRAWN_CODE: ("info", "code is on the codelist but withdrawn"),
    FindingCode.LEGACY_CODE: (
        "info",
        "a 1.x text code (e.g. transaction-type 'D') was mapped to its 2.x code in a 2.x activity",
    ),
    FindingCode.INVALID_DATE: ("error", "a date is not an ISO date (YYYY-MM-DD); the field is left empty"),
    FindingCode.INVALID_DATETIME: ("warning", "a date-time is not ISO 8601; the field is left empty"),
    FindingCode.DATE_ORDER: ("warning", "an end date is before its start date"),
    FindingCode.INVALID_VALUE: (
        "error",
        "a money value is missing, not a finite decimal number, or out of range; the amount is left empty",
    ),
    FindingCode.MISSING_CURRENCY: (
        "error",
        "a value has no @currency and the activity has no @default-currency",
    ),
    FindingCode.INVALID_PERCENTAGE: ("warning", "a percentage is not a number between 0 and 100"),
    FindingCode.MISSING_PERCENTAGE: (
        "warning",
        "several recipients/sectors of one vocabulary are given but not all carry a percentage",
    ),
    FindingCode.PERCENTAGE_SUM: (
        "warning",
        "recipient country+region percentages, or sector percentages of one vocabulary, do not sum to 100",
    ),
    FindingCode.SECTOR_BOTH_LEVELS: (
        "warning",
        "sectors are reported both on the activity and on transactions (the standard allows one level)",
    ),
    FindingCode.INVALID_NUMBER: ("warning", "an integer or boolean attribute has an unusable value"),
    FindingCode.INVALID_POINT: ("warning", "location/point/pos is not 'latitude longitude' in range"),
    FindingCode.SCHEMA_INVALID: ("error", "XSD validation error (validate_file only)"),
    FindingCode.NOT_WRITTEN: (
        "warning",
        "the serializer dropped an item that the 2.03 schema cannot express without made-up data",
    ),
    FindingCode.TOO_LARGE: (
        "error",
        "an activity or organisation is larger than the parser accepts (elements, attributes or bytes); "
        "it is skipped and the rest of the file is read",
    ),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in an activity: severity, code, text, where (path relative to the activity)."""

    severity: Severity
    code: FindingCode
    message: str
    path: str
    line: int | None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line is not None else ""
        return f"{self.severity} {self.code} ({where}{self.path}): {self.message}"
