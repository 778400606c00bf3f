"""Should the assistant answer at all? Decided from signals, not from one threshold.

No reranker or reader model installs offline, so "does this passage answer the
question" is judged from: the best unit's and passage's dense similarity, and how many
of the question's distinctive content words the best passages contain (a question about
"cost" is not answered by a passage that never mentions cost, however similar it is).
The thresholds are calibrated by `python -m assistant.calibrate` on development sets.
"""
from __future__ import annotations

from dataclasses import dataclass

from assistant.retrieval import Candidate
from index import SearchIndex
from index.lexical import terms

@dataclass(frozen=True)
class Thresholds:
    """Calibrated with `python -m assistant.calibrate`: on the development sets these
    answer 0.84 of answerable questions and refuse 0.92 of unanswerable ones."""

    # Answer when the fused score is high enough on its own ...
    confident_score: float = 0.6
    # ... or when the best unit is similar enough and the passages cover the question.
    unit_dense: float = 0.4
    coverage: float = 0.67


@dataclass(frozen=True)
class Decision:
    answer: bool
    signals: dict


def content_terms(question: str) -> set[str]:
    return set(terms(question))


def coverage(index: SearchIndex, question: str, candidates: list[Candidate],
             top: int = 3) -> float:
    """Share of the question's content terms found in the top passages."""
    wanted = content_terms(question)
    if not wanted:
        return 1.0
    found: set[str] = set()
    for c in candidates[:top]:
        chunk = index.chunks[c.chunk]
        doc = index.documents[chunk.doc_id]
        found |= set(terms(" ".join((doc.title, chunk.section,
                                     doc.text[chunk.start:chunk.end]))))
        found |= set(terms(index.units[c.position].search_text))
    return len(wanted & found) / len(wanted)


def decide(index: SearchIndex, question: str, candidates: list[Candidate], *,
           thresholds: Thresholds = Thresholds()) -> Decision:
    if not candidates:
        return Decision(False, {})
    best = candidates[0]
    signals = {"score": round(best.score, 4), "unit_dense": round(best.unit_dense, 4),
               "chunk_dense": round(best.chunk_dense, 4),
               "coverage": round(coverage(index, question, candidates), 4)}
    answer = signals["score"] >= thresholds.confident_score or (
        signals["unit_dense"] >= thresholds.unit_dense
        and signals["coverage"] >= thresholds.coverage)
    return Decision(answer, signals)
