"""Overlap detection: tiers, blocking rules, the score, and the evaluation against known links."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from gapbridge.domain.overlap import Params, Record, Tier, detect, evaluate, known_pairs

FIBRE_EN = "Rural broadband fibre backbone for Niger: connecting schools and health centres to the internet"
FIBRE_FR = (
    "Dorsale de fibre optique à haut débit au Niger : connecter les écoles et centres de santé à internet"
)
FIBRE_EN2 = "Broadband fibre backbone in rural Niger connecting health centres and schools to the internet"
SKILLS = "Coding bootcamps and digital skills training for young women in Niamey"
ROADS = "Maintenance of rural roads and bridges after the floods"


def rec(
    id_: int,
    text: str,
    publisher: str,
    *,
    identifier: str | None = None,
    places: tuple[str, ...] = ("NER",),
    areas: tuple[str, ...] = ("connectivity-infrastructure",),
    start: date | None = date(2020, 1, 1),
    end: date | None = date(2023, 12, 31),
    orgs: tuple[str, ...] = (),
    linked: tuple[str, ...] = (),
) -> Record:
    return Record(
        id_,
        identifier or f"{publisher}-{id_}",
        publisher,
        frozenset(places),
        frozenset(areas),
        start,
        end,
        text,
        frozenset(orgs),
        frozenset(linked),
    )


def pairs_of(records: list[Record], **kw: object) -> dict[tuple[int, int], Tier]:
    found = detect(records, **kw)  # type: ignore[arg-type]
    return {(p.a, p.b): p.tier for p in found.pairs}


def test_similar_projects_of_two_publishers_are_flagged_high() -> None:
    records = [rec(1, FIBRE_EN, "GB-1"), rec(2, FIBRE_EN2, "FR-3"), rec(3, ROADS, "DE-1")]
    found = detect(records)
    assert [(p.a, p.b, p.tier) for p in found.pairs] == [(1, 2, Tier.HIGH_SIMILARITY)]
    pair = found.pairs[0]
    assert pair.shared_places == ("NER",) and pair.shared_areas == ("connectivity-infrastructure",)
    assert 0.6 < pair.text_similarity <= 1.0


def test_across_languages_text_helps_and_a_shared_partner_makes_it_possible() -> None:
    records = [rec(1, FIBRE_EN, "GB-1"), rec(2, FIBRE_FR, "FR-3"), rec(3, SKILLS, "DE-1")]
    scores = {(p.a, p.b): p.text_similarity for p in detect(records, Params(possible=0.0001)).pairs}
    assert scores[1, 2] > 2 * max(scores.get((1, 3), 0), scores.get((2, 3), 0))
    assert pairs_of(records) == {}  # text alone across languages stays below "possible"
    partner = frozenset({"NE-ANSI", "XM-DAC-41114"})
    shared = [dataclasses.replace(r, organisations=partner) if r.id in (1, 2) else r for r in records]
    assert pairs_of(shared) == {(1, 2): Tier.POSSIBLE_OVERLAP}


@pytest.mark.parametrize(
    "other",
    [
        {"publisher": "GB-1"},  # same publisher
        {"places": ("MLI",)},  # another country
        {"areas": ("digital-skills",)},  # another focus area
        {"start": date(2010, 1, 1), "end": date(2012, 1, 1)},  # dates do not overlap
    ],
)
def test_candidates_need_place_area_dates_and_different_publishers(other: dict[str, object]) -> None:
    publisher = str(other.pop("publisher", "FR-3"))
    records = [rec(1, FIBRE_EN, "GB-1"), rec(2, FIBRE_EN, publisher, **other)]  # type: ignore[arg-type]
    assert pairs_of(records) == {}


def test_open_dates_overlap_everything() -> None:
    records = [rec(1, FIBRE_EN, "GB-1", start=None, end=None), rec(2, FIBRE_EN2, "FR-3")]
    assert (1, 2) in pairs_of(records)


def test_same_identifier_and_traceability_tiers_need_no_similarity() -> None:
    records = [
        rec(1, FIBRE_EN, "GB-1", identifier="XM-1"),
        rec(2, ROADS, "FR-3", identifier="XM-1", places=("MLI",)),
        rec(3, SKILLS, "DE-1", linked=("GB-1-9",)),
        rec(9, ROADS, "GB-1", identifier="GB-1-9", places=("TCD",)),
    ]
    found = pairs_of(records)
    assert found[1, 2] is Tier.SAME_IDENTIFIER
    assert found[3, 9] is Tier.TRACEABILITY
    assert (3, 9) not in pairs_of(records, use_links=False)


def test_shared_organisations_raise_the_score() -> None:
    # moderately similar texts: not enough alone, enough with two shared implementing partners
    a = "Digital skills for civil servants in Niger, e-government training"
    b = "Training of trainers on e-government and digital tools for ministries in Niger"
    bare = [rec(1, a, "GB-1", areas=("digital-skills",)), rec(2, b, "FR-3", areas=("digital-skills",))]
    shared = [dataclasses.replace(r, organisations=frozenset({"NE-ANSI", "XM-DAC-41114"})) for r in bare]
    base = detect(bare, Params(possible=0.0001))
    boosted = detect(shared, Params(possible=0.0001))
    assert boosted.pairs[0].score > base.pairs[0].score
    assert boosted.pairs[0].shared_organisations == ("NE-ANSI", "XM-DAC-41114")
    # the partner of almost everyone is no evidence
    crowd = [rec(10 + i, f"{ROADS} {i}", f"P{i}", places=("TCD",), orgs=("UNDP",)) for i in range(40)]
    common = detect([*bare, *crowd], Params(possible=0.0001))
    assert "UNDP" not in {o for p in common.pairs for o in p.shared_organisations}


def test_blocking_stays_far_from_all_pairs_and_chunking_changes_nothing() -> None:
    records = []
    countries = ["NER", "MLI", "TCD", "BFA", "SEN"]
    areas = ["connectivity-infrastructure", "digital-skills", "digital-payments", "ecommerce-sme"]
    texts = [FIBRE_EN, SKILLS, ROADS, FIBRE_EN2, "Mobile money interoperability and payment switches"]
    for i in range(200):
        records.append(
            rec(
                i, f"{texts[i % 5]} ({i % 7})", f"P{i % 9}", places=(countries[i % 5],), areas=(areas[i % 4],)
            )
        )
    whole = detect(records)
    assert whole.comparisons < whole.all_pairs / 10
    chunked = detect(records, Params(chunk_cells=7))
    assert whole.pairs == chunked.pairs
    assert whole.candidates == chunked.candidates > 0


def test_evaluation_counts_known_pairs_without_using_the_links() -> None:
    records = [
        rec(1, FIBRE_EN, "GB-1", linked=("FR-3-2",)),  # a known pair the text finds
        rec(2, FIBRE_EN2, "FR-3", identifier="FR-3-2"),
        rec(3, SKILLS, "DE-1", areas=("digital-skills",), linked=("US-1-4",)),  # known, but texts differ
        rec(4, ROADS, "US-1", identifier="US-1-4", areas=("digital-skills",)),
        rec(5, FIBRE_EN, "SE-1", places=("MLI",)),  # similar to 6, no link: counts against precision
        rec(6, FIBRE_EN2, "NO-1", places=("MLI",)),
    ]
    assert known_pairs(records) == {(1, 2), (3, 4)}
    result = evaluate(records)
    assert result.pairs_known == 2
    assert result.by_tier["high-similarity"].found == 2
    assert result.by_tier["high-similarity"].matched == 1
    assert result.precision == 0.5
    assert result.recall == 0.5
    assert result.blocking_recall == 1.0
    assert Tier.TRACEABILITY not in {p.tier for p in result.detection.pairs}


def test_known_pairs_ignore_links_within_one_publisher() -> None:
    records = [rec(1, FIBRE_EN, "GB-1", linked=("GB-1-2",)), rec(2, FIBRE_EN, "GB-1", identifier="GB-1-2")]
    assert known_pairs(records) == set()


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="possible"):
        Params(possible=0.8, high=0.5)
