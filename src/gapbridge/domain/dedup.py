"""Counting money once: funding chains between activities, and the de-duplication rule.

Pure (no Django, no I/O). IATI's own datastore warns that "you cannot simply add everything together":
a donor reports a disbursement to an implementer, the implementer reports the same money as incoming
funds and then again as its own disbursements and expenditure, and some activities are published by
two organisations under one identifier. GapBridge therefore offers every total two ways:

**Gross** — every commitment (transaction type 2), disbursement (3) and expenditure (4) of every stored
activity, as published, by every publisher: what adding everything up gives.

**De-duplicated** — money counted once, where it leaves the first funder in the data:

1. *Same identifier, several publishers.* Only the primary copy counts (the registry marks one copy of
   each identifier primary); the other copies weigh 0.
2. *Funding chains.* A flow ``U → D`` exists when a commitment (2) or disbursement (3) of ``U`` names
   ``D`` as receiver activity, or an incoming commitment (11) or incoming funds (1) of ``D`` names ``U``
   as provider activity — both activities in the data, different identifiers. Commitment flows (2, 11)
   and disbursement flows (3, 1) are kept apart. When both sides report the same flow, its amount is the
   larger of the two reports (not their sum). An upstream activity cannot pass on more than it reported:
   if its flows add up to more than its own commitments (resp. disbursements + expenditure), they are
   scaled down to that. If ``U → D`` and ``D → U`` both exist, only the larger is kept.
3. The money of a flow is counted at ``U``. ``D``'s own commitments (resp. disbursements + expenditure)
   are weighted by ``1 − min(1, inflow / own)``: only the part ``D`` did not receive from an upstream
   activity in the data counts. Along ``A → B → C`` of 100 each, the 100 is counted once, at ``A``.

A weight applies to all of an activity's facts of that measure alike (every country, focus area, year
and provider split), so the de-duplicated totals keep the registry's percentage splits, never exceed
the gross totals and are unchanged when nothing links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Measure(StrEnum):
    COMMITMENT = "commitment"
    #: disbursements and expenditure: money spent
    DISBURSEMENT = "disbursement"


#: Which measure a funding fact of each transaction type belongs to.
MEASURE_OF_TYPE: Mapping[str, Measure] = {
    "2": Measure.COMMITMENT,
    "3": Measure.DISBURSEMENT,
    "4": Measure.DISBURSEMENT,
}
#: Outgoing transactions that make a flow to their receiver activity.
OUTGOING: Mapping[str, Measure] = {"2": Measure.COMMITMENT, "3": Measure.DISBURSEMENT}
#: Incoming transactions that make a flow from their provider activity.
INCOMING: Mapping[str, Measure] = {"11": Measure.COMMITMENT, "1": Measure.DISBURSEMENT}


class Reason(StrEnum):
    COUNTED = "counted"  # nothing upstream in the data: counted in full
    DUPLICATE = "duplicate-identifier"  # another publisher's copy of this identifier is counted instead
    FUNDED_THROUGH = "funded-through"  # all of its money came from upstream activities (weight 0)
    PARTLY_FUNDED_THROUGH = "partly-funded-through"  # part of its money came from upstream activities


@dataclass(frozen=True, slots=True)
class ActivityMoney:
    """An activity row's own totals in US dollars (convertible values only)."""

    id: int
    identifier: str
    publisher: str
    primary: bool
    commitments: float
    disbursements: float  # disbursements (3) + expenditure (4)

    def total(self, measure: Measure) -> float:
        return self.commitments if measure is Measure.COMMITMENT else self.disbursements


@dataclass(frozen=True, slots=True)
class LinkedTransaction:
    """A transaction that names another activity (provider or receiver activity id)."""

    activity_id: int
    type: str
    usd: float  # 0 when the value could not be converted: the link still exists, with no amount
    provider_activity: str = ""
    receiver_activity: str = ""


@dataclass(frozen=True, slots=True)
class Flow:
    upstream: str
    downstream: str
    measure: Measure
    reported_by_upstream: float
    reported_by_downstream: float
    #: what is subtracted downstream: the larger report, scaled to what the upstream activity reported
    counted: float

    @property
    def reported(self) -> float:
        return max(self.reported_by_upstream, self.reported_by_downstream)


@dataclass(frozen=True, slots=True)
class Weight:
    activity_id: int
    commitment: float
    disbursement: float
    reason: Reason
    #: identifiers of the upstream activities whose money this one passes on
    upstream: tuple[str, ...] = ()
    #: identifiers of the downstream activities this one funds
    downstream: tuple[str, ...] = ()

    def of(self, measure: Measure) -> float:
        return self.commitment if measure is Measure.COMMITMENT else self.disbursement


@dataclass(frozen=True, slots=True)
class Totals:
    gross: dict[Measure, float]
    deduplicated: dict[Measure, float]


@dataclass(frozen=True, slots=True)
class Result:
    weights: dict[int, Weight]
    flows: tuple[Flow, ...]
    totals: Totals


def primaries(activities: Iterable[ActivityMoney]) -> dict[str, ActivityMoney]:
    """Identifier -> the row that counts (the primary; if none is marked, the lowest id)."""
    chosen: dict[str, ActivityMoney] = {}
    for row in sorted(activities, key=lambda r: (not r.primary, r.id)):
        chosen.setdefault(row.identifier, row)
    return chosen


def chains(activities: Sequence[ActivityMoney], transactions: Iterable[LinkedTransaction]) -> list[Flow]:
    """The flows between activities in the data (rule 2), with the amounts that count."""
    counted = primaries(activities)
    counted_ids = {row.id: row for row in counted.values()}
    reports: dict[tuple[str, str, Measure], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for t in transactions:
        row = counted_ids.get(t.activity_id)
        if row is None:  # a non-primary copy: its transactions are the primary's, reported again
            continue
        usd = max(0.0, t.usd)
        if t.type in OUTGOING and t.receiver_activity in counted and t.receiver_activity != row.identifier:
            reports[row.identifier, t.receiver_activity, OUTGOING[t.type]][0] += usd
        if t.type in INCOMING and t.provider_activity in counted and t.provider_activity != row.identifier:
            reports[t.provider_activity, row.identifier, INCOMING[t.type]][1] += usd
    # a pair linked both ways keeps only its larger direction (ties: the upstream identifier sorting first)
    kept: dict[tuple[str, str, Measure], list[float]] = {}
    for (up, down, measure), sides in reports.items():
        reverse = reports.get((down, up, measure))
        if reverse is not None and (max(reverse), up) > (max(sides), down):
            continue
        kept[up, down, measure] = sides
    # an upstream activity passes on at most what it reported itself
    outgoing: dict[tuple[str, Measure], float] = defaultdict(float)
    for (up, _down, measure), sides in kept.items():
        outgoing[up, measure] += max(sides)
    flows = []
    for (up, down, measure), sides in sorted(kept.items()):
        own = counted[up].total(measure)
        passed = outgoing[up, measure]
        share = max(sides) * (min(1.0, own / passed) if passed > 0 else 0.0)
        flows.append(Flow(up, down, measure, sides[0], sides[1], share))
    return flows


def weights(activities: Sequence[ActivityMoney], flows: Iterable[Flow]) -> dict[int, Weight]:
    """Each row's weight per measure under the rule (see module docstring)."""
    counted = primaries(activities)
    inflow: dict[tuple[str, Measure], float] = defaultdict(float)
    upstream: dict[str, set[str]] = defaultdict(set)
    downstream: dict[str, set[str]] = defaultdict(set)
    for flow in flows:
        inflow[flow.downstream, flow.measure] += flow.counted
        upstream[flow.downstream].add(flow.upstream)
        downstream[flow.upstream].add(flow.downstream)
    result: dict[int, Weight] = {}
    for row in activities:
        ups = tuple(sorted(upstream.get(row.identifier, ())))
        downs = tuple(sorted(downstream.get(row.identifier, ())))
        if counted[row.identifier].id != row.id:
            result[row.id] = Weight(row.id, 0.0, 0.0, Reason.DUPLICATE, ups, downs)
            continue
        factors = []
        for measure in Measure:
            own = row.total(measure)
            received = inflow.get((row.identifier, measure), 0.0)
            factors.append(1.0 - min(1.0, received / own) if own > 0 else 1.0)
        if ups and all(f == 0 for f, m in zip(factors, Measure, strict=True) if row.total(m) > 0):
            reason = Reason.FUNDED_THROUGH
        elif any(f < 1 for f in factors):
            reason = Reason.PARTLY_FUNDED_THROUGH
        else:
            reason = Reason.COUNTED
        result[row.id] = Weight(row.id, factors[0], factors[1], reason, ups, downs)
    return result


def totals(activities: Iterable[ActivityMoney], found: Mapping[int, Weight]) -> Totals:
    gross = dict.fromkeys(Measure, 0.0)
    dedup = dict.fromkeys(Measure, 0.0)
    for row in activities:
        weight = found[row.id]
        for measure in Measure:
            gross[measure] += row.total(measure)
            dedup[measure] += row.total(measure) * weight.of(measure)
    return Totals(gross, dedup)


def deduplicate(activities: Sequence[ActivityMoney], transactions: Iterable[LinkedTransaction]) -> Result:
    """Flows, weights and the gross and de-duplicated totals of a set of activities."""
    flows = chains(activities, transactions)
    found = weights(activities, flows)
    return Result(found, tuple(flows), totals(activities, found))
