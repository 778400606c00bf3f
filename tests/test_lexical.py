"""BM25 with stemming: word forms match, unknown words score nothing, empty input works."""
from __future__ import annotations

import numpy as np
import pytest

from index.lexical import LexicalIndex, terms, words

TEXTS = [
    "Muscle cramp after running",
    "Eggs and dairy",
    "Cramping legs at night",
    "the and of",  # stopwords only
    "Muscle cramps and muscle pain",
]


@pytest.fixture(scope="module")
def lexical():
    return LexicalIndex(TEXTS)


@pytest.mark.parametrize("text, expected", [
    ("The cramps, the body's cramping!", ["cramp", "bodi", "cramp"]),
    ("Running runs RUN", ["run", "run", "run"]),
    ("the and of", []),
    ("", []),
])
def test_terms_are_stemmed_without_stopwords(text, expected):
    assert terms(text) == expected


def test_words_drop_possessives_and_lowercase():
    assert words("The Body's B12 levels") == ["the", "body", "b12", "levels"]


@pytest.mark.parametrize("query", ["cramps", "cramp", "cramping", "CRAMPS", "Cramps?"])
def test_stemming_matches_word_forms(lexical, query):
    scores = lexical.scores(query)
    assert np.flatnonzero(scores).tolist() == [0, 2, 4]
    assert np.array_equal(scores, lexical.scores("cramps"))


def test_more_matching_terms_rank_higher(lexical):
    scores = lexical.scores("muscle cramps")
    assert np.flatnonzero(scores).tolist() == [0, 2, 4]
    assert int(np.argmax(scores)) == 4  # both words, "muscle" twice
    assert scores[0] > scores[2]  # both words beat one word


@pytest.mark.parametrize("query", ["zebra", "the of and", "", "   ", "xylophone"])
def test_unknown_or_stopword_queries_score_zero(lexical, query):
    scores = lexical.scores(query)
    assert scores.dtype == np.float32
    assert scores.tolist() == [0.0] * len(TEXTS)


def test_unknown_words_do_not_change_known_ones(lexical):
    assert np.array_equal(lexical.scores("zebra cramps"), lexical.scores("cramps"))


def test_empty_index():
    empty = LexicalIndex([])
    assert empty.size == 0
    scores = empty.scores("cramps")
    assert scores.shape == (0,) and scores.dtype == np.float32


def test_index_of_stopword_only_texts():
    index = LexicalIndex(["the", "and of"])
    assert index.scores("the").tolist() == [0.0, 0.0]


def test_single_text():
    index = LexicalIndex(["Vitamin B12 supports nerves"])
    assert index.scores("nerve")[0] > 0
    assert index.scores("b12 vitamins")[0] > index.scores("vitamins")[0] > 0
    assert index.scores("muscles").tolist() == [0.0]
