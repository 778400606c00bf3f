"""Should the assistant answer at all? Decided from several signals, not one threshold.

No reranker or reader model installs offline, so "does this passage answer the
question" is judged from what retrieval measures: the best passage's score, the best
sentence's similarity, how much of the question's distinctive content (idf-weighted)
the best passage contains, and how much of it the whole corpus never mentions (a
question about "cost" is not answered by a passage that never says cost, however
similar it is), and whether the dense and the lexical retriever agree on the best
document. A logistic model combines them; its weights are fitted by
`python -m assistant.calibrate` on the development sets and stored here as code.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.retrieval import Retrieval
from index import SearchIndex
from index.lexical import terms

FEATURES = ("passage", "unit_dense", "coverage", "unknown", "standout", "agreement")
_BACKGROUND = 20  # passages whose mean similarity stands for "the corpus in general"


@dataclass(frozen=True)
class Thresholds:
    """A logistic model over FEATURES; answer when its probability >= `answer_at`.

    Fitted by `python -m assistant.calibrate --skip-grid` on the development sets (home
    seed questions, MedQuAD questions and LiveQA). Fitted without the home set it
    still answers all of the home set's answerable questions and none of its others.
    """

    weights: tuple[float, ...] = (6.045, 7.037, -1.137, -2.878, 6.309, 1.001)
    bias: float = -6.99
    # 0.55, not 0.5: quoting a passage that does not answer ("how much does a B12
    # injection cost?" answered with dosing schedules) misleads more than "not in my
    # documents" does. Cross-validated (calibrate prints it), 0.55 answers 0.33 instead
    # of 0.42 of in-domain questions the documents do not answer, while home wrong
    # abstentions stay 0.03 and LiveQA's 0.10; at 0.6 they would pass 0.07 and 0.12.
    answer_at: float = 0.55

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"{len(self.weights)} weights for {len(FEATURES)} features")


@dataclass(frozen=True)
class Decision:
    answer: bool
    signals: dict


def content_terms(question: str) -> set[str]:
    return set(terms(question))


def signals(index: SearchIndex, question: str, retrieval: Retrieval) -> dict[str, float]:
    wanted = content_terms(question)
    if not retrieval.passages or not retrieval.candidates:
        return {name: 0.0 for name in FEATURES} | {"unknown": 1.0}
    vocabulary = index.vocabulary
    weight = {t: vocabulary.idf(t) for t in wanted}
    total = sum(weight.values()) or 1.0
    chunk = index.chunks[retrieval.passages[0].position]
    doc = index.documents[chunk.doc_id]
    present = set(terms(" ".join((doc.title, chunk.section,
                                  doc.text[chunk.start:chunk.end]))))
    dense = sorted((p.dense for p in retrieval.passages), reverse=True)[:_BACKGROUND]
    return {
        "passage": retrieval.passages[0].score,
        "unit_dense": max((c.unit_dense for c in retrieval.candidates if c.may_open),
                          default=0.0),
        "coverage": sum(weight[t] for t in wanted & present) / total if wanted else 1.0,
        "unknown": sum(weight[t] for t in wanted if not vocabulary.knows(t)) / total
        if wanted else 0.0,
        # How far the best passage stands out from the rest of the corpus: on-topic
        # questions have one clear best; off-topic ones are equally far from all.
        "standout": dense[0] - sum(dense[1:]) / max(1, len(dense) - 1),
        "agreement": _retrievers_agree(index, retrieval),
    }


def _retrievers_agree(index: SearchIndex, retrieval: Retrieval) -> float:
    """1 when the passage with the best cosine and the one with the best BM25 score come
    from the same document: two different views of the question pointing at one place."""
    by_dense = max(retrieval.passages, key=lambda p: p.dense)
    by_lexical = max(retrieval.passages, key=lambda p: p.lexical)
    if by_lexical.lexical <= 0:
        return 0.0
    same = index.chunks[by_dense.position].doc_id == index.chunks[by_lexical.position].doc_id
    return float(same)


def probability(values: dict[str, float], thresholds: Thresholds) -> float:
    z = thresholds.bias + sum(w * values[name]
                              for w, name in zip(thresholds.weights, FEATURES))
    return 1.0 / (1.0 + math.exp(-z))


def decide(index: SearchIndex, question: str, retrieval: Retrieval, *,
           thresholds: Thresholds = Thresholds()) -> Decision:
    values = signals(index, question, retrieval)
    p = probability(values, thresholds)
    shown = {k: round(v, 4) for k, v in values.items()} | {"p_answer": round(p, 4)}
    return Decision(bool(retrieval.candidates) and p >= thresholds.answer_at, shown)
