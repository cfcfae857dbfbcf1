"""Results framework: result -> indicator -> baseline / period (target, actual).

Modelled: result type, aggregation-status, title, description; indicator measure, ascending,
aggregation-status, title, description, baselines (year, iso-date, value, comment) and periods
(start, end, targets and actuals with value and comment). Not modelled: references, dimensions,
result locations and document links inside results.
"""

from __future__ import annotations

from datetime import date

from gapbridge.iati.dto import Baseline, Indicator, Narratives, Period, Result, ResultValue
from gapbridge.iati.elements.common import (
    Element,
    ReadContext,
    clean,
    format_bool,
    sub,
    text_element,
)


def _comment(element: Element, ctx: ReadContext) -> Narratives:
    return ctx.child_narratives(element, "comment")


def read_baseline(element: Element, ctx: ReadContext) -> Baseline:
    year = ctx.integer(element, "year")
    iso_date = ctx.date_value(element, required=False) if element.get("iso-date") is not None else None
    if year is not None and year <= 0:
        year = None
    if year is None and iso_date is not None:
        year = iso_date.year
    return Baseline(year, iso_date, clean(element.get("value")), _comment(element, ctx))


def _result_value(element: Element, ctx: ReadContext) -> ResultValue:
    return ResultValue(clean(element.get("value")), _comment(element, ctx))


def read_period(element: Element, ctx: ReadContext) -> Period:
    start: date | None = None
    end: date | None = None
    targets: list[ResultValue] = []
    actuals: list[ResultValue] = []
    for child in element:
        tag = child.tag
        if tag == "period-start":
            start = ctx.date_value(child)
        elif tag == "period-end":
            end = ctx.date_value(child)
        elif tag == "target":
            targets.append(_result_value(child, ctx))
        elif tag == "actual":
            actuals.append(_result_value(child, ctx))
    return Period(start, end, tuple(targets), tuple(actuals))


def read_indicator(element: Element, ctx: ReadContext) -> Indicator:
    title: Narratives = ()
    description: Narratives = ()
    baselines: list[Baseline] = []
    periods: list[Period] = []
    for child in element:
        tag = child.tag
        if tag == "title":
            title = ctx.narratives(child)
        elif tag == "description":
            description = ctx.narratives(child)
        elif tag == "baseline":
            baselines.append(read_baseline(child, ctx))
        elif tag == "period":
            periods.append(read_period(child, ctx))
    return Indicator(
        measure=ctx.code(element, "measure", "IndicatorMeasure", required=True),
        title=title,
        description=description,
        ascending=ctx.boolean(element, "ascending"),
        aggregation_status=ctx.boolean(element, "aggregation-status"),
        baselines=tuple(baselines),
        periods=tuple(periods),
    )


def read_result(element: Element, ctx: ReadContext) -> Result:
    title: Narratives = ()
    description: Narratives = ()
    indicators: list[Indicator] = []
    for child in element:
        tag = child.tag
        if tag == "indicator":
            indicators.append(read_indicator(child, ctx))
        elif tag == "title":
            title = ctx.narratives(child)
        elif tag == "description":
            description = ctx.narratives(child)
    return Result(
        type=ctx.code(element, "type", "ResultType", required=True),
        title=title,
        description=description,
        aggregation_status=ctx.boolean(element, "aggregation-status"),
        indicators=tuple(indicators),
    )


def _write_value(parent: Element, tag: str, item: ResultValue) -> None:
    element = sub(parent, tag, value=item.value)
    text_element(element, "comment", item.comment)


def write_result(parent: Element, item: Result) -> None:
    element = sub(
        parent,
        "result",
        type=item.type,
        aggregation_status=format_bool(item.aggregation_status)
        if item.aggregation_status is not None
        else None,
    )
    text_element(element, "title", item.title, always=True)
    text_element(element, "description", item.description)
    for indicator in item.indicators:
        _write_indicator(element, indicator)


def _write_indicator(parent: Element, item: Indicator) -> None:
    element = sub(
        parent,
        "indicator",
        measure=item.measure,
        ascending=format_bool(item.ascending) if item.ascending is not None else None,
        aggregation_status=format_bool(item.aggregation_status)
        if item.aggregation_status is not None
        else None,
    )
    text_element(element, "title", item.title, always=True)
    text_element(element, "description", item.description)
    for baseline in item.baselines:
        node = sub(
            element,
            "baseline",
            year=str(baseline.year) if baseline.year is not None else None,
            iso_date=baseline.iso_date.isoformat() if baseline.iso_date else None,
            value=baseline.value,
        )
        text_element(node, "comment", baseline.comment)
    for period in item.periods:
        assert period.start is not None and period.end is not None
        node = sub(element, "period")
        sub(node, "period-start", iso_date=period.start.isoformat())
        sub(node, "period-end", iso_date=period.end.isoformat())
        for target in period.targets:
            _write_value(node, "target", target)
        for actual in period.actuals:
            _write_value(node, "actual", actual)
