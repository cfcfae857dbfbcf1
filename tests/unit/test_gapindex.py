"""Gap Index: hand-computed cases, selection rules, ranking, groups, peers and properties of the method."""

from __future__ import annotations

import math
import pickle
import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gapbridge.domain.gapindex import (
    GAP_NO_OBSERVATION,
    GAP_OUTSIDE_WINDOW,
    INDICATORS,
    LOG_FLOOR,
    PILLARS,
    CountryContext,
    GapIndex,
    IndicatorSpec,
    IndicatorValue,
    InvalidObservationError,
    InvalidParameterError,
    MissingBoundsError,
    Observation,
    PillarSpec,
    Status,
    UnknownCountryError,
    UnknownPillarError,
    compute_bounds,
    compute_index,
    describe_difference,
    group_averages,
    peers_further_ahead,
    percentile,
)

# A small index that can be computed by hand: pillar "p" has x (higher is better, weight 3) and y (lower is
# better, log10, weight 1); pillar "q" has z (higher is better).
X = IndicatorSpec("x", "Indicator x", "p", 1, 3.0, False, "units")
Y = IndicatorSpec("y", "Indicator y", "p", -1, 1.0, True, "units")
Z = IndicatorSpec("z", "Indicator z", "q", 1, 1.0, False, "units")
SMALL = (PillarSpec("p", "Pillar p", (X, Y)), PillarSpec("q", "Pillar q", (Z,)))
FIVE = ("AAA", "BBB", "CCC", "DDD", "EEE")


def ctx(
    iso3: str,
    *,
    region: str = "Region",
    income: str = "Income",
    population: float | None = 1e6,
    groups: frozenset[str] = frozenset(),
) -> CountryContext:
    return CountryContext(iso3, f"Country {iso3}", region, income, population, groups)


def obs(code: str, iso3: str, value: float, year: int = 2020, source: str = "test") -> Observation:
    return Observation(code, iso3, year, value, source)


def small_observations() -> list[Observation]:
    xs = dict(zip(FIVE, (0.0, 10.0, 20.0, 30.0, 40.0), strict=True))
    ys = dict(zip(FIVE, (1000.0, 1.0, 10000.0, 10.0, 100.0), strict=True))
    zs = dict(zip(FIVE, (1.0, 2.0, 3.0, 4.0, 5.0), strict=True))
    return [
        obs(code, iso3, values[iso3]) for code, values in (("x", xs), ("y", ys), ("z", zs)) for iso3 in FIVE
    ]


def small_index(observations: list[Observation] | None = None, **kwargs: object) -> GapIndex:
    contexts = [ctx(iso3) for iso3 in FIVE]
    params: dict[str, object] = {"pillars": SMALL, "min_pillars": 2, **kwargs}
    return compute_index(small_observations() if observations is None else observations, contexts, **params)  # type: ignore[arg-type]


# --- percentiles and bounds ----------------------------------------------------------------------------


def test_percentile_interpolates_between_order_statistics() -> None:
    # n = 5: p5 sits at (5-1) x 0.05 = 0.2 -> 1 + 0.2 x (2-1) = 1.2; p95 at 3.8 -> 4 + 0.8 x (5-4) = 4.8
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 5) == pytest.approx(1.2)
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50), st.floats(0, 100))
def test_percentile_agrees_with_numpy_default(values: list[float], pct: float) -> None:
    expected = float(np.percentile(values, pct))
    assert percentile(sorted(values), pct) == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_bounds_are_p5_p95_on_the_transformed_scale() -> None:
    bounds = compute_bounds(small_observations(), [ctx(i) for i in FIVE], pillars=SMALL)
    # x: 0,10,20,30,40 -> 2 and 38; y: log10 = 3,0,4,1,2 -> sorted 0..4 -> 0.2 and 3.8; z: 1..5 -> 1.2 and 4.8
    assert (bounds["x"].lower, bounds["x"].upper) == pytest.approx((2.0, 38.0))
    assert (bounds["y"].lower, bounds["y"].upper) == pytest.approx((0.2, 3.8))
    assert (bounds["z"].lower, bounds["z"].upper) == pytest.approx((1.2, 4.8))
    assert bounds["x"].count == 5
    assert bounds["x"].method == "p5-p95"


def test_observations_outside_the_country_universe_do_not_move_bounds() -> None:
    with_aggregate = [*small_observations(), obs("x", "WLD", 1e9)]
    assert small_index(with_aggregate).bounds == small_index().bounds
    assert "WLD" not in small_index(with_aggregate).countries


# --- hand-computed scores ------------------------------------------------------------------------------


def test_hand_computed_pillar_scores() -> None:
    index = small_index()
    # normalised x = clip((x - 2) / 36): AAA 0, BBB 8/36 = 2/9, CCC 1/2, DDD 7/9, EEE 1
    # normalised y = 1 - clip((log10 y - 0.2) / 3.6): AAA 1 - 7/9 = 2/9, BBB 1, CCC 0, DDD 7/9, EEE 1/2
    # p = 100 x (3 x nx + 1 x ny) / 4:
    #   AAA (0 + 2/9)/4 = 1/18 -> 5.5556; BBB (2/3 + 1)/4 = 5/12 -> 41.6667; CCC 1.5/4 -> 37.5
    #   DDD (7/3 + 7/9)/4 = 7/9 -> 77.7778; EEE (3 + 1/2)/4 -> 87.5
    expected = {"AAA": 100 / 18, "BBB": 500 / 12, "CCC": 37.5, "DDD": 700 / 9, "EEE": 87.5}
    for iso3, score in expected.items():
        assert index.country(iso3).pillar("p").score == pytest.approx(score)
    assert index.country("BBB").pillar("p").indicator("x").normalised == pytest.approx(2 / 9)
    assert index.country("AAA").pillar("p").indicator("y").normalised == pytest.approx(2 / 9)
    assert {iso3: index.country(iso3).pillar_ranks["p"] for iso3 in FIVE} == {
        "EEE": 1,
        "DDD": 2,
        "BBB": 3,
        "CCC": 4,
        "AAA": 5,
    }


def test_overall_is_the_unweighted_mean_of_pillar_scores() -> None:
    index = small_index()
    # q: z normalised with bounds 1.2..4.8 -> 0, 2/9, 1/2, 7/9, 1 -> 0, 22.22, 50, 77.78, 100
    # overall = (p + q) / 2: AAA 2.7778, BBB 31.9444, CCC 43.75, DDD 77.7778, EEE 93.75
    expected = {"AAA": 50 / 18, "BBB": (500 / 12 + 200 / 9) / 2, "CCC": 43.75, "DDD": 700 / 9, "EEE": 93.75}
    for iso3, score in expected.items():
        country = index.country(iso3)
        assert country.overall == pytest.approx(score)
        assert country.overall_coverage == 1.0
        assert country.status is Status.SCORED
    assert [index.country(i).rank_overall for i in FIVE] == [5, 4, 3, 2, 1]


def test_index_survives_pickling_for_caches() -> None:
    index = small_index()
    assert pickle.loads(pickle.dumps(index)) == index  # noqa: S301 - our own bytes


def test_indicator_values_carry_value_year_source_and_unit() -> None:
    value = small_index().country("CCC").pillar("p").indicator("y")
    assert value == IndicatorValue("y", "Indicator y", 10000.0, 2020, "test", "units", 0.0, None)


def test_log_indicator_floors_zero_and_negative_values() -> None:
    floored = small_index([*small_observations()[:-10], *(obs("y", i, LOG_FLOOR) for i in FIVE[:1])])
    zero = small_index([*small_observations()[:-10], *(obs("y", i, 0.0) for i in FIVE[:1])])
    negative = small_index([*small_observations()[:-10], *(obs("y", i, -5.0) for i in FIVE[:1])])
    reference = floored.country("AAA").pillar("p").indicator("y").normalised
    assert reference is not None
    assert zero.country("AAA").pillar("p").indicator("y").normalised == reference
    assert negative.country("AAA").pillar("p").indicator("y").normalised == reference


def test_constant_indicator_is_neutral_and_near_constant_uses_the_full_range() -> None:
    constant = [obs("z", i, 7.0) for i in FIVE]
    index = small_index([o for o in small_observations() if o.indicator != "z"] + constant)
    assert index.bounds["z"].method == "constant"
    assert index.country("AAA").pillar("q").score == 50.0
    # 21 countries: 20 have the law (1.0), one has none. p5 and p95 are both 1, so fall back to min..max.
    codes = [f"C{i:02d}" for i in range(21)]
    laws = [obs("z", iso3, 0.0 if iso3 == "C00" else 1.0) for iso3 in codes]
    near = compute_index(laws, [ctx(i) for i in codes], pillars=SMALL, min_pillars=1)
    assert near.bounds["z"].method == "min-max"
    assert near.country("C00").pillar("q").score == 0.0
    assert near.country("C01").pillar("q").score == 100.0


def test_fixed_bounds_are_reused_and_must_cover_observed_indicators() -> None:
    bounds = small_index().bounds
    shifted = [
        Observation(o.indicator, o.country, o.year, o.value + 1.0, o.source) for o in small_observations()
    ]
    index = small_index(shifted, bounds=bounds)
    assert index.bounds == bounds
    # z of AAA becomes 2 on the old 1.2..4.8 scale -> 0.8 / 3.6 = 2/9
    assert index.country("AAA").pillar("q").score == pytest.approx(200 / 9)
    with pytest.raises(MissingBoundsError, match="'z'"):
        small_index(bounds={code: b for code, b in bounds.items() if code != "z"})


# --- selection: window, most recent year, no imputation ------------------------------------------------


def test_most_recent_observation_in_window_is_used_and_its_year_shown() -> None:
    history = [obs("z", "AAA", v, year) for year, v in ((2010, 5.0), (2015, 1.0), (2020, 2.0), (2026, 5.0))]
    rest = [o for o in small_observations() if not (o.indicator == "z" and o.country == "AAA")]
    value = small_index(rest + history).country("AAA").pillar("q").indicator("z")
    # 2026 is after the reference year and 2010 before 2014 (= 2025 - 12 + 1): 2020 wins.
    assert (value.value, value.year) == (2.0, 2020)
    older = small_index(rest + history, ref_year=2016).country("AAA").pillar("q").indicator("z")
    assert (older.value, older.year) == (1.0, 2015)
    narrow = small_index(rest + history, window=3).country("AAA").pillar("q").indicator("z")
    assert narrow.value is None
    assert narrow.gap_reason == GAP_OUTSIDE_WINDOW


def test_missing_values_stay_missing_and_are_not_imputed() -> None:
    rest = [o for o in small_observations() if not (o.indicator == "y" and o.country == "BBB")]
    index = small_index(rest)
    pillar = index.country("BBB").pillar("p")
    gap = pillar.indicator("y")
    assert (gap.value, gap.year, gap.normalised, gap.gap_reason) == (None, None, None, GAP_NO_OBSERVATION)
    # Only x (weight 3 of 4) counts: coverage 0.75 and the score is x alone, 100 x 2/9 (y bounds now come
    # from the four remaining values and do not touch x).
    assert pillar.coverage == pytest.approx(0.75)
    assert pillar.score == pytest.approx(200 / 9)
    assert index.bounds["y"].count == 4


def test_gap_reason_distinguishes_old_data_from_no_data() -> None:
    contexts = [ctx(i) for i in (*FIVE, "OLD", "NON")]
    data = [*small_observations(), obs("z", "OLD", 1.0, 1999)]
    result = compute_index(data, contexts, pillars=SMALL, min_pillars=2)
    assert result.country("OLD").pillar("q").indicator("z").gap_reason == GAP_OUTSIDE_WINDOW
    assert result.country("NON").pillar("q").indicator("z").gap_reason == GAP_NO_OBSERVATION
    assert result.country("NON").pillar("q").status is Status.INSUFFICIENT_DATA


def test_contradicting_duplicates_are_rejected_and_identical_ones_accepted() -> None:
    duplicate = obs("z", "AAA", 1.0, source="another")
    for data in ([*small_observations(), duplicate], [duplicate, *small_observations()]):
        # Same value from two sources: the alphabetically first source is shown, whatever the order.
        assert small_index(data).country("AAA").pillar("q").indicator("z").source == "another"
    with pytest.raises(InvalidObservationError, match="z for AAA in 2020"):
        small_index([*small_observations(), obs("z", "AAA", 1.5, source="another")])


def test_non_finite_values_are_rejected() -> None:
    with pytest.raises(InvalidObservationError, match="nan"):
        small_index([*small_observations(), obs("z", "AAA", math.nan, 2021)])


# --- thresholds ----------------------------------------------------------------------------------------


def test_pillar_below_min_coverage_is_insufficient_data() -> None:
    rest = [o for o in small_observations() if not (o.indicator == "x" and o.country == "BBB")]
    index = small_index(rest)
    pillar = index.country("BBB").pillar("p")
    # Only y (weight 1 of 4): coverage 0.25 < 0.5
    assert (pillar.score, pillar.status, pillar.coverage) == (None, Status.INSUFFICIENT_DATA, 0.25)
    assert index.country("BBB").pillar_ranks["p"] is None
    assert index.country("BBB").overall is None  # one pillar left, min_pillars = 2
    assert index.country("BBB").overall_coverage == 0.5
    assert index.country("BBB").status is Status.INSUFFICIENT_DATA
    # With y missing instead, coverage 0.75 passes at 0.5 but not at 0.8
    no_y = [o for o in small_observations() if not (o.indicator == "y" and o.country == "BBB")]
    assert small_index(no_y).country("BBB").pillar("p").score is not None
    assert small_index(no_y, min_coverage=0.8).country("BBB").pillar("p").score is None


def test_coverage_exactly_at_the_threshold_is_scored() -> None:
    half = PillarSpec("h", "Half", (Z, IndicatorSpec("w", "w", "h", 1, 1.0, False, "units")))
    data = [obs("z", i, v) for i, v in zip(FIVE, (1.0, 2.0, 3.0, 4.0, 5.0), strict=True)]
    index = compute_index(data, [ctx(i) for i in FIVE], pillars=(half,), min_pillars=1)
    assert index.country("CCC").pillar("h").coverage == 0.5
    assert index.country("CCC").pillar("h").score == pytest.approx(50.0)


def test_overall_needs_five_of_seven_pillars_by_default() -> None:
    contexts = [ctx("AAA"), ctx("BBB")]
    # The first two indicators of a pillar always reach coverage 0.5. AAA gets them for five pillars,
    # BBB for four.
    codes = [spec.code for pillar in PILLARS for spec in pillar.indicators[:2]]
    five = [c for c in codes if INDICATORS[c].pillar not in {"trust", "economy"}]
    four = [c for c in five if INDICATORS[c].pillar != "policy"]
    data = [obs(c, "AAA", 1.0) for c in five] + [obs(c, "BBB", 2.0) for c in four]
    index = compute_index(data, contexts)
    assert sum(p.score is not None for p in index.country("AAA").pillars) == 5
    assert index.country("AAA").overall is not None
    assert index.country("AAA").overall_coverage == pytest.approx(5 / 7)
    assert sum(p.score is not None for p in index.country("BBB").pillars) == 4
    assert index.country("BBB").overall is None
    assert index.country("BBB").rank_overall is None


def test_parameters_are_checked() -> None:
    with pytest.raises(InvalidParameterError):
        small_index(window=0)
    with pytest.raises(InvalidParameterError):
        small_index(min_coverage=1.5)


# --- ranking and groups --------------------------------------------------------------------------------


def test_ties_share_a_rank_and_the_next_rank_is_skipped() -> None:
    data = [obs("z", i, v) for i, v in zip(FIVE, (5.0, 3.0, 3.0, 1.0, 2.0), strict=True)]
    data.append(obs("z", "NON", 9.0, 1990))
    index = compute_index(data, [ctx(i) for i in (*FIVE, "NON")], pillars=SMALL[1:], min_pillars=1)
    ranks = {iso3: c.rank_overall for iso3, c in index.countries.items()}
    assert ranks == {"AAA": 1, "BBB": 2, "CCC": 2, "EEE": 4, "DDD": 5, "NON": None}
    assert index.country("BBB").pillar_ranks["q"] == 2


def test_group_averages_use_members_with_a_score_and_report_the_count() -> None:
    index = small_index()
    groups = {"g1": {"AAA", "BBB", "XXX"}, "empty": set[str]()}
    averages = group_averages(index, groups)
    g1 = averages["g1"]
    # p: (1/18 + 5/12) / 2 x 100 = 17/72 x 100 = 23.6111; overall: (2.7778 + 31.9444) / 2 = 17.3611
    assert g1.members == 2
    assert g1.pillars["p"].mean == pytest.approx(1700 / 72)
    assert g1.pillars["p"].count == 2
    assert g1.overall.mean == pytest.approx((50 / 18 + (500 / 12 + 200 / 9) / 2) / 2)
    assert (averages["empty"].overall.mean, averages["empty"].overall.count) == (None, 0)
    rest = [o for o in small_observations() if not (o.indicator == "z" and o.country == "AAA")]
    partial = group_averages(small_index(rest), groups)["g1"]
    # z bounds now come from 2, 3, 4, 5: p5 at position 0.15 -> 2.15, so BBB's z = 2 normalises to 0.
    assert (partial.pillars["q"].mean, partial.pillars["q"].count) == (0.0, 1)
    assert partial.overall.count == 1


# --- peers further ahead -------------------------------------------------------------------------------

AFRICA, ASIA = "Sub-Saharan Africa", "South Asia"
LOWER, UPPER = "Lower middle income", "Upper middle income"
LAWS = ("law_etransactions", "law_consumer_protection", "law_data_protection", "law_cybercrime")
PEER_CONTEXTS = [
    ctx("AAA", region=AFRICA, income=LOWER, population=50e6, groups=frozenset({"LLDC"})),
    ctx("BBB", region=AFRICA, income=UPPER, population=30e6),
    ctx("CCC", region=AFRICA, income=LOWER, population=60e6, groups=frozenset({"LLDC"})),
    ctx("DDD", region=AFRICA, income=LOWER, population=800e6),  # more than 10x larger
    ctx("EEE", region=ASIA, income=UPPER, population=50e6),  # neither region nor income group
    ctx("FFF", region=ASIA, income=LOWER, population=20e6),
    ctx("GGG", region=AFRICA, income=LOWER, population=None),  # population unknown
    ctx("HHH", region=AFRICA, income=LOWER, population=40e6),
    ctx("III", region=ASIA, income=UPPER, population=1e9),  # no laws: spreads the bounds to 0..1
]
PEER_LAWS = {
    "AAA": (1.0, 1.0, 0.0, 0.0),  # policy 50
    "BBB": (1.0, 1.0, 1.0, 1.0),  # 100
    "CCC": (1.0, 1.0, 1.0, 0.5),  # 87.5
    "DDD": (1.0, 1.0, 1.0, 1.0),
    "EEE": (1.0, 1.0, 1.0, 1.0),
    "FFF": (1.0, 1.0, 0.0, 0.5),  # 62.5
    "GGG": (1.0, 1.0, 1.0, 1.0),
    "HHH": (1.0, 1.0, 0.0, 0.0),  # 50: not ahead
    "III": (0.0, 0.0, 0.0, 0.0),
}


def peer_index() -> GapIndex:
    data = [
        obs(code, iso3, v, 2025)
        for iso3, values in PEER_LAWS.items()
        for code, v in zip(LAWS, values, strict=True)
    ]
    return compute_index(data, PEER_CONTEXTS, min_pillars=1)


def test_peers_further_ahead_are_similar_and_ordered_by_context_distance() -> None:
    index = peer_index()
    # Bounds: e-transactions and consumer protection 0.4..1 (one 0 among nine), the other two 0..1, so
    # a law in force normalises to 1 and no law to 0 everywhere.
    assert index.country("AAA").pillar("policy").score == 50.0
    peers = peers_further_ahead(index, PEER_CONTEXTS, "AAA", "policy")
    # distances: CCC 0 + 0 + 0 + log10(1.2) = 0.079; BBB 1 + 0 + 1 + log10(5/3) = 2.222;
    # FFF 0 + 1 + 1 + log10(2.5) = 2.398. DDD, EEE, GGG fail the filters and HHH is not ahead.
    assert [p.iso3 for p in peers] == ["CCC", "BBB", "FFF"]
    assert [p.score_gap for p in peers] == pytest.approx([37.5, 50.0, 12.5])
    assert peers[0].distance == pytest.approx(math.log10(1.2))
    assert peers[0].differences == (
        ("law_data_protection", "has a data protection law (country: none)"),
        ("law_cybercrime", "has a draft cybercrime law (country: none)"),
    )
    assert peers[1].differences == (
        ("law_data_protection", "has a data protection law (country: none)"),
        ("law_cybercrime", "has a cybercrime law (country: none)"),
    )


def test_peers_respect_margin_and_limit() -> None:
    index = peer_index()
    assert [p.iso3 for p in peers_further_ahead(index, PEER_CONTEXTS, "AAA", "policy", margin=15)] == [
        "CCC",
        "BBB",
    ]
    assert [p.iso3 for p in peers_further_ahead(index, PEER_CONTEXTS, "AAA", "policy", limit=1)] == ["CCC"]
    assert peers_further_ahead(index, PEER_CONTEXTS, "BBB", "policy") == []


def test_peers_list_indicators_the_country_has_no_data_for() -> None:
    data = [obs(c, i, v, 2025) for i, values in PEER_LAWS.items() for c, v in zip(LAWS, values, strict=True)]
    data = [o for o in data if not (o.country == "AAA" and o.indicator == "law_consumer_protection")]
    # AAA: e-transactions 1, data protection 0, cybercrime 0 -> 100/3 with coverage 3/4
    index = compute_index(data, PEER_CONTEXTS, min_pillars=1)
    differences = peers_further_ahead(index, PEER_CONTEXTS, "AAA", "policy")[0].differences
    assert differences[-1] == ("law_consumer_protection", "has a consumer protection law (country: no data)")


def test_peers_for_a_country_without_a_pillar_score_is_empty_and_unknowns_raise() -> None:
    index = peer_index()
    assert peers_further_ahead(index, PEER_CONTEXTS, "AAA", "connectivity") == []
    with pytest.raises(UnknownCountryError):
        peers_further_ahead(index, PEER_CONTEXTS, "ZZZ", "policy")
    with pytest.raises(UnknownPillarError):
        peers_further_ahead(index, PEER_CONTEXTS, "AAA", "nonsense")


def test_numeric_differences_read_as_value_and_year_for_both_countries() -> None:
    spec = INDICATORS["internet_users"]
    peer = IndicatorValue(spec.code, spec.name, 72.1, 2023, "s", spec.unit, 0.9)
    mine = IndicatorValue(spec.code, spec.name, 23.4, 2023, "s", spec.unit, 0.1)
    assert describe_difference(spec, peer, mine) == "Internet users 72.1% (2023) vs 23.4% (2023)"


# --- the shipped specification -------------------------------------------------------------------------


def test_pillars_and_indicator_codes_match_the_loader_contract() -> None:
    assert {p.code: tuple(s.code for s in p.indicators) for p in PILLARS} == {
        "connectivity": ("internet_users", "mobile_subscriptions", "fixed_broadband", "electricity_access"),
        "affordability": ("mobile_data_price", "gni_per_capita"),
        "skills": ("adult_literacy", "gtmi_digitalskills"),
        "finance": ("account_ownership", "gtmi_epayments"),
        "policy": LAWS,
        "trust": ("gci_overall", "secure_servers"),
        "economy": ("digital_services_exports_pc", "ict_business_internet", "gtmi_eprocurement"),
    }
    assert {s.code for s in INDICATORS.values() if s.direction < 0} == {"mobile_data_price"}
    assert {s.code for s in INDICATORS.values() if s.log} == {
        "mobile_data_price",
        "gni_per_capita",
        "secure_servers",
        "digital_services_exports_pc",
    }
    assert all(s.pillar == p.code for p in PILLARS for s in p.indicators)


def test_realistic_volume_is_fast() -> None:
    rng = random.Random(20250101)
    countries = [f"C{i:03d}" for i in range(220)]
    data = [
        obs(code, iso3, rng.uniform(0.1, 100.0), year)
        for iso3 in countries
        for code in INDICATORS
        for year in range(1996, 2022)
        if rng.random() < 0.95
    ]
    assert len(data) > 95_000
    start = time.perf_counter()
    index = compute_index(data, [ctx(i) for i in countries])
    elapsed = time.perf_counter() - start
    assert len(index.countries) == 220
    assert elapsed < 3.0, f"compute_index took {elapsed:.2f}s for {len(data)} observations"


# --- properties ----------------------------------------------------------------------------------------

CODES = tuple(INDICATORS)
# Years observed per (country, indicator): none, in the window, before it (2010), after ref_year (2026), and
# pairs where the older value must lose to the newer one.
YEAR_PATTERNS = ((), (2024,), (2020,), (2016, 2024), (2010,), (2026,), (2010, 2020))
values_strategy = st.one_of(
    st.sampled_from([0.0, 0.5, 1.0, 10.0]),  # repeated values provoke ties and constant bounds
    st.floats(-10.0, 1e5, allow_nan=False, allow_infinity=False),
)
PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@st.composite
def datasets(draw: st.DrawFn) -> tuple[list[CountryContext], list[Observation]]:
    countries = [f"C{i:02d}" for i in range(draw(st.integers(1, 5)))]
    data = [
        obs(code, iso3, draw(values_strategy), year)
        for iso3 in countries
        for code in CODES
        for year in draw(st.sampled_from(YEAR_PATTERNS))
    ]
    return [ctx(i) for i in countries], data


def improve(observation: Observation, delta: float) -> Observation:
    step = delta if INDICATORS[observation.indicator].direction > 0 else -delta
    return Observation(
        observation.indicator, observation.country, observation.year, observation.value + step, "x"
    )


def assert_not_lower(before: GapIndex, after: GapIndex, iso3: str, tolerance: float) -> None:
    old, new = before.country(iso3), after.country(iso3)
    for old_pillar, new_pillar in zip(old.pillars, new.pillars, strict=True):
        assert (old_pillar.score is None) == (new_pillar.score is None)
        if old_pillar.score is not None and new_pillar.score is not None:
            assert new_pillar.score >= old_pillar.score - tolerance, old_pillar.code
    assert (old.overall is None) == (new.overall is None)
    if old.overall is not None and new.overall is not None:
        assert new.overall >= old.overall - tolerance


@PROPERTY_SETTINGS
@given(datasets(), st.data(), st.floats(1e-6, 1e4))
def test_improving_one_value_never_lowers_that_countrys_scores(
    dataset: tuple[list[CountryContext], list[Observation]], data: st.DataObject, delta: float
) -> None:
    contexts, observations = dataset
    if not observations:
        return
    position = data.draw(st.integers(0, len(observations) - 1))
    changed = list(observations)
    changed[position] = improve(observations[position], delta)
    iso3 = observations[position].country
    before = compute_index(observations, contexts)
    # Bounds held fixed: every step is a monotone float operation, so no tolerance is needed.
    assert_not_lower(before, compute_index(changed, contexts, bounds=before.bounds), iso3, tolerance=0.0)
    # Bounds recomputed: the value moves the percentiles too; allow float rounding only.
    assert_not_lower(before, compute_index(changed, contexts), iso3, tolerance=1e-9)


@PROPERTY_SETTINGS
@given(
    st.integers(21, 45),
    st.lists(st.sampled_from([0.0, 0.5, 2.0]) | st.floats(-1.0, 3.0), max_size=4),
    st.data(),
    st.floats(1e-3, 2.0),
)
def test_improving_one_value_never_lowers_its_score_when_bounds_fall_back_to_min_max(
    size: int, others: list[float], data: st.DataObject, delta: float
) -> None:
    # Only from 21 countries on can p5 and p95 coincide while values differ: most countries share one value
    # (e.g. have the law), which switches the bounds to min..max. The switch must not hurt the mover.
    values = [1.0] * (size - len(others)) + others
    countries = [f"C{i:02d}" for i in range(size)]
    contexts = [ctx(i) for i in countries]
    observations = [obs("z", iso3, v) for iso3, v in zip(countries, values, strict=True)]
    mover = data.draw(st.integers(0, len(values) - 1))
    changed = list(observations)
    changed[mover] = obs("z", countries[mover], values[mover] + delta)
    pillars = SMALL[1:]
    before = compute_index(observations, contexts, pillars=pillars, min_pillars=1)
    after = compute_index(changed, contexts, pillars=pillars, min_pillars=1)
    assert_not_lower(before, after, countries[mover], tolerance=1e-9)


@PROPERTY_SETTINGS
@given(datasets())
def test_every_score_is_between_0_and_100(dataset: tuple[list[CountryContext], list[Observation]]) -> None:
    contexts, observations = dataset
    index = compute_index(observations, contexts, min_pillars=1)
    for country in index.countries.values():
        assert country.overall is None or 0.0 <= country.overall <= 100.0
        assert 0.0 <= country.overall_coverage <= 1.0
        for pillar in country.pillars:
            assert pillar.score is None or 0.0 <= pillar.score <= 100.0
            assert 0.0 <= pillar.coverage <= 1.0
            assert all(v.normalised is None or 0.0 <= v.normalised <= 1.0 for v in pillar.indicators)


@PROPERTY_SETTINGS
@given(datasets(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_observations(
    dataset: tuple[list[CountryContext], list[Observation]], rng: random.Random
) -> None:
    contexts, observations = dataset
    shuffled, shuffled_contexts = list(observations), list(contexts)
    rng.shuffle(shuffled)
    rng.shuffle(shuffled_contexts)
    assert compute_index(shuffled, shuffled_contexts) == compute_index(observations, contexts)
