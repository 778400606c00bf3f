"""BM25 over short texts (bm25s), with Snowball stemming so "cramps" finds "cramp"."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
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


# bm25s's own file names, prefixed so both indexes' files sit flat in a version folder
# (every file there is checksummed by the manifest).
_FILES = {"data_name": "data.npy", "indices_name": "indices.npy", "indptr_name": "indptr.npy",
          "vocab_name": "vocab.json", "params_name": "params.json", "nnoc_name": "nnoc.npy"}


def _file_names(prefix: str) -> dict[str, str]:
    return {key: f"{prefix}.bm25-{name}" for key, name in _FILES.items()}


class LexicalIndex:
    """BM25 scores of a query against every text, in the texts' order."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index([terms(t) or ["\x00empty"] for t in texts], show_progress=False)
        self._vocab = frozenset(getattr(self._bm25, "vocab_dict", None) or ())

    def write(self, folder: Path, prefix: str) -> None:
        """Saved with the index: tokenizing and stemming every text again at load was
        most of a large library's cold start."""
        if self.size:
            self._bm25.save(str(folder), **_file_names(prefix), show_progress=False)

    @classmethod
    def read(cls, folder: Path, prefix: str, size: int) -> "LexicalIndex":
        """The index `write` saved for `size` texts; ValueError if it is not that."""
        lexical = cls([])
        if size:
            lexical._bm25 = bm25s.BM25.load(str(folder), **_file_names(prefix),
                                            show_progress=False)
            lexical._vocab = frozenset(lexical._bm25.vocab_dict)
            lexical.size = int(lexical._bm25.scores["num_docs"])
        if lexical.size != size:
            raise ValueError(f"{prefix} BM25 holds {lexical.size} texts, not {size}")
        return lexical

    @staticmethod
    def saved(folder: Path, prefix: str) -> bool:
        return (folder / _file_names(prefix)["params_name"]).is_file()

    def knows(self, term: str) -> bool:
        return term in self._vocab

    def scores(self, query: str) -> np.ndarray:
        known = [t for t in terms(query) if t in self._vocab]
        if not known or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
