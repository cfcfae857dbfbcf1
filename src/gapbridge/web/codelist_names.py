"""IATI codelist names in the visitor's language, where the official codelists have them.

The official IATI codelist XML files carry, besides the English name of each code, a French one for about
50 lists (``<narrative xml:lang="fr">``); none has Spanish or Arabic names yet. ``build`` extracts those
names into ``data/iati/codelists/names-translated.json`` (generated, never hand-edited: house rule 4)::

    python -m gapbridge.web.codelist_names --source /path/to/codelists \\
        --out data/iati/codelists/names-translated.json

and :func:`code_name` returns the name of a code in the active language, falling back to the English name
of the bundled ``codelists.json`` (then to ``""`` for an unknown code). The generated file sits next to
``codelists.json`` and records its inputs (the same official repositories and commits).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from lxml import etree

from gapbridge.iati.codelists import data_dir, load_codelists
from gapbridge.web.content_language import primary

FILE_NAME = "names-translated.json"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: The languages of the interface other than English (the codelists' own language).
LANGUAGES = ("fr", "es", "ar")


def default_path() -> Path:
    return data_dir() / "codelists" / FILE_NAME


@lru_cache(maxsize=4)
def load_names(path: Path | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """codelist -> language -> code -> name; empty when the generated file is missing."""
    source = path or default_path()
    if not source.exists():
        return {}
    raw: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    lists: dict[str, dict[str, dict[str, str]]] = raw.get("codelists", {})
    return lists


def code_name(codelist: str, code: str | None, lang: str | None = None) -> str:
    """The name of ``code`` on ``codelist`` in ``lang`` (default: the active language), else English,
    else ``""``."""
    if not code:
        return ""
    want = primary(lang or get_language())
    if want in LANGUAGES:
        localised = load_names().get(codelist, {}).get(want, {}).get(code)
        if localised:
            return localised
    lists = load_codelists()
    return lists[codelist].names.get(code, "") if codelist in lists else ""


def names(codelist: str, lang: str | None = None) -> dict[str, str]:
    """Every code of ``codelist`` with its name in ``lang`` (default: the active language) or English."""
    lists = load_codelists()
    if codelist not in lists:
        return {}
    return {code: code_name(codelist, code, lang) for code in lists[codelist].names}


# -- build --------------------------------------------------------------------------------------------------


def _names_of(path: Path) -> tuple[str, dict[str, dict[str, str]]]:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    root = tree.getroot()
    found: dict[str, dict[str, str]] = {}
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        if not code:
            continue
        for narrative in item.findall("name/narrative"):
            lang = primary(narrative.get(_XML_LANG))
            text = " ".join((narrative.text or "").split())
            if lang in LANGUAGES and text:
                found.setdefault(lang, {})[code] = text
    return str(root.get("name") or path.stem), found


def build(source: Path) -> dict[str, Any]:
    """The JSON document for every ``*.xml`` under ``source/embedded`` and ``source/non-embedded``."""
    from gapbridge.iati.codelists_build import LICENCE, SOURCES

    files = sorted([*source.glob("embedded/*.xml"), *source.glob("non-embedded/*.xml")])
    if not files:
        raise SystemExit(f"{source}: no embedded/*.xml or non-embedded/*.xml codelist files")
    lists: dict[str, dict[str, dict[str, str]]] = {}
    digests: dict[str, str] = {}
    for path in files:
        name, found = _names_of(path)
        digests[f"{path.parent.name}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
        if found:
            lists[name] = {lang: dict(sorted(codes.items())) for lang, codes in sorted(found.items())}
    return {
        "generated_by": "python -m gapbridge.web.codelist_names",
        "sources": SOURCES,
        "licence": LICENCE,
        "inputs_sha256": digests,
        "codelists": dict(sorted(lists.items())),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="folder with embedded/ and non-embedded/")
    parser.add_argument("--out", type=Path, default=default_path())
    args = parser.parse_args(argv)
    document = build(args.source)
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    total = sum(len(codes) for langs in document["codelists"].values() for codes in langs.values())
    print(f"{args.out}: {len(document['codelists'])} codelists, {total} translated names")


if __name__ == "__main__":
    main()
