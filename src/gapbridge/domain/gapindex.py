"""The Gap Index: country digital-divide scores from 0 to 100, per pillar and overall.

It turns indicator observations (internet users, broadband, prices, laws, skills ...) into scores that can be
compared across countries: for each country and indicator it takes the most recent observation inside a
reference window, rescales it between robust cross-country bounds (5th and 95th percentiles), averages the
indicators of a pillar when enough of them are present, averages the pillars into an overall score when
enough pillars are scored, ranks the countries, averages scores over country groups and finds similar
countries that are further ahead on a pillar. Nothing is imputed: a missing value stays a visible data
gap. The module is pure (no Django, no I/O) so it can be tested in milliseconds and reproduced by hand;
docs/methodology.md describes the method step by step with a worked example.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

DEFAULT_REF_YEAR = 2025
# Twelve years back from 2025 reaches 2014, the most recent Global Findex round in the bundled data.
DEFAULT_WINDOW = 12
DEFAULT_MIN_COVERAGE = 0.5
DEFAULT_MIN_PILLARS = 5
LOWER_PERCENTILE = 5.0
UPPER_PERCENTILE = 95.0
# log10 is undefined at and below zero. Every log-scaled indicator is a positive quantity (prices, incomes,
# servers or exports per head) whose real minimum in the data is far above this floor, so a reported zero
# is treated as "a tiny amount" rather than dropped: it keeps the country scored and at the bottom.
LOG_FLOOR = 0.01
# Coverage is a ratio of float sums; this absorbs rounding so that e.g. 3 x 1/6 of the weight counts as 0.5.
_COVERAGE_TOLERANCE = 1e-12
# Scores that agree to this many decimals share a rank, so float noise from summation order cannot split
# two countries whose scores are mathematically equal.
_RANK_DECIMALS = 9

GAP_NO_OBSERVATION = "no observation"
GAP_OUTSIDE_WINDOW = "no observation in window"

UNIT_PCT_POPULATION = "% of population"
UNIT_PCT_ADULTS = "% of people aged 15+"
UNIT_PCT_BUSINESSES = "% of businesses"
UNIT_PCT_GNI = "% of monthly GNI per capita"
UNIT_PER_100 = "per 100 people"
UNIT_PER_MILLION = "per million people"
UNIT_USD = "current US$"
UNIT_USD_PER_CAPITA = "current US$ per capita"
UNIT_GTMI = "GTMI 2022 indicator score"
UNIT_GCI = "score 0-100"
UNIT_LEGISLATION = "1 = law, 0.5 = draft law, 0 = no law"


class GapIndexError(Exception):
    """Base class for errors raised by the Gap Index."""


class InvalidObservationError(GapIndexError):
    """An observation cannot be used (not a finite number, or contradicts another one)."""


class MissingBoundsError(GapIndexError):
    """Fixed bounds were supplied but lack an indicator that has observations."""


class InvalidParameterError(GapIndexError, ValueError):
    """A method parameter is outside its meaningful range."""


class UnknownCountryError(GapIndexError, KeyError):
    """The country is not in the index or has no context."""


class UnknownPillarError(GapIndexError, KeyError):
    """The pillar code is not one of the index's pillars."""


class Status(StrEnum):
    SCORED = "scored"
    INSUFFICIENT_DATA = "insufficient data"


@dataclass(frozen=True)
class Observation:
    indicator: str
    country: str
    year: int
    value: float
    source: str


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    pillar: str
    direction: int
    weight: float
    log: bool
    unit: str


@dataclass(frozen=True)
class PillarSpec:
    code: str
    name: str
    indicators: tuple[IndicatorSpec, ...]


@dataclass(frozen=True)
class CountryContext:
    iso3: str
    name: str
    region: str
    income_group: str
    population: float | None
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IndicatorBounds:
    """Normalisation bounds of one indicator, on the transformed (log10 if `log`) scale."""

    code: str
    lower: float
    upper: float
    count: int
    method: str


@dataclass(frozen=True)
class IndicatorValue:
    code: str
    name: str
    value: float | None
    year: int | None
    source: str | None
    unit: str
    normalised: float | None
    gap_reason: str | None = None


@dataclass(frozen=True)
class PillarScore:
    code: str
    name: str
    score: float | None
    coverage: float
    status: Status
    indicators: tuple[IndicatorValue, ...]

    def indicator(self, code: str) -> IndicatorValue:
        for value in self.indicators:
            if value.code == code:
                return value
        raise KeyError(code)


@dataclass(frozen=True)
class CountryScore:
    iso3: str
    name: str
    overall: float | None
    overall_coverage: float
    status: Status
    pillars: tuple[PillarScore, ...]
    rank_overall: int | None
    pillar_ranks: Mapping[str, int | None]

    def pillar(self, code: str) -> PillarScore:
        for pillar in self.pillars:
            if pillar.code == code:
                return pillar
        raise UnknownPillarError(code)


@dataclass(frozen=True)
class GapIndex:
    """All countries' scores and the bounds they were computed with. Plain dicts inside, so it pickles."""

    ref_year: int
    window: int
    min_coverage: float
    min_pillars: int
    pillars: tuple[PillarSpec, ...]
    bounds: Mapping[str, IndicatorBounds]
    countries: Mapping[str, CountryScore]

    def country(self, iso3: str) -> CountryScore:
        try:
            return self.countries[iso3]
        except KeyError:
            raise UnknownCountryError(f"{iso3!r} is not in the Gap Index") from None


@dataclass(frozen=True)
class GroupMean:
    mean: float | None
    count: int


@dataclass(frozen=True)
class GroupAverage:
    group: str
    members: int
    overall: GroupMean
    pillars: Mapping[str, GroupMean]


@dataclass(frozen=True)
class Peer:
    iso3: str
    name: str
    score: float
    score_gap: float
    distance: float
    differences: tuple[tuple[str, str], ...]


def _spec(
    code: str, name: str, pillar: str, unit: str, *, direction: int = 1, log: bool = False
) -> IndicatorSpec:
    # Equal weights: no indicator within a pillar has a documented claim to matter more than another.
    return IndicatorSpec(code, name, pillar, direction, 1.0, log, unit)


PILLARS: tuple[PillarSpec, ...] = (
    PillarSpec(
        "connectivity",
        "Connectivity",
        (
            _spec("internet_users", "Internet users", "connectivity", UNIT_PCT_POPULATION),
            _spec("mobile_subscriptions", "Mobile subscriptions", "connectivity", UNIT_PER_100),
            _spec("fixed_broadband", "Fixed broadband subscriptions", "connectivity", UNIT_PER_100),
            _spec("electricity_access", "Access to electricity", "connectivity", UNIT_PCT_POPULATION),
        ),
    ),
    PillarSpec(
        "affordability",
        "Affordability",
        (
            _spec(
                "mobile_data_price",
                "Cost of 1 GB of mobile data",
                "affordability",
                UNIT_PCT_GNI,
                direction=-1,
                log=True,
            ),
            _spec("gni_per_capita", "GNI per capita (Atlas method)", "affordability", UNIT_USD, log=True),
        ),
    ),
    PillarSpec(
        "skills",
        "Skills and human capital",
        (
            _spec("adult_literacy", "Adult literacy rate", "skills", UNIT_PCT_ADULTS),
            _spec("gtmi_digitalskills", "Digital skills (GovTech Maturity Index)", "skills", UNIT_GTMI),
        ),
    ),
    PillarSpec(
        "finance",
        "Digital finance and payments",
        (
            _spec("account_ownership", "Account ownership", "finance", UNIT_PCT_ADULTS),
            _spec("gtmi_epayments", "Government e-payments (GovTech Maturity Index)", "finance", UNIT_GTMI),
        ),
    ),
    PillarSpec(
        "policy",
        "Policy and regulation",
        (
            _spec("law_etransactions", "Electronic transactions law", "policy", UNIT_LEGISLATION),
            _spec("law_consumer_protection", "Consumer protection law", "policy", UNIT_LEGISLATION),
            _spec("law_data_protection", "Data protection law", "policy", UNIT_LEGISLATION),
            _spec("law_cybercrime", "Cybercrime law", "policy", UNIT_LEGISLATION),
        ),
    ),
    PillarSpec(
        "trust",
        "Trust and security",
        (
            _spec("gci_overall", "Global Cybersecurity Index", "trust", UNIT_GCI),
            _spec("secure_servers", "Secure Internet servers", "trust", UNIT_PER_MILLION, log=True),
        ),
    ),
    PillarSpec(
        "economy",
        "Digital economy and trade",
        (
            _spec(
                "digital_services_exports_pc",
                "Digitally-deliverable services exports",
                "economy",
                UNIT_USD_PER_CAPITA,
                log=True,
            ),
            _spec("ict_business_internet", "Businesses using the Internet", "economy", UNIT_PCT_BUSINESSES),
            _spec(
                "gtmi_eprocurement", "Government e-procurement (GovTech Maturity Index)", "economy", UNIT_GTMI
            ),
        ),
    ),
)

INDICATORS: Mapping[str, IndicatorSpec] = MappingProxyType(
    {spec.code: spec for pillar in PILLARS for spec in pillar.indicators}
)


# --- selection -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Selection:
    chosen: Mapping[tuple[str, str], Observation]
    outside_window: frozenset[tuple[str, str]]


def _select(
    observations: Iterable[Observation],
    countries: frozenset[str],
    indicator_codes: frozenset[str],
    ref_year: int,
    window: int,
) -> _Selection:
    """Most recent in-window observation per (country, indicator); remembers which pairs had only others."""
    first_year = ref_year - window + 1
    chosen: dict[tuple[str, str], Observation] = {}
    by_year: dict[tuple[str, str, int], Observation] = {}
    seen: set[tuple[str, str]] = set()
    for obs in observations:
        if obs.country not in countries or obs.indicator not in indicator_codes:
            continue  # aggregates, territories outside the universe and series the index does not use
        key = (obs.country, obs.indicator)
        seen.add(key)
        if not first_year <= obs.year <= ref_year:
            continue
        if not math.isfinite(obs.value):
            raise InvalidObservationError(
                f"{obs.indicator} for {obs.country} in {obs.year}: value {obs.value}"
            )
        other = by_year.setdefault((obs.country, obs.indicator, obs.year), obs)
        if other.value != obs.value:
            # Two sources for the same year must agree; picking one silently would make the score depend
            # on the order the loader happened to read files in.
            raise InvalidObservationError(
                f"{obs.indicator} for {obs.country} in {obs.year}: {other.value} ({other.source}) "
                f"contradicts {obs.value} ({obs.source})"
            )
        # Among agreeing sources of the same year the alphabetically first is shown, whatever the order.
        best = chosen.get(key)
        if best is None or obs.year > best.year or (obs.year == best.year and obs.source <= best.source):
            chosen[key] = obs
    return _Selection(chosen, frozenset(seen - chosen.keys()))


# --- bounds and normalisation --------------------------------------------------------------------------


def transform(value: float, spec: IndicatorSpec) -> float:
    """The value on the scale bounds are computed on: log10 (floored at LOG_FLOOR) for skewed indicators."""
    return math.log10(max(value, LOG_FLOOR)) if spec.log else value


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Linear interpolation between order statistics (numpy's default, Hyndman-Fan type 7)."""
    if not sorted_values:
        raise InvalidParameterError("percentile of no values")
    position = (len(sorted_values) - 1) * pct / 100.0
    below = math.floor(position)
    if below + 1 >= len(sorted_values):
        return sorted_values[-1]
    fraction = position - below
    return sorted_values[below] + fraction * (sorted_values[below + 1] - sorted_values[below])


def _bounds_of(code: str, values: Sequence[float], lower_pct: float, upper_pct: float) -> IndicatorBounds:
    ordered = sorted(values)
    lower, upper = percentile(ordered, lower_pct), percentile(ordered, upper_pct)
    if upper > lower:
        return IndicatorBounds(code, lower, upper, len(ordered), f"p{lower_pct:g}-p{upper_pct:g}")
    # The middle 90% of countries share one value (typically "has the law"): the percentiles cannot separate
    # anyone, the full range can, so the few countries below or above the mass still differ from it.
    if ordered[-1] > ordered[0]:
        return IndicatorBounds(code, ordered[0], ordered[-1], len(ordered), "min-max")
    return IndicatorBounds(code, lower, upper, len(ordered), "constant")


def _compute_bounds(
    selection: _Selection, pillars: Sequence[PillarSpec], lower_pct: float, upper_pct: float
) -> Mapping[str, IndicatorBounds]:
    values: dict[str, list[float]] = {}
    specs = {spec.code: spec for pillar in pillars for spec in pillar.indicators}
    for (_, code), obs in selection.chosen.items():
        values.setdefault(code, []).append(transform(obs.value, specs[code]))
    return {code: _bounds_of(code, values[code], lower_pct, upper_pct) for code in specs if code in values}


def normalise(value: float, spec: IndicatorSpec, bounds: IndicatorBounds) -> float:
    """Position of the value between the bounds, 0 (worst) to 1 (best), clipped."""
    x = transform(value, spec)
    if bounds.upper > bounds.lower:
        share = min(1.0, max(0.0, (x - bounds.lower) / (bounds.upper - bounds.lower)))
    else:
        # Constant indicator: no spread to scale by. Values equal to it are neutral; with bounds held
        # fixed from another year, a value beyond it is entirely better or worse.
        share = 0.5 if x == bounds.lower else (1.0 if x > bounds.lower else 0.0)
    return share if spec.direction > 0 else 1.0 - share


# --- scoring -------------------------------------------------------------------------------------------


def _indicator_value(
    spec: IndicatorSpec, iso3: str, selection: _Selection, bounds: Mapping[str, IndicatorBounds]
) -> IndicatorValue:
    obs = selection.chosen.get((iso3, spec.code))
    if obs is None:
        reason = GAP_OUTSIDE_WINDOW if (iso3, spec.code) in selection.outside_window else GAP_NO_OBSERVATION
        return IndicatorValue(spec.code, spec.name, None, None, None, spec.unit, None, reason)
    try:
        indicator_bounds = bounds[spec.code]
    except KeyError:
        raise MissingBoundsError(f"no bounds for indicator {spec.code!r}") from None
    normalised = normalise(obs.value, spec, indicator_bounds)
    return IndicatorValue(spec.code, spec.name, obs.value, obs.year, obs.source, spec.unit, normalised)


def _pillar_score(
    pillar: PillarSpec,
    iso3: str,
    selection: _Selection,
    bounds: Mapping[str, IndicatorBounds],
    min_coverage: float,
) -> PillarScore:
    values = tuple(_indicator_value(spec, iso3, selection, bounds) for spec in pillar.indicators)
    total_weight = sum(spec.weight for spec in pillar.indicators)
    present = [
        (spec.weight, v.normalised)
        for spec, v in zip(pillar.indicators, values, strict=True)
        if v.normalised is not None
    ]
    available_weight = sum(weight for weight, _ in present)
    coverage = available_weight / total_weight if total_weight > 0 else 0.0
    if not present or coverage + _COVERAGE_TOLERANCE < min_coverage:
        return PillarScore(pillar.code, pillar.name, None, coverage, Status.INSUFFICIENT_DATA, values)
    score = 100.0 * sum(weight * share for weight, share in present) / available_weight
    return PillarScore(pillar.code, pillar.name, score, coverage, Status.SCORED, values)


def _competition_ranks(scores: Mapping[str, float | None]) -> dict[str, int | None]:
    """1 = highest; equal scores share the best rank of their block and the next rank skips (1, 2, 2, 4)."""
    ranked = sorted(
        ((round(s, _RANK_DECIMALS), iso3) for iso3, s in scores.items() if s is not None), reverse=True
    )
    ranks: dict[str, int | None] = dict.fromkeys(scores)
    previous: float | None = None
    rank = 0
    for position, (key, iso3) in enumerate(ranked, start=1):
        if key != previous:
            rank, previous = position, key
        ranks[iso3] = rank
    return ranks


def _check_parameters(
    window: int, min_coverage: float, min_pillars: int, lower_pct: float, upper_pct: float
) -> None:
    if window < 1:
        raise InvalidParameterError(f"window must be at least 1 year, got {window}")
    if not 0.0 <= min_coverage <= 1.0:
        raise InvalidParameterError(f"min_coverage must be within [0, 1], got {min_coverage}")
    if min_pillars < 1:
        raise InvalidParameterError(f"min_pillars must be at least 1, got {min_pillars}")
    if not 0.0 <= lower_pct < upper_pct <= 100.0:
        raise InvalidParameterError(
            f"percentiles must satisfy 0 <= lower < upper <= 100, got {lower_pct}, {upper_pct}"
        )


def _universe(contexts: Iterable[CountryContext]) -> dict[str, CountryContext]:
    return {context.iso3: context for context in contexts}


def _codes(pillars: Sequence[PillarSpec]) -> frozenset[str]:
    return frozenset(spec.code for pillar in pillars for spec in pillar.indicators)


def compute_bounds(
    observations: Iterable[Observation],
    contexts: Iterable[CountryContext],
    *,
    ref_year: int = DEFAULT_REF_YEAR,
    window: int = DEFAULT_WINDOW,
    pillars: Sequence[PillarSpec] = PILLARS,
    lower_percentile: float = LOWER_PERCENTILE,
    upper_percentile: float = UPPER_PERCENTILE,
) -> Mapping[str, IndicatorBounds]:
    """Per-indicator bounds over the values compute_index would use; store them to hold scores comparable."""
    _check_parameters(window, DEFAULT_MIN_COVERAGE, DEFAULT_MIN_PILLARS, lower_percentile, upper_percentile)
    universe = frozenset(_universe(contexts))
    selection = _select(observations, universe, _codes(pillars), ref_year, window)
    return _compute_bounds(selection, pillars, lower_percentile, upper_percentile)


def compute_index(
    observations: Iterable[Observation],
    contexts: Iterable[CountryContext],
    *,
    ref_year: int = DEFAULT_REF_YEAR,
    window: int = DEFAULT_WINDOW,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    min_pillars: int = DEFAULT_MIN_PILLARS,
    bounds: Mapping[str, IndicatorBounds] | None = None,
    pillars: Sequence[PillarSpec] = PILLARS,
) -> GapIndex:
    """Score every country in `contexts`; observations for any other code (e.g. aggregates) are ignored.

    With `bounds=None` the bounds are computed from these observations (see compute_bounds); pass stored
    bounds to score new data on an earlier scale.
    """
    _check_parameters(window, min_coverage, min_pillars, LOWER_PERCENTILE, UPPER_PERCENTILE)
    universe = _universe(contexts)
    selection = _select(observations, frozenset(universe), _codes(pillars), ref_year, window)
    if bounds is None:
        bounds = _compute_bounds(selection, pillars, LOWER_PERCENTILE, UPPER_PERCENTILE)
    pillar_scores = {
        iso3: tuple(_pillar_score(pillar, iso3, selection, bounds, min_coverage) for pillar in pillars)
        for iso3 in sorted(universe)
    }
    overall = {iso3: _overall(scores, min_pillars) for iso3, scores in pillar_scores.items()}
    overall_ranks = _competition_ranks({iso3: score for iso3, (score, _) in overall.items()})
    pillar_ranks = {
        pillar.code: _competition_ranks({iso3: scores[i].score for iso3, scores in pillar_scores.items()})
        for i, pillar in enumerate(pillars)
    }
    countries = {
        iso3: CountryScore(
            iso3=iso3,
            name=universe[iso3].name,
            overall=overall[iso3][0],
            overall_coverage=overall[iso3][1],
            status=Status.SCORED if overall[iso3][0] is not None else Status.INSUFFICIENT_DATA,
            pillars=scores,
            rank_overall=overall_ranks[iso3],
            pillar_ranks={code: ranks[iso3] for code, ranks in pillar_ranks.items()},
        )
        for iso3, scores in pillar_scores.items()
    }
    return GapIndex(
        ref_year=ref_year,
        window=window,
        min_coverage=min_coverage,
        min_pillars=min_pillars,
        pillars=tuple(pillars),
        bounds=dict(bounds),
        countries=countries,
    )


def _overall(pillars: Sequence[PillarScore], min_pillars: int) -> tuple[float | None, float]:
    """(unweighted mean of scored pillars or None, share of pillars scored)."""
    scored = [p.score for p in pillars if p.score is not None]
    coverage = len(scored) / len(pillars) if pillars else 0.0
    if not scored or len(scored) < min_pillars:
        return None, coverage
    return sum(scored) / len(scored), coverage


# --- group averages ------------------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> GroupMean:
    return GroupMean(sum(values) / len(values) if values else None, len(values))


def group_averages(index: GapIndex, groups: Mapping[str, Iterable[str]]) -> dict[str, GroupAverage]:
    """Mean overall and pillar scores of each group, over the members that have that score.

    Members that are not in the index (e.g. territories outside the scored universe) are ignored.
    """
    result: dict[str, GroupAverage] = {}
    for group, members in groups.items():
        scores = [index.countries[iso3] for iso3 in sorted(set(members)) if iso3 in index.countries]
        overall = _mean([c.overall for c in scores if c.overall is not None])
        pillars = {
            pillar.code: _mean([s for c in scores if (s := c.pillar(pillar.code).score) is not None])
            for pillar in index.pillars
        }
        result[group] = GroupAverage(group, len(scores), overall, pillars)
    return result


# --- peers further ahead -------------------------------------------------------------------------------


def _population_distance(a: CountryContext, b: CountryContext) -> float | None:
    if a.population is None or b.population is None or a.population <= 0 or b.population <= 0:
        return None
    return abs(math.log10(b.population / a.population))


def _context_distance(country: CountryContext, peer: CountryContext, population_distance: float) -> float:
    """0 = same context. Income group, region, shared groups and log10 population ratio count 0-1 each."""
    union = country.groups | peer.groups
    group_overlap = len(country.groups & peer.groups) / len(union) if union else 1.0
    return (
        float(country.income_group != peer.income_group)
        + float(country.region != peer.region)
        + (1.0 - group_overlap)
        + population_distance
    )


def _is_similar(country: CountryContext, peer: CountryContext) -> bool:
    same_income = bool(country.income_group) and country.income_group == peer.income_group
    same_region = bool(country.region) and country.region == peer.region
    return same_income or same_region


_FORMATTERS: Mapping[str, Callable[[float], str]] = MappingProxyType(
    {
        UNIT_PCT_POPULATION: lambda v: f"{v:.1f}%",
        UNIT_PCT_ADULTS: lambda v: f"{v:.1f}%",
        UNIT_PCT_BUSINESSES: lambda v: f"{v:.1f}%",
        UNIT_PCT_GNI: lambda v: f"{v:.2f}% of monthly GNI per capita",
        UNIT_PER_100: lambda v: f"{v:.1f} per 100 people",
        UNIT_PER_MILLION: lambda v: f"{v:,.1f} per million people",
        UNIT_USD: lambda v: f"US${v:,.0f}",
        UNIT_USD_PER_CAPITA: lambda v: f"US${v:,.2f} per person",
        UNIT_GTMI: lambda v: f"{v:g}",
        UNIT_GCI: lambda v: f"{v:.1f}/100",
    }
)


def format_value(spec: IndicatorSpec, value: float) -> str:
    formatter = _FORMATTERS.get(spec.unit)
    return formatter(value) if formatter is not None else f"{value:g} {spec.unit}"


def _law_status(value: float | None) -> str:
    if value is None:
        return "no data"
    if value >= 1.0:
        return "law in force"
    return "draft only" if value > 0.0 else "none"


def describe_difference(spec: IndicatorSpec, peer: IndicatorValue, country: IndicatorValue) -> str:
    """One line a reader can act on, e.g. "Internet users 72.1% (2023) vs 23.4% (2023)"."""
    if spec.unit == UNIT_LEGISLATION:
        subject = spec.name[0].lower() + spec.name[1:]
        has = "has a draft" if peer.value is not None and 0.0 < peer.value < 1.0 else "has a"
        return f"{has} {subject} (country: {_law_status(country.value)})"
    peer_text = "no data" if peer.value is None else f"{format_value(spec, peer.value)} ({peer.year})"
    country_text = (
        "no data" if country.value is None else f"{format_value(spec, country.value)} ({country.year})"
    )
    return f"{spec.name} {peer_text} vs {country_text}"


def _differences(
    pillar: PillarSpec, peer: PillarScore, country: PillarScore, min_difference: float
) -> tuple[tuple[tuple[str, str], ...], bool]:
    """Indicators where the peer is clearly ahead (largest first), then those the country has no data for;
    and whether any of them is measured on both sides (the peer's lead is then shown, not assumed)."""
    ahead: list[tuple[float, int, str, str]] = []
    measured = False
    for order, spec in enumerate(pillar.indicators):
        mine, theirs = country.indicator(spec.code), peer.indicator(spec.code)
        if theirs.normalised is None:
            continue
        if mine.normalised is None:
            gap = -math.inf  # unknown gap: listed, but after every measured one
        elif (gap := theirs.normalised - mine.normalised) > 0.0 and gap >= min_difference:
            measured = True
        else:
            continue
        ahead.append((-gap, order, spec.code, describe_difference(spec, theirs, mine)))
    return tuple((code, text) for _, _, code, text in sorted(ahead)), measured


def peers_further_ahead(
    index: GapIndex,
    contexts: Iterable[CountryContext],
    iso3: str,
    pillar: str,
    *,
    margin: float = 10.0,
    limit: int = 5,
    max_population_ratio: float = 10.0,
    min_difference: float = 0.1,
) -> list[Peer]:
    """Countries in a similar situation whose `pillar` score is at least `margin` points higher and that
    are clearly ahead (by `min_difference` or more, normalised) on at least one indicator both have.

    Similar = same income group or same region, and population within `max_population_ratio` either way
    (countries without a known population are never peers). A higher score alone is not enough: a pillar is
    the mean of the indicators a country has, so a peer lacking the country's weakest indicator can score
    higher while doing no better on anything. Peers are ordered by context distance (see
    _context_distance), then by higher score, then ISO3. Returns [] when the country has no pillar score.
    """
    by_iso3 = _universe(contexts)
    if iso3 not in by_iso3:
        raise UnknownCountryError(f"no context for {iso3!r}")
    pillar_spec = next((p for p in index.pillars if p.code == pillar), None)
    if pillar_spec is None:
        raise UnknownPillarError(f"{pillar!r} is not a Gap Index pillar")
    country_context, country_pillar = by_iso3[iso3], index.country(iso3).pillar(pillar)
    if country_pillar.score is None:
        return []
    max_distance = math.log10(max_population_ratio)
    candidates: list[tuple[float, float, str, Peer]] = []
    for other, score in index.countries.items():
        peer_pillar = score.pillar(pillar)
        context = by_iso3.get(other)
        if other == iso3 or context is None or peer_pillar.score is None:
            continue
        gap = peer_pillar.score - country_pillar.score
        population_distance = _population_distance(country_context, context)
        if gap < margin or population_distance is None or population_distance > max_distance:
            continue
        if not _is_similar(country_context, context):
            continue
        differences, measured = _differences(pillar_spec, peer_pillar, country_pillar, min_difference)
        if not measured:
            continue
        distance = _context_distance(country_context, context, population_distance)
        peer = Peer(other, score.name, peer_pillar.score, gap, distance, differences)
        candidates.append((distance, -peer_pillar.score, other, peer))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    return [peer for *_, peer in candidates[: max(limit, 0)]]
