"""GapBridge focus areas and the DAC-sector -> focus-area mapping (pure; no Django).

Both are data: ``data/focus-areas/focus-areas.csv`` (the nine areas) and
``data/focus-areas/dac-focus-areas.csv`` (rules). A rule is ``vocabulary, code, keywords, focus_area``; rules
are tried in file order and the first whose vocabulary and code match — and whose ``keywords`` regular
expression, when given, matches the activity's titles or descriptions in any language — decides. So a
sector maps to at most one focus area and money split by sector adds up by focus area. Sectors that no
rule matches are not digital for GapBridge (focus area ``""``).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "data" / "focus-areas"
NONE = ""


@dataclass(frozen=True, slots=True)
class FocusArea:
    slug: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Rule:
    vocabulary: str
    code: str
    keywords: re.Pattern[str] | None
    focus_area: str
    note: str


class FocusMap:
    """The focus areas and the ordered mapping rules."""

    def __init__(self, areas: list[FocusArea], rules: list[Rule], fingerprint: str = "") -> None:
        self.areas = areas
        self.by_slug = {a.slug: a for a in areas}
        self.fingerprint = fingerprint
        self._rules: dict[tuple[str, str], list[Rule]] = {}
        for rule in rules:
            if rule.focus_area not in self.by_slug:
                raise ValueError(f"dac-focus-areas.csv: unknown focus area {rule.focus_area!r}")
            self._rules.setdefault((rule.vocabulary, rule.code), []).append(rule)
        self.rules = rules

    def focus_area(self, vocabulary: str, code: str, text: str) -> str:
        """The focus area of sector ``code`` of ``vocabulary`` in an activity described by ``text``."""
        for rule in self._rules.get((vocabulary, code), ()):
            if rule.keywords is None or rule.keywords.search(text):
                return rule.focus_area
        return NONE

    def for_text(self, text: str) -> Callable[[str, str], str]:
        """``focus_area`` for one activity's text, memoised (keyword rules run once per sector code)."""
        cache: dict[tuple[str, str], str] = {}

        def area(vocabulary: str, code: str) -> str:
            key = (vocabulary, code)
            found = cache.get(key)
            if found is None:
                found = cache[key] = self.focus_area(vocabulary, code, text)
            return found

        return area

    def name(self, slug: str) -> str:
        area = self.by_slug.get(slug)
        return area.name if area else ""


@lru_cache(maxsize=2)
def load_focus_map(folder: Path = DATA) -> FocusMap:
    areas_file = folder / "focus-areas.csv"
    rules_file = folder / "dac-focus-areas.csv"
    digest = hashlib.sha256(areas_file.read_bytes() + rules_file.read_bytes()).hexdigest()[:16]
    with open(areas_file, encoding="utf-8") as handle:
        areas = [FocusArea(r["slug"], r["name"], r["description"]) for r in csv.DictReader(handle)]
    rules = []
    with open(rules_file, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            keywords = re.compile(row["keywords"], re.IGNORECASE) if row["keywords"] else None
            rules.append(Rule(row["vocabulary"], row["code"], keywords, row["focus_area"], row["note"]))
    return FocusMap(areas, rules, digest)
