"""Parser speed: activities per second of :func:`iter_file` against a raw lxml pass over the same bytes.

The reference is ``lxml.etree.iterparse(events=("end",), tag="iati-activity")`` that only counts
activities (default options, no clearing). A second reference adds the adapter's parser options and
element clearing, i.e. the pure lxml share of the adapter's work. Files are read and decompressed once,
up front; every pass parses the same in-memory bytes. Times are CPU times (``time.process_time``), best of
``--repeat`` interleaved rounds, so other load on the machine disturbs them little.

    python -m gapbridge.iati.bench [FILE_OR_DIR ...] [--repeat N] [--quick]

Without paths it measures the bundled files in ``data/iati/activities``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from gapbridge.iati.codelists import Codelists, data_dir, load_codelists
from gapbridge.iati.parser import PARSER_OPTIONS, iter_file


def load(paths: Sequence[Path]) -> list[bytes]:
    """Decompressed contents of the XML files among ``paths`` (folders are expanded)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path])
    contents = []
    for file in files:
        data = file.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if data.lstrip()[:1] == b"<":
            contents.append(data)
    return contents


def raw_count(data: bytes) -> int:
    return sum(1 for _ in etree.iterparse(io.BytesIO(data), events=("end",), tag="iati-activity"))


def raw_count_cleared(data: bytes) -> int:
    count = 0
    for _event, element in etree.iterparse(
        io.BytesIO(data), events=("end",), tag="iati-activity", **PARSER_OPTIONS
    ):
        count += 1
        element.clear()
        parent = element.getparent()
        while element.getprevious() is not None and parent is not None:
            del parent[0]
    return count


def adapter_count(data: bytes, codelists: Codelists) -> int:
    return sum(1 for _ in iter_file(io.BytesIO(data), codelists=codelists))


@dataclass(frozen=True)
class Figures:
    files: int
    megabytes: float
    activities: int
    raw_per_second: float
    raw_cleared_per_second: float
    adapter_per_second: float

    @property
    def ratio(self) -> float:
        return self.adapter_per_second / self.raw_per_second


def measure(contents: Sequence[bytes], repeat: int = 3) -> Figures:
    codelists = load_codelists()
    passes: dict[str, Callable[[bytes], int]] = {
        "raw": raw_count,
        "cleared": raw_count_cleared,
        "adapter": lambda data: adapter_count(data, codelists),
    }
    best = dict.fromkeys(passes, 0.0)
    activities = 0
    for _round in range(repeat):
        for name, run in passes.items():
            started = time.process_time()
            activities = sum(run(data) for data in contents)
            elapsed = max(time.process_time() - started, 1e-9)
            best[name] = max(best[name], activities / elapsed)
    return Figures(
        files=len(contents),
        megabytes=sum(map(len, contents)) / 1e6,
        activities=activities,
        raw_per_second=best["raw"],
        raw_cleared_per_second=best["cleared"],
        adapter_per_second=best["adapter"],
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gapbridge.iati.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: bundled activities)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is reported (default 3)")
    parser.add_argument("--quick", action="store_true", help="one round")
    args = parser.parse_args(argv)
    contents = load(args.paths or [data_dir() / "activities"])
    figures = measure(contents, 1 if args.quick else args.repeat)
    print(
        f"{figures.files} files, {figures.megabytes:.1f} MB, {figures.activities} activities\n"
        f"raw lxml iterparse count : {figures.raw_per_second:10.0f} activities/s\n"
        f"  + options and clearing : {figures.raw_cleared_per_second:10.0f} activities/s\n"
        f"adapter iter_file        : {figures.adapter_per_second:10.0f} activities/s\n"
        f"ratio adapter / raw      : {figures.ratio:10.2f}"
    )


if __name__ == "__main__":
    main()
