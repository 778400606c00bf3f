"""BM25 over short texts (bm25s), with Snowball stemming so "cramps" finds "cramp"."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOPWORDS = frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, possessives dropped ("body's" -> "body")."""
    return [w.split("'")[0] for w in _WORD.findall(text.lower())]


def terms(text: str) -> list[str]:
    """Stemmed index terms without the commonest stopwords."""
    return _stemmer().stemWords([w for w in words(text) if w not in _STOPWORDS])


class LexicalIndex:
    """BM25 scores of a query against every text, in the texts' order."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        tokenized = [terms(t) or ["\x00empty"] for t in texts]
        self._vocab = {term for doc in tokenized for term in doc}
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index(tokenized, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        known = [t for t in terms(query) if t in self._vocab]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
