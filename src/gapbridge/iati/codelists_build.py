"""Generate ``data/iati/codelists/codelists.json`` from the official IATI codelist XML files.

The IATI codelists are published as one XML file per list (``<codelist name=… complete=… embedded=…>``
with ``<codelist-item status=…><code>…<name><narrative>…``). This script keeps what the adapter needs —
code, English name, withdrawn status and category — in one compact JSON file, so the product never
depends on hand-edited code lists (house rule 4). Run it again whenever the official files change::

    python -m gapbridge.iati.codelists_build \\
        --source /path/to/codelists --out data/iati/codelists/codelists.json

``--source`` must contain ``embedded/*.xml`` and ``non-embedded/*.xml`` (the layout of the shared data
folder described in ``data/iati/PROVENANCE.md``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from lxml import etree

#: Where the XML files of the current build came from (copied into the JSON for provenance).
SOURCES = {
    "embedded": (
        "github:IATI/IATI-Codelists xml/<Name>.xml@75e827bacd29f77356cb43defbc0b655705432f3"
        " (branch version-2.03)"
    ),
    "non-embedded": (
        "github:IATI/IATI-Codelists-NonEmbedded xml/<Name>.xml@7aeece773c60afa0265eb95e988d5e61e96d8482"
        " (branch master)"
    ),
}
LICENCE = 'CC BY 4.0, "IATI Standard (http://iatistandard.org/)"'

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _english_name(item: etree._Element) -> str | None:
    narratives = item.findall("name/narrative")
    for narrative in narratives:
        if narrative.get(_XML_LANG) in (None, "en"):
            return (narrative.text or "").strip() or None
    return None


def read_codelist(path: Path) -> tuple[str, dict[str, Any]]:
    """Read one official codelist XML file into ``(name, {"embedded", "complete", "items"})``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.parse(str(path), parser).getroot()
    name = root.get("name") or path.stem
    items: dict[str, dict[str, Any]] = {}
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        if not code:
            continue
        entry: dict[str, Any] = {}
        label = _english_name(item)
        if label:
            entry["name"] = label
        if item.get("status") == "withdrawn":
            entry["withdrawn"] = True
        category = (item.findtext("category") or "").strip()
        if category:
            entry["category"] = category
        items[code] = entry
    return name, {
        "embedded": root.get("embedded") == "1",
        "complete": root.get("complete") == "1",
        "items": items,
    }


def build(source: Path) -> dict[str, Any]:
    """Build the JSON document from ``source/embedded`` and ``source/non-embedded``."""
    codelists: dict[str, Any] = {}
    inputs: dict[str, str] = {}
    for folder in ("embedded", "non-embedded"):
        files = sorted((source / folder).glob("*.xml"))
        if not files:
            raise SystemExit(f"no codelist XML files in {source / folder}")
        for path in files:
            name, content = read_codelist(path)
            codelists[name] = content
            inputs[f"{folder}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {
        "generated_by": "gapbridge.iati.codelists_build",
        "sources": SOURCES,
        "licence": LICENCE,
        "inputs_sha256": inputs,
        "codelists": codelists,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="folder with embedded/ and non-embedded/")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args(argv)
    document = build(args.source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    args.out.write_text(text, encoding="utf-8")
    total = sum(len(c["items"]) for c in document["codelists"].values())
    print(f"wrote {args.out}: {len(document['codelists'])} codelists, {total} codes")


if __name__ == "__main__":
    main()
