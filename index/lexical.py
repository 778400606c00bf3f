"""BM25 over short texts (bm25s), with Snowball stemming so "cramps" finds "cramp"."""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Sequence

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Words that say what kind of question it is, not what it is about: kept out of BM25 so
# "what does B12 do" does not match every sentence containing "does".
QUESTION_WORDS = frozenset("""
what whats how why when where which who whom whose is are was were be been being do does
did doing can could should would will shall may might must have has had having i im me
my mine we our you your yours it its this that these those there here a an the and or
but if then so to of in on at by for with about from into over under than as not no
any some much many more most very too also just really get got getting make makes tell
know need want like please thing things way ways happen happens happening still even
ok okay thanks hi hello one ones lot lots kind type types take taking""".split())
_STOPWORDS = frozenset(STOPWORDS_EN) | QUESTION_WORDS


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, possessives dropped ("body's" -> "body")."""
    return [w.split("'")[0] for w in _WORD.findall(text.lower())]


def terms(text: str) -> list[str]:
    """Stemmed index terms without stopwords and question words."""
    return _stemmer().stemWords([w for w in words(text) if w not in _STOPWORDS])


class LexicalIndex:
    """BM25 scores of a query against every text, in the texts' order."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        tokenized = [terms(t) or ["\x00empty"] for t in texts]
        self._document_frequency = Counter(term for doc in tokenized for term in set(doc))
        self._vocab = set(self._document_frequency)
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index(tokenized, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        known = [t for t in terms(query) if t in self._vocab]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term the corpus never uses gets the highest."""
        return math.log((self.size + 1) / (self._document_frequency.get(term, 0) + 0.5))

    def knows(self, term: str) -> bool:
        return term in self._vocab
