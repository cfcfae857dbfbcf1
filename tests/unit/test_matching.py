"""The pure matcher: constraints, components, explanations, directions, spread, text across languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from gapbridge.domain import matching as m

TODAY = date(2026, 6, 1)


def offer(key: str, **kw: object) -> m.OfferProfile:
    base: dict[str, object] = {
        "key": key,
        "provider": f"P-{key}",
        "provider_name": f"Provider {key}",
        "title": "Digital skills training for civil servants",
        "text": "Courses on digital literacy, e-government tools and data skills for ministries.",
        "focus_areas": frozenset({"digital-skills"}),
        "kinds": frozenset({"training"}),
    }
    base.update(kw)
    return m.OfferProfile(**base)  # type: ignore[arg-type]


def need(**kw: object) -> m.NeedProfile:
    base: dict[str, object] = {
        "key": "n1",
        "country": "NER",
        "country_name": "Niger",
        "title": "Train ministry staff in digital skills",
        "text": "The ministry needs digital literacy courses and e-government training.",
        "focus_areas": frozenset({"digital-skills"}),
        "kinds": frozenset({"training"}),
        "region": "Sub-Saharan Africa",
        "groups": frozenset({"ldc"}),
        "group_names": {"ldc": "Least developed countries"},
        "requester_type": "government",
        "pillar_scores": {"skills": 10.0, "connectivity": 3.0, "affordability": 40.0},
    }
    base.update(kw)
    return m.NeedProfile(**base)  # type: ignore[arg-type]


def test_focus_area_spellings_are_normalised_and_unknown_ones_rejected() -> None:
    assert m.canonical_focus_area("digital_skills") == "digital-skills"
    assert m.canonical_focus_area("connectivity") == "connectivity-infrastructure"
    assert m.canonical_focus_area("emerging-tech") == "emerging-technology"
    assert m.canonical_focus_area("rnd-innovation") == "research-innovation"
    with pytest.raises(m.UnknownCodeError, match="unknown focus area 'quantum'"):
        m.canonical_focus_area("quantum")


def test_severity_counts_the_weakest_pillar_of_the_area() -> None:
    sev, pillar = m.severity_of({"connectivity": 3.0, "affordability": 40.0}, "connectivity-infrastructure")
    assert pillar == "connectivity" and sev == pytest.approx(0.97)
    assert m.severity_of({}, "digital-skills") == (None, "skills")


def test_each_hard_constraint_excludes_and_explains() -> None:
    ok = offer("ok")
    failing = {
        "status": offer("draft", published=False),
        "geography": offer("geo", eligibility=m.Eligibility(countries=frozenset({"KEN"}))),
        "requester": offer("req", eligibility=m.Eligibility(requester_types=frozenset({"sme"}))),
        "window": offer("late", closes=date(2026, 1, 1)),
        "language": offer("lang", languages=frozenset({"ar"})),
        "capacity": offer("full", capacity=0),
    }
    matcher = m.Matcher([ok, *failing.values()], on=TODAY)
    x = need(languages=frozenset({"fr"}))
    ranked = matcher.rank_offers(x, limit=10)
    assert [s.offer for s in ranked] == ["ok"]
    assert all(c.passed for c in ranked[0].checks)
    for code, o in failing.items():
        s = matcher.suggestion(x, o.key)
        assert not s.eligible
        failed = {c.code for c in s.failed}
        assert failed == {code}, (code, failed)
    late = matcher.suggestion(x, "late")
    assert "Applications closed on 2026-01-01." in [c.text for c in late.failed]


def test_geography_passes_by_country_region_or_group_on_the_need_date() -> None:
    by_region = offer("r", eligibility=m.Eligibility(regions=frozenset({"Sub-Saharan Africa"})))
    by_group = offer("g", eligibility=m.Eligibility(groups=frozenset({"ldc"})))
    by_country = offer("c", eligibility=m.Eligibility(countries=frozenset({"NER"})))
    matcher = m.Matcher([by_region, by_group, by_country], on=TODAY)
    texts = {
        s.offer: next(c.text for c in s.checks if c.code == "geography") for s in matcher.rank_offers(need())
    }
    assert texts["r"] == "Niger is in Sub-Saharan Africa, a region the offer covers."
    assert texts["g"] == "Niger belongs to Least developed countries, a group the offer covers."
    assert texts["c"] == "Niger is on the offer's list of countries."
    # a country that left the group (membership is resolved by the caller for the need's date)
    graduated = need(groups=frozenset(), region="Southern Asia", country="BGD", country_name="Bangladesh")
    assert [s.offer for s in matcher.rank_offers(graduated)] == []


def test_score_is_the_sum_of_explained_contributions() -> None:
    matcher = m.Matcher(
        [offer("a"), offer("b", focus_areas=frozenset({"digital-payments"}))],
        on=TODAY,
        track_records={
            "P-a": m.TrackRecord("P-a", activities=4, countries={"NER": 3}, focus_areas={"digital-skills": 5})
        },
        provider_load={"P-b": 5},
    )
    for s in matcher.rank_offers(need(), limit=5):
        assert s.score == pytest.approx(sum(c.contribution for c in s.components), abs=1e-5)
        assert [c.code for c in s.components] == list(m.COMPONENT_ORDER)
        assert all(c.text for c in s.components) and all(c.text for c in s.checks)
        assert len(s.explanation()) == len(m.COMPONENT_ORDER) + len(m.CHECK_ORDER)
    best = matcher.rank_offers(need(), limit=1)[0]
    parts = {c.code: c for c in best.components}
    assert best.offer == "a"
    assert parts["focus"].value == 1.0
    assert parts["severity"].value == pytest.approx(0.9)
    assert (
        parts["severity"].text
        == "Niger scores 10/100 in Skills and human capital: the lower, the more it counts."
    )
    assert parts["track_record"].value == pytest.approx(0.5 + 0.25)
    assert "Past activities of Provider a on record: 3 in Niger" in parts["track_record"].text


def test_vectorised_block_agrees_with_each_pair() -> None:
    offers = [
        offer("a"),
        offer(
            "b", focus_areas=frozenset({"digital-skills", "emerging-technology"}), kinds=frozenset({"grant"})
        ),
        offer(
            "c",
            focus_areas=frozenset({"connectivity-infrastructure"}),
            text="Fibre backbone and rural broadband",
        ),
    ]
    needs = [
        need(),
        need(key="n2", focus_areas=frozenset({"connectivity-infrastructure"}), kinds=frozenset()),
    ]
    matcher = m.Matcher(offers, on=TODAY, provider_load={"P-a": 2})
    block = matcher.score_block(needs)
    total = sum(matcher.weights.of(c) * block.component(c) for c in m.COMPONENT_ORDER)
    np.testing.assert_allclose(block.score, total, atol=1e-5)
    for i, x in enumerate(needs):
        for j in range(len(offers)):
            s = matcher.explain(x, j, block, i)
            assert s.score == pytest.approx(float(block.score[i, j]), abs=1e-5)
    # a need with no kinds gets the neutral half for kind
    assert block.value("kind", 1, 2) == 0.5


def test_text_similarity_works_across_languages() -> None:
    offers = [
        offer(
            "fr",
            title="Formation aux compétences numériques",
            text="Cours de littératie numérique et d'e-gouvernement.",
        ),
        offer(
            "pay", title="Mobile money interoperability", text="Payment switch for mobile wallets and banks."
        ),
    ]
    matcher = m.Matcher(offers, on=TODAY)
    x = need(
        focus_areas=frozenset({"digital-skills", "digital-payments"}),
        kinds=frozenset(),
        title="Compétences numériques",
        text="Formation en littératie numérique pour les ministères.",
    )
    block = matcher.score_block([x])
    assert block.value("text", 0, 0) > block.value("text", 0, 1)


def test_spread_lowers_busy_providers_and_diversifies_a_list() -> None:
    offers = [
        offer("a1", provider="P"),
        offer("a2", provider="P"),
        offer("b1", provider="Q", title="Digital skills courses"),
    ]
    free = m.Matcher(offers, on=TODAY)
    busy = m.Matcher(offers, on=TODAY, provider_load={"P": 10})
    assert busy.suggestion(need(), "a1").score < free.suggestion(need(), "a1").score
    spread = next(c for c in busy.suggestion(need(), "a1").components if c.code == "spread")
    assert spread.text == "Open matches Provider a1 already has: 10; lowered so other providers get a chance."
    listed = free.rank_offers(need(), limit=3)
    providers = [s.provider for s in listed]
    assert providers[0] != providers[1], "the second place goes to another provider"
    without = free.rank_offers(need(), limit=3, diversify=False)
    assert sorted(s.offer for s in without) == sorted(s.offer for s in listed)


def test_offer_to_needs_prefers_the_more_severe_gap() -> None:
    o = offer("o")
    needs = [
        need(key="mild", pillar_scores={"skills": 80.0}),
        need(key="severe", pillar_scores={"skills": 5.0}),
        need(key="other", focus_areas=frozenset({"digital-taxation"}), country="KEN", groups=frozenset()),
    ]
    ranked = m.rank_needs(o, needs, on=TODAY)
    assert [s.need for s in ranked][:2] == ["severe", "mild"]


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(m.MatchingError, match="sum to 1"):
        m.Weights(focus=0.5)


def test_text_space_keeps_the_most_distinctive_ngrams() -> None:
    space = m.TextSpace(
        ["a long text about broadband connectivity infrastructure " * 5, "short"], max_terms=20
    )
    assert int(np.diff(space.corpus_vectors.indptr).max()) <= 20
    norms = np.sqrt(np.asarray(space.corpus_vectors.multiply(space.corpus_vectors).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)


def test_empty_catalogue_gives_no_suggestion() -> None:
    matcher = m.Matcher([], on=TODAY)
    assert matcher.rank_offers(need()) == []
    result = m.assign(matcher, [need()])
    assert result.matches == () and result.unmatched[0].reason == "no_offers"


def test_provider_index_ranks_by_where_what_and_wording() -> None:
    history = [
        m.HistoryRecord(
            orgs=("XM-DAC-A",),
            countries=frozenset({"NER"}),
            sectors=frozenset({"22040"}),
            text="rural broadband connectivity Niger",
        ),
        m.HistoryRecord(
            orgs=("XM-DAC-A",),
            countries=frozenset({"MLI"}),
            sectors=frozenset({"22040"}),
            text="fibre backbone Mali",
        ),
        *[
            m.HistoryRecord(
                orgs=("XM-DAC-BIG",),
                countries=frozenset({"KEN"}),
                sectors=frozenset({"12220"}),
                text=f"health clinic {i}",
            )
            for i in range(6)
        ],
    ]
    index = m.ProviderIndex(history)
    assert index.popularity()[0] == "XM-DAC-BIG"
    query = m.ProviderQuery(
        countries=frozenset({"NER"}), sectors=frozenset({"22040"}), text="broadband in Niger"
    )
    ranked = index.rank(query, limit=2)
    assert ranked[0].provider == "XM-DAC-A"
    country = next(c for c in ranked[0].components if c.code == "country")
    assert country.text == "Past activities in the need's country: 1 of 2."


def test_metrics_count_first_hits() -> None:
    result = m.metrics([0, 3, None, 12], k=10)
    assert result.recall_at_1 == 0.25 and result.recall_at_5 == 0.5 and result.recall_at_10 == 0.5
    assert result.mrr == pytest.approx((1 + 1 / 4) / 4)
    assert m.first_hit(["a", "b"], frozenset({"b"})) == 1


def test_evaluation_compares_with_popularity() -> None:
    history = [
        m.HistoryRecord(orgs=("BIG",), countries=frozenset({"KEN"}), text=f"health {i}") for i in range(5)
    ] + [m.HistoryRecord(orgs=("ICT",), countries=frozenset({"NER"}), text="broadband Niger fibre")]
    cases = [
        m.QueryCase(m.ProviderQuery(countries=frozenset({"NER"}), text="fibre broadband"), frozenset({"ICT"}))
    ]
    result = m.evaluate_providers(m.ProviderIndex(history), cases, k=10)
    assert result.as_dict()["matcher"]["recall@1"] == 1.0
    assert result.popularity.recall_at_1 == 0.0 and result.popularity.mrr == 0.5
    assert set(result.as_dict()) == {"queries", "k", "matcher", "popularity"}


def test_replace_keeps_profiles_frozen() -> None:
    x = need()
    with pytest.raises(AttributeError):
        x.country = "KEN"  # type: ignore[misc]
    assert replace(x, country="KEN").country == "KEN"


def test_the_language_check_says_which_side_has_no_restriction() -> None:
    offers = [offer("any"), offer("en", languages=frozenset({"en"}))]
    matcher = m.Matcher(offers, on=TODAY)

    def said(n: m.NeedProfile, key: str) -> str:
        return next(c.text for c in matcher.suggestion(n, key).checks if c.code == "language")

    assert said(need(languages=frozenset({"fr", "en"})), "any") == (
        "Any language for the offer; the need asks for: en, fr."
    )
    assert said(need(languages=frozenset()), "en") == "Any language for the need; the offer works in: en."
    assert said(need(languages=frozenset()), "any") == "No language restriction on either side."
    assert said(need(languages=frozenset({"en"})), "en") == "Both work in: en."
