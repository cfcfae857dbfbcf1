"""Explainable matchmaking: needs to offers, offers to needs, needs to providers with a track record.

The matcher is pure (no Django, no I/O). Services turn rows into the frozen profiles below and back.

* Hard constraints are checked for every (need, offer) pair: the offer is published, the need's country is
  covered (by country, region or a group it belongs to on the need's date), the requester type, the
  application window, a shared language, remaining capacity. A pair that fails one is never suggested.
* The score is a weighted sum of named components, each between 0 and 1: focus-area fit, kind of support,
  text similarity of the descriptions (:mod:`gapbridge.domain.textsim`), how severe the country's gap is in
  the shared focus area (from its Gap Index pillar score), the provider's track record in that country,
  region and focus area (from IATI history), and a spread term that lowers providers who already carry
  many open matches. Every :class:`Suggestion` carries each component's contribution and each constraint
  checked, as sentences a focal point understands.
* :func:`assign` places many needs on offers of limited capacity by solving a min-cost flow exactly
  (OR-Tools): first as many needs as possible, then the highest total score; it says why each need that
  stays unmatched did.
* :class:`ProviderIndex` ranks organisations for a need from their history alone (even without an offer);
  :func:`evaluate_providers` measures it against a popularity baseline (``gapbridge eval-providers``).

Scoring is vectorised over offers (numpy/scipy), so one need is ranked against 10,000 offers in
milliseconds and 10,000 needs in seconds. Single ranking and batch assignment share the same code.
Messages are English templates marked with ``gettext_noop`` so the web layer can translate them.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy import sparse

from gapbridge.domain import textsim

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


def gettext_noop(message: str) -> str:
    """Mark an English template for translation without importing Django (makemessages finds it)."""
    return message


# ----------------------------------------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------------------------------------

#: GapBridge's focus areas; slugs as in data/focus-areas/focus-areas.csv (the DAC-sector mapping).
FOCUS_AREAS: Final[tuple[str, ...]] = (
    "connectivity-infrastructure",
    "digital-skills",
    "ecommerce-sme",
    "digital-payments",
    "data-regulation",
    "digital-taxation",
    "emerging-technology",
    "research-innovation",
    "trade-facilitation",
)
FOCUS_AREA_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "connectivity-infrastructure": gettext_noop("Connectivity infrastructure"),
        "digital-skills": gettext_noop("Digital skills"),
        "ecommerce-sme": gettext_noop("E-commerce and SME support"),
        "digital-payments": gettext_noop("Digital payments"),
        "data-regulation": gettext_noop("Cross-border data and regulation"),
        "digital-taxation": gettext_noop("Digital taxation"),
        "emerging-technology": gettext_noop("Trustworthy emerging technology"),
        "research-innovation": gettext_noop("R&D and innovation"),
        "trade-facilitation": gettext_noop("Trade facilitation"),
    }
)
# Spellings used elsewhere in the code base and in the team's notes, mapped to the data file's slugs.
_FOCUS_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "connectivity": "connectivity-infrastructure",
        "emerging-tech": "emerging-technology",
        "rnd-innovation": "research-innovation",
        "r-and-d": "research-innovation",
    }
)

#: Gap Index pillars that measure each focus area (gapbridge.domain.gapindex.PILLARS codes).
FOCUS_PILLARS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "connectivity-infrastructure": ("connectivity", "affordability"),
        "digital-skills": ("skills",),
        "ecommerce-sme": ("economy",),
        "digital-payments": ("finance",),
        "data-regulation": ("policy",),
        "digital-taxation": ("policy",),
        "emerging-technology": ("trust",),
        "research-innovation": ("economy",),
        "trade-facilitation": ("economy",),
    }
)
PILLAR_FOCUS_AREAS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        pillar: tuple(area for area in FOCUS_AREAS if pillar in FOCUS_PILLARS[area])
        for pillar in ("connectivity", "affordability", "skills", "finance", "policy", "trust", "economy")
    }
)
PILLAR_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "connectivity": gettext_noop("Connectivity"),
        "affordability": gettext_noop("Affordability"),
        "skills": gettext_noop("Skills and human capital"),
        "finance": gettext_noop("Digital finance and payments"),
        "policy": gettext_noop("Policy and regulation"),
        "trust": gettext_noop("Trust and security"),
        "economy": gettext_noop("Digital economy and trade"),
    }
)


class SupportKind(StrEnum):
    TECHNICAL_ASSISTANCE = "technical-assistance"
    TRAINING = "training"
    POLICY_ADVICE = "policy-advice"
    GRANT = "grant"
    LOAN = "loan"
    EQUIPMENT = "equipment"
    PEER_LEARNING = "peer-learning"
    DIGITAL_PUBLIC_GOOD = "digital-public-good"


KIND_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        SupportKind.TECHNICAL_ASSISTANCE: gettext_noop("technical assistance"),
        SupportKind.TRAINING: gettext_noop("training and capacity building"),
        SupportKind.POLICY_ADVICE: gettext_noop("policy and regulatory advice"),
        SupportKind.GRANT: gettext_noop("grant"),
        SupportKind.LOAN: gettext_noop("loan"),
        SupportKind.EQUIPMENT: gettext_noop("equipment or infrastructure"),
        SupportKind.PEER_LEARNING: gettext_noop("peer learning"),
        SupportKind.DIGITAL_PUBLIC_GOOD: gettext_noop("digital public good or software"),
    }
)
KINDS: Final[tuple[str, ...]] = tuple(k.value for k in SupportKind)


class MatchingError(Exception):
    """Base class for errors of the matcher."""


class UnknownCodeError(MatchingError, ValueError):
    """A focus area or kind of support is not in the vocabulary."""


def canonical_focus_area(value: str) -> str:
    """The data file's slug for ``value`` (accepts ``_`` for ``-`` and the older short slugs)."""
    slug = value.strip().lower().replace("_", "-")
    slug = _FOCUS_ALIASES.get(slug, slug)
    if slug not in FOCUS_AREA_NAMES:
        raise UnknownCodeError(f"unknown focus area {value!r}; expected one of {', '.join(FOCUS_AREAS)}")
    return slug


def canonical_kind(value: str) -> str:
    slug = value.strip().lower().replace("_", "-")
    if slug not in KINDS:
        raise UnknownCodeError(f"unknown kind of support {value!r}; expected one of {', '.join(KINDS)}")
    return slug


def severity_of(pillar_scores: Mapping[str, float | None], area: str) -> tuple[float | None, str]:
    """Gap severity (0 = no gap … 1 = nothing there) in ``area``, and the pillar it comes from.

    The weakest pillar measuring the area counts; ``None`` when the country has no score there.
    """
    scored = [(s, p) for p in FOCUS_PILLARS[area] if (s := pillar_scores.get(p)) is not None]
    if not scored:
        return None, FOCUS_PILLARS[area][0]
    score, pillar = min(scored)
    return max(0.0, min(1.0, 1.0 - score / 100.0)), pillar


# ----------------------------------------------------------------------------------------------------------
# Explanations
# ----------------------------------------------------------------------------------------------------------

#: Parameters holding codes that the renderer turns into names (in the reader's language on the web).
NAMED_PARAMS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {"area": FOCUS_AREA_NAMES, "areas": FOCUS_AREA_NAMES, "pillar": PILLAR_NAMES, "kinds": KIND_NAMES}
)
Namer = Callable[[str, str], str]


def english_name(param: str, code: str) -> str:
    return NAMED_PARAMS.get(param, {}).get(code, code)


def two_decimals(value: float) -> str:
    return f"{value:.2f}"


def render(
    message: str,
    params: Mapping[str, Any],
    namer: Namer = english_name,
    number: Callable[[float], str] = two_decimals,
) -> str:
    """Fill a message template: list-valued parameters joined, strings and codes passed through ``namer``
    (English: code parameters named, the rest unchanged), floats written by ``number`` (two decimals; the
    web adapter passes namers and numbers of the reader's language)."""
    values: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, float):
            values[key] = number(value)
        elif isinstance(value, list | tuple):
            values[key] = ", ".join(namer(key, str(v)) for v in value)
        elif key in NAMED_PARAMS or isinstance(value, str):
            values[key] = namer(key, str(value))
        else:
            values[key] = value
    return message.format(**values)


@dataclass(frozen=True, slots=True)
class Check:
    """One hard constraint, checked for one (need, offer) pair."""

    code: str
    passed: bool
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return render(self.message, self.params)


@dataclass(frozen=True, slots=True)
class Component:
    """One named part of the score: ``value`` (0..1) times ``weight`` gives ``contribution``."""

    code: str
    value: float
    weight: float
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def contribution(self) -> float:
        return self.value * self.weight

    @property
    def text(self) -> str:
        return render(self.message, self.params)


CHECK_ORDER: Final[tuple[str, ...]] = ("status", "geography", "requester", "window", "language", "capacity")
CHECK_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "status": gettext_noop("published"),
        "geography": gettext_noop("country eligible"),
        "requester": gettext_noop("requester type"),
        "window": gettext_noop("application window"),
        "language": gettext_noop("language"),
        "capacity": gettext_noop("capacity left"),
    }
)
COMPONENT_ORDER: Final[tuple[str, ...]] = (
    "focus",
    "kind",
    "text",
    "severity",
    "track_record",
    "spread",
)
COMPONENT_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "focus": gettext_noop("focus-area fit"),
        "kind": gettext_noop("kind of support"),
        "text": gettext_noop("similar descriptions"),
        "severity": gettext_noop("severity of the gap"),
        "track_record": gettext_noop("provider's track record"),
        "spread": gettext_noop("spread across providers"),
    }
)


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the score components; they sum to 1 so a score is between 0 and 1."""

    focus: float = 0.30
    kind: float = 0.10
    text: float = 0.20
    severity: float = 0.15
    track_record: float = 0.15
    spread: float = 0.10

    def __post_init__(self) -> None:
        values = [getattr(self, c) for c in COMPONENT_ORDER]
        if any(v < 0 for v in values) or not math.isclose(sum(values), 1.0, abs_tol=1e-9):
            raise MatchingError(f"weights must be non-negative and sum to 1; got {values}")

    def of(self, code: str) -> float:
        return float(getattr(self, code))


# Text similarity (cosine of character n-gram TF-IDF) at which the text component is full.
TEXT_FULL: Final = 0.35
# Track record: this many past activities in the country / region / focus area count as full experience.
TRACK_COUNTRY_FULL: Final = 3
TRACK_REGION_FULL: Final = 5
TRACK_AREA_FULL: Final = 5
# Spread: a provider with this many open matches gets half the spread component.
SPREAD_HALF: Final = 5
# Severity when the country has no score in the pillar: the middle, neither favoured nor penalised.
SEVERITY_UNKNOWN: Final = 0.5


# ----------------------------------------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Who may receive an offer. Empty geography = every country; empty requester types = everyone.

    A country is covered when it is listed, its region is listed, or it belongs to a listed group on the
    date of the need (groups are resolved by the caller, who knows membership dates).
    """

    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    requester_types: frozenset[str] = frozenset()

    @property
    def open_to_all_countries(self) -> bool:
        return not (self.countries or self.regions or self.groups)


@dataclass(frozen=True, slots=True)
class OfferProfile:
    key: str
    provider: str
    provider_name: str
    title: str
    text: str
    focus_areas: frozenset[str]
    kinds: frozenset[str] = frozenset()
    eligibility: Eligibility = Eligibility()
    languages: frozenset[str] = frozenset()
    published: bool = True
    opens: date | None = None
    closes: date | None = None
    #: needs the offer can still take; ``None`` = no limit
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class NeedProfile:
    key: str
    country: str
    country_name: str
    title: str
    text: str
    focus_areas: frozenset[str]
    kinds: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    region: str = ""
    #: codes of the groups the country belongs to on the need's date (LDC, SIDS, income group, DCO, WTO…)
    groups: frozenset[str] = frozenset()
    group_names: Mapping[str, str] = field(default_factory=dict)
    requester_type: str = ""
    #: Gap Index pillar scores (0..100) of the country
    pillar_scores: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """One past activity credited to organisations (reporting, funding, extending): track-record input."""

    orgs: tuple[str, ...]
    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    focus_areas: frozenset[str] = frozenset()
    text: str = ""
    value_usd: float = 0.0
    org_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """What an organisation did before: activity counts by country, region, sector and focus area."""

    provider: str
    name: str = ""
    activities: int = 0
    countries: Mapping[str, int] = field(default_factory=dict)
    regions: Mapping[str, int] = field(default_factory=dict)
    sectors: Mapping[str, int] = field(default_factory=dict)
    focus_areas: Mapping[str, int] = field(default_factory=dict)
    value_usd: float = 0.0


def build_track_records(records: Iterable[HistoryRecord]) -> dict[str, TrackRecord]:
    """Sum history records per organisation."""
    counts: dict[str, dict[str, Counter[str]]] = {}
    totals: Counter[str] = Counter()
    values: dict[str, float] = {}
    names: dict[str, str] = {}
    for record in records:
        for org in set(record.orgs):
            per = counts.setdefault(
                org, {"countries": Counter(), "regions": Counter(), "sectors": Counter(), "areas": Counter()}
            )
            totals[org] += 1
            values[org] = values.get(org, 0.0) + record.value_usd
            per["countries"].update(record.countries)
            per["regions"].update(record.regions)
            per["sectors"].update(record.sectors)
            per["areas"].update(record.focus_areas)
            if org in record.org_names and org not in names:
                names[org] = record.org_names[org]
    return {
        org: TrackRecord(
            provider=org,
            name=names.get(org, ""),
            activities=totals[org],
            countries=dict(per["countries"]),
            regions=dict(per["regions"]),
            sectors=dict(per["sectors"]),
            focus_areas=dict(per["areas"]),
            value_usd=float(values.get(org, 0.0)),
        )
        for org, per in counts.items()
    }


# ----------------------------------------------------------------------------------------------------------
# Text
# ----------------------------------------------------------------------------------------------------------

#: Each text keeps its most distinctive character n-grams (by TF-IDF weight), renormalised. Common n-grams
#: ("the ", "de l", "ion ") weigh little in a cosine but dominate the cost of comparing many texts.
TEXT_MAX_TERMS: Final = 256
#: Characters of a description that are compared (title first); long IATI descriptions repeat themselves.
TEXT_MAX_CHARS: Final = 1500


def _normalise_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length (empty rows stay empty), so dot products are cosines."""
    out = sparse.csr_matrix(matrix, dtype=np.float32, copy=True)
    norms = np.sqrt(np.asarray(out.multiply(out).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    out.data /= np.repeat(norms, np.diff(out.indptr)).astype(np.float32)
    return out


class TextSpace:
    """Vectors of texts in one TF-IDF space (fitted on a reference corpus), cosine by dot product."""

    def __init__(self, corpus: Sequence[str], *, max_terms: int = TEXT_MAX_TERMS) -> None:
        self.max_terms = max_terms
        self._index = textsim.build_index([t[:TEXT_MAX_CHARS] for t in corpus])
        self.corpus_vectors = self._sparsify(self._index.matrix)

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if not texts:
            return sparse.csr_matrix((0, self.corpus_vectors.shape[1]), dtype=np.float32)
        return self._sparsify(self._index.vectors([t[:TEXT_MAX_CHARS] for t in texts]))

    def _sparsify(self, matrix: sparse.csr_matrix) -> sparse.csr_matrix:
        matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        if matrix.shape[0] == 0:
            return matrix
        if self.max_terms <= 0:
            return matrix
        lengths = np.diff(matrix.indptr)
        if lengths.size == 0 or lengths.max() <= self.max_terms:
            return _normalise_rows(matrix)
        keep = np.zeros(matrix.nnz, dtype=bool)
        for row in np.nonzero(lengths > 0)[0]:
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            if end - start <= self.max_terms:
                keep[start:end] = True
            else:
                top = np.argpartition(-matrix.data[start:end], self.max_terms)[: self.max_terms]
                keep[start + top] = True
        rows = np.repeat(np.arange(matrix.shape[0]), lengths)[keep]
        pruned = sparse.csr_matrix(
            (matrix.data[keep], (rows, matrix.indices[keep])), shape=matrix.shape, dtype=np.float32
        )
        return _normalise_rows(pruned)


# ----------------------------------------------------------------------------------------------------------
# Messages
# ----------------------------------------------------------------------------------------------------------

M: Final[Mapping[str, str]] = MappingProxyType(
    {
        "status.ok": gettext_noop("The offer is published."),
        "status.no": gettext_noop("The offer is not published."),
        "geo.all": gettext_noop("The offer is open to every country."),
        "geo.country": gettext_noop("{country} is on the offer's list of countries."),
        "geo.region": gettext_noop("{country} is in {region}, a region the offer covers."),
        "geo.group": gettext_noop("{country} belongs to {group}, a group the offer covers."),
        "geo.no": gettext_noop("{country} is not among the countries, regions or groups the offer covers."),
        "req.all": gettext_noop("The offer is open to every kind of requester."),
        "req.ok": gettext_noop("The offer is open to requesters of this type ({requester})."),
        "req.no": gettext_noop("The offer is for {allowed} only; this need comes from: {requester}."),
        "window.none": gettext_noop("The offer has no application window."),
        "window.ok": gettext_noop("Applications are open on {on}."),
        "window.early": gettext_noop("Applications open on {opens}."),
        "window.late": gettext_noop("Applications closed on {closes}."),
        "lang.any": gettext_noop("No language restriction on either side."),
        "lang.offer_any": gettext_noop("Any language for the offer; the need asks for: {need_languages}."),
        "lang.need_any": gettext_noop("Any language for the need; the offer works in: {offer_languages}."),
        "lang.ok": gettext_noop("Both work in: {languages}."),
        "lang.no": gettext_noop("The offer works in {offer_languages}; the need asks for {need_languages}."),
        "cap.none": gettext_noop("The offer has no capacity limit."),
        "cap.ok": gettext_noop("{remaining} place(s) left."),
        "cap.no": gettext_noop("The offer has no capacity left."),
        "focus.ok": gettext_noop("Covers {shared} of the need's {total} focus area(s): {areas}."),
        "focus.no": gettext_noop("Covers none of the need's focus areas."),
        "kind.ok": gettext_noop("Offers a kind of support the need asks for: {kinds}."),
        "kind.no": gettext_noop("Offers other kinds of support than the need asks for."),
        "kind.any": gettext_noop("The need does not say which kind of support it seeks."),
        "text.ok": gettext_noop("The descriptions use similar words (similarity {similarity})."),
        "text.low": gettext_noop("The descriptions have little wording in common (similarity {similarity})."),
        "sev.score": gettext_noop("{country} scores {score}/100 in {pillar}: the lower, the more it counts."),
        "sev.unknown": gettext_noop("{country} has no Gap Index score in {pillar}; counted as average."),
        "sev.none": gettext_noop("No shared focus area, so the gap is not counted."),
        "track.some": gettext_noop(
            "Past activities of {provider} on record: {in_country} in {country}, {in_region} in {region}, "
            "{in_area} in {area}."
        ),
        "track.none": gettext_noop(
            "No past activity of {provider} on record in this country, region or area."
        ),
        "spread.free": gettext_noop("{provider} has no other open matches."),
        "spread.load": gettext_noop(
            "Open matches {provider} already has: {load}; lowered so other providers get a chance."
        ),
    }
)


# ----------------------------------------------------------------------------------------------------------
# Outputs
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    need: str
    offer: str
    provider: str
    score: float
    checks: tuple[Check, ...]
    components: tuple[Component, ...]

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def explanation(self) -> list[str]:
        """Plain-English lines: each component with its contribution, then each constraint checked."""
        lines = [
            f"{COMPONENT_NAMES[c.code]}: +{c.contribution:.2f} (of {c.weight:.2f}) — {c.text}"
            for c in self.components
        ]
        lines += [f"{'✓' if c.passed else '✗'} {CHECK_NAMES[c.code]}: {c.text}" for c in self.checks]
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "need": self.need,
            "offer": self.offer,
            "provider": self.provider,
            "score": round(self.score, 4),
            "eligible": self.eligible,
            "components": [
                {
                    "code": c.code,
                    "value": round(c.value, 4),
                    "weight": c.weight,
                    "contribution": round(c.contribution, 4),
                    "text": c.text,
                }
                for c in self.components
            ],
            "checks": [{"code": c.code, "passed": c.passed, "text": c.text} for c in self.checks],
        }


# ----------------------------------------------------------------------------------------------------------
# The matcher
# ----------------------------------------------------------------------------------------------------------


def _set_matrix(
    sets: Sequence[Iterable[str]], vocabulary: dict[str, int], *, grow: bool
) -> sparse.csr_matrix:
    """Rows of 0/1 indicators; unknown values are added to ``vocabulary`` when ``grow``, else dropped."""
    rows: list[int] = []
    cols: list[int] = []
    for i, values in enumerate(sets):
        for value in values:
            j = vocabulary.get(value)
            if j is None:
                if not grow:
                    continue
                j = vocabulary[value] = len(vocabulary)
            rows.append(i)
            cols.append(j)
    width = max(len(vocabulary), 1)
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), width), dtype=np.float32)


def _dense_codes(sets: Sequence[Iterable[str]], codes: Sequence[str]) -> FloatArray:
    index = {c: i for i, c in enumerate(codes)}
    out = np.zeros((len(sets), len(codes)), dtype=np.float32)
    for i, values in enumerate(sets):
        for value in values:
            if value in index:
                out[i, index[value]] = 1.0
    return out


@dataclass
class ScoredBlock:
    """Scores of ``needs`` against every offer of a :class:`Matcher`, with what explains them.

    Full (needs × offers) arrays are kept only for the score, eligibility and text; the other components
    are kept per "signature" (focus areas and kind of an offer, its provider) and gathered on demand.
    """

    matcher: Matcher
    needs: Sequence[NeedProfile]
    #: the offers (positions) the score / eligible / text_known columns stand for; None = every offer
    offers_at: npt.NDArray[np.int64] | None
    score: FloatArray
    eligible: BoolArray
    #: offers (positions) whose text similarity was computed for some need of the block, and the values
    text_columns: npt.NDArray[np.int64]
    text_values: FloatArray
    #: where the text component was computed exactly (elsewhere it cannot lift a pair into the top)
    text_known: BoolArray
    #: per need: row of the matcher's geography / requester / language tables
    geo_idx: npt.NDArray[np.int64]
    req_idx: npt.NDArray[np.int64]
    lang_idx: npt.NDArray[np.int64]
    focus_c: FloatArray
    kind_c: FloatArray
    severity_c: FloatArray
    track_p: FloatArray

    def value(self, code: str, row: int, col: int) -> float:
        m = self.matcher
        if code == "focus":
            return float(self.focus_c[row, m.offer_combo[col]])
        if code == "kind":
            return float(self.kind_c[row, m.offer_combo[col]])
        if code == "severity":
            return float(self.severity_c[row, m.offer_combo[col]])
        if code == "track_record":
            return float(self.track_p[row, m.provider_of[col]]) if self.track_p.size else 0.0
        if code == "spread":
            return float(m.spread_o[col])
        pos = np.searchsorted(self.text_columns, col)
        if pos < self.text_columns.size and self.text_columns[pos] == col:
            return float(self.text_values[row, pos])
        return 0.0

    def component(self, code: str) -> FloatArray:
        """One component for every (need, offer) pair."""
        m = self.matcher
        if code == "focus":
            return self.focus_c[:, m.offer_combo]
        if code == "kind":
            return self.kind_c[:, m.offer_combo]
        if code == "severity":
            return self.severity_c[:, m.offer_combo]
        if code == "track_record":
            return self.track_p[:, m.provider_of]
        if code == "spread":
            return np.broadcast_to(m.spread_o[None, :], self.score.shape).astype(np.float32)
        text = np.zeros(self.score.shape, dtype=np.float32)
        text[:, self.text_columns] = self.text_values
        return text

    def check(self, code: str, row: int, col: int) -> bool:
        m = self.matcher
        if code == "status":
            return bool(m.published[col])
        if code == "window":
            return bool(m.window_ok[col])
        if code == "capacity":
            return bool(m.capacity[col] != 0)
        if code == "geography":
            return bool(m.geo_table[self.geo_idx[row], col])
        if code == "requester":
            return bool(m.req_table[self.req_idx[row], col])
        return bool(m.lang_table[self.lang_idx[row], col])

    def failures(self, row: int) -> dict[str, int]:
        """How many offers fail each constraint for the need at ``row``."""
        m = self.matcher
        return {
            "status": int((~m.published).sum()),
            "geography": int((~m.geo_table[self.geo_idx[row]]).sum()),
            "requester": int((~m.req_table[self.req_idx[row]]).sum()),
            "window": int((~m.window_ok).sum()),
            "language": int((~m.lang_table[self.lang_idx[row]]).sum()),
            "capacity": int((m.capacity == 0).sum()),
        }

    def row(self, i: int) -> ScoredBlock:
        """The block of the single need at ``i``."""
        sl = slice(i, i + 1)
        return ScoredBlock(
            self.matcher,
            [self.needs[i]],
            self.offers_at,
            self.score[sl],
            self.eligible[sl],
            self.text_columns,
            self.text_values[sl],
            self.text_known[sl],
            self.geo_idx[sl],
            self.req_idx[sl],
            self.lang_idx[sl],
            self.focus_c[sl],
            self.kind_c[sl],
            self.severity_c[sl],
            self.track_p[sl],
        )


class Matcher:
    """Offers prepared for scoring; score needs against them one block at a time.

    ``track_records`` maps provider keys to :class:`TrackRecord`; ``provider_load`` maps provider keys to
    their number of open matches (the spread term); ``on`` is the date constraints are checked on.
    Constraints that depend on the need only through its country (and region, groups), requester type or
    languages are computed once per distinct value and reused; components that depend on the offer only
    through its focus areas and kind, or its provider, are computed per distinct value and gathered.
    """

    def __init__(
        self,
        offers: Sequence[OfferProfile],
        *,
        on: date,
        track_records: Mapping[str, TrackRecord] | None = None,
        provider_load: Mapping[str, int] | None = None,
        weights: Weights | None = None,
        text_space: TextSpace | None = None,
        offer_vectors: sparse.csr_matrix | None = None,
    ) -> None:
        self.offers = list(offers)
        self.on = on
        self.weights = weights or Weights()
        self.track_records = dict(track_records or {})
        self.provider_load = dict(provider_load or {})
        self.text_space = text_space or TextSpace([o.title + "\n" + o.text for o in self.offers])
        self.offer_vectors = (
            offer_vectors
            if offer_vectors is not None
            else self.text_space.vectors([o.title + "\n" + o.text for o in self.offers])
        )
        self.offer_index = {o.key: i for i, o in enumerate(self.offers)}
        el = [o.eligibility for o in self.offers]
        self._countries: dict[str, int] = {}
        self._regions: dict[str, int] = {}
        self._groups: dict[str, int] = {}
        self._requesters: dict[str, int] = {}
        self._languages: dict[str, int] = {}
        self.geo_open = np.array([e.open_to_all_countries for e in el], dtype=bool)
        self.o_countries = _set_matrix([e.countries for e in el], self._countries, grow=True).T.tocsr()
        self.o_regions = _set_matrix([e.regions for e in el], self._regions, grow=True).T.tocsr()
        self.o_groups = _set_matrix([e.groups for e in el], self._groups, grow=True).T.tocsr()
        self.req_open = np.array([not e.requester_types for e in el], dtype=bool)
        self.o_requesters = _set_matrix(
            [e.requester_types for e in el], self._requesters, grow=True
        ).T.tocsr()
        self.lang_open = np.array([not o.languages for o in self.offers], dtype=bool)
        self.o_languages = _set_matrix(
            [o.languages for o in self.offers], self._languages, grow=True
        ).T.tocsr()
        self.published = np.array([o.published for o in self.offers], dtype=bool)
        self.window_ok = np.array(
            [
                (o.opens is None or o.opens <= on) and (o.closes is None or on <= o.closes)
                for o in self.offers
            ],
            dtype=bool,
        )
        self.capacity = np.array(
            [-1 if o.capacity is None else max(o.capacity, 0) for o in self.offers], dtype=np.int64
        )
        self.offer_ok = self.published & self.window_ok & (self.capacity != 0)
        # Offers by (focus areas, kind): the focus, kind and severity components depend on nothing else.
        combos: dict[tuple[frozenset[str], frozenset[str]], int] = {}
        self.offer_combo = np.array(
            [combos.setdefault((o.focus_areas, o.kinds), len(combos)) for o in self.offers], dtype=np.int64
        )
        ordered = sorted(combos, key=combos.__getitem__)
        self.combo_focus = _dense_codes([c[0] for c in ordered], FOCUS_AREAS)
        self.combo_kind = _dense_codes([c[1] for c in ordered], KINDS)
        providers = sorted({o.provider for o in self.offers})
        self.providers = providers
        self._provider_pos = {p: i for i, p in enumerate(providers)}
        self.provider_of = np.array([self._provider_pos[o.provider] for o in self.offers], dtype=np.int64)
        load = np.array([self.provider_load.get(p, 0) for p in providers], dtype=np.float32)
        spread_by_provider = (1.0 / (1.0 + load / SPREAD_HALF)).astype(np.float32)
        self.spread_o = spread_by_provider[self.provider_of] if self.offers else np.zeros(0, np.float32)
        self._tr_countries: dict[str, int] = {}
        self._tr_regions: dict[str, int] = {}
        records = [self.track_records.get(p, TrackRecord(p)) for p in providers]
        self.tr_country = self._count_matrix([r.countries for r in records], self._tr_countries)
        self.tr_region = self._count_matrix([r.regions for r in records], self._tr_regions)
        self.tr_area = np.array(
            [[r.focus_areas.get(a, 0) for a in FOCUS_AREAS] for r in records], dtype=np.float32
        ).reshape(len(records), len(FOCUS_AREAS))
        self._geo_cache: dict[tuple[str, str, frozenset[str]], int] = {}
        self._req_cache: dict[str, int] = {}
        self._lang_cache: dict[frozenset[str], int] = {}
        n = len(self.offers)
        self.geo_table = np.zeros((0, n), dtype=bool)
        self.req_table = np.zeros((0, n), dtype=bool)
        self.lang_table = np.zeros((0, n), dtype=bool)
        self._tables_lock = threading.Lock()
        self._place_track: dict[tuple[str, str], FloatArray] = {}
        self._area_track: dict[frozenset[str], FloatArray] = {}

    @staticmethod
    def _count_matrix(counts: Sequence[Mapping[str, int]], vocabulary: dict[str, int]) -> sparse.csc_matrix:
        rows: list[int] = []
        cols: list[int] = []
        data: list[float] = []
        for i, mapping in enumerate(counts):
            for key, value in mapping.items():
                j = vocabulary.setdefault(key, len(vocabulary))
                rows.append(i)
                cols.append(j)
                data.append(float(value))
        shape = (len(counts), max(len(vocabulary), 1))
        return sparse.csc_matrix((data, (rows, cols)), shape=shape, dtype=np.float32)

    # -- constraints per distinct need value --------------------------------------------------------------

    def _geo_row(self, need: NeedProfile) -> BoolArray:
        row = self.geo_open.copy()
        for values, vocab, matrix in (
            ([need.country], self._countries, self.o_countries),
            ([need.region] if need.region else [], self._regions, self.o_regions),
            (need.groups, self._groups, self.o_groups),
        ):
            cols = [vocab[v] for v in values if v in vocab]
            if cols:
                row |= np.asarray(matrix[cols].sum(axis=0)).ravel() > 0
        return row

    def _req_row(self, requester: str) -> BoolArray:
        row = self.req_open.copy()
        j = self._requesters.get(requester)
        if j is not None:
            row |= np.asarray(self.o_requesters[j].toarray()).ravel() > 0
        return row

    def _lang_row(self, languages: frozenset[str]) -> BoolArray:
        if not languages:
            return np.ones(len(self.offers), dtype=bool)
        row = self.lang_open.copy()
        cols = [self._languages[v] for v in languages if v in self._languages]
        if cols:
            row |= np.asarray(self.o_languages[cols].sum(axis=0)).ravel() > 0
        return row

    def _indices(self, needs: Sequence[NeedProfile]) -> tuple[npt.NDArray[np.int64], ...]:
        """Rows of the constraint tables for ``needs``, adding the rows of values not seen before."""
        with self._tables_lock:
            new_geo: list[BoolArray] = []
            new_req: list[BoolArray] = []
            new_lang: list[BoolArray] = []
            geo, req, lang = [], [], []
            for x in needs:
                key = (x.country, x.region, x.groups)
                if key not in self._geo_cache:
                    self._geo_cache[key] = len(self._geo_cache)
                    new_geo.append(self._geo_row(x))
                geo.append(self._geo_cache[key])
                if x.requester_type not in self._req_cache:
                    self._req_cache[x.requester_type] = len(self._req_cache)
                    new_req.append(self._req_row(x.requester_type))
                req.append(self._req_cache[x.requester_type])
                if x.languages not in self._lang_cache:
                    self._lang_cache[x.languages] = len(self._lang_cache)
                    new_lang.append(self._lang_row(x.languages))
                lang.append(self._lang_cache[x.languages])
            if new_geo:
                self.geo_table = np.vstack([self.geo_table, *new_geo])
            if new_req:
                self.req_table = np.vstack([self.req_table, *new_req])
            if new_lang:
                self.lang_table = np.vstack([self.lang_table, *new_lang])
            as_array = [np.array(v, dtype=np.int64) for v in (geo, req, lang)]
            return as_array[0], as_array[1], as_array[2]

    def _track_rows(self, needs: Sequence[NeedProfile], n_focus: FloatArray) -> FloatArray:
        """Track-record component by need (rows) and provider (columns)."""
        p = len(self.providers)
        out = np.zeros((len(needs), p), dtype=np.float32)
        if not p:
            return out
        for i, x in enumerate(needs):
            place = self._place_track.get((x.country, x.region))
            if place is None:
                c = self._tr_countries.get(x.country)
                r = self._tr_regions.get(x.region) if x.region else None
                country = (
                    self.tr_country[:, c].toarray().ravel() if c is not None else np.zeros(p, np.float32)
                )
                region = self.tr_region[:, r].toarray().ravel() if r is not None else np.zeros(p, np.float32)
                place = (
                    0.5 * np.minimum(country / TRACK_COUNTRY_FULL, 1.0)
                    + 0.25 * np.minimum(region / TRACK_REGION_FULL, 1.0)
                ).astype(np.float32)
                self._place_track[(x.country, x.region)] = place
            area = self._area_track.get(x.focus_areas)
            if area is None:
                most = (self.tr_area * n_focus[i][None, :]).max(axis=1) if n_focus[i].any() else np.zeros(p)
                area = (0.25 * np.minimum(most / TRACK_AREA_FULL, 1.0)).astype(np.float32)
                self._area_track[x.focus_areas] = area
            out[i] = place + area
        return out

    # -- scoring ---------------------------------------------------------------------------------------

    def score_block(
        self,
        needs: Sequence[NeedProfile],
        *,
        top: int | None = None,
        need_vectors: sparse.csr_matrix | None = None,
        columns: npt.NDArray[np.int64] | None = None,
    ) -> ScoredBlock:
        """Score ``needs`` against all offers.

        With ``top``, the text component is computed only where it can still place an offer among a
        need's ``top`` best (text is at most 1, so an offer whose other components trail the ``top``-th
        best by more than the text weight cannot get there); elsewhere it stays 0 and ``text_known`` says
        so. Without ``top`` every eligible pair gets its text similarity. With ``columns`` (sorted offer
        positions) only those offers are scored (the batch assignment's focus-area shortcut).
        """
        sel = columns
        b = len(needs)
        n = len(self.offers) if sel is None else int(sel.size)
        w = self.weights
        geo_idx, req_idx, lang_idx = self._indices(needs)
        if sel is None:
            eligible = self.geo_table[geo_idx]
            eligible &= self.req_table[req_idx]
            eligible &= self.lang_table[lang_idx]
            eligible &= self.offer_ok[None, :]
            offer_combo, provider_of, spread_o = self.offer_combo, self.provider_of, self.spread_o
        else:
            eligible = self.geo_table[np.ix_(geo_idx, sel)]
            eligible &= self.req_table[np.ix_(req_idx, sel)]
            eligible &= self.lang_table[np.ix_(lang_idx, sel)]
            eligible &= self.offer_ok[sel][None, :]
            offer_combo, provider_of, spread_o = (
                self.offer_combo[sel],
                self.provider_of[sel],
                self.spread_o[sel],
            )

        n_focus = _dense_codes([x.focus_areas for x in needs], FOCUS_AREAS)
        focus_c = (
            (n_focus @ self.combo_focus.T) / np.maximum(n_focus.sum(axis=1, keepdims=True), 1.0)
        ).astype(np.float32)
        n_kinds = _dense_codes([x.kinds for x in needs], KINDS)
        kind_c = np.where((n_kinds @ self.combo_kind.T) > 0, 1.0, 0.0).astype(np.float32)
        kind_c[n_kinds.sum(axis=1) == 0, :] = 0.5
        sev_need = np.zeros((b, len(FOCUS_AREAS)), dtype=np.float32)
        for i, x in enumerate(needs):
            for j, area in enumerate(FOCUS_AREAS):
                if area in x.focus_areas:
                    value, _ = severity_of(x.pillar_scores, area)
                    sev_need[i, j] = SEVERITY_UNKNOWN if value is None else value
        severity_c = np.zeros((b, self.combo_focus.shape[0]), dtype=np.float32)
        for j in range(len(FOCUS_AREAS)):
            if sev_need[:, j].any():
                np.maximum(severity_c, np.outer(sev_need[:, j], self.combo_focus[:, j]), out=severity_c)
        track_p = self._track_rows(needs, n_focus)

        combo_part = (w.focus * focus_c + w.kind * kind_c + w.severity * severity_c).astype(np.float32)
        score = combo_part[:, offer_combo] if n else np.zeros((b, 0), np.float32)
        if n:
            score += w.track_record * track_p[:, provider_of]
            score += w.spread * spread_o[None, :]
        text_known = eligible.copy()
        if top is not None and n > top:
            masked = np.where(eligible, -score, np.float32(1.0))
            kth = -np.partition(masked, top - 1, axis=1)[:, top - 1]
            text_known &= score >= (kth - w.text)[:, None]
        columns = np.nonzero(text_known.any(axis=0))[0] if n and b else np.zeros(0, np.int64)
        text_cols = np.zeros((b, columns.size), dtype=np.float32)
        if columns.size:
            vectors = (
                need_vectors
                if need_vectors is not None
                else self.text_space.vectors([x.title + "\n" + x.text for x in needs])
            )
            where = columns if sel is None else sel[columns]
            sims = (vectors @ self.offer_vectors[where].T).toarray()
            np.minimum(sims / TEXT_FULL, 1.0, out=text_cols, casting="unsafe")
            text_cols *= text_known[:, columns]
            score[:, columns] += w.text * text_cols
        return ScoredBlock(
            self,
            needs,
            sel,
            score,
            eligible,
            columns if sel is None else sel[columns],
            text_cols,
            text_known,
            geo_idx,
            req_idx,
            lang_idx,
            focus_c,
            kind_c,
            severity_c,
            track_p,
        )

    # -- explanation -----------------------------------------------------------------------------------

    def explain(self, need: NeedProfile, offer_pos: int, block: ScoredBlock, row: int) -> Suggestion:
        """The suggestion for (``need``, offer at ``offer_pos``) with every check and component in words."""
        offer = self.offers[offer_pos]
        values = {c: block.value(c, row, offer_pos) for c in COMPONENT_ORDER}
        if not block.text_known[row, offer_pos]:
            vec = self.text_space.vectors([need.title + "\n" + need.text])
            sim = float((vec @ self.offer_vectors[offer_pos].T).toarray()[0, 0])
            values["text"] = min(sim / TEXT_FULL, 1.0)
        score = sum(values[c] * self.weights.of(c) for c in COMPONENT_ORDER)
        checks = tuple(
            self._check(code, need, offer, block.check(code, row, offer_pos)) for code in CHECK_ORDER
        )
        components = tuple(self._component(code, need, offer, values[code]) for code in COMPONENT_ORDER)
        return Suggestion(need.key, offer.key, offer.provider, float(score), checks, components)

    def _check(self, code: str, need: NeedProfile, offer: OfferProfile, passed: bool) -> Check:
        el = offer.eligibility
        if code == "status":
            return Check(code, passed, M["status.ok" if passed else "status.no"])
        if code == "geography":
            params: dict[str, Any] = {"country": need.country_name or need.country}
            if not passed:
                return Check(code, False, M["geo.no"], params)
            if el.open_to_all_countries:
                return Check(code, True, M["geo.all"], params)
            if need.country in el.countries:
                return Check(code, True, M["geo.country"], params)
            if need.region and need.region in el.regions:
                return Check(code, True, M["geo.region"], params | {"region": need.region})
            group = sorted(need.groups & el.groups)[0]
            return Check(code, True, M["geo.group"], params | {"group": need.group_names.get(group, group)})
        if code == "requester":
            if not el.requester_types:
                return Check(code, True, M["req.all"])
            params = {"requester": need.requester_type or "?", "allowed": sorted(el.requester_types)}
            return Check(code, passed, M["req.ok" if passed else "req.no"], params)
        if code == "window":
            if offer.opens is None and offer.closes is None:
                return Check(code, True, M["window.none"])
            if passed:
                return Check(code, True, M["window.ok"], {"on": self.on.isoformat()})
            if offer.opens is not None and self.on < offer.opens:
                return Check(code, False, M["window.early"], {"opens": offer.opens.isoformat()})
            closes = offer.closes.isoformat() if offer.closes else ""
            return Check(code, False, M["window.late"], {"closes": closes})
        if code == "language":
            if not offer.languages and need.languages:
                return Check(code, True, M["lang.offer_any"], {"need_languages": sorted(need.languages)})
            if offer.languages and not need.languages:
                return Check(code, True, M["lang.need_any"], {"offer_languages": sorted(offer.languages)})
            if not offer.languages:
                return Check(code, True, M["lang.any"])
            if passed:
                return Check(
                    code, True, M["lang.ok"], {"languages": sorted(offer.languages & need.languages)}
                )
            params = {"offer_languages": sorted(offer.languages), "need_languages": sorted(need.languages)}
            return Check(code, False, M["lang.no"], params)
        # capacity
        if offer.capacity is None:
            return Check(code, True, M["cap.none"])
        if passed:
            return Check(code, True, M["cap.ok"], {"remaining": offer.capacity})
        return Check(code, False, M["cap.no"])

    def _component(self, code: str, need: NeedProfile, offer: OfferProfile, value: float) -> Component:
        weight = self.weights.of(code)
        shared = [a for a in FOCUS_AREAS if a in need.focus_areas and a in offer.focus_areas]
        if code == "focus":
            if not shared:
                return Component(code, value, weight, M["focus.no"])
            params = {"shared": len(shared), "total": len(need.focus_areas), "areas": shared}
            return Component(code, value, weight, M["focus.ok"], params)
        if code == "kind":
            if not need.kinds:
                return Component(code, value, weight, M["kind.any"])
            common = [k for k in KINDS if k in need.kinds and k in offer.kinds]
            if common:
                return Component(code, value, weight, M["kind.ok"], {"kinds": common})
            return Component(code, value, weight, M["kind.no"])
        if code == "text":
            similarity = round(value * TEXT_FULL, 2)
            key = "text.ok" if value >= 0.5 else "text.low"
            return Component(code, value, weight, M[key], {"similarity": similarity})
        if code == "severity":
            if not shared:
                return Component(code, value, weight, M["sev.none"])
            worst = max(shared, key=lambda a: severity_of(need.pillar_scores, a)[0] or SEVERITY_UNKNOWN)
            sev, pillar = severity_of(need.pillar_scores, worst)
            country = need.country_name or need.country
            if sev is None:
                return Component(
                    code, value, weight, M["sev.unknown"], {"country": country, "pillar": pillar}
                )
            score = f"{(1.0 - sev) * 100:.0f}"
            return Component(
                code, value, weight, M["sev.score"], {"country": country, "score": score, "pillar": pillar}
            )
        if code == "track_record":
            record = self.track_records.get(offer.provider, TrackRecord(offer.provider))
            name = offer.provider_name or offer.provider
            area = max(
                sorted(need.focus_areas) or [FOCUS_AREAS[0]], key=lambda a: record.focus_areas.get(a, 0)
            )
            params = {
                "provider": name,
                "in_country": record.countries.get(need.country, 0),
                "country": need.country_name or need.country,
                "in_region": record.regions.get(need.region, 0) if need.region else 0,
                "region": need.region or "?",
                "in_area": record.focus_areas.get(area, 0),
                "area": area,
            }
            if not (params["in_country"] or params["in_region"] or params["in_area"]):
                return Component(code, value, weight, M["track.none"], {"provider": name})
            return Component(code, value, weight, M["track.some"], params)
        load = self.provider_load.get(offer.provider, 0)
        name = offer.provider_name or offer.provider
        if load:
            return Component(code, value, weight, M["spread.load"], {"provider": name, "load": load})
        return Component(code, value, weight, M["spread.free"], {"provider": name})

    # -- directions ------------------------------------------------------------------------------------

    def rank_offers(self, need: NeedProfile, *, limit: int = 10, diversify: bool = True) -> list[Suggestion]:
        """Eligible offers for ``need``, best first, each explained.

        With ``diversify``, an offer whose provider already appears higher in the list loses spread as if
        that provider had one more open match, so one provider does not fill the list.
        """
        if not self.offers:
            return []
        block = self.score_block([need], top=max(limit * 3, limit + 10))
        order = [int(i) for i in np.argsort(-block.score[0], kind="stable") if block.eligible[0, i]]
        if not diversify:
            return [self.explain(need, i, block, 0) for i in order[:limit]]
        chosen: list[Suggestion] = []
        seen: Counter[str] = Counter()
        pool = order[: max(limit * 3, limit + 10)]
        base = {i: float(block.score[0, i]) for i in pool}
        while pool and len(chosen) < limit:

            def adjusted(i: int) -> float:
                p = self.offers[i].provider
                extra = seen[p]
                if not extra:
                    return base[i]
                load = self.provider_load.get(p, 0)
                old = 1.0 / (1.0 + load / SPREAD_HALF)
                new = 1.0 / (1.0 + (load + extra) / SPREAD_HALF)
                return base[i] - self.weights.spread * (old - new)

            best = max(pool, key=lambda i: (adjusted(i), -i))
            pool.remove(best)
            suggestion = self.explain(need, best, block, 0)
            extra = seen[self.offers[best].provider]
            if extra:
                suggestion = self._with_extra_load(suggestion, best, extra)
            chosen.append(suggestion)
            seen[self.offers[best].provider] += 1
        return chosen

    def _with_extra_load(self, suggestion: Suggestion, pos: int, extra: int) -> Suggestion:
        offer = self.offers[pos]
        load = self.provider_load.get(offer.provider, 0) + extra
        value = 1.0 / (1.0 + load / SPREAD_HALF)
        name = offer.provider_name or offer.provider
        spread = Component(
            "spread", value, self.weights.spread, M["spread.load"], {"provider": name, "load": load}
        )
        components = tuple(spread if c.code == "spread" else c for c in suggestion.components)
        score = sum(c.contribution for c in components)
        return Suggestion(
            suggestion.need, suggestion.offer, suggestion.provider, score, suggestion.checks, components
        )

    def suggestion(self, need: NeedProfile, offer_key: str) -> Suggestion:
        """One pair, eligible or not, fully explained (for a match's page)."""
        pos = self.offer_index[offer_key]
        block = self.score_block([need])
        return self.explain(need, pos, block, 0)


def rank_needs(
    offer: OfferProfile,
    needs: Sequence[NeedProfile],
    *,
    on: date,
    limit: int = 10,
    track_records: Mapping[str, TrackRecord] | None = None,
    provider_load: Mapping[str, int] | None = None,
    text_space: TextSpace | None = None,
    need_vectors: sparse.csr_matrix | None = None,
) -> list[Suggestion]:
    """Where does an offer fit best: eligible needs ranked for one offer, each explained.

    ``need_vectors`` (rows of ``needs`` in ``text_space``) saves vectorising many needs on every call.
    """
    if not needs:
        return []
    space = text_space or TextSpace(
        [offer.title + "\n" + offer.text] + [x.title + "\n" + x.text for x in needs]
    )
    matcher = Matcher(
        [offer], on=on, track_records=track_records, provider_load=provider_load, text_space=space
    )
    block = matcher.score_block(needs, need_vectors=need_vectors)
    scores = block.score[:, 0]
    order = [int(i) for i in np.argsort(-scores, kind="stable") if block.eligible[i, 0]]
    return [matcher.explain(needs[i], 0, block.row(i), 0) for i in order[:limit]]


# ----------------------------------------------------------------------------------------------------------
# Batch assignment
# ----------------------------------------------------------------------------------------------------------

UNMATCHED_MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "no_offers": gettext_noop("There are no offers to match against."),
        "ineligible": gettext_noop(
            "No offer is open to this need: of {offers} offers, the most common obstacle is: {obstacle} "
            "({count} offers)."
        ),
        "below_threshold": gettext_noop(
            "{eligible} offer(s) are open to this need but none scores {threshold} or more (best {best})."
        ),
        "capacity": gettext_noop(
            "Suitable offers exist (best: {best_offer}, score {best}) but their places went to other needs "
            "that fit them as well or better."
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Unmatched:
    need: str
    reason: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return render(self.message, self.params)


@dataclass(frozen=True, slots=True)
class Assignment:
    matches: tuple[Suggestion, ...]
    unmatched: tuple[Unmatched, ...]
    total_score: float
    candidate_edges: int

    def by_need(self) -> dict[str, Suggestion]:
        return {m.need: m for m in self.matches}


# Scores become integer costs for the flow solver: 4 decimals kept.
_SCALE: Final = 10_000


def assign(
    matcher: Matcher,
    needs: Sequence[NeedProfile],
    *,
    min_score: float = 0.35,
    candidates: int = 20,
    coverage_first: bool = True,
    block_size: int = 512,
    explain: bool = True,
    need_vectors: sparse.csr_matrix | None = None,
    workers: int = 2,
) -> Assignment:
    """Assign each need to at most one offer without exceeding any offer's capacity.

    Solved exactly as a min-cost flow (source → need → offer → sink, plus a need → sink arc for "stays
    unmatched"): with ``coverage_first`` the most needs are matched, and among those assignments the total
    score is the highest; otherwise only the total score counts. Each need brings its ``candidates`` best
    eligible offers scoring at least ``min_score``; a need left unmatched while its list was cut is given
    its full list and the flow solved again, so no need stays unmatched for want of a candidate.
    """
    from ortools.graph.python import min_cost_flow

    n_needs, n_offers = len(needs), len(matcher.offers)
    if n_offers == 0:
        return Assignment(
            (), tuple(Unmatched(x.key, "no_offers", UNMATCHED_MESSAGES["no_offers"]) for x in needs), 0.0, 0
        )
    vectors = (
        need_vectors
        if need_vectors is not None
        else matcher.text_space.vectors([x.title + "\n" + x.text for x in needs])
    )
    lists: list[tuple[npt.NDArray[np.int64], FloatArray]] = [
        (np.zeros(0, np.int64), np.zeros(0, np.float32))
    ] * n_needs
    truncated = np.zeros(n_needs, dtype=bool)
    obstacle: list[tuple[str, int]] = [("", 0)] * n_needs
    eligible_count = np.zeros(n_needs, dtype=np.int64)
    best_any = np.zeros(n_needs, dtype=np.float32)

    w = matcher.weights
    best_spread = float(matcher.spread_o.max()) if n_offers else 0.0
    offer_areas = matcher.combo_focus[matcher.offer_combo] > 0
    area_pos = {a: i for i, a in enumerate(FOCUS_AREAS)}

    def collect(rows: Sequence[int], limit: int | None, shortcut: bool = True) -> list[int]:
        """Fill the candidate lists of ``rows``; return the rows the focus-area shortcut could not settle."""
        sub = [needs[r] for r in rows]
        cols: npt.NDArray[np.int64] | None = None
        if shortcut and limit is not None:
            wanted = np.zeros(len(FOCUS_AREAS), dtype=bool)
            for x in sub:
                for area in x.focus_areas:
                    wanted[area_pos[area]] = True
            share = offer_areas[:, wanted].any(axis=1)
            if int(share.sum()) < n_offers:
                cols = np.nonzero(share)[0].astype(np.int64)
        block = matcher.score_block(sub, top=limit, need_vectors=vectors[list(rows)], columns=cols)
        width = block.score.shape[1]
        eligible = block.eligible
        counts = eligible.sum(axis=1)
        known = eligible & block.text_known
        masked = block.score.copy()
        masked[~known] = -1.0
        # offers whose text was not computed could still reach min_score (text is at most 1)
        reachable = (masked >= min_score).sum(axis=1) + (
            (eligible & ~block.text_known) & (block.score >= min_score - w.text)
        ).sum(axis=1)
        best = masked.max(axis=1) if width else np.zeros(len(rows), np.float32)
        if limit is not None and width > limit:
            idx = np.argpartition(-masked, limit - 1, axis=1)[:, :limit]
        else:
            idx = np.broadcast_to(np.arange(width), masked.shape)
        vals = np.take_along_axis(masked, idx, axis=1)
        redo: list[int] = []
        outside: npt.NDArray[np.float64] = np.zeros(len(rows), dtype=np.float64)
        if cols is not None:
            # what an offer outside the shortcut (no shared focus area: no focus, no severity) can reach
            inside_combos = np.zeros(block.kind_c.shape[1], dtype=bool)
            inside_combos[matcher.offer_combo[cols]] = True
            kind_out = (
                np.zeros(len(rows)) if inside_combos.all() else block.kind_c[:, ~inside_combos].max(axis=1)
            )
            track_out = block.track_p.max(axis=1) if block.track_p.size else np.zeros(len(rows))
            outside = w.kind * kind_out + w.track_record * track_out + (w.spread * best_spread + w.text)
        for k, r in enumerate(rows):
            sel = vals[k] >= min_score
            keep, scores = idx[k][sel].astype(np.int64), vals[k][sel]
            order = np.argsort(-scores, kind="stable")
            keep, scores = keep[order], scores[order].astype(np.float32)
            if cols is not None:
                # exact only when the list is full and its last score beats anything outside the shortcut
                if limit is None or keep.size < limit or float(scores[-1]) < float(outside[k]):
                    redo.append(r)
                    continue
                keep = cols[keep]
                truncated[r] = int(reachable[k]) > keep.size or float(outside[k]) >= min_score
            else:
                truncated[r] = int(reachable[k]) > keep.size
            eligible_count[r] = int(counts[k])
            if counts[k] == 0:
                fails = block.failures(k)
                code = max(CHECK_ORDER, key=lambda c: fails[c])
                obstacle[r] = (code, fails[code])
            best_any[r] = float(best[k]) if counts[k] else 0.0
            lists[r] = (keep, scores)
        return redo

    # Needs with the same focus areas share their candidate offers: a block holds one set of focus areas
    # (the shortcut then scores only the offers sharing one of them) and compares fewer texts.
    order = sorted(range(n_needs), key=lambda r: (sorted(needs[r].focus_areas), needs[r].country))
    blocks: list[list[int]] = []
    for r in order:
        if (
            not blocks
            or len(blocks[-1]) >= block_size
            or needs[blocks[-1][0]].focus_areas != needs[r].focus_areas
        ):
            blocks.append([])
        blocks[-1].append(r)

    def run(groups: list[list[int]], limit: int | None, shortcut: bool) -> list[int]:
        if workers > 1 and len(groups) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:  # numpy and scipy release the GIL
                results = list(pool.map(lambda rows: collect(rows, limit, shortcut), groups))
        else:
            results = [collect(rows, limit, shortcut) for rows in groups]
        return [r for result in results for r in result]

    redo = run(blocks, candidates, True)
    if redo:
        run([redo[i : i + block_size] for i in range(0, len(redo), block_size)], candidates, False)

    bonus = 2 * _SCALE if coverage_first else 0
    while True:
        chosen = _solve_flow(min_cost_flow, lists, matcher.capacity, n_offers, coverage_first)
        # Optimal on the candidate lists; optimal overall unless an offer left out of a need's list could
        # do better. With the least offer prices that support this solution, need n is worth u[n]; an
        # offer left out of its list scores at most its list's last score, so when u[n] reaches that
        # value no left-out offer can improve the assignment. Other needs get their full lists.
        worth = _need_values(lists, chosen, matcher.capacity, n_offers, bonus)
        suspects = [
            r
            for r in range(n_needs)
            if truncated[r] and (lists[r][1].size == 0 or worth[r] < bonus + _cost(lists[r][1][-1]))
        ]
        if not suspects:
            break
        run([suspects[i : i + block_size] for i in range(0, len(suspects), block_size)], None, False)

    matches: list[Suggestion] = []
    unmatched: list[Unmatched] = []
    total = 0.0
    for r, need in enumerate(needs):
        pos = chosen[r]
        if pos >= 0:
            offers_r, scores_r = lists[r]
            score = float(scores_r[np.nonzero(offers_r == pos)[0][0]])
            total += score
            if explain:
                block = matcher.score_block([need], need_vectors=vectors[[r]])
                matches.append(matcher.explain(need, pos, block, 0))
            else:
                matches.append(
                    Suggestion(need.key, matcher.offers[pos].key, matcher.offers[pos].provider, score, (), ())
                )
            continue
        unmatched.append(
            _why_unmatched(matcher, need, r, lists, eligible_count, obstacle, best_any, min_score)
        )
    edges = sum(len(o) for o, _ in lists)
    return Assignment(tuple(matches), tuple(unmatched), total, edges)


def _cost(score: float) -> int:
    return round(float(score) * _SCALE)


def _need_values(
    lists: Sequence[tuple[npt.NDArray[np.int64], FloatArray]],
    chosen: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
    n_offers: int,
    bonus: int,
) -> npt.NDArray[np.int64]:
    """What each need is worth under the least offer prices supporting the assignment ``chosen``.

    Prices start at 0 and rise until no need prefers (at those prices) an offer of its list to the one it
    has: v[o] = max(0, max over needs n listing o of w(n, o) − u[n]), u[n] = w(n, chosen) − v[chosen]
    (0 when unmatched). This is the least fixed point, reached in as many rounds as the longest chain of
    needs displacing each other. Offers with places left keep price 0.
    """
    n_needs = len(lists)
    if not any(o.size for o, _ in lists):
        return np.zeros(n_needs, dtype=np.int64)
    need_e = np.concatenate([np.full(o.size, r, np.int64) for r, (o, _) in enumerate(lists)])
    offer_e = np.concatenate([o for o, _ in lists]).astype(np.int64)
    w_e = bonus + np.rint(np.concatenate([sc for _, sc in lists]).astype(np.float64) * _SCALE).astype(
        np.int64
    )
    matched = chosen >= 0
    assigned_w = np.zeros(n_needs, dtype=np.int64)
    pick = matched[need_e] & (offer_e == chosen[need_e])
    assigned_w[need_e[pick]] = w_e[pick]
    used = np.bincount(chosen[matched], minlength=n_offers)
    full = (capacity >= 0) & (used >= np.maximum(capacity, 0))
    prices = np.zeros(n_offers, dtype=np.int64)
    for _ in range(n_needs + n_offers + 1):
        worth = np.where(matched, assigned_w - prices[np.maximum(chosen, 0)], 0)
        new = np.zeros(n_offers, dtype=np.int64)
        np.maximum.at(new, offer_e, w_e - worth[need_e])
        new[~full] = 0
        if np.array_equal(new, prices):
            return worth
        prices = new
    return np.zeros(n_needs, dtype=np.int64)  # no fixed point: treat every cut list as suspect


def _solve_flow(
    module: Any,
    lists: Sequence[tuple[npt.NDArray[np.int64], FloatArray]],
    capacity: npt.NDArray[np.int64],
    n_offers: int,
    coverage_first: bool,
) -> npt.NDArray[np.int64]:
    n_needs = len(lists)
    source, sink = 0, n_needs + n_offers + 1
    need_nodes = np.arange(1, n_needs + 1, dtype=np.int64)
    tails: list[npt.NDArray[np.int64]] = [np.zeros(n_needs, np.int64), need_nodes]
    heads: list[npt.NDArray[np.int64]] = [need_nodes, np.full(n_needs, sink, np.int64)]
    caps: list[npt.NDArray[np.int64]] = [np.ones(n_needs, np.int64), np.ones(n_needs, np.int64)]
    bonus = 2 * _SCALE if coverage_first else 0
    costs: list[npt.NDArray[np.int64]] = [np.zeros(n_needs, np.int64), np.zeros(n_needs, np.int64)]
    pair_need: list[npt.NDArray[np.int64]] = []
    pair_offer: list[npt.NDArray[np.int64]] = []
    for r, (offers, scores) in enumerate(lists):
        if offers.size:
            pair_need.append(np.full(offers.size, r, np.int64))
            pair_offer.append(offers)
            tails.append(np.full(offers.size, r + 1, np.int64))
            heads.append(offers + n_needs + 1)
            caps.append(np.ones(offers.size, np.int64))
            costs.append(-(bonus + np.rint(scores.astype(np.float64) * _SCALE).astype(np.int64)))
    offer_nodes = np.arange(n_offers, dtype=np.int64) + n_needs + 1
    tails.append(offer_nodes)
    heads.append(np.full(n_offers, sink, np.int64))
    caps.append(np.where(capacity < 0, n_needs, capacity).astype(np.int64))
    costs.append(np.zeros(n_offers, np.int64))
    flow = module.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs)
    )
    flow.set_nodes_supplies(np.array([source, sink], np.int64), np.array([n_needs, -n_needs], np.int64))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise MatchingError(f"the assignment could not be solved (status {status})")
    chosen = np.full(n_needs, -1, dtype=np.int64)
    if pair_need:
        first_pair_arc = 2 * n_needs
        all_need = np.concatenate(pair_need)
        all_offer = np.concatenate(pair_offer)
        pair_arcs = np.asarray(arcs)[first_pair_arc : first_pair_arc + all_need.size]
        used = np.asarray(flow.flows(pair_arcs)) > 0
        chosen[all_need[used]] = all_offer[used]
    return chosen


def _why_unmatched(
    matcher: Matcher,
    need: NeedProfile,
    r: int,
    lists: Sequence[tuple[npt.NDArray[np.int64], FloatArray]],
    eligible_count: npt.NDArray[np.int64],
    obstacle: Sequence[tuple[str, int]],
    best_any: FloatArray,
    min_score: float,
) -> Unmatched:
    if eligible_count[r] == 0:
        code, count = obstacle[r]
        params = {"offers": len(matcher.offers), "obstacle": CHECK_NAMES.get(code, code), "count": count}
        return Unmatched(need.key, "ineligible", UNMATCHED_MESSAGES["ineligible"], params)
    offers, scores = lists[r]
    if offers.size == 0:
        params = {
            "eligible": int(eligible_count[r]),
            "threshold": f"{min_score:.2f}",
            "best": f"{best_any[r]:.2f}",
        }
        return Unmatched(need.key, "below_threshold", UNMATCHED_MESSAGES["below_threshold"], params)
    best = int(offers[int(np.argmax(scores))])
    params = {"best_offer": matcher.offers[best].title, "best": f"{float(scores.max()):.2f}"}
    return Unmatched(need.key, "capacity", UNMATCHED_MESSAGES["capacity"], params)


# ----------------------------------------------------------------------------------------------------------
# Providers with a track record (need -> providers) and their evaluation
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderQuery:
    """A need as the provider ranking sees it. It never carries an identifier or an organisation."""

    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    focus_areas: frozenset[str] = frozenset()
    text: str = ""


@dataclass(frozen=True, slots=True)
class ProviderWeights:
    """Weights of the provider ranking, tuned on the shared IATI corpus (not the bundled files it is
    reported on): text first, then where and in which sectors the organisation worked, then its size."""

    text: float = 2.0
    country: float = 0.5
    region: float = 0.15
    sector: float = 0.4
    sector_group: float = 0.15
    focus: float = 0.1
    volume: float = 0.15


PROVIDER_COMPONENTS: Final[tuple[str, ...]] = (
    "text",
    "country",
    "region",
    "sector",
    "sector_group",
    "focus",
    "volume",
)
PROVIDER_MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "text": gettext_noop("Its past activities read like this need (similarity {similarity})."),
        # Counts come after a colon, so no sentence needs a singular and a plural form in any language.
        "country": gettext_noop("Past activities in the need's country: {count} of {total}."),
        "region": gettext_noop("Past activities in the need's region: {count} of {total}."),
        "sector": gettext_noop("Past activities in the need's sectors: {count} of {total}."),
        "sector_group": gettext_noop("Past activities in related sectors: {count} of {total}."),
        "focus": gettext_noop("Past activities in the need's focus areas: {count} of {total}."),
        "volume": gettext_noop("Past activities on record in all: {total}."),
    }
)
# Pseudo-count added to an organisation's activity total so one lucky activity does not count as a habit.
_SMOOTHING: Final = 2.0
# How many of an organisation's most similar past activities make its text score.
_TEXT_NEIGHBOURS: Final = 3
# Past activities looked at per query (the rest are too far to change an organisation's text score).
_TEXT_POOL: Final = 300


@dataclass(frozen=True, slots=True)
class ProviderSuggestion:
    provider: str
    name: str
    score: float
    components: tuple[Component, ...]

    def explanation(self) -> list[str]:
        return [f"{c.code}: +{c.contribution:.2f} — {c.text}" for c in self.components]


class ProviderIndex:
    """Organisations' history, prepared to rank them for a need (text neighbours + where/what counts)."""

    def __init__(
        self,
        records: Sequence[HistoryRecord],
        *,
        weights: ProviderWeights | None = None,
        max_terms: int = 0,
    ) -> None:
        # One query against the history at a time: full text vectors are affordable and rank better.
        self.weights = weights or ProviderWeights()
        self.records = list(records)
        self.track = build_track_records(self.records)
        self.orgs = sorted(self.track)
        self._pos = {o: i for i, o in enumerate(self.orgs)}
        self.totals = np.array([self.track[o].activities for o in self.orgs], dtype=np.float32)
        self.space = TextSpace([r.text for r in self.records], max_terms=max_terms)
        rec_org_rows: list[int] = []
        rec_org_cols: list[int] = []
        for i, r in enumerate(self.records):
            for o in set(r.orgs):
                rec_org_rows.append(i)
                rec_org_cols.append(self._pos[o])
        self.record_orgs = sparse.csr_matrix(
            (np.ones(len(rec_org_rows), np.float32), (rec_org_rows, rec_org_cols)),
            shape=(len(self.records), max(len(self.orgs), 1)),
        )
        self._vocab: dict[str, dict[str, int]] = {}
        self._counts: dict[str, sparse.csc_matrix] = {}
        for kind, getter in (
            ("country", lambda t: t.countries),
            ("region", lambda t: t.regions),
            ("sector", lambda t: t.sectors),
            ("sector_group", lambda t: _sector_group_counts(t.sectors)),
            ("focus", lambda t: t.focus_areas),
        ):
            vocab: dict[str, int] = {}
            self._counts[kind] = Matcher._count_matrix([getter(self.track[o]) for o in self.orgs], vocab)
            self._vocab[kind] = vocab
        most = float(self.totals.max()) if self.totals.size else 1.0
        self.volume = (np.log1p(self.totals) / math.log1p(max(most, 1.0))).astype(np.float32)

    def popularity(self) -> list[str]:
        """Organisations by number of past activities (the baseline), ties by identifier."""
        return sorted(self.orgs, key=lambda o: (-self.track[o].activities, o))

    def _feature(self, kind: str, values: Iterable[str]) -> tuple[FloatArray, FloatArray]:
        cols = [self._vocab[kind][v] for v in values if v in self._vocab[kind]]
        if not cols:
            zero = np.zeros(len(self.orgs), dtype=np.float32)
            return zero, zero
        counts = self._counts[kind][:, cols].toarray().max(axis=1).astype(np.float32)
        return counts / (self.totals + _SMOOTHING), counts

    def components(
        self, query: ProviderQuery, text_vector: sparse.csr_matrix | None = None
    ) -> dict[str, FloatArray]:
        """Component values (organisations in ``self.orgs`` order) for one query."""
        vector = text_vector if text_vector is not None else self.space.vectors([query.text])
        values: dict[str, FloatArray] = {}
        sims = np.asarray((self.space.corpus_vectors @ vector.T).toarray()).ravel()
        text = np.zeros(len(self.orgs), dtype=np.float32)
        if sims.size and query.text.strip():
            pool = np.argpartition(-sims, min(_TEXT_POOL, sims.size - 1))[:_TEXT_POOL]
            best: dict[int, list[float]] = {}
            for rec in pool[np.argsort(-sims[pool])]:
                s = float(sims[rec])
                if s <= 0:
                    break
                row = self.record_orgs.indices[
                    self.record_orgs.indptr[rec] : self.record_orgs.indptr[rec + 1]
                ]
                for o in row:
                    lst = best.setdefault(int(o), [])
                    if len(lst) < _TEXT_NEIGHBOURS:
                        lst.append(s)
            for o, lst in best.items():
                text[o] = sum(lst) / _TEXT_NEIGHBOURS
        values["text"] = text
        values["country"], _ = self._feature("country", query.countries)
        values["region"], _ = self._feature("region", query.regions)
        values["sector"], _ = self._feature("sector", query.sectors)
        values["sector_group"], _ = self._feature("sector_group", _sector_groups(query.sectors))
        values["focus"], _ = self._feature("focus", query.focus_areas)
        values["volume"] = self.volume
        return values

    def scores(self, query: ProviderQuery, text_vector: sparse.csr_matrix | None = None) -> FloatArray:
        values = self.components(query, text_vector)
        w = self.weights
        total = np.zeros(len(self.orgs), dtype=np.float32)
        for code in PROVIDER_COMPONENTS:
            total += getattr(w, code) * values[code]
        return total

    def rank(self, query: ProviderQuery, *, limit: int = 10) -> list[ProviderSuggestion]:
        """Organisations for ``query``, best first, each component explained."""
        values = self.components(query)
        w = self.weights
        total = sum(
            (getattr(w, c) * values[c] for c in PROVIDER_COMPONENTS), np.zeros(len(self.orgs), np.float32)
        )
        order = np.argsort(-total, kind="stable")[:limit]
        out: list[ProviderSuggestion] = []
        for o in order:
            org = self.orgs[int(o)]
            record = self.track[org]
            comps = []
            for code in PROVIDER_COMPONENTS:
                value = float(values[code][o])
                params: dict[str, Any] = {"total": record.activities}
                if code == "text":
                    params["similarity"] = round(value, 2)
                elif code != "volume":
                    _, counts = self._feature(code, _query_values(query, code))
                    params["count"] = int(counts[o]) if counts.size else 0
                comps.append(Component(code, value, float(getattr(w, code)), PROVIDER_MESSAGES[code], params))
            out.append(ProviderSuggestion(org, record.name, float(total[o]), tuple(comps)))
        return out


def _query_values(query: ProviderQuery, code: str) -> frozenset[str]:
    if code == "country":
        return query.countries
    if code == "region":
        return query.regions
    if code == "sector":
        return query.sectors
    if code == "sector_group":
        return _sector_groups(query.sectors)
    return query.focus_areas


def _sector_groups(sectors: Iterable[str]) -> frozenset[str]:
    """DAC 3-digit categories of 5-digit purpose codes."""
    return frozenset(code[:3] for code in sectors if len(code) == 5 and code.isdigit())


def _sector_group_counts(sectors: Mapping[str, int]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for code, count in sectors.items():
        if len(code) == 5 and code.isdigit():
            out[code[:3]] += count
    return dict(out)


@dataclass(frozen=True, slots=True)
class QueryCase:
    """An evaluation query: what the ranking may see, and (kept apart) the organisations that were true."""

    query: ProviderQuery
    truth: frozenset[str]


@dataclass(frozen=True, slots=True)
class RankingMetrics:
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float

    def as_dict(self) -> dict[str, float]:
        return {
            "recall@1": round(self.recall_at_1, 4),
            "recall@5": round(self.recall_at_5, 4),
            "recall@10": round(self.recall_at_10, 4),
            "mrr": round(self.mrr, 4),
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    queries: int
    k: int
    matcher: RankingMetrics
    popularity: RankingMetrics

    def as_dict(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "k": self.k,
            "matcher": self.matcher.as_dict(),
            "popularity": self.popularity.as_dict(),
        }

    @property
    def meets_targets(self) -> bool:
        """At k=10 the matcher misses at most half as often as popularity, and its MRR is ≥ 1.5×."""
        miss, base_miss = 1 - self.matcher.recall_at_10, 1 - self.popularity.recall_at_10
        return miss <= 0.5 * base_miss and self.matcher.mrr >= 1.5 * self.popularity.mrr


def first_hit(ranking: Sequence[str], truth: frozenset[str]) -> int | None:
    """0-based rank of the first true organisation, or ``None``."""
    for i, org in enumerate(ranking):
        if org in truth:
            return i
    return None


def metrics(hits: Sequence[int | None], k: int) -> RankingMetrics:
    """recall@n = share of queries with a true organisation in the top n; MRR over the top ``k``."""
    n = max(len(hits), 1)

    def recall(cut: int) -> float:
        return sum(1 for h in hits if h is not None and h < cut) / n

    mrr = sum(1.0 / (h + 1) for h in hits if h is not None and h < k) / n
    return RankingMetrics(recall(1), recall(5), recall(10), mrr)


def evaluate_providers(
    index: ProviderIndex,
    cases: Sequence[QueryCase],
    *,
    k: int = 10,
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Rank organisations for each query with the matcher and with popularity; compare to the truth."""
    depth = max(k, 10)
    baseline = index.popularity()[:depth]
    vectors = index.space.vectors([c.query.text for c in cases])
    matcher_hits: list[int | None] = []
    baseline_hits: list[int | None] = []
    for i, case in enumerate(cases):
        scores = index.scores(case.query, vectors[i])
        top = np.argsort(-scores, kind="stable")[:depth]
        matcher_hits.append(first_hit([index.orgs[int(j)] for j in top], case.truth))
        baseline_hits.append(first_hit(baseline, case.truth))
        if progress is not None:
            progress(i + 1)
    return Evaluation(len(cases), k, metrics(matcher_hits, k), metrics(baseline_hits, k))
