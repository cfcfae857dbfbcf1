"""Organisation files: recipient-org/region/country budgets, total-expenditure, document links and
budget-/expense-lines are read (1.x and 2.x), written as valid 2.03 and read back alike."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from gapbridge.iati.dto import (
    Narrative,
    OrganisationBudgetLine,
    OrganisationDTO,
    OrganisationExpenditure,
    OrganisationRecipient,
    RecipientBudget,
    ReportingOrg,
)
from gapbridge.iati.findings import FindingCode
from gapbridge.iati.parser import iter_organisation_file
from gapbridge.iati.schema import validate_file
from gapbridge.iati.writer import prepare_organisation, write_organisations

from .conftest import ORGANISATION_FILES

STAMP = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
TAGS = {
    "recipient-org-budget": "org",
    "recipient-country-budget": "country",
    "recipient-region-budget": "region",
}


def write(organisations: list[OrganisationDTO]) -> bytes:
    out = io.BytesIO()
    write_organisations(organisations, out, generated_datetime=STAMP)
    return out.getvalue()


def read(data: bytes) -> list[OrganisationDTO]:
    return [p.organisation for p in iter_organisation_file(io.BytesIO(data)) if p.organisation is not None]


@pytest.mark.parametrize("path", ORGANISATION_FILES, ids=lambda p: p.name)
def test_every_organisation_element_is_read_written_valid_and_read_back(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    (organisation,) = read(path.read_bytes())
    kinds = Counter(b.kind for b in organisation.recipient_budgets)
    assert kinds == Counter({kind: len(root.findall(f".//{tag}")) for tag, kind in TAGS.items()})
    assert len(organisation.total_expenditures) == len(root.findall(".//total-expenditure"))
    assert len(organisation.document_links) == len(root.findall("iati-organisation/document-link"))
    lines = sum(len(b.lines) for b in organisation.total_budgets)
    lines += sum(len(b.lines) for b in organisation.recipient_budgets)
    assert lines == len(root.findall(".//budget-line"))
    assert sum(len(e.lines) for e in organisation.total_expenditures) == len(root.findall(".//expense-line"))

    prepared, notes = prepare_organisation(organisation)
    assert notes == []
    data = write([organisation])
    assert validate_file(io.BytesIO(data), "2.03", name="out.xml") == []
    assert read(data) == [prepared]


def test_the_bundled_example_has_its_recipient_budgets_and_documents() -> None:
    (organisation,) = read(ORGANISATION_FILES[0].read_bytes())
    kinds = Counter(b.kind for b in organisation.recipient_budgets)
    assert kinds == {"org": 179, "country": 17, "region": 1}
    assert len(organisation.document_links) == 129
    region = next(b for b in organisation.recipient_budgets if b.kind == "region")
    assert region.recipient == OrganisationRecipient("489", (), "99", "http://example.com/vocab.html")


LEGACY = b"""<?xml version="1.0" encoding="UTF-8"?>
<iati-organisations version="1.03" generated-datetime="2014-09-10T07:15:37">
 <iati-organisation last-updated-datetime="2014-09-10T07:15:37" xml:lang="en" default-currency="EUR">
  <iati-identifier>AA-AAA-123456789</iati-identifier>
  <name>Organisation name</name>
  <reporting-org ref="AA-AAA-123456789" type="40">Organisation name</reporting-org>
  <total-budget>
   <period-start iso-date="2014-01-01"/>
   <period-end iso-date="2014-12-31"/>
   <value value-date="2014-01-01">1000</value>
  </total-budget>
  <recipient-org-budget>
   <recipient-org ref="AA-ABC-1234567">Recipient Organisation</recipient-org>
   <period-start iso-date="2014-01-01"/>
   <period-end iso-date="2014-12-31"/>
   <value currency="USD" value-date="2014-01-01">200</value>
  </recipient-org-budget>
  <recipient-country-budget>
   <recipient-country code="AF">Afghanistan</recipient-country>
   <period-start iso-date="2014-01-01"/>
   <period-end iso-date="2014-12-31"/>
   <value value-date="2014-01-01">300</value>
  </recipient-country-budget>
  <document-link url="http://www.example.org/docs/report_en.pdf" format="application/pdf">
   <title>Annual Report 2013</title>
   <category code="B01"/>
   <language code="en"/>
  </document-link>
 </iati-organisation>
</iati-organisations>
"""


def test_a_1x_organisation_file_keeps_its_budgets_and_documents() -> None:
    (organisation,) = read(LEGACY)
    org_budget, country_budget = organisation.recipient_budgets
    assert org_budget.kind == "org" and org_budget.recipient.code == "AA-ABC-1234567"
    assert org_budget.recipient.narratives == (Narrative("Recipient Organisation", "en"),)
    assert (org_budget.value, org_budget.currency) == (Decimal(200), "USD")
    assert country_budget.recipient.code == "AF" and country_budget.currency == "EUR"
    (link,) = organisation.document_links
    assert link.link.title == (Narrative("Annual Report 2013", "en"),)
    assert link.link.categories == ("B01",) and link.link.languages == ("en",)
    data = write([organisation])
    assert validate_file(io.BytesIO(data), "2.03", name="out.xml") == []
    assert read(data) == [prepare_organisation(organisation)[0]]


def _budget(kind: str, code: str | None, value: Decimal | None) -> RecipientBudget:
    return RecipientBudget(
        kind=kind,  # type: ignore[arg-type]
        recipient=OrganisationRecipient(code=code, vocabulary="1" if kind == "region" else None),
        status=None,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        value=value,
        currency="EUR",
        value_date=None,
        lines=(
            OrganisationBudgetLine("a", Decimal(1), "EUR", None),
            OrganisationBudgetLine("b", None, "EUR", None),
        ),
    )


def test_what_2_03_cannot_take_is_left_out_with_a_note_and_the_rest_is_put_in_schema_order() -> None:
    organisation = OrganisationDTO(
        organisation_identifier="XM-1",
        reporting_org=ReportingOrg(ref="XM-1", type="10"),
        recipient_budgets=(
            _budget("country", "KE", Decimal(5)),
            _budget("country", None, Decimal(6)),  # no country code
            _budget("org", None, None),  # no value
            _budget("region", "298", Decimal(7)),
            _budget("org", "XM-2", Decimal(8)),
        ),
        total_expenditures=(
            OrganisationExpenditure(date(2023, 1, 1), date(2023, 12, 31), Decimal(9), "EUR", None),
        ),
    )
    prepared, notes = prepare_organisation(organisation)
    assert [(b.kind, b.recipient.code) for b in prepared.recipient_budgets] == [
        ("org", "XM-2"),
        ("region", "298"),
        ("country", "KE"),
    ]
    assert all(b.value_date == date(2024, 1, 1) for b in prepared.recipient_budgets)
    assert all(
        len(b.lines) == 1 and b.lines[0].value_date == date(2024, 1, 1) for b in prepared.recipient_budgets
    )
    assert {n.code for n in notes} == {FindingCode.NOT_WRITTEN}
    assert len(notes) == 2 + 3  # two budgets, and the line without value of the three kept
    data = write([organisation])
    assert validate_file(io.BytesIO(data), "2.03", name="out.xml") == []
    assert read(data) == [prepared]
