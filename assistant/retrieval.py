"""Two-stage hybrid retrieval: rank passages, then score the quotable units inside the
best passages (plus the few units most similar to the question anywhere).

Measured on the development sets (see assistant/calibrate.py): ranking passages by
their own dense similarity, with a little BM25, finds the right document far more
often than ranking single sentences (MedQuAD R@1 0.98 vs 0.83 on template questions);
but the sentence to quote is best chosen by the sentence's own similarity, its
passage's score and its BM25 score together.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index import SearchIndex


@dataclass(frozen=True)
class Weights:
    """Calibrated with `python -m assistant.calibrate` on the development sets."""

    passage_lexical: float = 0.05  # added to a passage's cosine similarity
    passages: int = 3  # how many top passages the quotes may come from
    unit_dense: float = 0.4
    unit_passage: float = 0.2
    unit_lexical: float = 0.1
    # A unit shorter than this many words ("Seniors", "Vitamin D", a six-word list
    # lead-in) is similar to any question on its topic; its own similarity is blended
    # with its passage's in proportion to its length. Measured: home hit@1 0.80 -> 0.84,
    # MedQuAD template R@1 0.92 -> 0.93.
    full_length_words: int = 10
    # When the best passage's document leads every other document by this much, the
    # answer opens with that document's best unit. Measured: MedQuAD template R@1
    # 0.93 -> 0.95 for any gap from 0.05 to 0.12; home hit@1 unchanged (its three
    # documents overlap, so none leads by that much).
    leading_gap: float = 0.08
    # The units most similar to the question anywhere in the corpus join the candidates,
    # but may not open the answer: they support it as later quotes. Measured: home hit@3
    # 0.92 -> 1.00 (0.96 with 5 or 10), nothing else changes.
    supporting_units: int = 3


@dataclass(frozen=True)
class Passage:
    position: int  # into SearchIndex.chunks
    dense: float
    lexical: float  # BM25, as a share of the best passage's
    score: float


@dataclass(frozen=True)
class Candidate:
    position: int  # into SearchIndex.units
    chunk: int  # the best passage holding it, into SearchIndex.chunks
    unit_dense: float  # the unit's own cosine similarity
    passage: float
    unit_lexical: float
    score: float
    may_open: bool = True  # False for a unit outside the best passages


@dataclass(frozen=True)
class Retrieval:
    passages: list[Passage]  # best first
    candidates: list[Candidate]  # units of the top passages, best first

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


def retrieve(index: SearchIndex, query_vector: np.ndarray, query_text: str, *,
             weights: Weights = Weights()) -> Retrieval:
    if not index.chunks:
        return Retrieval([], [])
    passages = rank_passages(index, query_vector, query_text, weights=weights)
    best: dict[int, Passage] = {}  # unit -> the best passage holding it
    for passage in passages[:weights.passages]:
        for unit in index.chunk_units(index.chunks[passage.position]):
            if unit not in best or best[unit].score < passage.score:
                best[unit] = passage
    openers = set(best)
    ranked = {p.position: p for p in passages}
    for hit in index.dense_units(query_vector, weights.supporting_units):
        chunk = int(index.unit_chunk[hit.position])
        if hit.position not in best and chunk >= 0:
            dense = float(index.chunk_vectors[chunk] @ query_vector)
            best[hit.position] = ranked.get(chunk, Passage(chunk, dense, 0.0, dense))
    candidates = _score_units(index, best, openers, query_vector, query_text, weights)
    return Retrieval(passages, choose_opening(index, passages, candidates,
                                              weights.leading_gap))


def _score_units(index: SearchIndex, best: dict[int, Passage], openers: set[int],
                 query_vector: np.ndarray, query_text: str,
                 weights: Weights) -> list[Candidate]:
    unit_lexical = _normalise(index.lexical_units(query_text))
    total = weights.unit_dense + weights.unit_passage + weights.unit_lexical
    candidates = []
    for unit, passage in best.items():
        dense = float(index.unit_vectors[unit] @ query_vector)
        trust = min(1.0, index.unit_word_counts[unit] / weights.full_length_words)
        judged = trust * dense + (1.0 - trust) * passage.dense
        lexical = float(unit_lexical[unit])
        score = (weights.unit_dense * judged + weights.unit_passage * passage.score
                 + weights.unit_lexical * lexical) / total
        candidates.append(Candidate(unit, passage.position, dense, passage.score, lexical,
                                    score, may_open=unit in openers))
    candidates.sort(key=lambda c: (-c.score, c.position))
    return candidates


def choose_opening(index: SearchIndex, passages: list[Passage],
                   candidates: list[Candidate], gap: float) -> list[Candidate]:
    """Candidates with the one that opens the answer first: the best unit of the best
    passages, from the leading document when one document clearly leads."""
    eligible = [c for c in candidates if c.may_open]
    leader = _clear_leader(index, passages, gap)
    if leader is not None:
        eligible = [c for c in eligible if index.chunks[c.chunk].doc_id == leader] or eligible
    if not eligible or eligible[0] is candidates[0]:
        return candidates
    return [eligible[0]] + [c for c in candidates if c is not eligible[0]]


def _clear_leader(index: SearchIndex, passages: list[Passage], gap: float) -> str | None:
    """The best passage's document, if its lead over every other document is >= gap."""
    if not passages:
        return None
    leader = index.chunks[passages[0].position].doc_id
    runner_up = next((p.score for p in passages
                      if index.chunks[p.position].doc_id != leader), None)
    if runner_up is not None and passages[0].score - runner_up < gap:
        return None
    return leader
