"""Overlapping projects: pairs of activities from different publishers that may be the same work or the
same money, with the evidence for each pair, and an honest measure of how well the similarity finds them.

Pure (numpy, scipy, scikit-learn through :mod:`gapbridge.domain.textsim`; no Django, no I/O).
docs/analytics.md explains the method and gives the measured precision and recall.

**Tiers, strongest evidence first.**

1. ``same-identifier`` — two publishers report the same ``iati-identifier``.
2. ``traceability`` — a transaction of one names the other as its provider or receiver activity.
3. ``high-similarity`` — candidates (below) whose score is at least ``Params.high``.
4. ``possible-overlap`` — candidates whose score is at least ``Params.possible``.

**Candidates** share a place (recipient country, or region) *and* an area (focus area; activities outside
GapBridge's focus areas use their DAC sector category), have overlapping dates (a missing start or end is
open) and different publishers. Blocking by (place, area) keeps the work far from all pairs: only pairs
inside a block are compared, in sparse matrix products, chunk by chunk.

**Score** = ``text_weight`` × text similarity (cosine of character n-gram TF-IDF of titles and
descriptions, which matches across English, French, Spanish and Arabic) + ``org_weight`` × shared
organisations (``min(1, shared / org_saturation)``; an activity's organisations are its publisher, its
participating organisations and its transactions' provider and receiver organisations; organisations
named by very many activities are ignored as evidence). Activity ids are never part of the score, so
the traceability links can be used as known pairs to measure it (:func:`evaluate`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from gapbridge.domain import textsim

#: only the opening of the titles and descriptions is compared: on the real data it separates overlaps
#: as well as longer text does (docs/analytics.md) and costs a fraction of the time
MAX_TEXT = 300


class Tier(StrEnum):
    SAME_IDENTIFIER = "same-identifier"
    TRACEABILITY = "traceability"
    HIGH_SIMILARITY = "high-similarity"
    POSSIBLE_OVERLAP = "possible-overlap"


#: strongest first
TIERS: tuple[Tier, ...] = tuple(Tier)
SIMILARITY_TIERS: tuple[Tier, ...] = (Tier.HIGH_SIMILARITY, Tier.POSSIBLE_OVERLAP)


@dataclass(frozen=True, slots=True)
class Record:
    """One activity as overlap detection sees it."""

    id: int
    identifier: str
    publisher: str
    places: frozenset[str]
    areas: frozenset[str]
    start: date | None
    end: date | None
    text: str
    organisations: frozenset[str] = frozenset()
    #: identifiers of other activities its transactions name (provider/receiver activity id)
    linked: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Params:
    high: float = 0.6
    possible: float = 0.4
    text_weight: float = 0.65
    org_weight: float = 0.35
    #: shared organisations that give full organisation evidence
    org_saturation: int = 2
    #: an organisation named by more than this share of the activities is too common to be evidence
    common_org_share: float = 0.02
    #: similarity products are computed this many rows × block size entries at a time
    chunk_cells: int = 4_000_000

    def __post_init__(self) -> None:
        if not 0 <= self.possible <= self.high <= 1:
            raise ValueError(f"need 0 ≤ possible ≤ high ≤ 1; got possible={self.possible}, high={self.high}")
        if self.text_weight <= 0 or self.org_weight < 0:
            raise ValueError("text_weight must be > 0 and org_weight ≥ 0")


@dataclass(frozen=True, slots=True)
class Pair:
    """Two activities (``a < b`` by record id) and why they may overlap."""

    a: int
    b: int
    tier: Tier
    score: float
    text_similarity: float
    shared_organisations: tuple[str, ...]
    shared_places: tuple[str, ...]
    shared_areas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Detection:
    pairs: tuple[Pair, ...]
    records: int
    blocks: int
    #: pairs whose similarity was computed (inside blocks; a pair in two blocks counts twice)
    comparisons: int
    #: n (n - 1) / 2: what comparing everything with everything would cost
    all_pairs: int
    #: pairs inside a block that pass the publisher and date rules, whatever their score (a pair in two
    #: blocks counts twice)
    candidates: int

    def by_tier(self) -> dict[Tier, list[Pair]]:
        found: dict[Tier, list[Pair]] = {tier: [] for tier in TIERS}
        for pair in self.pairs:
            found[pair.tier].append(pair)
        return found


@dataclass(frozen=True, slots=True)
class TierScore:
    found: int
    matched: int
    precision: float | None
    recall: float | None


def share_text(value: float | None) -> str:
    """A precision or recall as printed: two decimals, "n/a" when there was nothing to measure it on."""
    return "n/a" if value is None else f"{value:.2f}"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """How well the similarity tiers recover known pairs they were not told about."""

    pairs_known: int
    precision: float | None
    recall: float | None
    by_tier: dict[str, TierScore]
    #: share of the known pairs that blocking (place, area, dates, publishers) makes candidates at all
    blocking_recall: float | None
    detection: Detection = field(repr=False)


# -- helpers ----------------------------------------------------------------------------------------------
def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _dates(records: Sequence[Record]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    start = np.array([r.start.toordinal() if r.start else -math.inf for r in records], dtype=np.float64)
    end = np.array([r.end.toordinal() if r.end else math.inf for r in records], dtype=np.float64)
    # an end before the start is a data error; read the two dates as a period either way
    swap = start > end
    start[swap], end[swap] = end[swap], start[swap].copy()
    return start, end


def _publisher_codes(records: Sequence[Record]) -> NDArray[np.int64]:
    codes: dict[str, int] = {}
    out = np.empty(len(records), dtype=np.int64)
    for i, r in enumerate(records):
        # an activity without a publisher ref could be anyone's: never "the same publisher"
        out[i] = codes.setdefault(r.publisher, len(codes)) if r.publisher else -(i + 1)
    return out


def common_organisations(records: Sequence[Record], share: float) -> frozenset[str]:
    """Organisations named by more than ``share`` of the activities (and by at least 20)."""
    counts: Counter[str] = Counter()
    for r in records:
        counts.update(r.organisations | ({r.publisher} if r.publisher else set()))
    limit = max(20.0, share * len(records))
    return frozenset(org for org, n in counts.items() if n > limit)


def _orgs(record: Record, common: frozenset[str]) -> frozenset[str]:
    own = record.organisations | ({record.publisher} if record.publisher else frozenset())
    return own - common


def _organisation_matrix(orgs: Sequence[frozenset[str]]) -> sparse.csr_matrix:
    """Records × organisations, 1 where the record names the organisation."""
    columns: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for own in orgs:
        indices.extend(columns.setdefault(org, len(columns)) for org in sorted(own))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(orgs), max(1, len(columns))))


def blocks_of(records: Sequence[Record]) -> dict[tuple[str, str], list[int]]:
    """(place, area) -> positions of the records in it; blocks of one record are left out."""
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        for place in r.places:
            for area in r.areas:
                found[place, area].append(i)
    return {key: rows for key, rows in found.items() if len(rows) > 1}


def _texts(records: Sequence[Record]) -> list[str]:
    return [r.text[:MAX_TEXT] for r in records]


def build_text_index(records: Sequence[Record]) -> textsim.TextIndex:
    """TF-IDF vectors of the records' texts; identical texts are vectorised once."""
    texts = _texts(records)
    unique: dict[str, int] = {}
    positions = np.fromiter(
        (unique.setdefault(t, len(unique)) for t in texts), dtype=np.int64, count=len(texts)
    )
    index = textsim.build_index(list(unique))
    return textsim.TextIndex(index.vectorizer, sparse.csr_matrix(index.matrix[positions]))


# -- detection --------------------------------------------------------------------------------------------
def detect(
    records: Sequence[Record],
    params: Params | None = None,
    *,
    use_links: bool = True,
    index: textsim.TextIndex | None = None,
) -> Detection:
    """Every pair with some evidence of overlap, each in its strongest tier (see module docstring).

    ``use_links=False`` leaves out the traceability tier: that is how :func:`evaluate` measures the
    similarity tiers against the links.
    """
    params = params or Params()
    n = len(records)
    if index is None:
        index = build_text_index(records)
    matrix = sparse.csr_matrix(index.matrix)
    start, end = _dates(records)
    publisher = _publisher_codes(records)
    common = common_organisations(records, params.common_org_share)
    orgs = [_orgs(r, common) for r in records]
    text_floor = max(0.0, (params.possible - params.org_weight) / params.text_weight)

    def org_evidence(i: int, j: int) -> tuple[float, tuple[str, ...]]:
        shared = orgs[i] & orgs[j]
        return min(1.0, len(shared) / params.org_saturation), tuple(sorted(shared))

    def pair(i: int, j: int, tier: Tier | None, text: float) -> Pair | None:
        org, shared = org_evidence(i, j)
        score = params.text_weight * text + params.org_weight * org
        if tier is None:
            if score >= params.high:
                tier = Tier.HIGH_SIMILARITY
            elif score >= params.possible:
                tier = Tier.POSSIBLE_OVERLAP
            else:
                return None
        a, b = (i, j) if records[i].id < records[j].id else (j, i)
        return Pair(
            records[a].id,
            records[b].id,
            tier,
            round(score, 6),
            round(text, 6),
            shared,
            tuple(sorted(records[a].places & records[b].places)),
            tuple(sorted(records[a].areas & records[b].areas)),
        )

    found: dict[tuple[int, int], Pair] = {}
    # evidence tiers first: they need no blocking
    evidence: dict[tuple[int, int], Tier] = {}
    by_identifier: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_identifier[r.identifier].append(i)
    for same in by_identifier.values():
        for x, i in enumerate(same):
            for j in same[x + 1 :]:
                if publisher[i] != publisher[j]:
                    evidence[_key(i, j)] = Tier.SAME_IDENTIFIER
    if use_links:
        for i, r in enumerate(records):
            for other in r.linked:
                for j in by_identifier.get(other, ()):
                    if j != i and publisher[i] != publisher[j]:
                        evidence.setdefault(_key(i, j), Tier.TRACEABILITY)
    if evidence:
        rows_i = [i for i, _ in evidence]
        rows_j = [j for _, j in evidence]
        texts = index.pairwise(rows_i, rows_j)
        for (i, j), text in zip(evidence, texts.tolist(), strict=True):
            made = pair(i, j, evidence[i, j], float(text))
            assert made is not None
            found[made.a, made.b] = made
    # similarity tiers, inside blocks: arrays all the way, objects only for the pairs that qualify
    org_matrix = _organisation_matrix(orgs)
    blocks = blocks_of(records)
    comparisons = 0
    candidates = 0
    found_i: list[NDArray[np.int64]] = []
    found_j: list[NDArray[np.int64]] = []
    found_text: list[NDArray[np.float64]] = []
    for members in blocks.values():
        rows = np.asarray(sorted(members), dtype=np.int64)
        m = len(rows)
        comparisons += m * (m - 1) // 2
        sub = matrix[rows]
        step = max(1, params.chunk_cells // m)
        for lo in range(0, m, step):
            left = rows[lo : lo + step]
            # pairs (x, y): x in this chunk, y after x in the block, dates overlap, publishers differ
            dates_ok = (start[left][:, None] <= end[rows][None, :]) & (
                start[rows][None, :] <= end[left][:, None]
            )
            upper = np.arange(m)[None, :] > (lo + np.arange(len(left)))[:, None]
            allowed = dates_ok & upper & (publisher[left][:, None] != publisher[rows][None, :])
            candidates += int(allowed.sum())
            sims = (sub[lo : lo + step] @ sub.T).tocoo()
            if not sims.nnz:
                continue
            mask = (sims.data >= text_floor) & allowed[sims.row, sims.col]
            found_i.append(rows[lo + sims.row[mask]])
            found_j.append(rows[sims.col[mask]])
            found_text.append(np.minimum(1.0, sims.data[mask].astype(np.float64)))
    if found_i:
        ii, jj, texts = np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_text)
        # a pair met in several blocks is scored once
        lo_pos, hi_pos = np.minimum(ii, jj), np.maximum(ii, jj)
        _keys, first = np.unique(lo_pos * n + hi_pos, return_index=True)
        ii, jj, texts = lo_pos[first], hi_pos[first], texts[first]
        shared = np.asarray(org_matrix[ii].multiply(org_matrix[jj]).sum(axis=1)).ravel()
        scores = params.text_weight * texts + params.org_weight * np.minimum(
            1.0, shared / params.org_saturation
        )
        qualify = scores >= params.possible
        for i, j, text in zip(
            ii[qualify].tolist(), jj[qualify].tolist(), texts[qualify].tolist(), strict=True
        ):
            if (i, j) in evidence:
                continue
            made = pair(i, j, None, text)
            if made is not None:
                found[made.a, made.b] = made
    ordered = sorted(found.values(), key=lambda p: (TIERS.index(p.tier), -p.score, p.a, p.b))
    return Detection(tuple(ordered), n, len(blocks), comparisons, n * (n - 1) // 2, candidates)


# -- measuring it -----------------------------------------------------------------------------------------
def known_pairs(records: Sequence[Record]) -> set[tuple[int, int]]:
    """Pairs (record ids, smaller first) of different publishers joined by a traceability link."""
    by_identifier: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_identifier[r.identifier].append(r)
    found: set[tuple[int, int]] = set()
    for r in records:
        for other in r.linked:
            for s in by_identifier.get(other, ()):
                if (
                    s.id != r.id
                    and s.identifier != r.identifier
                    and (not r.publisher or not s.publisher or s.publisher != r.publisher)
                ):
                    found.add(_key(r.id, s.id))
    return found


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(
    records: Sequence[Record],
    params: Params | None = None,
    *,
    index: textsim.TextIndex | None = None,
) -> Evaluation:
    """Precision and recall of the similarity tiers at finding the traceability pairs, without the links.

    Precision counts only the known pairs as right, so it is a lower bound: a found pair that is a real
    overlap but has no link in the data counts against it.
    """
    known = known_pairs(records)
    detection = detect(records, params, use_links=False, index=index)
    tiers = detection.by_tier()
    by_tier: dict[str, TierScore] = {}
    found_all: set[tuple[int, int]] = set()
    for tier in SIMILARITY_TIERS:
        keys = {(p.a, p.b) for p in tiers[tier]}
        found_all |= keys
        matched = len(keys & known)
        by_tier[tier.value] = TierScore(
            len(keys), matched, _ratio(matched, len(keys)), _ratio(matched, len(known))
        )
    matched_all = len(found_all & known)
    positions = {r.id: i for i, r in enumerate(records)}
    candidate_ids = _blocked_known(records, positions, known)
    return Evaluation(
        pairs_known=len(known),
        precision=_ratio(matched_all, len(found_all)),
        recall=_ratio(matched_all, len(known)),
        by_tier=by_tier,
        blocking_recall=_ratio(candidate_ids, len(known)),
        detection=detection,
    )


def _blocked_known(
    records: Sequence[Record], positions: dict[int, int], known: Iterable[tuple[int, int]]
) -> int:
    """How many known pairs blocking lets through (same place and area, dates overlap, publishers differ)."""
    count = 0
    start, end = _dates(records)
    for a, b in known:
        i, j = positions[a], positions[b]
        ra, rb = records[i], records[j]
        if not (ra.places & rb.places and ra.areas & rb.areas):
            continue
        if start[i] <= end[j] and start[j] <= end[i] and (ra.publisher != rb.publisher or not ra.publisher):
            count += 1
    return count
