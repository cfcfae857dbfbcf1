"""Per-activity findings: each catalogue entry is produced with its severity, path and line."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from gapbridge.iati.checks import check_activity
from gapbridge.iati.dto import ActivityDTO, RecipientCountry, RecipientRegion, Sector
from gapbridge.iati.findings import CATALOGUE, Finding, FindingCode
from gapbridge.iati.parser import ParsedActivity, iter_file

HEADER = '<iati-activities version="2.03">\n<iati-activity default-currency="EUR" xml:lang="en">\n'


def parse(body: str, *, activity_attributes: str | None = None, identifier: bool = True) -> ParsedActivity:
    head = HEADER
    if activity_attributes is not None:
        head = f'<iati-activities version="2.03">\n<iati-activity {activity_attributes}>\n'
    ident = (
        '<iati-identifier>XX-1</iati-identifier><reporting-org ref="XX" type="10"/>\n' if identifier else ""
    )
    xml = head + ident + body + "\n</iati-activity>\n</iati-activities>"
    (parsed,) = iter_file(io.BytesIO(xml.encode()), name="t.xml")
    return parsed


def only(parsed: ParsedActivity, code: FindingCode) -> Finding:
    matches = [f for f in parsed.findings if f.code == code]
    assert len(matches) == 1, parsed.findings
    return matches[0]


def test_clean_activity_has_no_findings() -> None:
    parsed = parse(
        "<title><narrative>T</narrative></title>\n"
        '<recipient-country code="KE" percentage="60"/><recipient-country code="UG" percentage="40"/>\n'
        '<sector vocabulary="1" code="22040" percentage="100"/>\n'
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2020-01-01"/>'
        '<value value-date="2020-01-01">1000.50</value></transaction>'
    )
    assert parsed.findings == ()
    assert parsed.activity is not None
    assert parsed.activity.transactions[0].currency == "EUR"  # from @default-currency


def test_missing_identifier_skips_the_activity() -> None:
    parsed = parse("<title><narrative>T</narrative></title>", identifier=False)
    assert parsed.activity is None and parsed.skipped
    finding = only(parsed, FindingCode.MISSING_IDENTIFIER)
    assert finding.severity == "error"
    assert finding.line == 2


def test_empty_identifier_skips_the_activity() -> None:
    parsed = parse("<iati-identifier>  </iati-identifier>", identifier=False)
    assert parsed.activity is None


def test_missing_reporting_org() -> None:
    xml = (
        '<iati-activities version="2.03"><iati-activity><iati-identifier>X</iati-identifier></iati-activity>'
    )
    (parsed,) = iter_file(io.BytesIO(xml.encode() + b"</iati-activities>"))
    finding = only(parsed, FindingCode.MISSING_REQUIRED)
    assert (finding.severity, finding.path, finding.line) == ("error", "", 1)
    assert parsed.activity is not None and parsed.activity.reporting_org is None


def test_duplicate_identifier_in_one_file() -> None:
    xml = (
        '<iati-activities version="2.03">'
        + (
            '<iati-activity><iati-identifier>XX-1</iati-identifier><reporting-org ref="X" type="10"/>'
            "</iati-activity>\n"
        )
        * 2
        + "</iati-activities>"
    )
    first, second = iter_file(io.BytesIO(xml.encode()))
    assert not any(f.code == FindingCode.DUPLICATE_IDENTIFIER for f in first.findings)
    assert only(second, FindingCode.DUPLICATE_IDENTIFIER).line == 2


def test_unknown_code_on_a_complete_list_is_a_warning() -> None:
    parsed = parse('<activity-status code="42"/>')
    finding = only(parsed, FindingCode.UNKNOWN_CODE)
    assert (finding.severity, finding.path, finding.line) == ("warning", "activity-status/@code", 4)
    assert parsed.activity is not None and parsed.activity.activity_status == "42"  # kept as published


def test_unknown_code_on_an_incomplete_list_is_info() -> None:
    finding = only(parse('<recipient-country code="ZZ"/>'), FindingCode.UNKNOWN_CODE)
    assert finding.severity == "info"  # the Country codelist is marked complete="0"


def test_unknown_sector_code_depends_on_vocabulary() -> None:
    assert only(parse('<sector code="99999"/>'), FindingCode.UNKNOWN_CODE).path == "sector/@code"
    assert not parse('<sector vocabulary="99" code="MY-OWN"/>').findings


def test_codes_in_the_wrong_case_are_normalised() -> None:
    parsed = parse(
        '<document-link url="http://x.org/a.pdf" format="APPLICATION/PDF"><category code="a01"/>'
        "</document-link>"
    )
    assert parsed.findings == ()
    assert parsed.activity is not None
    assert parsed.activity.document_links[0].format == "application/pdf"
    assert parsed.activity.document_links[0].categories == ("A01",)


def test_withdrawn_code_is_info() -> None:
    finding = only(parse('<default-flow-type code="20"/>'), FindingCode.WITHDRAWN_CODE)
    assert finding.severity == "info"


def test_unparseable_date_is_an_error_and_left_empty() -> None:
    parsed = parse(
        '<budget><period-start iso-date="2020-13-01"/><period-end iso-date="2020-12-31"/>'
        '<value value-date="2020-01-01">5</value></budget>'
    )
    finding = only(parsed, FindingCode.INVALID_DATE)
    assert (finding.severity, finding.path) == ("error", "budget/period-start/@iso-date")
    assert parsed.activity is not None and parsed.activity.budgets[0].period_start is None


def test_date_in_element_text_is_used_when_the_attribute_is_broken() -> None:
    # Real D-Portal data: <transaction-date iso-date="5000000">2021-03-30</transaction-date>
    parsed = parse(
        '<transaction><transaction-type code="1"/><transaction-date iso-date="5000000">2021-03-30'
        '</transaction-date><value value-date="2021-03-30">1</value></transaction>'
    )
    assert only(parsed, FindingCode.INVALID_DATE).severity == "error"
    assert parsed.activity is not None and parsed.activity.transactions[0].date == date(2021, 3, 30)


def test_end_before_start() -> None:
    parsed = parse(
        '<activity-date type="1" iso-date="2021-01-01"/><activity-date type="3" iso-date="2020-01-01"/>'
    )
    finding = only(parsed, FindingCode.DATE_ORDER)
    assert (finding.severity, finding.path, finding.line) == ("warning", "activity-date", 4)


def test_budget_end_before_start_points_at_the_budget() -> None:
    parsed = parse(
        '<budget><period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/>'
        '<value value-date="2020-01-01">5</value></budget>\n'
        '<budget><period-start iso-date="2021-01-01"/><period-end iso-date="2020-12-31"/>'
        '<value value-date="2020-01-01">5</value></budget>'
    )
    finding = only(parsed, FindingCode.DATE_ORDER)
    assert (finding.path, finding.line) == ("budget", 5)


@pytest.mark.parametrize("text", ["1,000", "abc", "NaN", "Infinity", "1_000", "", "1e999", "١٢٣"])
def test_value_not_numeric(text: str) -> None:
    parsed = parse(
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2020-01-01"/>'
        f'<value value-date="2020-01-01">{text}</value></transaction>'
    )
    finding = only(parsed, FindingCode.INVALID_VALUE)
    assert (finding.severity, finding.path) == ("error", "transaction/value")
    assert parsed.activity is not None and parsed.activity.transactions[0].value is None


@pytest.mark.parametrize(
    ("text", "value"), [("-2e-10", Decimal("-2E-10")), (" 12.50 ", Decimal("12.5")), ("0", 0)]
)
def test_value_numeric(text: str, value: Decimal) -> None:
    parsed = parse(
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2020-01-01"/>'
        f'<value value-date="2020-01-01">{text}</value></transaction>'
    )
    assert parsed.findings == ()
    assert parsed.activity is not None and parsed.activity.transactions[0].value == value


def test_transaction_without_currency_and_no_default() -> None:
    parsed = parse(
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2020-01-01"/>'
        '<value value-date="2020-01-01">1</value></transaction>',
        activity_attributes='xml:lang="en"',
    )
    finding = only(parsed, FindingCode.MISSING_CURRENCY)
    assert (finding.severity, finding.path) == ("error", "transaction/value")
    assert parsed.activity is not None and parsed.activity.transactions[0].currency is None


def test_recipient_percentages_must_sum_to_100() -> None:
    parsed = parse(
        '<recipient-country code="KE" percentage="60"/><recipient-region code="298" percentage="60"/>'
    )
    finding = only(parsed, FindingCode.PERCENTAGE_SUM)
    assert (finding.severity, finding.path, finding.line) == ("warning", "recipient-country", 4)
    assert "120" in finding.message


def test_recipient_percentages_with_rounding_pass() -> None:
    body = "".join(f'<recipient-country code="{c}" percentage="33.33"/>' for c in ("KE", "UG", "TZ"))
    assert not parse(body).findings


def test_several_recipients_need_percentages() -> None:
    assert only(
        parse('<recipient-country code="KE"/><recipient-country code="UG"/>'), FindingCode.MISSING_PERCENTAGE
    )
    assert not parse('<recipient-country code="KE"/>').findings  # a single recipient is 100 %


def test_sector_percentages_sum_per_vocabulary() -> None:
    parsed = parse(
        '<sector vocabulary="1" code="22040" percentage="50"/>'
        '<sector vocabulary="1" code="11110" percentage="50"/>'
        '<sector vocabulary="2" code="220" percentage="70"/>'
    )
    finding = only(parsed, FindingCode.PERCENTAGE_SUM)
    assert finding.path == "sector"
    assert "vocabulary 2" in finding.message
    assert finding.line == 4


def test_invalid_percentage() -> None:
    parsed = parse('<sector code="22040" percentage="150"/>')
    assert only(parsed, FindingCode.INVALID_PERCENTAGE).path == "sector/@percentage"


def test_sector_on_both_levels() -> None:
    parsed = parse(
        '<sector code="22040"/><transaction><transaction-type code="3"/>'
        '<transaction-date iso-date="2020-01-01"/>'
        '<value value-date="2020-01-01">1</value><sector code="22040"/></transaction>'
    )
    assert only(parsed, FindingCode.SECTOR_BOTH_LEVELS).severity == "warning"


def test_missing_required_drops_unusable_items() -> None:
    parsed = parse('<sector vocabulary="1" percentage="100"/><recipient-country percentage="100"/>')
    codes = [f.code for f in parsed.findings]
    assert codes.count(FindingCode.MISSING_REQUIRED) == 2
    assert parsed.activity is not None
    assert parsed.activity.sectors == () and parsed.activity.recipient_countries == ()


def test_transaction_type_given_as_text() -> None:
    parsed = parse(
        "<transaction><transaction-type>1</transaction-type><transaction-date iso-date='2020-01-01'/>"
        "<value value-date='2020-01-01'>1</value></transaction>"
    )
    finding = only(parsed, FindingCode.MISSING_REQUIRED)
    assert finding.severity == "warning"
    assert parsed.activity is not None and parsed.activity.transactions[0].type == "1"


def test_invalid_numbers_and_datetimes() -> None:
    parsed = parse(
        "", activity_attributes='hierarchy="one" humanitarian="maybe" last-updated-datetime="yesterday"'
    )
    codes = sorted(f.code for f in parsed.findings)
    assert codes == [FindingCode.INVALID_DATETIME, FindingCode.INVALID_NUMBER, FindingCode.INVALID_NUMBER]
    assert parsed.activity is not None and parsed.activity.hierarchy is None


@pytest.mark.parametrize(
    "text", ["2020-01-01T10:00:00+01:00:30", "2020-01-01T10:00:00+15:00", "10:00", "2020-13-01"]
)
def test_datetime_outside_xsd_is_invalid(text: str) -> None:
    parsed = parse("", activity_attributes=f'last-updated-datetime="{text}"')
    assert only(parsed, FindingCode.INVALID_DATETIME).path == "@last-updated-datetime"


def test_naive_datetime_is_utc() -> None:
    parsed = parse("", activity_attributes='last-updated-datetime="2021-01-25T02:38:03.02"')
    assert parsed.activity is not None
    moment = parsed.activity.last_updated_datetime
    assert moment is not None and moment.utcoffset() is not None and moment.microsecond == 20000


def test_invalid_point() -> None:
    parsed = parse('<location><point srsName="x"><pos>91 200</pos></point></location>')
    assert only(parsed, FindingCode.INVALID_POINT).path == "location/point/pos"
    assert parsed.activity is not None and parsed.activity.locations[0].latitude is None


def test_unknown_version() -> None:
    parsed = parse("", activity_attributes='xmlns:x="urn:x" x:version="9.99"')
    assert only(parsed, FindingCode.UNKNOWN_CODE).path == "@version"
    assert parsed.activity is not None and parsed.activity.version == "9.99"


def test_checks_work_on_dtos_built_elsewhere() -> None:
    activity = ActivityDTO(
        iati_identifier="XX-1",
        recipient_countries=(RecipientCountry("KE", Decimal(50)),),
        recipient_regions=(
            RecipientRegion("298", percentage=Decimal(50)),
            RecipientRegion("1", "2", None, None),
        ),
        sectors=(Sector("22040", percentage=Decimal(100)),),
    )
    findings = check_activity(activity)
    # vocabulary 1 sums to 100; vocabulary 2 (UN regions) has a region without percentage
    assert [f.code for f in findings] == [FindingCode.MISSING_PERCENTAGE]
    assert findings[0].line is None


def test_every_catalogue_code_has_a_severity_and_text() -> None:
    assert set(CATALOGUE) == set(FindingCode)
    for severity, text in CATALOGUE.values():
        assert severity in {"error", "warning", "info"} and text
    assert str(Finding("error", FindingCode.INVALID_VALUE, "m", "transaction/value", 7)) == (
        "error invalid-value (line 7, transaction/value): m"
    )
