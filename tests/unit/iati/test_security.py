"""Hostile and broken inputs: each is refused with the documented error, naming file and line."""

from __future__ import annotations

import errno
import gzip
import io
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from gapbridge.iati import source
from gapbridge.iati.errors import (
    IatiError,
    MalformedXmlError,
    NotXmlError,
    TooLargeError,
    TruncatedXmlError,
    UnreadableFileError,
    UnsafeXmlError,
    WrongRootError,
)
from gapbridge.iati.parser import ParsedActivity, iter_file, iter_organisation_file
from gapbridge.iati.schema import validate_file

from .conftest import ACTIVITIES, ORGANISATION_FILES

ACTIVITY = b"<iati-activity><iati-identifier>XX-1</iati-identifier><title><narrative>&x;</narrative></title>"
ACTIVITY += b"</iati-activity>"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE iati-activities [
 <!ENTITY x "lol">
 <!ENTITY x1 "&x;&x;&x;&x;&x;&x;&x;&x;&x;&x;">
 <!ENTITY x2 "&x1;&x1;&x1;&x1;&x1;&x1;&x1;&x1;&x1;&x1;">
 <!ENTITY x3 "&x2;&x2;&x2;&x2;&x2;&x2;&x2;&x2;&x2;&x2;">
 <!ENTITY x4 "&x3;&x3;&x3;&x3;&x3;&x3;&x3;&x3;&x3;&x3;">
 <!ENTITY x5 "&x4;&x4;&x4;&x4;&x4;&x4;&x4;&x4;&x4;&x4;">
 <!ENTITY x6 "&x5;&x5;&x5;&x5;&x5;&x5;&x5;&x5;&x5;&x5;">
 <!ENTITY x7 "&x6;&x6;&x6;&x6;&x6;&x6;&x6;&x6;&x6;&x6;">
 <!ENTITY x8 "&x7;&x7;&x7;&x7;&x7;&x7;&x7;&x7;&x7;&x7;">
 <!ENTITY x9 "&x8;&x8;&x8;&x8;&x8;&x8;&x8;&x8;&x8;&x8;">
]>
<iati-activities version="2.03" generated-datetime="&x9;"><iati-activity>
<iati-identifier>XX-1</iati-identifier><title><narrative>&x9;</narrative></title>
</iati-activity></iati-activities>
"""


def xxe(target: str, *, parameter: bool = False) -> bytes:
    if parameter:
        dtd = f'<!DOCTYPE iati-activities [<!ENTITY % p SYSTEM "{target}"> %p;]>'
    else:
        dtd = f'<!DOCTYPE iati-activities [<!ENTITY x SYSTEM "{target}">]>'
    return (
        b'<?xml version="1.0"?>\n'
        + dtd.encode()
        + b'\n<iati-activities version="2.03">'
        + ACTIVITY
        + (b"</iati-activities>")
    )


def collect(data: bytes, name: str = "upload.xml", **options: int) -> list[ParsedActivity]:
    return list(iter_file(io.BytesIO(data), name=name, **options))


def expect(error: type[IatiError], data: bytes, line: int | None = None, **options: int) -> IatiError:
    with pytest.raises(error) as caught:
        collect(data, **options)
    assert caught.value.file == "upload.xml"
    assert str(caught.value).startswith("upload.xml:")
    if line is not None:
        assert caught.value.line == line
    return caught.value


def test_entity_bomb_is_refused_before_parsing() -> None:
    error = expect(UnsafeXmlError, BILLION_LAUGHS, line=2)
    assert "entities" in error.message


@pytest.mark.parametrize("parameter", [False, True], ids=["general-entity", "parameter-entity"])
def test_xxe_etc_passwd_is_refused(parameter: bool) -> None:
    error = expect(UnsafeXmlError, xxe("file:///etc/passwd", parameter=parameter), line=2)
    assert "root:" not in str(error)


def run_with_trap(tmp_path: Path, parse: Callable[[str], object]) -> None:
    """Point an external entity at a FIFO: opening it for reading would block, so a parser that tries
    to read the entity hangs and is detected; one that never touches it finishes at once."""
    trap = tmp_path / "trap"
    os.mkfifo(trap)
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(_attempt(parse, trap.as_uri())), daemon=True)
    worker.start()
    worker.join(timeout=20)
    opened = _has_reader(trap)
    if opened:
        worker.join(timeout=5)
    assert not opened, "the parser opened the external entity"
    assert not worker.is_alive()
    assert outcome and isinstance(outcome[0], UnsafeXmlError), outcome


def _has_reader(fifo: Path) -> bool:
    """Whether someone holds ``fifo`` open for reading (opening the write end releases them)."""
    try:
        descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ENXIO:  # no reader: nobody ever opened it
            return False
        raise
    os.close(descriptor)
    return True


def _attempt(parse: Callable[[str], object], uri: str) -> object:
    try:
        return parse(uri)
    except IatiError as error:
        return error


@pytest.mark.parametrize("parameter", [False, True], ids=["general-entity", "parameter-entity"])
def test_xxe_never_opens_the_entity_file(tmp_path: Path, parameter: bool) -> None:
    run_with_trap(tmp_path, lambda uri: collect(xxe(uri, parameter=parameter)))


def test_xxe_never_opens_the_entity_file_even_without_the_prolog_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Defence in depth: with the byte-level DOCTYPE check disabled, lxml's options still keep the
    # entity unread and the docinfo check refuses the file at the first activity.
    monkeypatch.setattr(source, "scan_prolog", _no_scan)
    run_with_trap(tmp_path, lambda uri: collect(xxe(uri)))


def test_xxe_parameter_entity_never_opens_the_entity_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "scan_prolog", _no_scan)
    run_with_trap(tmp_path, lambda uri: collect(xxe(uri, parameter=True)))


def _no_scan(head: bytes, eof: bool, name: str) -> source.Prolog:
    del head, eof, name
    return source.Prolog("iati-activities", 1)


def test_xxe_in_validate_file_is_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        validate_file(io.BytesIO(xxe("file:///etc/passwd")), name="upload.xml")


def test_utf16_doctype_is_refused() -> None:
    data = (
        xxe("file:///etc/passwd")
        .decode()
        .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    )
    expect(UnsafeXmlError, data.encode("utf-16"), line=2)


def test_any_doctype_is_refused() -> None:
    data = b'<!DOCTYPE iati-activities SYSTEM "iati.dtd">\n<iati-activities version="2.03"/>'
    expect(UnsafeXmlError, data, line=1)


def test_html_page_is_not_xml() -> None:
    error = expect(NotXmlError, b"\n\n<!DOCTYPE html>\n<html><body>Service unavailable</body></html>", line=3)
    assert "HTML" in error.message


def test_json_body_is_not_xml() -> None:
    with pytest.raises(NotXmlError) as caught:
        list(iter_file(ACTIVITIES / "dportal_140.xml.gz"))
    assert caught.value.file.endswith("dportal_140.xml.gz")
    assert caught.value.line == 1
    assert "JSON" in caught.value.message


@pytest.mark.parametrize(("data", "text"), [(b"", "empty"), (b" \n\t\n", "whitespace")])
def test_empty_file_is_not_xml(data: bytes, text: str) -> None:
    error = expect(NotXmlError, data, line=1)
    assert text in error.message


def test_empty_gzip_is_not_xml() -> None:
    expect(NotXmlError, gzip.compress(b""), line=1)


def test_xml_declaration_without_root() -> None:
    expect(NotXmlError, b'<?xml version="1.0"?>\n<!-- nothing -->\n', line=3)


def test_truncated_xml_reports_the_line_and_keeps_earlier_activities() -> None:
    data = (ACTIVITIES / "example_203_file.xml").read_bytes()
    cut = data[: len(data) * 2 // 3]
    delivered: list[ParsedActivity] = []
    with pytest.raises(TruncatedXmlError) as caught:
        delivered.extend(iter_file(io.BytesIO(cut), name="upload.xml"))
    assert 0 < len(delivered) < 13
    assert caught.value.file == "upload.xml"
    assert caught.value.line == cut.count(b"\n") + 1
    assert "truncated" in caught.value.message


def test_truncated_gzip_reports_the_line() -> None:
    data = gzip.compress((ACTIVITIES / "example_203_file.xml").read_bytes())
    with pytest.raises(TruncatedXmlError) as caught:
        collect(data[: len(data) // 2])
    assert caught.value.file == "upload.xml"
    assert caught.value.line is not None and caught.value.line > 1


def test_corrupt_gzip_is_malformed() -> None:
    data = bytearray(gzip.compress((ACTIVITIES / "example_203_file.xml").read_bytes()))
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    with pytest.raises(MalformedXmlError) as caught:
        collect(bytes(data))
    assert caught.value.line is not None


def test_malformed_xml_names_the_line() -> None:
    data = b'<iati-activities version="2.03">\n<iati-activity>\n<iati-identifier>X</iati-identifier>\n</oops>'
    data += b"\n" * 5 + b"</iati-activity></iati-activities>"
    error = expect(MalformedXmlError, data, line=4)
    assert not isinstance(error, TruncatedXmlError)


@pytest.mark.parametrize(
    ("data", "root"),
    [
        (b'<?xml version="1.0"?>\n<html><body/></html>', "html"),
        (b"<iati-activity><iati-identifier>X</iati-identifier></iati-activity>", "iati-activity"),
        (b'<ns:iati-activities xmlns:ns="urn:x" version="2.03"/>', "ns:iati-activities"),
    ],
)
def test_wrong_root(data: bytes, root: str) -> None:
    error = expect(WrongRootError, data)
    assert isinstance(error, WrongRootError) and error.root_tag == root
    assert error.line is not None


def test_default_namespace_root_is_wrong() -> None:
    data = b'<iati-activities xmlns="urn:x" version="2.03"><iati-activity/></iati-activities>'
    error = expect(WrongRootError, data, line=1)
    assert isinstance(error, WrongRootError) and error.root_tag == "{urn:x}iati-activities"


def test_organisation_file_given_to_iter_file() -> None:
    with pytest.raises(WrongRootError) as caught:
        list(iter_file(ORGANISATION_FILES[0]))
    assert "iter_organisation_file" in caught.value.message
    with pytest.raises(WrongRootError):
        list(iter_organisation_file(ACTIVITIES / "example_203_file.xml"))


def test_size_limit_stops_a_gzip_bomb() -> None:
    bomb = gzip.compress(b'<iati-activities version="2.03">' + b" " * (16 << 20), compresslevel=1)
    assert len(bomb) < 100_000
    error = expect(TooLargeError, bomb, max_bytes=1 << 20)
    assert error.line is not None


def test_deep_nesting_is_refused() -> None:
    data = b'<iati-activities version="2.03"><iati-activity>' + b"<a>" * 300 + b"</a>" * 300
    data += b"</iati-activity></iati-activities>"
    expect(MalformedXmlError, data)


def test_binary_garbage_is_not_xml() -> None:
    expect(NotXmlError, bytes(range(256)), line=1)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError) as caught:
        list(iter_file(tmp_path / "nope.xml"))
    assert caught.value.file.endswith("nope.xml")


def test_errors_pickle_and_print() -> None:
    import pickle

    error = WrongRootError("f.xml", 3, "root element is <x>", "x")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.file, copy.line, copy.message, copy.root_tag) == ("f.xml", 3, "root element is <x>", "x")
    assert str(copy) == "f.xml:3: root element is <x>"
    assert str(NotXmlError("f.xml", None, "m")) == "f.xml: m"
