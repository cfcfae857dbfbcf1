"""The multilingual text similarity: normalisation, ranking, cross-language roots, empty input."""

from __future__ import annotations

import pytest

from gapbridge.domain import textsim


def test_normalise_folds_case_accents_and_arabic_variants() -> None:
    assert textsim.normalise("  Économie  NUMÉRIQUE ") == "economie numerique"
    assert textsim.normalise("أمن") == textsim.normalise("امن")
    assert textsim.normalise("مُحَمَّد") == "محمد"


def test_ranks_the_relevant_document_first() -> None:
    corpus = [
        "Fibre optic backbone and broadband connectivity for rural areas",
        "Training SMEs in e-commerce and digital marketing",
        "Water and sanitation infrastructure in small towns",
    ]
    index = textsim.build_index(corpus)
    scores = index.similar_to("e-commerce training for small businesses")
    assert int(scores.argmax()) == 1
    assert all(0.0 <= s <= 1.0 + 1e-6 for s in scores)


def test_shared_roots_match_across_languages() -> None:
    corpus = [
        "Programme de cybersécurité et protection des données personnelles",
        "Construction de routes rurales",
    ]
    index = textsim.build_index(corpus)
    scores = index.similar_to("cybersecurity and personal data protection programme")
    assert scores[0] > scores[1] + 0.1


def test_pairwise_matches_individual_similarity() -> None:
    index = textsim.build_index(["digital payments", "mobile money payments", "road works"])
    pair = index.pairwise([0, 0], [1, 2])
    assert pair[0] > pair[1]
    assert textsim.similarity("same text", "same text") == pytest.approx(1.0, abs=1e-5)


def test_empty_texts_do_not_crash() -> None:
    index = textsim.build_index(["", ""])
    assert index.similar_to("anything").tolist() == [0.0, 0.0]
