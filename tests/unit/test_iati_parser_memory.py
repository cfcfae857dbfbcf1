"""The IATI parser's memory stays flat whatever a hostile file holds (security review M1).

A few KB of gzip can expand to millions of stray elements around or inside the activities; the parser
must drop them as it goes, and skip (with an error finding) a single item too large to hold, while the
rest of the file is read. Peak memory is measured in a fresh interpreter, on files written to disk in
chunks, read through :func:`iter_file` as the importer does.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gapbridge
from gapbridge.iati import parser
from gapbridge.iati.parser import ParsedActivity, iter_file, iter_organisation_file

JUNK = 2_000_000
#: Peak growth allowed while reading a file with ``JUNK`` stray elements (they took ~240 MB before).
MAX_GROWTH_MB = 30
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
TAIL = b"</iati-activities>\n"


def opening(identifier: str) -> bytes:
    """An activity's start tag and first children (6 elements, 2 attributes): a body may follow."""
    return (
        b"<iati-activity>"
        + f"<iati-identifier>{identifier}</iati-identifier>".encode()
        + b'<reporting-org ref="XX" type="10"><narrative>Org</narrative></reporting-org>'
        + f"<title><narrative>Activity {identifier}</narrative></title>".encode()
    )


def activity(identifier: str, body: bytes = b"") -> bytes:
    return opening(identifier) + body + b"</iati-activity>\n"


def write_gzip(path: Path, *parts: bytes | tuple[bytes, int]) -> Path:
    """A gzip file of ``parts``; ``(chunk, n)`` writes ``chunk`` n times, a block at a time."""
    with gzip.open(path, "wb", compresslevel=1) as out:
        for part in parts:
            if isinstance(part, bytes):
                out.write(part)
                continue
            chunk, count = part
            block = 10_000
            for _ in range(count // block):
                out.write(chunk * block)
            out.write(chunk * (count % block))
    return path


# Peak resident memory of the child itself: ``ru_maxrss`` would carry over the peak of the (forked) test
# process, so the kernel's high-water mark of this process is reset and read from /proc instead.
MEASURE = """
import json, sys
from gapbridge.iati.codelists import load_codelists
from gapbridge.iati.parser import iter_file

def megabytes(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024

codelists = load_codelists()
try:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # high-water mark := current resident size
except OSError:
    pass
before = megabytes("VmRSS")
items = [
    [p.file, p.line, p.activity and p.activity.iati_identifier,
     [f.message for f in p.findings if f.severity == "error"]]
    for p in iter_file(sys.argv[1], codelists=codelists, name="hostile.xml.gz")
]
print(json.dumps({"growth_mb": megabytes("VmHWM") - before, "items": items}))
"""
needs_proc = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")


def measure(path: Path) -> tuple[float, list[list[object]]]:
    """Peak memory growth (MB) of a fresh interpreter reading ``path``, and what it read."""
    src = str(Path(gapbridge.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    return result["growth_mb"], result["items"]


@needs_proc
def test_stray_siblings_of_the_activities_do_not_grow_memory(tmp_path: Path) -> None:
    path = write_gzip(tmp_path / "siblings.xml.gz", HEAD, (b"<a/>", JUNK), activity("XX-1"), TAIL)
    assert path.stat().st_size < 100_000  # a small upload
    growth, items = measure(path)
    assert [item[2] for item in items] == ["XX-1"]
    assert growth < MAX_GROWTH_MB, f"{growth:.0f} MB for {JUNK} stray elements"


@needs_proc
def test_a_stray_subtree_between_activities_does_not_grow_memory(tmp_path: Path) -> None:
    path = write_gzip(
        tmp_path / "subtree.xml.gz",
        HEAD,
        activity("XX-0"),
        b"<x>text<y>",
        (b"<a b='1'>t</a>", JUNK // 2),
        b"</y></x>",
        activity("XX-1"),
        (b"<a/>", JUNK // 2),
        TAIL,
    )
    growth, items = measure(path)
    assert [item[2] for item in items] == ["XX-0", "XX-1"]
    assert growth < MAX_GROWTH_MB, f"{growth:.0f} MB"


@needs_proc
def test_an_activity_with_millions_of_elements_is_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    path = write_gzip(
        tmp_path / "inside.xml.gz",
        HEAD,
        activity("XX-0"),
        opening("XX-BIG") + b"<y>",
        (b"<a/>", JUNK),
        b"</y></iati-activity>\n",
        activity("XX-1"),
        TAIL,
    )
    growth, items = measure(path)
    assert [item[2] for item in items] == ["XX-0", None, "XX-1"]
    file, line, _identifier, errors = items[1]
    assert file == "hostile.xml.gz"
    assert line == 4
    limit = parser.MAX_ITEM_ELEMENTS
    assert errors == [f"activity 'XX-BIG' has more than {limit} elements (the limit per activity); skipped"]
    # The activity is held until it passes the limit (200,000 elements, ~25 MB), then dropped as read.
    assert growth < 2 * MAX_GROWTH_MB, f"{growth:.0f} MB"


# -- the limits, made small so the files are small -------------------------------------------------


def read(data: bytes) -> list[ParsedActivity]:
    return list(iter_file(io.BytesIO(data), name="upload.xml"))


def only_error(parsed: ParsedActivity) -> str:
    assert parsed.activity is None
    errors = [f for f in parsed.findings if f.severity == "error"]
    assert len(errors) == 1 and errors[0].code == parser.OVERSIZED_CODE
    assert errors[0].line == parsed.line
    return errors[0].message


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "MAX_ITEM_ELEMENTS", 1000)
    monkeypatch.setattr(parser, "MAX_ITEM_ATTRIBUTES", 2000)
    monkeypatch.setattr(parser, "MAX_ITEM_BYTES", 1 << 20)


@pytest.mark.usefixtures("small_limits")
def test_the_element_limit_is_exact() -> None:
    at_limit = activity("XX-AT", b"<a/>" * (1000 - 6))
    over = activity("XX-OVER", b"<a/>" * (1000 - 5))
    parsed = read(HEAD + at_limit + over + activity("XX-AFTER") + TAIL)
    assert parsed[0].activity is not None and parsed[0].activity.iati_identifier == "XX-AT"
    assert parsed[1].file == "upload.xml" and parsed[1].line == 4
    assert only_error(parsed[1]) == (
        "activity 'XX-OVER' has more than 1000 elements (the limit per activity); skipped"
    )
    assert parsed[2].activity is not None and parsed[2].activity.iati_identifier == "XX-AFTER"


@pytest.mark.usefixtures("small_limits")
def test_the_attribute_limit_is_exact() -> None:
    # reporting-org carries 2 attributes; 1998 more reach the limit.
    at_limit = activity("XX-AT", b"<a " + b" ".join(b'a%d=""' % i for i in range(1998)) + b"/>")
    over = activity("XX-OVER", b"<a " + b" ".join(b'a%d=""' % i for i in range(1999)) + b"/>")
    parsed = read(HEAD + at_limit + over + TAIL)
    assert parsed[0].activity is not None
    assert only_error(parsed[1]) == (
        "activity 'XX-OVER' has more than 2000 attributes (the limit per activity); skipped"
    )


#: An element with text: ~100 bytes, so one read (32 KB) brings a few hundred of them.
SPARSE = b"<a>" + b"x" * 90 + b"</a>"


@pytest.mark.usefixtures("small_limits")
def test_an_activity_read_over_many_reads_is_counted_exactly() -> None:
    # The guard counts the open activity at each read, then only what is new: no element twice.
    at_limit = activity("XX-AT", SPARSE * (1000 - 6))
    over = activity("XX-OVER", SPARSE * (1000 - 5))
    parsed = read(HEAD + (at_limit + over) * 20 + TAIL)
    assert [p.activity and p.activity.iati_identifier for p in parsed] == ["XX-AT", None] * 20


@pytest.mark.usefixtures("small_limits")
def test_an_activity_growing_over_the_limit_while_read_is_dropped_as_it_goes() -> None:
    # 10,000 elements span many reads: the guard refuses the activity while it is still open (its
    # identifier came first), so an activity nested in it after the limit is not delivered either.
    nested = activity("XX-NESTED")
    big = activity("XX-BIG", SPARSE * 5000 + nested + SPARSE * 5000)
    parsed = read(HEAD + activity("XX-0") + big + activity("XX-1") + TAIL)
    assert [p.activity and p.activity.iati_identifier for p in parsed] == ["XX-0", None, "XX-1"]
    assert only_error(parsed[1]).startswith("activity 'XX-BIG' has more than 1000 elements")


@pytest.mark.usefixtures("small_limits")
def test_an_activity_larger_than_the_byte_limit_is_skipped() -> None:
    description = b"<description><narrative>" + b"x" * 100_000 + b"</narrative></description>"
    big = activity("XX-TEXT", description * 30)  # 3 MB of text in 66 elements
    parsed = read(HEAD + big + activity("XX-1") + TAIL)
    assert only_error(parsed[0]) == (
        f"activity 'XX-TEXT' is larger than {1 << 20} bytes (the limit per activity); skipped"
    )
    assert parsed[1].activity is not None and parsed[1].activity.iati_identifier == "XX-1"


@pytest.mark.usefixtures("small_limits")
def test_an_oversized_activity_without_identifier_says_so() -> None:
    parsed = read(HEAD + b"<iati-activity>" + b"<a/>" * 2000 + b"</iati-activity>" + TAIL)
    assert only_error(parsed[0]) == (
        "activity (identifier not read) has more than 1000 elements (the limit per activity); skipped"
    )


@pytest.mark.usefixtures("small_limits")
def test_an_oversized_organisation_is_skipped_and_the_next_is_read() -> None:
    def organisation(identifier: str, body: bytes = b"") -> bytes:
        return (
            f"<iati-organisation><organisation-identifier>{identifier}</organisation-identifier>".encode()
            + b"<name><narrative>Org</narrative></name>"
            + body
            + b"</iati-organisation>"
        )

    data = b'<iati-organisations version="2.03">'
    data += organisation("XX-BIG", b"<a/>" * 2000) + organisation("XX-1") + b"</iati-organisations>"
    parsed = list(iter_organisation_file(io.BytesIO(data), name="orgs.xml"))
    assert parsed[0].organisation is None and parsed[0].file == "orgs.xml"
    assert [f.message for f in parsed[0].findings] == [
        "organisation 'XX-BIG' has more than 1000 elements (the limit per organisation); skipped"
    ]
    assert parsed[1].organisation is not None
    assert parsed[1].organisation.organisation_identifier == "XX-1"


def test_stray_elements_are_not_kept_between_reads() -> None:
    """The tree holds the open path only: the root's finished children are gone at every read."""
    seen: list[int] = []
    original = parser._Guard.read

    def read_and_record(self: parser._Guard, size: int = -1) -> bytes:
        data = original(self, size)
        if self.root is not None:
            seen.append(len(self.root))
        return data

    data = HEAD + b"<a/>" * 200_000 + activity("XX-1") + b"<a><b/></a>" * 100_000 + TAIL
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parser._Guard, "read", read_and_record)
        parsed = read(data)
    assert [p.activity and p.activity.iati_identifier for p in parsed] == ["XX-1"]
    assert len(seen) > 10 and max(seen) < 10_000
