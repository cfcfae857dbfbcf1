"""Every reason and note the results roll-up can give is in the translation catalogue (pledges.results)."""

from __future__ import annotations

from gapbridge.domain.results import IndicatorIn, Measure, comparability, roll_up
from gapbridge.pledges.results import DOMAIN_TEXTS


def test_every_domain_reason_and_note_is_listed_for_translation() -> None:
    cases = [
        IndicatorIn(project=f"P{i}", title="Number of people trained", measure=m, countries=("KEN", "UGA"))
        for i, m in enumerate((*Measure, None))
    ]
    cases += [
        IndicatorIn(project="Q", title="Number of people trained", measure=Measure.UNIT),
        IndicatorIn(project="R", title="Number of people trained", measure="1", countries=("KEN",)),
        IndicatorIn(project="R", title="Number of people trained", measure="1", countries=("KEN",)),
        IndicatorIn(project="S", title="Satisfaction", measure="1", countries=("KEN",)),
        IndicatorIn(project="T", title="Number of people trained", measure="1", aggregation_status=False),
    ]
    texts = {comparability(ind)[1] for ind in cases}
    for by in ("country", "focus_area"):
        report = roll_up(cases, by)
        texts |= {report.note, *report.reasons}
    texts.discard("")
    assert len(texts) >= 8 and texts <= set(DOMAIN_TEXTS), texts - set(DOMAIN_TEXTS)
