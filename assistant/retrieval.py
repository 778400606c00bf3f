"""Hybrid retrieval over quotable units: dense (unit and its passage) plus BM25, fused.

Every unit among the candidates gets one fused score from four signals, each in [0, 1]:
its own cosine similarity to the question, its passage's (chunk's) similarity, and the
BM25 scores of unit and passage divided by the best BM25 score for this question.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index import SearchIndex


@dataclass(frozen=True)
class Weights:
    """Calibrated with `python -m assistant.calibrate` on the development sets: home
    hit@1 0.72, hit@3 0.96; MedQuAD R@1 0.83, R@5 0.97 (templates, synonyms, LiveQA)."""

    unit_dense: float = 0.6
    chunk_dense: float = 0.25
    unit_lexical: float = 0.1
    chunk_lexical: float = 0.05


@dataclass(frozen=True)
class Candidate:
    position: int  # into SearchIndex.units
    chunk: int  # into SearchIndex.chunks
    unit_dense: float
    chunk_dense: float
    unit_lexical: float
    chunk_lexical: float
    score: float


def _normalise(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def retrieve(index: SearchIndex, query_vector: np.ndarray, query_text: str, *,
             weights: Weights = Weights(), depth: int = 40) -> list[Candidate]:
    """Candidates best first: top units and units of top passages by either retriever."""
    if not index.units:
        return []
    unit_lex = index.lexical_units(query_text)
    chunk_lex = index.lexical_chunks(query_text)
    unit_lex_n, chunk_lex_n = _normalise(unit_lex), _normalise(chunk_lex)
    chunk_dense = index.chunk_vectors @ query_vector
    pool = {h.position for h in index.dense_units(query_vector, depth)}
    pool.update(np.argsort(-unit_lex)[:depth // 2].tolist())
    top_chunks = {h.position for h in index.dense_chunks(query_vector, depth // 4)}
    top_chunks.update(np.argsort(-chunk_lex)[:depth // 4].tolist())
    for chunk in top_chunks:
        pool.update(index.chunk_units(index.chunks[chunk]))
    positions = np.fromiter(sorted(pool), dtype=np.int64)
    unit_dense = index.unit_vectors[positions] @ query_vector
    candidates = []
    for position, dense in zip(positions.tolist(), unit_dense.tolist()):
        chunk = int(index.unit_chunk[position])
        signals = (max(dense, 0.0), max(float(chunk_dense[chunk]), 0.0),
                   float(unit_lex_n[position]), float(chunk_lex_n[chunk]))
        score = (weights.unit_dense * signals[0] + weights.chunk_dense * signals[1]
                 + weights.unit_lexical * signals[2] + weights.chunk_lexical * signals[3])
        candidates.append(Candidate(position, chunk, *signals, score))
    candidates.sort(key=lambda c: (-c.score, c.position))
    return candidates


def ranked_documents(index: SearchIndex, candidates: list[Candidate]) -> list[str]:
    """Documents in the order of their best candidate."""
    seen: dict[str, None] = {}
    for c in candidates:
        seen.setdefault(index.units[c.position].doc_id, None)
    return list(seen)
