"""Results roll-ups (gapbridge.domain.results): progress, comparability, and never adding incomparable values.

Part of the tests runs on the real IATI results bundled in data/iati/activities (424 indicators of
three d-portal extracts), mapped the way the pages map stored results.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pycountry
import pytest

from gapbridge.domain.results import (
    IndicatorIn,
    Measure,
    PeriodIn,
    comparability,
    indicator_progress,
    parse_number,
    progress,
    roll_up,
    single_value,
    unit_from_title,
)
from gapbridge.iati.dto import ActivityDTO, pick_text
from gapbridge.iati.parser import iter_file
from gapbridge.projects.focus import load_focus_map

ACTIVITIES = Path(__file__).resolve().parents[2] / "data" / "iati" / "activities"
FILES = [
    "ict-sector-activities_dportal-covid-2021_v2.03.xml",
    "dportal-2023_covid-dportal.xml.gz",
    "dportal_97.xml.gz",
]


def _iso3(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return found.alpha_3 if found else code


def _focus(activity: ActivityDTO) -> tuple[str, ...]:
    fmap = load_focus_map()
    text = " ".join(filter(None, [activity.title or ""]))
    areas = [fmap.focus_area(s.vocabulary or "1", s.code or "", text) for s in activity.sectors]
    return tuple(dict.fromkeys(a for a in areas if a))


def indicators_of(activity: ActivityDTO) -> list[IndicatorIn]:
    out = []
    for result in activity.results:
        for ind in result.indicators:
            out.append(
                IndicatorIn(
                    project=activity.iati_identifier,
                    title=pick_text(ind.title) or "",
                    measure=ind.measure,
                    countries=tuple(_iso3(c.code) for c in activity.recipient_countries if c.code),
                    focus_areas=_focus(activity),
                    ascending=ind.ascending,
                    aggregation_status=ind.aggregation_status,
                    baseline=ind.baselines[0].value if ind.baselines else None,
                    baseline_year=ind.baselines[0].year if ind.baselines else None,
                    periods=tuple(
                        PeriodIn(
                            p.start,
                            p.end,
                            tuple(t.value for t in p.targets),
                            tuple(a.value for a in p.actuals),
                        )
                        for p in ind.periods
                    ),
                )
            )
    return out


@cache
def real_indicators() -> tuple[IndicatorIn, ...]:
    found: list[IndicatorIn] = []
    for name in FILES:
        for parsed in iter_file(ACTIVITIES / name):
            if parsed.activity is not None:
                found.extend(indicators_of(parsed.activity))
    return tuple(found)


def test_parse_number_accepts_iati_value_strings_and_refuses_the_rest() -> None:
    assert parse_number("1,200") == Decimal(1200)
    assert parse_number(" 45 %") == Decimal(45)
    assert parse_number("3.5") == Decimal("3.5")
    assert parse_number("-2") == Decimal(-2)
    for bad in ("", "n/a", "1,2,3", "12 people", "1.2.3", None):
        assert parse_number(bad) is None


def test_single_value_refuses_disaggregations_without_a_total() -> None:
    assert single_value(("48",)) == (Decimal(48), "")
    value, why = single_value(("3", "2"))
    assert value is None and "disaggregated" in why
    assert single_value(()) == (None, "")


def test_progress_from_baseline_to_target_both_directions() -> None:
    assert progress(Decimal(0), Decimal(100), Decimal(25)) == 0.25
    assert progress(Decimal(10), Decimal(20), Decimal(15)) == 0.5
    # Lower is better: from 40 down to 20, now at 30 = half way.
    assert progress(Decimal(40), Decimal(20), Decimal(30)) == 0.5
    assert progress(None, Decimal(200), Decimal(50)) == 0.25
    assert progress(Decimal(5), Decimal(5), Decimal(7)) is None
    assert progress(Decimal(0), None, Decimal(1)) is None


def test_units_are_read_from_titles_in_several_languages() -> None:
    assert unit_from_title("Number of SMEs reached", "1") == "smes reached"
    assert unit_from_title("number of SMEs reached.", "1") == "smes reached"
    assert unit_from_title("DLI 8: Number of COVID-19 patients attended", "1") == "covid-19 patients attended"
    assert unit_from_title("Nombre de PME accompagnées", "1") == "pme accompagnees"
    assert unit_from_title("Número de PYMES", "1") == "pymes"
    assert unit_from_title("Level of satisfaction with the training", "1") is None
    assert unit_from_title("% of women trained", "2") == "women trained"
    assert unit_from_title("Percentage of women trained", "2") == "women trained"
    assert unit_from_title("Anything", "5") is None
    # a parenthesis of the unit stays; one that closes nothing goes
    assert unit_from_title("Number of beneficiaries reached (disaggregated)", "1") == (
        "beneficiaries reached (disaggregated)"
    )
    assert unit_from_title("Number of SMEs reached)", "1") == "smes reached"


def _ind(
    project: str, title: str, measure: str, actual: str | None, target: str | None = None, **kw: object
) -> IndicatorIn:
    periods = (
        PeriodIn(
            date(2024, 1, 1), date(2024, 12, 31), (target,) if target else (), (actual,) if actual else ()
        ),
    )
    return IndicatorIn(project=project, title=title, measure=measure, periods=periods, **kw)  # type: ignore[arg-type]


def test_counts_of_the_same_unit_are_summed_and_others_never() -> None:
    rows = [
        _ind("A", "Number of SMEs trained", "1", "40", "100", countries=("KEN",)),
        _ind("B", "number of SMEs trained", "1", "10", "50", countries=("KEN",)),
        _ind("C", "Number of people trained", "1", "1000", countries=("KEN",)),
        _ind("D", "% of SMEs trained", "2", "30", countries=("KEN",)),
        _ind("E", "% of SMEs trained", "2", "50", countries=("KEN",)),
        _ind("F", "Quality of training", "5", "good", countries=("KEN",)),
        _ind("G", "Number of SMEs trained", "1", "5", countries=("KEN", "UGA")),
        _ind("H", "Number of SMEs trained", "1", "7", countries=("KEN",), aggregation_status=False),
    ]
    report = roll_up(rows, "country")
    by_unit = {(r.key.measure, r.key.unit): r for r in report.rollups}
    smes = by_unit[("1", "smes trained")]
    assert (smes.actual_sum, smes.target_sum, smes.projects) == (Decimal(50), Decimal(150), 2)
    assert smes.progress == pytest.approx(50 / 150)
    assert by_unit[("1", "people trained")].actual_sum == Decimal(1000)
    pct = by_unit[("2", "smes trained")]
    assert (
        pct.actual_sum is None
        and pct.actual_mean == Decimal(40)
        and (pct.actual_min, pct.actual_max) == (Decimal(30), Decimal(50))
    )
    excluded = {e.project: e.reason for e in report.excluded}
    assert set(excluded) == {"F", "G", "H"}
    assert (
        "qualitative" in excluded["F"]
        and "multi-country" in excluded["G"]
        and "not suitable" in excluded["H"]
    )


def test_a_project_counts_once_per_unit_and_period_parts_are_not_added() -> None:
    rows = [
        _ind("A", "Number of SMEs trained", "1", "40", countries=("KEN",)),
        _ind("A", "Number of SMEs trained", "1", "40", countries=("KEN",)),
        IndicatorIn(
            project="B",
            title="Number of SMEs trained",
            measure="1",
            countries=("KEN",),
            periods=(PeriodIn(date(2024, 1, 1), date(2024, 12, 31), (), ("3", "2")),),
        ),
    ]
    report = roll_up(rows, "country")
    (smes,) = report.rollups
    assert smes.actual_sum == Decimal(40) and smes.projects == 2 and smes.with_actual == 1
    assert report.reasons == {"same unit reported twice by one project": 1}


def test_indicator_progress_uses_the_latest_actual_and_the_final_target() -> None:
    ind = IndicatorIn(
        project="P",
        title="Number of SMEs reached",
        measure="1",
        baseline="0",
        periods=(
            PeriodIn(date(2019, 1, 1), date(2019, 12, 31), (), ("48",)),
            PeriodIn(date(2018, 1, 1), date(2018, 12, 31), (), ("24",)),
            PeriodIn(date(2016, 8, 31), date(2020, 12, 31), ("100",), ()),
        ),
    )
    result = indicator_progress(ind)
    assert [p.end for p in result.periods] == [date(2018, 12, 31), date(2019, 12, 31), date(2020, 12, 31)]
    assert (result.latest_actual, result.final_target, result.progress) == (Decimal(48), Decimal(100), 0.48)


def test_real_iati_results_roll_up_without_mixing_measures_or_units() -> None:
    indicators = real_indicators()
    assert len(indicators) == 424
    report = roll_up(indicators, "country")
    qualitative = sum(1 for i in indicators if i.measure == Measure.QUALITATIVE)
    assert qualitative == 139
    assert report.reasons["qualitative measure: values cannot be added or averaged"] == qualitative
    # Every indicator either contributes to exactly one cell per group or is excluded with a reason.
    contributed = sum(r.indicators for r in report.rollups)
    assert contributed + len(report.excluded) == len(indicators)
    for rollup in report.rollups:
        assert rollup.key.measure in {"1", "2"}
        if rollup.key.measure == "2":
            assert rollup.actual_sum is None and rollup.target_sum is None
        members = [
            i
            for i in indicators
            if comparability(i)[0] == rollup.key
            and len(set(i.countries)) == 1
            and i.countries[0] == rollup.group
        ]
        assert {i.project for i in members} and len({i.project for i in members}) == rollup.projects
    lebanon = [
        r
        for r in report.rollups
        if r.group == "LBN" and r.key.unit == "iec materials on covid-19 distributed"
    ]
    assert lebanon and lebanon[0].actual_sum == Decimal(340)


def test_real_iati_results_by_focus_area_use_the_shared_vocabulary() -> None:
    report = roll_up(real_indicators(), "focus_area")
    slugs = {a.slug for a in load_focus_map().areas}
    assert report.rollups, "the ICT-sector file has digital projects with results"
    assert {r.group for r in report.rollups} <= slugs
    assert "do not add totals across focus areas" in report.note


def test_unknown_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="country or focus_area"):
        roll_up([], "sector")  # type: ignore[arg-type]
