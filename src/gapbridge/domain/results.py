"""Project results (IATI result → indicator → baseline → period target/actual): progress, and roll-ups
that never add what cannot be added. Pure: frozen dataclasses in, values out; no Django, no I/O.

What may be added up. IATI 2.03 gives an indicator a *measure* (1 unit, 2 percentage, 3 nominal,
4 ordinal, 5 qualitative) but no unit, so the unit is taken from an explicit `unit` when the caller has
one, else from the title: a count is titled "Number of X" (in English, French, Spanish or Arabic) and its
unit is X, normalised (case, accents, spacing). Two indicators are comparable only when measure and unit
are equal. Then:
- counts (measure 1 with a recognisable unit) are summed: latest actuals, and final targets;
- percentages are never summed: their mean, minimum and maximum are reported;
- nominal, ordinal and qualitative indicators, counts whose unit cannot be told ("Level of
  satisfaction"), and indicators the publisher marks `aggregation-status="0"` are listed as excluded,
  each with the reason;
- a period reporting several values (disaggregations) without a single total contributes no number,
  since adding disaggregations along different dimensions would count people twice;
- a project is counted once per unit in a group; a multi-country project is not attributed to any one
  country (its results are not split by percentage: people trained cannot be); a project in two focus
  areas counts in both, so totals across focus areas are not additive.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Literal

from gapbridge.domain.textsim import normalise


class Measure(StrEnum):
    UNIT = "1"
    PERCENTAGE = "2"
    NOMINAL = "3"
    ORDINAL = "4"
    QUALITATIVE = "5"


@dataclass(frozen=True, slots=True)
class PeriodIn:
    start: date | None
    end: date | None
    targets: tuple[str | None, ...] = ()
    actuals: tuple[str | None, ...] = ()


@dataclass(frozen=True, slots=True)
class IndicatorIn:
    """One indicator of one project, as the caller maps it from storage."""

    project: str  # a stable project key (e.g. the IATI identifier); a project counts once per unit
    title: str
    measure: str | None
    countries: tuple[str, ...] = ()  # ISO3 codes of the project's recipient countries
    focus_areas: tuple[str, ...] = ()
    unit: str | None = None  # explicit unit when known; otherwise read from the title
    ascending: bool | None = None  # IATI default: True (higher is better)
    aggregation_status: bool | None = None  # False = the publisher says "do not aggregate"
    baseline: str | None = None
    baseline_year: int | None = None
    periods: tuple[PeriodIn, ...] = ()


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_number(text: str | None) -> Decimal | None:
    """An IATI value string as a number: '1,200' → 1200, '45 %' → 45, '3.5' → 3.5; anything else → None."""
    if text is None:
        return None
    cleaned = text.strip().rstrip("%").strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned or not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


def single_value(values: Sequence[str | None]) -> tuple[Decimal | None, str]:
    """The one number a period reports, or None with why (nothing, not a number, several parts)."""
    given = [v for v in values if v is not None and v.strip()]
    if not given:
        return None, ""
    if len(given) > 1:
        return None, "several values (disaggregated) without a total"
    number = parse_number(given[0])
    return (number, "") if number is not None else (None, f"not a number: {given[0][:40]!r}")


def progress(baseline: Decimal | None, target: Decimal | None, actual: Decimal | None) -> float | None:
    """Share of the way from baseline (0 when not given) to target that the actual has gone.

    Works for indicators where lower is better too (the target is then below the baseline). None when
    target or actual is missing, or the target equals the baseline.
    """
    if target is None or actual is None:
        return None
    base = baseline if baseline is not None else Decimal(0)
    if target == base:
        return None
    return float((actual - base) / (target - base))


@dataclass(frozen=True, slots=True)
class PeriodProgress:
    start: date | None
    end: date | None
    targets: tuple[str, ...]
    actuals: tuple[str, ...]
    target: Decimal | None
    actual: Decimal | None
    progress: float | None
    note: str


@dataclass(frozen=True, slots=True)
class IndicatorProgress:
    title: str
    measure: str | None
    baseline: Decimal | None
    baseline_year: int | None
    periods: tuple[PeriodProgress, ...]
    latest_actual: Decimal | None
    latest_actual_end: date | None
    final_target: Decimal | None
    progress: float | None


def _order(p: PeriodIn) -> tuple[date, date]:
    return (p.end or p.start or date.min, p.start or date.min)


def indicator_progress(ind: IndicatorIn) -> IndicatorProgress:
    """Per period: target, actual and progress; overall: latest actual against the final target."""
    baseline = parse_number(ind.baseline)
    rows = []
    latest: tuple[tuple[date, date], Decimal] | None = None
    latest_end: date | None = None
    final: tuple[tuple[date, date], Decimal] | None = None
    for period in sorted(ind.periods, key=_order):
        target, t_note = single_value(period.targets)
        actual, a_note = single_value(period.actuals)
        rows.append(
            PeriodProgress(
                start=period.start,
                end=period.end,
                targets=tuple(v for v in period.targets if v),
                actuals=tuple(v for v in period.actuals if v),
                target=target,
                actual=actual,
                progress=progress(baseline, target, actual),
                note="; ".join(
                    n for n in (t_note and f"target: {t_note}", a_note and f"actual: {a_note}") if n
                ),
            )
        )
        key = _order(period)
        if actual is not None and (latest is None or key >= latest[0]):
            latest, latest_end = (key, actual), period.end
        if target is not None and (final is None or key >= final[0]):
            final = (key, target)
    latest_actual = latest[1] if latest else None
    final_target = final[1] if final else None
    return IndicatorProgress(
        title=ind.title,
        measure=ind.measure,
        baseline=baseline,
        baseline_year=ind.baseline_year,
        periods=tuple(rows),
        latest_actual=latest_actual,
        latest_actual_end=latest_end,
        final_target=final_target,
        progress=progress(baseline, final_target, latest_actual),
    )


# --- Comparability ------------------------------------------------------------------------------------

_COUNT_PREFIXES = (
    "number of ",
    "no. of ",
    "no of ",
    "nr. of ",
    "# of ",
    "total number of ",
    "nombre de ",
    "nombre d'",
    "numero de ",
    "cantidad de ",
    "عدد ",
)
_PERCENT_PREFIXES = (
    "% of ",
    "percentage of ",
    "percent of ",
    "proportion of ",
    "share of ",
    "pourcentage de ",
    "pourcentage d'",
    "porcentaje de ",
    "proporcion de ",
    "نسبه ",
)
_TRAILING = re.compile(r"[\s.;:,!?]+$")
# A publisher's indicator code before the title: "DLI 8: Number of …", "CSH-I1:  Number of …".
_CODE_LABEL = re.compile(r"^[a-z0-9][a-z0-9 ._\-]{0,11}:\s+")


@dataclass(frozen=True, slots=True, order=True)
class RollupKey:
    measure: str
    unit: str


def unit_from_title(title: str, measure: str | None) -> str | None:
    """What a count counts ("Number of SMEs reached" → "smes reached"); None when it cannot be told."""
    text = _CODE_LABEL.sub("", normalise(title), count=1)
    if measure == Measure.UNIT:
        for prefix in _COUNT_PREFIXES:
            if text.startswith(prefix):
                return _trim(text[len(prefix) :]) or None
        return None
    if measure == Measure.PERCENTAGE:
        for prefix in _PERCENT_PREFIXES:
            if text.startswith(prefix):
                text = text[len(prefix) :]
                break
        else:
            text = text.lstrip("% ")
        return _trim(text) or None
    return None


def _trim(text: str) -> str:
    """Without trailing punctuation, nor a closing parenthesis that closes nothing ("(ed)" keeps its own)."""
    text = _TRAILING.sub("", text)
    while text.endswith(")") and text.count(")") > text.count("("):
        text = _TRAILING.sub("", text[:-1])
    return text


def comparability(ind: IndicatorIn) -> tuple[RollupKey | None, str]:
    """The key under which this indicator may be combined with others, or None and the reason."""
    if ind.aggregation_status is False:
        return None, "the publisher marks this indicator as not suitable for aggregation"
    if ind.measure not in (Measure.UNIT, Measure.PERCENTAGE):
        kind = {
            Measure.NOMINAL: "nominal",
            Measure.ORDINAL: "ordinal",
            Measure.QUALITATIVE: "qualitative",
        }.get(ind.measure or "", "unknown")  # type: ignore[call-overload]
        return None, f"{kind} measure: values cannot be added or averaged"
    unit = normalise(ind.unit) if ind.unit else unit_from_title(ind.title, ind.measure)
    if not unit:
        return None, "a unit measure whose unit cannot be told from its title (not a 'number of …')"
    return RollupKey(str(ind.measure), unit), ""


# --- Roll-ups -----------------------------------------------------------------------------------------

Dimension = Literal["country", "focus_area"]


@dataclass(frozen=True, slots=True)
class Rollup:
    dimension: Dimension
    group: str  # ISO3 or focus-area slug
    key: RollupKey
    label: str  # the most frequent original title
    indicators: int
    projects: int
    with_actual: int
    # counts (measure 1)
    actual_sum: Decimal | None = None
    target_sum: Decimal | None = None
    progress: float | None = None  # sum of actuals / sum of targets, over indicators that have both
    # percentages (measure 2)
    actual_mean: Decimal | None = None
    actual_min: Decimal | None = None
    actual_max: Decimal | None = None
    latest_period_end: date | None = None


@dataclass(frozen=True, slots=True)
class Excluded:
    project: str
    title: str
    reason: str


@dataclass(frozen=True, slots=True)
class RollupReport:
    dimension: Dimension
    rollups: tuple[Rollup, ...]
    excluded: tuple[Excluded, ...]
    note: str = ""
    reasons: dict[str, int] = field(default_factory=dict)


def _groups(ind: IndicatorIn, by: Dimension) -> tuple[tuple[str, ...], str]:
    if by == "country":
        countries = tuple(dict.fromkeys(c.upper() for c in ind.countries if c))
        if not countries:
            return (), "no recipient country"
        if len(countries) > 1:
            return (), "multi-country project: results are not attributed to one country"
        return countries, ""
    areas = tuple(dict.fromkeys(a for a in ind.focus_areas if a))
    return (areas, "") if areas else ((), "no focus area")


def roll_up(indicators: Iterable[IndicatorIn], by: Dimension) -> RollupReport:
    """Comparable indicators combined per country (or focus area) and unit; the rest listed with reasons."""
    if by not in ("country", "focus_area"):
        raise ValueError(f"roll-ups are by country or focus_area, not {by!r}")
    excluded: list[Excluded] = []
    # (group, key) -> project -> (progress row, title); one indicator per project and unit
    cells: dict[tuple[str, RollupKey], dict[str, tuple[IndicatorProgress, str]]] = defaultdict(dict)
    for ind in indicators:
        key, why = comparability(ind)
        if key is None:
            excluded.append(Excluded(ind.project, ind.title, why))
            continue
        groups, why = _groups(ind, by)
        if not groups:
            excluded.append(Excluded(ind.project, ind.title, why))
            continue
        prog = indicator_progress(ind)
        for group in groups:
            cell = cells[(group, key)]
            kept = cell.get(ind.project)
            if kept is not None:
                # The same unit twice in one project: keep the one with the latest actual, count it once.
                if (prog.latest_actual_end or date.min) > (kept[0].latest_actual_end or date.min):
                    cell[ind.project] = (prog, ind.title)
                excluded.append(Excluded(ind.project, ind.title, "same unit reported twice by one project"))
                continue
            cell[ind.project] = (prog, ind.title)
    rollups = [_combine(by, group, key, list(cell.values())) for (group, key), cell in cells.items()]
    rollups.sort(key=lambda r: (r.group, -r.projects, r.key))
    reasons = Counter(e.reason for e in excluded)
    note = (
        "A project in several focus areas counts in each; do not add totals across focus areas."
        if by == "focus_area"
        else "Multi-country projects are not attributed to a single country."
    )
    return RollupReport(by, tuple(rollups), tuple(excluded), note, dict(reasons))


def _combine(by: Dimension, group: str, key: RollupKey, rows: list[tuple[IndicatorProgress, str]]) -> Rollup:
    label = Counter(title for _p, title in rows).most_common(1)[0][0]
    actuals = [p.latest_actual for p, _t in rows if p.latest_actual is not None]
    ends = [p.latest_actual_end for p, _t in rows if p.latest_actual_end is not None]
    common = {
        "dimension": by,
        "group": group,
        "key": key,
        "label": label,
        "indicators": len(rows),
        "projects": len(rows),
        "with_actual": len(actuals),
        "latest_period_end": max(ends) if ends else None,
    }
    if key.measure == Measure.UNIT:
        targets = [p.final_target for p, _t in rows if p.final_target is not None]
        both = [
            (p.latest_actual, p.final_target)
            for p, _t in rows
            if p.latest_actual is not None and p.final_target
        ]
        sum_t = sum((t for _a, t in both if t is not None), Decimal(0))
        ratio = (
            float(sum((a for a, _t in both if a is not None), Decimal(0)) / sum_t) if both and sum_t else None
        )
        return Rollup(
            **common,  # type: ignore[arg-type]
            actual_sum=sum(actuals, Decimal(0)) if actuals else None,
            target_sum=sum(targets, Decimal(0)) if targets else None,
            progress=ratio,
        )
    mean = (sum(actuals, Decimal(0)) / len(actuals)) if actuals else None
    return Rollup(
        **common,  # type: ignore[arg-type]
        actual_mean=mean,
        actual_min=min(actuals) if actuals else None,
        actual_max=max(actuals) if actuals else None,
    )
