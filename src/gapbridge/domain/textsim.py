"""Text similarity that works across English, French, Spanish and Arabic without a model download.

Character n-gram TF-IDF (n = 3..5 inside word boundaries) after Unicode normalisation: accents folded,
Arabic letter variants unified, case folded. Character n-grams match shared roots across languages
("numérique"/"numerique", "digitalización"/"digitalization", "cyber") and tolerate spelling variants, which
plain word TF-IDF does not. Pure: numpy, scipy and scikit-learn only; no Django, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:  # scikit-learn takes about a second to import: only what builds an index loads it
    from sklearn.feature_extraction.text import TfidfVectorizer

_ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": ""})
_ARABIC_DIACRITICS = re.compile("[\u064b-\u0652\u0670]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold case, accents and Arabic letter variants so the same word matches however it is written."""
    text = _ARABIC_DIACRITICS.sub("", text.translate(_ARABIC_VARIANTS))
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", folded).strip()


@dataclass(frozen=True)
class TextIndex:
    """Vectors of a fixed corpus; query it with `similar_to` or compare all pairs with `pairwise`."""

    vectorizer: TfidfVectorizer
    matrix: sparse.csr_matrix

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.vectorizer.transform([normalise(t) for t in texts])

    def similar_to(self, text: str) -> np.ndarray:
        """Cosine similarity (0..1) of `text` to every document of the corpus, in corpus order."""
        query = self.vectors([text])
        return np.asarray((self.matrix @ query.T).toarray()).ravel()

    def pairwise(self, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
        """Cosine similarity of the documents at `rows[i]` and `cols[i]`, for each i."""
        if not rows:
            return np.zeros(0)
        left = self.matrix[list(rows)]
        right = self.matrix[list(cols)]
        return np.asarray(left.multiply(right).sum(axis=1)).ravel()


def build_index(corpus: Sequence[str], *, min_df: int = 1, max_features: int | None = 200_000) -> TextIndex:
    """Fit the vocabulary and weights on `corpus`; rows are L2-normalised so dot products are cosines."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )
    documents = [normalise(t) for t in corpus]
    if not any(documents):
        documents = [*documents, "placeholder"]  # a corpus of empty texts still needs a vocabulary
        matrix = vectorizer.fit_transform(documents)[:-1]
    else:
        matrix = vectorizer.fit_transform(documents)
    return TextIndex(vectorizer=vectorizer, matrix=sparse.csr_matrix(matrix))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts on their own (a convenience for small comparisons and tests)."""
    index = build_index([a, b])
    return float(index.pairwise([0], [1])[0])
