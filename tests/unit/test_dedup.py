"""Counting money once: funding chains and the documented de-duplication rule."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gapbridge.domain.dedup import (
    ActivityMoney,
    LinkedTransaction,
    Measure,
    Reason,
    chains,
    deduplicate,
)

C, D = Measure.COMMITMENT, Measure.DISBURSEMENT


def act(
    id_: int, identifier: str, commitments: float = 0, disbursements: float = 0, **kw: object
) -> ActivityMoney:
    return ActivityMoney(
        id_,
        identifier,
        str(kw.get("publisher", f"pub-{identifier}")),
        bool(kw.get("primary", True)),
        commitments,
        disbursements,
    )


def out(row: int, type_: str, usd: float, receiver: str) -> LinkedTransaction:
    return LinkedTransaction(row, type_, usd, receiver_activity=receiver)


def inc(row: int, type_: str, usd: float, provider: str) -> LinkedTransaction:
    return LinkedTransaction(row, type_, usd, provider_activity=provider)


def test_nothing_linked_means_dedup_equals_gross() -> None:
    rows = [act(1, "A", 100, 80), act(2, "B", 50, 10)]
    result = deduplicate(rows, [])
    assert result.totals.gross == result.totals.deduplicated == {C: 150, D: 90}
    assert {w.reason for w in result.weights.values()} == {Reason.COUNTED}


def test_donor_to_implementer_is_counted_once_at_the_donor() -> None:
    # A disburses 100 to B (naming B's activity); B reports the 100 as incoming and spends it
    rows = [act(1, "A", 100, 100), act(2, "B", 0, 100)]
    links = [out(1, "3", 100, "B"), inc(2, "1", 100, "A")]
    result = deduplicate(rows, links)
    assert result.totals.gross[D] == 200
    assert result.totals.deduplicated[D] == 100
    assert result.weights[1].disbursement == 1 and result.weights[2].disbursement == 0
    assert result.weights[2].reason is Reason.FUNDED_THROUGH
    assert result.weights[2].upstream == ("A",) and result.weights[1].downstream == ("B",)
    # the flow reported by both sides is subtracted once, not twice
    (flow,) = result.flows
    assert (flow.reported_by_upstream, flow.reported_by_downstream, flow.counted) == (100, 100, 100)


def test_implementer_own_money_still_counts() -> None:
    rows = [act(1, "A", 0, 100), act(2, "B", 0, 150)]
    result = deduplicate(rows, [inc(2, "1", 100, "A")])
    assert result.weights[2].reason is Reason.PARTLY_FUNDED_THROUGH
    assert abs(result.weights[2].disbursement - 1 / 3) < 1e-12
    assert abs(result.totals.deduplicated[D] - 150) < 1e-9


def test_three_level_chain_counts_the_money_once() -> None:
    rows = [act(1, "A", 0, 100), act(2, "B", 0, 100), act(3, "C", 0, 100)]
    links = [out(1, "3", 100, "B"), inc(3, "1", 100, "B")]
    result = deduplicate(rows, links)
    assert result.totals.gross[D] == 300
    assert result.totals.deduplicated[D] == 100


def test_larger_report_wins_and_upstream_cannot_pass_on_more_than_it_reported() -> None:
    rows = [act(1, "A", 0, 60), act(2, "B", 0, 200)]
    # both sides report the flow, with different amounts; A only reported 60 in all
    result = deduplicate(rows, [out(1, "3", 40, "B"), inc(2, "1", 90, "A")])
    (flow,) = result.flows
    assert flow.reported == 90
    assert flow.counted == 60
    assert abs(result.totals.deduplicated[D] - (60 + 140)) < 1e-9


def test_commitments_and_disbursements_are_linked_separately() -> None:
    rows = [act(1, "A", 500, 100), act(2, "B", 500, 100)]
    result = deduplicate(rows, [inc(2, "11", 500, "A")])  # incoming commitment only
    assert result.weights[2].commitment == 0
    assert result.weights[2].disbursement == 1
    assert result.totals.deduplicated == {C: 500, D: 200}


def test_links_to_activities_not_in_the_data_change_nothing() -> None:
    rows = [act(1, "B", 0, 100)]
    result = deduplicate(rows, [inc(1, "1", 100, "ELSEWHERE-1")])
    assert result.flows == ()
    assert result.totals.deduplicated[D] == 100


def test_same_identifier_from_two_publishers_counts_once() -> None:
    rows = [
        act(1, "X-1", 100, 100, publisher="donor"),
        act(2, "X-1", 100, 100, publisher="partner", primary=False),
    ]
    result = deduplicate(rows, [])
    assert result.totals.gross == {C: 200, D: 200}
    assert result.totals.deduplicated == {C: 100, D: 100}
    assert result.weights[2].reason is Reason.DUPLICATE


def test_non_primary_copies_do_not_report_flows_twice() -> None:
    rows = [
        act(1, "A", 0, 100, publisher="p1"),
        act(2, "A", 0, 100, publisher="p2", primary=False),
        act(3, "B", 0, 300),
    ]
    result = deduplicate(rows, [out(1, "3", 100, "B"), out(2, "3", 100, "B")])
    (flow,) = result.flows
    assert flow.reported_by_upstream == 100
    assert abs(result.totals.deduplicated[D] - 300) < 1e-9


def test_mutual_links_keep_only_the_larger_direction() -> None:
    rows = [act(1, "A", 0, 100), act(2, "B", 0, 100)]
    result = deduplicate(rows, [out(1, "3", 80, "B"), out(2, "3", 10, "A")])
    assert [(f.upstream, f.downstream) for f in result.flows] == [("A", "B")]
    assert result.totals.deduplicated[D] > 0


def test_self_links_are_ignored() -> None:
    rows = [act(1, "A", 0, 100)]
    assert chains(rows, [out(1, "3", 100, "A"), inc(1, "1", 100, "A")]) == []


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 1e6)), min_size=1, max_size=8),
    links=st.lists(
        st.tuples(
            st.integers(0, 7), st.integers(0, 7), st.sampled_from(["1", "2", "3", "11"]), st.floats(0, 2e6)
        ),
        max_size=20,
    ),
)
def test_dedup_never_exceeds_gross_and_weights_are_shares(
    amounts: list[tuple[float, float]], links: list[tuple[int, int, str, float]]
) -> None:
    rows = [act(i, f"A{i}", c, d) for i, (c, d) in enumerate(amounts)]
    transactions = []
    for src, dst, type_, usd in links:
        if src >= len(rows) or dst >= len(rows):
            continue
        if type_ in ("2", "3"):
            transactions.append(out(src, type_, usd, f"A{dst}"))
        else:
            transactions.append(inc(dst, type_, usd, f"A{src}"))
    result = deduplicate(rows, transactions)
    for measure in Measure:
        assert -1e-6 <= result.totals.deduplicated[measure] <= result.totals.gross[measure] + 1e-6
    for weight in result.weights.values():
        assert 0 <= weight.commitment <= 1 and 0 <= weight.disbursement <= 1
    # money passed on is subtracted at most once: dedup ≥ gross − Σ counted flows
    for measure in Measure:
        passed = sum(f.counted for f in result.flows if f.measure is measure)
        assert result.totals.deduplicated[measure] >= result.totals.gross[measure] - passed - 1e-6
