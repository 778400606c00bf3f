"""Rank quotable units for a question: each unit's cosine (embedded with its section
name), its passage's cosine and its BM25 score, added with weights chosen by
cross-validation (assistant/calibrate.py). Passages (chunks) are ranked too: their
order names the documents behind an answer, and the best one's score helps decide
whether to answer at all.

The cosines depend only on the question and one unit or passage; BM25's term weights
are the one signal that depends on the whole corpus, so adding an unrelated document
keeps answers about the others in place (it may swap a list's lead-in and one of its
items: tests/test_integration.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np

from index import SearchIndex


@dataclass(frozen=True)
class Weights:
    """Chosen with `python -m assistant.calibrate` on held-out folds of the development
    sets (home questions and MedQuAD); each term below lost there when removed. Checked
    again in stop 22 on sets 9 and 12 (832 answerable) with an encoder that never saw
    them, right first: as they are 0.776; follow_up_section 0 / 0.3 0.772 / 0.763;
    passage 0.3 / 0.8 0.767 / 0.773; unit_lexical 0.1 0.752; 20 or 40 candidates 0.776."""

    candidates: int = 30  # units scored, found by cosine or BM25
    # A unit's score: its cosine + `passage` x its passage's cosine + `unit_lexical` x
    # its BM25 (share of the best). With the encoder tuned on both home question sets,
    # BM25 no longer helps rank units (home right first, held-out folds: 0.682 -> 0.694
    # on the first set, 0.576 -> 0.589 on the second, LiveQA 0.875 -> 0.975 without it);
    # it still brings candidates in. Before: 1.0 and 0.3; with the base MiniLM 2.0 and 0.1.
    passage: float = 0.5
    unit_lexical: float = 0.0
    passage_lexical: float = 0.05  # passages: cosine + this x BM25 share
    # A follow-up's units in the section of the quote it follows score this much more:
    # "why does that happen?" is most often answered next to what was just read.
    follow_up_section: float = 0.15
    # A unit's share of the vote of the nearest remembered questions it answers
    # (assistant/question_memory.py) counts this much. Chosen on sets 51-53, each file's
    # own questions forgotten, by right first + first three (0.2-1.0, 3/5/10 voters; 0.3
    # and 0.45 within 0.002, the lower kept); on 54-56 right first / first three
    # 0.864 / 0.953 -> 0.938 / 0.974.
    memory: float = 0.3


@dataclass(frozen=True)
class Passage:
    position: int  # into SearchIndex.chunks
    dense: float
    lexical: float  # BM25, as a share of the best passage's
    score: float


@dataclass(frozen=True)
class Candidate:
    position: int  # into SearchIndex.units
    unit_dense: float  # the unit's own cosine similarity
    passage: float  # cosine of the passage holding it
    unit_lexical: float  # BM25, as a share of the best unit's
    score: float
    memory: float = 0.0  # the part of `score` the question memory's vote gave


@dataclass(frozen=True)
class Retrieval:
    passages: list[Passage]  # best first
    candidates: list[Candidate]  # best first

    def ranked_documents(self, index: SearchIndex) -> list[str]:
        """Documents in the order of their best passage."""
        order = (index.chunks[p.position].doc_id for p in self.passages)
        return list(dict.fromkeys(order))


def _normalise(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def rank_passages(index: SearchIndex, query_vector: np.ndarray, query_text: str, *,
                  weights: Weights, depth: int = 50) -> list[Passage]:
    """Passages found by either retriever, scored by cosine + a share of BM25."""
    lexical = _normalise(index.lexical_chunks(query_text))
    pool = {h.position: h.score for h in index.dense_chunks(query_vector, depth)}
    for position in np.argsort(-lexical)[:depth // 2].tolist():
        if position not in pool:
            pool[position] = float(index.chunk_vectors[position] @ query_vector)
    passages = [Passage(p, dense, float(lexical[p]),
                        dense + weights.passage_lexical * float(lexical[p]))
                for p, dense in pool.items()]
    passages.sort(key=lambda p: (-p.score, p.position))
    return passages


def candidate_units(index: SearchIndex, query_vector: np.ndarray, query_text: str, *,
                    weights: Weights, follows: Sequence[int] = (),
                    votes: Mapping[int, float] = MappingProxyType({})) -> list[Candidate]:
    """The `candidates` best units, found by cosine, by BM25 or by the question
    memory's `votes`, best first; for a follow-up, with the units of the sections its
    earlier quote (`follows`) came from."""
    lexical = _normalise(index.lexical_units(query_text))
    pool = {h.position for h in index.dense_units(query_vector, weights.candidates)}
    pool |= {p for p in np.argsort(-lexical)[:weights.candidates].tolist() if lexical[p] > 0}
    near = {index.unit_position(doc_id, i)
            for doc_id, section in {(index.units[p].doc_id, index.units[p].section)
                                    for p in follows}
            for i, u in enumerate(index.documents[doc_id].units) if u.section == section}
    candidates = []
    for unit in pool | near | set(votes):
        dense = float(index.unit_vectors[unit] @ query_vector)
        chunk = int(index.unit_chunk[unit])
        passage = float(index.chunk_vectors[chunk] @ query_vector) if chunk >= 0 else dense
        memory = weights.memory * votes.get(unit, 0.0)
        score = (dense + weights.passage * passage + weights.unit_lexical * float(lexical[unit])
                 + weights.follow_up_section * (unit in near) + memory)
        candidates.append(Candidate(unit, dense, passage, float(lexical[unit]), score, memory))
    candidates.sort(key=lambda c: (-c.score, c.position))
    return candidates[:weights.candidates]


def retrieve(index: SearchIndex, query_vector: np.ndarray, query_text: str, *,
             weights: Weights = Weights(), follows: Sequence[int] = (),
             votes: Mapping[int, float] = MappingProxyType({})) -> Retrieval:
    if not index.chunks:
        return Retrieval([], [])
    return Retrieval(rank_passages(index, query_vector, query_text, weights=weights),
                     candidate_units(index, query_vector, query_text, weights=weights,
                                     follows=follows, votes=votes))
