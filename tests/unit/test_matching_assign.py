"""Batch assignment: never over capacity, optimal (checked against brute force), unmatched needs explained."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from gapbridge.domain import matching as m

TODAY = date(2026, 6, 1)
AREAS = m.FOCUS_AREAS[:4]
WORDS = ["broadband", "skills", "payments", "e-commerce", "training", "fibre", "mobile money", "SME", "data"]


def instance(seed: int, n_needs: int = 30, n_offers: int = 12) -> tuple[m.Matcher, list[m.NeedProfile]]:
    rng = random.Random(seed)
    offers = []
    for i in range(n_offers):
        geo = rng.random()
        eligibility = (
            m.Eligibility()
            if geo < 0.5
            else m.Eligibility(countries=frozenset(rng.sample(["NER", "MLI", "KEN", "BGD"], 2)))
        )
        offers.append(
            m.OfferProfile(
                key=f"o{i}",
                provider=f"P{i % 4}",
                provider_name="",
                title=" ".join(rng.sample(WORDS, 2)),
                text=" ".join(rng.sample(WORDS, 4)),
                focus_areas=frozenset(rng.sample(AREAS, rng.randint(1, 2))),
                kinds=frozenset([rng.choice(m.KINDS)]),
                eligibility=eligibility,
                capacity=rng.choice([None, 1, 1, 2, 3]),
            )
        )
    needs = [
        m.NeedProfile(
            key=f"n{j}",
            country=rng.choice(["NER", "MLI", "KEN", "BGD"]),
            country_name="",
            title=" ".join(rng.sample(WORDS, 2)),
            text=" ".join(rng.sample(WORDS, 3)),
            focus_areas=frozenset(rng.sample(AREAS, rng.randint(1, 2))),
            kinds=frozenset(rng.sample(m.KINDS, rng.randint(0, 2))),
            pillar_scores={"connectivity": rng.uniform(0, 100), "skills": rng.uniform(0, 100)},
        )
        for j in range(n_needs)
    ]
    load = {f"P{i}": rng.randint(0, 6) for i in range(4)}
    return m.Matcher(offers, on=TODAY, provider_load=load), needs


def brute_force(matcher: m.Matcher, needs: list[m.NeedProfile], min_score: float) -> tuple[int, int]:
    """(matched, objective) of the best assignment over every eligible pair, places expanded to columns."""
    block = matcher.score_block(needs)
    scores = np.rint(block.score.astype(np.float64) * 10_000).astype(np.int64)
    allowed = block.eligible & (block.score >= min_score)
    columns = []
    for j, o in enumerate(matcher.offers):
        columns += [j] * (len(needs) if o.capacity is None else o.capacity)
    bonus = 2 * 10_000
    value = np.full((len(needs), len(columns) + len(needs)), -(10**9), dtype=np.int64)
    for c, j in enumerate(columns):
        value[:, c] = np.where(allowed[:, j], bonus + scores[:, j], -(10**9))
    value[:, len(columns) :] = 0  # staying unmatched
    rows, cols = linear_sum_assignment(value, maximize=True)
    matched = int(sum(1 for r, c in zip(rows, cols, strict=True) if c < len(columns)))
    objective = int(value[rows, cols].sum())
    return matched, objective


def objective_of(result: m.Assignment) -> int:
    return sum(2 * 10_000 + round(s.score * 10_000) for s in result.matches)


@pytest.mark.parametrize("seed", range(8))
def test_assignment_is_optimal_and_within_capacity(seed: int) -> None:
    matcher, needs = instance(seed)
    result = m.assign(matcher, needs, min_score=0.3, candidates=50, workers=1)
    used = Counter(s.offer for s in result.matches)
    for key, n in used.items():
        cap = matcher.offers[matcher.offer_index[key]].capacity
        assert cap is None or n <= cap
    assert len({s.need for s in result.matches}) == len(result.matches)
    assert len(result.matches) + len(result.unmatched) == len(needs)
    matched, objective = brute_force(matcher, needs, 0.3)
    assert len(result.matches) == matched
    assert abs(objective_of(result) - objective) <= len(needs)  # equal up to rounding each score


@pytest.mark.parametrize("seed", range(8))
def test_short_candidate_lists_still_match_as_many_needs(seed: int) -> None:
    matcher, needs = instance(seed, n_needs=40)
    short = m.assign(matcher, needs, min_score=0.3, candidates=2, workers=2, block_size=7)
    matched, _ = brute_force(matcher, needs, 0.3)
    assert len(short.matches) == matched


def test_threads_and_blocks_do_not_change_the_result() -> None:
    matcher, needs = instance(3, n_needs=60)
    one = m.assign(matcher, needs, workers=1, block_size=512, explain=False)
    two = m.assign(matcher, needs, workers=2, block_size=5, explain=False)
    assert sorted((s.need, s.offer) for s in one.matches) == sorted((s.need, s.offer) for s in two.matches)


def test_unmatched_needs_say_why() -> None:
    offers = [
        m.OfferProfile(
            "only",
            "P",
            "",
            "Fibre",
            "broadband fibre",
            frozenset({"connectivity-infrastructure"}),
            languages=frozenset({"en"}),
            capacity=1,
        ),
        m.OfferProfile(
            "far",
            "Q",
            "",
            "Tax",
            "tax",
            frozenset({"digital-taxation"}),
            eligibility=m.Eligibility(countries=frozenset({"KEN"})),
        ),
    ]
    needs = [
        m.NeedProfile(
            "a",
            "NER",
            "Niger",
            "Fibre",
            "broadband fibre backbone",
            frozenset({"connectivity-infrastructure"}),
            pillar_scores={"connectivity": 1.0},
        ),
        m.NeedProfile(
            "b",
            "MLI",
            "Mali",
            "Fibre",
            "broadband fibre",
            frozenset({"connectivity-infrastructure"}),
            pillar_scores={"connectivity": 50.0},
        ),
        m.NeedProfile(
            "c", "TCD", "Chad", "Tax", "e-tax", frozenset({"digital-taxation"}), languages=frozenset({"fr"})
        ),
    ]
    matcher = m.Matcher(offers, on=TODAY)
    result = m.assign(matcher, needs, min_score=0.3)
    assert [(s.need, s.offer) for s in result.matches] == [("a", "only")]
    assert result.matches[0].components, "assigned suggestions are explained"
    why = {u.need: u for u in result.unmatched}
    assert why["b"].reason == "capacity"
    assert "their places went to other needs" in why["b"].text
    assert why["c"].reason == "ineligible"
    assert "country eligible" in why["c"].text
    strict = m.assign(matcher, needs[1:2], min_score=0.99)
    assert strict.unmatched[0].reason == "below_threshold"
    assert "none scores 0.99 or more" in strict.unmatched[0].text
