"""Peers further ahead must be ahead on an indicator both countries have, not only on the pillar score."""

from __future__ import annotations

from gapbridge.domain.gapindex import (
    CountryContext,
    GapIndex,
    IndicatorSpec,
    Observation,
    PillarSpec,
    compute_index,
    peers_further_ahead,
)

ACCOUNTS = IndicatorSpec("accounts", "Accounts", "f", 1, 1.0, False, "units")
PAYMENTS = IndicatorSpec("payments", "Payments", "f", 1, 1.0, False, "units")
FINANCE = (PillarSpec("f", "Finance", (ACCOUNTS, PAYMENTS)),)

# (accounts, payments); None = no observation. Bounds come from the 5th-95th percentiles of these.
VALUES: dict[str, tuple[float | None, float | None]] = {
    "KEN": (40.0, 80.0),  # the country: weak on accounts
    "PNG": (None, 80.0),  # same payments, no accounts figure: scores higher on the pillar, ahead on nothing
    "MAR": (None, 83.0),  # a little better on payments (less than min_difference): not clearly ahead
    "LKA": (80.0, 80.0),  # clearly ahead on accounts
    "BTN": (None, 100.0),  # no accounts figure, clearly ahead on payments
    "LOW": (0.0, 0.0),
    "TOP": (100.0, 100.0),
}


def contexts() -> list[CountryContext]:
    similar = [CountryContext(c, c, "Region", "LM", 1e6) for c in ("KEN", "PNG", "MAR", "LKA", "BTN")]
    others = [CountryContext(c, c, "Elsewhere", "H", 1e6) for c in ("LOW", "TOP")]
    return similar + others


def index() -> GapIndex:
    data = [
        Observation(spec.code, iso3, 2024, value, "test")
        for iso3, values in VALUES.items()
        for spec, value in zip((ACCOUNTS, PAYMENTS), values, strict=True)
        if value is not None
    ]
    return compute_index(data, contexts(), min_pillars=1, pillars=FINANCE)


def test_a_peer_ahead_only_for_lack_of_data_is_not_listed() -> None:
    built = index()
    ken = built.country("KEN").pillar("f").score
    assert ken is not None
    for iso3 in ("PNG", "MAR", "LKA", "BTN"):  # every one passes the score margin: only the new rule differs
        score = built.country(iso3).pillar("f").score
        assert score is not None and score - ken >= 10.0, iso3
    peers = peers_further_ahead(built, contexts(), "KEN", "f")
    assert {p.iso3 for p in peers} == {"LKA", "BTN"}
    for peer in peers:
        assert peer.differences, "a listed peer says where it is ahead"
        mine, theirs = built.country("KEN").pillar("f"), built.country(peer.iso3).pillar("f")
        code = peer.differences[0][0]
        mine_n, theirs_n = mine.indicator(code).normalised, theirs.indicator(code).normalised
        assert mine_n is not None and theirs_n is not None and theirs_n - mine_n >= 0.1


def test_the_limit_counts_only_peers_that_qualify() -> None:
    peers = peers_further_ahead(index(), contexts(), "KEN", "f", limit=2)
    assert len(peers) == 2 and {p.iso3 for p in peers} == {"LKA", "BTN"}


def test_the_threshold_decides_a_small_lead_and_an_equal_value_is_never_one() -> None:
    built = index()
    lead = _normalised("MAR", PAYMENTS.code, built) - _normalised("KEN", PAYMENTS.code, built)
    assert 0.0 < lead < 0.1
    for min_difference, mar_listed in ((0.1, False), (lead, True), (lead / 2, True), (0.0, True)):
        peers = {
            p.iso3 for p in peers_further_ahead(built, contexts(), "KEN", "f", min_difference=min_difference)
        }
        assert ("MAR" in peers) is mar_listed, min_difference
        assert "PNG" not in peers, min_difference  # the same payments value is no lead, even at 0


def _normalised(iso3: str, code: str, built: GapIndex) -> float:
    value = built.country(iso3).pillar("f").indicator(code).normalised
    assert value is not None
    return value
