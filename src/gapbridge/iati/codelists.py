"""The official IATI codelists, loaded from the bundled JSON that ``codelists_build`` generates.

Codes are data (house rule 4): nothing here lists a code by hand. ``load_codelists()`` reads
``data/iati/codelists/codelists.json`` once per process; checks ask ``Codelists.status(list, code)``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

CodeStatus = Literal["active", "withdrawn", "unknown"]

#: Environment variable that overrides the location of the bundled ``data/iati`` folder.
DATA_DIR_ENV = "GAPBRIDGE_IATI_DATA"


def data_dir() -> Path:
    """The bundled ``data/iati`` folder (repository root, or ``$GAPBRIDGE_IATI_DATA``)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    # src/gapbridge/iati/codelists.py -> repository root is three levels above the package.
    return Path(__file__).resolve().parents[3] / "data" / "iati"


@dataclass(frozen=True, slots=True)
class Codelist:
    """One codelist: its codes with English names, and which codes are withdrawn."""

    name: str
    complete: bool
    embedded: bool
    names: Mapping[str, str]
    withdrawn: frozenset[str]
    categories: Mapping[str, str]
    #: case-folded code -> code, for codes published in the wrong case ("APPLICATION/PDF", "9.C")
    folded: Mapping[str, str]

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def status(self, code: str) -> CodeStatus:
        if code not in self.names:
            return "unknown"
        return "withdrawn" if code in self.withdrawn else "active"


class Codelists:
    """All codelists by name, plus a case-insensitive name -> code index for legacy (1.x) values."""

    def __init__(self, lists: Mapping[str, Codelist], sources: Mapping[str, str] | None = None) -> None:
        self._lists = dict(lists)
        self.sources = dict(sources or {})
        self._by_name: dict[str, dict[str, str]] = {}
        #: list name -> {active code: code}; the parser's fast path (one dict lookup per coded value)
        self.active: dict[str, dict[str, str]] = {
            name: {code: code for code in codelist.names if code not in codelist.withdrawn}
            for name, codelist in self._lists.items()
        }
        #: like ``active`` plus the 1.x codes seen so far with their 2.x code (fast path for 1.x files)
        self.active_v1: dict[str, dict[str, str]] = {name: dict(codes) for name, codes in self.active.items()}

    def __contains__(self, name: object) -> bool:
        return name in self._lists

    def __getitem__(self, name: str) -> Codelist:
        return self._lists[name]

    def names(self) -> list[str]:
        return sorted(self._lists)

    def status(self, list_name: str, code: str) -> CodeStatus:
        codelist = self._lists.get(list_name)
        if codelist is None:
            return "unknown"
        return codelist.status(code)

    def code_for_name(self, list_name: str, name: str) -> str | None:
        """The code whose English name equals ``name`` (case-insensitive), e.g. Funding -> 1."""
        index = self._by_name.get(list_name)
        if index is None:
            codelist = self._lists.get(list_name)
            index = {} if codelist is None else {v.casefold(): k for k, v in codelist.names.items()}
            self._by_name[list_name] = index
        return index.get(name.strip().casefold())


def parse_codelists(document: Mapping[str, object]) -> Codelists:
    """Build :class:`Codelists` from the JSON document written by ``codelists_build``."""
    raw = document.get("codelists")
    if not isinstance(raw, dict):
        raise ValueError("codelists JSON has no 'codelists' object")
    lists: dict[str, Codelist] = {}
    for name, content in raw.items():
        items: dict[str, dict[str, object]] = content["items"]
        lists[name] = Codelist(
            name=name,
            complete=bool(content.get("complete")),
            embedded=bool(content.get("embedded")),
            names={code: str(item.get("name", "")) for code, item in items.items()},
            withdrawn=frozenset(code for code, item in items.items() if item.get("withdrawn")),
            categories={code: str(item["category"]) for code, item in items.items() if "category" in item},
            folded={code.casefold(): code for code in items},
        )
    sources = document.get("sources")
    return Codelists(lists, sources if isinstance(sources, dict) else None)


@lru_cache(maxsize=4)
def load_codelists(path: Path | None = None) -> Codelists:
    """Load (once) the bundled codelists, or the JSON file at ``path``."""
    source = path if path is not None else data_dir() / "codelists" / "codelists.json"
    with open(source, encoding="utf-8") as handle:
        document = json.load(handle)
    return parse_codelists(document)
