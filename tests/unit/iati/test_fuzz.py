"""Property tests: any input gives activities or a documented IatiError — never another exception or a hang.

Examples are derandomised (house rule 10: deterministic tests) and each must finish within the deadline.
"""

from __future__ import annotations

import gzip
import io
from datetime import timedelta
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gapbridge.iati.errors import IatiError, UnwritableActivityError
from gapbridge.iati.parser import ParsedActivity, iter_file, iter_organisation_file
from gapbridge.iati.schema import validate_file
from gapbridge.iati.writer import write_activities

FUZZ = settings(
    deadline=timedelta(seconds=2),
    max_examples=200,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

SMALL = b"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2020-01-01T00:00:00Z">
 <iati-activity default-currency="EUR" xml:lang="en" hierarchy="1"
   last-updated-datetime="2020-01-01T00:00:00">
  <iati-identifier>XX-1-A</iati-identifier>
  <reporting-org ref="XX-1" type="10"><narrative>Org</narrative></reporting-org>
  <title><narrative>Title</narrative><narrative xml:lang="FR">Titre</narrative></title>
  <description type="1"><narrative>Text</narrative></description>
  <participating-org role="1" ref="XX-1" type="10"><narrative>Org</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2020-01-01"/>
  <activity-date type="3" iso-date="2021-12-31"/>
  <recipient-country code="KE" percentage="50"/>
  <recipient-region code="298" percentage="50"/>
  <location><name><narrative>Nairobi</narrative></name>
   <point srsName="x"><pos>-1.28 36.81</pos></point></location>
  <sector vocabulary="1" code="22040" percentage="100"/>
  <tag vocabulary="2" code="9"/>
  <policy-marker code="1" significance="1"/>
  <default-aid-type code="D02"/>
  <budget type="1" status="1"><period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/>
   <value value-date="2020-01-01">1000</value></budget>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2020-06-01"/>
   <value currency="USD" value-date="2020-06-01">250.5</value>
   <provider-org ref="XX-1" provider-activity-id="XX-1-A"/>
   <receiver-org ref="YY"><narrative>Y</narrative></receiver-org>
  </transaction>
  <document-link url="http://example.org/a.pdf" format="application/pdf">
   <title><narrative>Doc</narrative></title>
   <category code="A01"/></document-link>
  <related-activity ref="XX-1-B" type="2"/>
  <result type="1"><title><narrative>R</narrative></title>
   <indicator measure="1"><title><narrative>I</narrative></title><baseline year="2019" value="1"/>
    <period><period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/><target value="2"/>
    <actual value="3"/></period></indicator></result>
 </iati-activity>
</iati-activities>
"""

TOKENS = [
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b'"',
    b"]]>",
    b"<![CDATA[",
    b"<!--",
    b"-->",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"</iati-activity>",
    b"<iati-activity>",
    b'<!DOCTYPE x [<!ENTITY e "x">]>',
    b'<!ENTITY e SYSTEM "file:///etc/passwd">',
    b"&e;",
    b'xmlns="urn:x"',
    b"\n" * 3,
]


def outcome(data: bytes) -> list[ParsedActivity] | IatiError:
    try:
        items = list(iter_file(io.BytesIO(data), name="fuzz.xml"))
    except IatiError as caught:
        return check_error(caught)
    assert all(isinstance(item, ParsedActivity) for item in items)
    return items


def check_error(error: IatiError) -> IatiError:
    assert error.file == "fuzz.xml"
    assert error.line is None or error.line >= 1
    assert str(error).startswith("fuzz.xml")
    return error


def test_the_seed_file_is_valid() -> None:
    assert validate_file(io.BytesIO(SMALL)) == []
    (parsed,) = iter_file(io.BytesIO(SMALL))
    assert parsed.findings == ()


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(data: bytes) -> None:
    outcome(data)


@FUZZ
@given(st.binary(max_size=500))
def test_arbitrary_bytes_behind_an_xml_declaration(data: bytes) -> None:
    outcome(b'<?xml version="1.0"?>\n<iati-activities version="2.03">' + data)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SMALL)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "duplicate"]))
        if operation == "insert":
            data[position:position] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
        elif operation == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif operation == "replace" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif operation == "truncate":
            del data[position:]
        else:
            data[position:position] = data[position : position + draw(st.integers(1, 200))]
    raw = bytes(data)
    if draw(st.booleans()):
        raw = gzip.compress(raw)
        if draw(st.booleans()):
            raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@FUZZ
@given(mutated())
def test_mutations_of_a_valid_file(data: bytes) -> None:
    outcome(data)


@FUZZ
@given(mutated())
def test_mutations_as_organisation_file(data: bytes) -> None:
    text = data.replace(b"iati-activities", b"iati-organisations").replace(
        b"iati-activity", b"iati-organisation"
    )
    try:
        list(iter_organisation_file(io.BytesIO(text), name="fuzz.xml"))
    except IatiError as caught:
        check_error(caught)


XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\t\n "),
    max_size=30,
)
PLAUSIBLE = st.sampled_from(
    ["", "1", "2", "3", "10", "99", "-1", "0", "100", "50.5", "1e3", "2020-02-30", "2020-01-01",
     "2020-01-01T10:00:00", "2020-01-01T10:00:00+01:00", "EUR", "usd", "EN", "en-GB", "D", "Funding",
     "start-actual", "1.5 2.5", "91 0", "NaN", "-0", "0000-01-01", "9999-12-31", "1e-40",
     "123456789012345678901234567890", "http://x.org/a b", "%zz", "[::1]", "2020-01-01T10:00:00+01:00:30",
     "2020-01-01T10:00:00-23:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59.9999999-14:00"]
)  # fmt: skip
VALUE = PLAUSIBLE | XML_TEXT

#: (attribute or text) slots in SMALL that the value fuzzer replaces.
SLOTS = [
    b'default-currency="EUR"',
    b'xml:lang="en"',
    b'hierarchy="1"',
    b'last-updated-datetime="2020-01-01T00:00:00"',
    b'xml:lang="FR"',
    b'type="10"',
    b'role="1"',
    b'<activity-status code="2"/>',
    b'type="3" iso-date="2021-12-31"',
    b'percentage="50"',
    b"<pos>-1.28 36.81</pos>",
    b'code="22040"',
    b'code="9"',
    b'significance="1"',
    b'code="D02"',
    b">1000<",
    b'<transaction-type code="3"/>',
    b'<transaction-date iso-date="2020-06-01"/>',
    b'currency="USD"',
    b">250.5<",
    b'value-date="2020-06-01"',
    b'format="application/pdf"',
    b'<category code="A01"/>',
    b'year="2019"',
    b'measure="1"',
    b'<target value="2"/>',
    b'url="http://example.org/a.pdf"',
    b'srsName="x"',
    b'<related-activity ref="XX-1-B"',
]


def fill(slot: bytes, value: str) -> bytes:
    """``slot`` with its text, or its first attribute value, replaced by ``value`` (escaped)."""
    if slot.startswith(b">"):
        return b">" + escape(value).encode() + b"<"
    if slot.startswith(b"<pos>"):
        return b"<pos>" + escape(value).encode() + b"</pos>"
    head, _, rest = slot.partition(b'="')
    return head + b"=" + quoteattr(value).encode() + rest.partition(b'"')[2]


@FUZZ
@given(st.dictionaries(st.sampled_from(SLOTS), VALUE, min_size=1, max_size=8))
def test_arbitrary_values_parse_and_write_schema_valid_xml(values: dict[bytes, str]) -> None:
    data = SMALL
    for slot, value in values.items():
        data = data.replace(slot, fill(slot, value), 1)
    result = outcome(data)
    assert not isinstance(result, IatiError), result  # well-formed input is never refused
    activities = [p.activity for p in result if p.activity is not None]
    out = io.BytesIO()
    skipped: list[UnwritableActivityError] = []
    write_activities(activities, out, on_unwritable=skipped.append)
    if len(skipped) < len(activities):
        assert validate_file(io.BytesIO(out.getvalue()), name="out.xml") == []
        again = [p.activity for p in iter_file(io.BytesIO(out.getvalue()))]
        assert len(again) == len(activities) - len(skipped)
