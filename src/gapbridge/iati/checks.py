"""Whole-activity checks on a DTO: percentage splits and date order.

Field-level problems (bad codes, unparseable dates, non-numeric values, missing currency) are found
while reading, where the element and its line are at hand. The checks here look across fields, take
only an :class:`ActivityDTO`, and so also work for activities built elsewhere (e.g. before export).
Findings carry a path (``sector[@vocabulary='1']``, ``budget[2]``) and no line; the parser fills in the
line from the path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from gapbridge.iati.dto import ActivityDTO
from gapbridge.iati.findings import CATALOGUE, Finding, FindingCode

#: Sums within this distance of 100 pass (3 x 33.3 = 99.9 is a correct split).
PERCENTAGE_TOLERANCE = Decimal("0.1")
_HUNDRED = Decimal(100)


def _finding(code: FindingCode, message: str, path: str) -> Finding:
    return Finding(CATALOGUE[code][0], code, message, path, None)


def _split(percentages: Sequence[Decimal | None], what: str, path: str) -> Iterable[Finding]:
    """Check one group that must split 100 %: all percentages present (if >1 item), sum ~ 100."""
    if not percentages:
        return
    if len(percentages) == 1 and percentages[0] is None:
        return  # a single item without percentage means 100 %
    if any(p is None for p in percentages):
        yield _finding(
            FindingCode.MISSING_PERCENTAGE,
            f"{len(percentages)} {what} given but not all have a percentage",
            path,
        )
        return
    total = sum((p for p in percentages if p is not None), Decimal(0))
    if abs(total - _HUNDRED) > PERCENTAGE_TOLERANCE:
        yield _finding(FindingCode.PERCENTAGE_SUM, f"{what} percentages sum to {total}, not 100", path)


def check_recipients(activity: ActivityDTO) -> list[Finding]:
    """Country + region percentages sum to 100, for each region vocabulary in use."""
    countries = [c.percentage for c in activity.recipient_countries]
    vocabularies = sorted({r.vocabulary for r in activity.recipient_regions})
    findings: list[Finding] = []
    if not vocabularies:
        findings.extend(_split(countries, "recipient countries", "recipient-country"))
        return findings
    for vocabulary in vocabularies:
        regions = [r.percentage for r in activity.recipient_regions if r.vocabulary == vocabulary]
        label = "recipient countries and regions" if countries else "recipient regions"
        if len(vocabularies) > 1:
            label += f" (region vocabulary {vocabulary})"
        path = "recipient-country" if countries else "recipient-region"
        findings.extend(_split(countries + regions, label, path))
    return findings


def check_sectors(activity: ActivityDTO) -> list[Finding]:
    """Activity-level sector percentages sum to 100 within each vocabulary; one level only."""
    findings: list[Finding] = []
    for vocabulary in sorted({s.vocabulary for s in activity.sectors}):
        percentages = [s.percentage for s in activity.sectors if s.vocabulary == vocabulary]
        findings.extend(
            _split(percentages, f"sectors of vocabulary {vocabulary}", f"sector[@vocabulary='{vocabulary}']")
        )
    if activity.sectors and any(t.sectors for t in activity.transactions):
        findings.append(
            _finding(
                FindingCode.SECTOR_BOTH_LEVELS,
                "sectors are given on the activity and on transactions",
                "transaction/sector",
            )
        )
    return findings


def _order(start: date | None, end: date | None, what: str, path: str) -> Iterable[Finding]:
    if start is not None and end is not None and end < start:
        yield _finding(FindingCode.DATE_ORDER, f"{what} ends {end} before it starts {start}", path)


def check_dates(activity: ActivityDTO) -> list[Finding]:
    """End dates not before start dates: activity (planned, actual), budgets, disbursements, periods."""
    findings: list[Finding] = []
    findings.extend(_order(activity.date_of("1"), activity.date_of("3"), "planned activity", "activity-date"))
    findings.extend(_order(activity.date_of("2"), activity.date_of("4"), "actual activity", "activity-date"))
    for index, budget in enumerate(activity.budgets, 1):
        findings.extend(_order(budget.period_start, budget.period_end, "budget period", f"budget[{index}]"))
    for index, planned in enumerate(activity.planned_disbursements, 1):
        findings.extend(
            _order(
                planned.period_start,
                planned.period_end,
                "planned disbursement",
                f"planned-disbursement[{index}]",
            )
        )
    for r, result in enumerate(activity.results, 1):
        for i, indicator in enumerate(result.indicators, 1):
            for p, period in enumerate(indicator.periods, 1):
                path = f"result[{r}]/indicator[{i}]/period[{p}]"
                findings.extend(_order(period.start, period.end, "result period", path))
    return findings


def check_activity(activity: ActivityDTO) -> list[Finding]:
    """All whole-activity checks."""
    return [*check_recipients(activity), *check_sectors(activity), *check_dates(activity)]
