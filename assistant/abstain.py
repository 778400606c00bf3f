"""Should the assistant answer at all?

A logistic model over three retrieval signals (the best unit's cosine, the best
passage's cosine and the best candidate's ranking score) and one of wording: how many
words of the question the documents never use although consumer health does
(assistant/vocabulary.py: "pregnant", "micrograms", "brand" in a question about
articles that never say them), and whether there is any; whether the best match's
document uses none of the words that name the question's topic (topic_missing below);
and one of the corpus, its size (corpus_size below). On the built-in corpus a model
learned from its own labelled questions decides instead (corpus_model.py). Fitted by
`python -m assistant.calibrate` on the development sets (home questions, MedQuAD,
LiveQA) and stored here as code. Removed because they lost on held-out folds: the
share of the question's words the corpus never uses, typos and slang included (it
refused typos and casual words: home answerable questions wrongly refused 0.07 -> 0.11
at the same cut-off), the rarity of those words, the best passage's stand-out from the
rest, and whether BM25 and cosine agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from assistant.retrieval import Retrieval
from assistant.vocabulary import health_terms, topic_terms
from index import SearchIndex
from index.lexical import terms

if TYPE_CHECKING:
    from assistant.corpus_model import CorpusModel

FEATURES = ("unit_dense", "passage", "score", "unmentioned", "any_unmentioned",
            "corpus_size", "topic_missing")


@dataclass(frozen=True)
class Thresholds:
    """A logistic model over FEATURES; answer when its probability >= `answer_at`."""

    weights: tuple[float, ...] = (10.814, 2.694, 0.259, 0.116, -2.593, -0.617, -2.099)
    bias: float = -0.717
    # Fitted with the home questions' signals from encoders that never saw them
    # (`calibrate --skip-grid --home-signals assistant/answer_model/home_signals_cv.jsonl`),
    # each set weighing the same. Cross-validated at 0.65 (fifty-three home sets and
    # the seeds, 26,836 questions; stop 27's encoder): home answerable questions wrongly
    # refused 0.10, unanswerable ones refused 0.71; MedQuAD 0.06 / 0.80; LiveQA wrongly
    # refused 0.03 (stop 28, fifty sets: the same; stop 27, forty-six sets: 0.10 / 0.70,
    # 0.06 / 0.80, 0.03; stop 26, thirty-nine sets: 0.10 / 0.69, 0.05 / 0.73, 0.03; stop 25,
    # twenty-eight sets: 0.10 / 0.66, 0.05 / 0.77, 0.03; stop 24, twenty-three sets: 0.10 /
    # 0.64, 0.06 / 0.73, 0.00; stop 23, eighteen sets: 0.10 / 0.62, 0.06 / 0.73, 0.00;
    # without topic_missing, stop 21: home 0.11 / 0.62, MedQuAD 0.07 / 0.60, LiveQA 0.03).
    # On the built-in corpus the corpus's own model (corpus_model.py) decides instead:
    # 0.03 / 0.92 by fold.
    answer_at: float = 0.65

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"{len(self.weights)} weights for {len(FEATURES)} features")


@dataclass(frozen=True)
class Decision:
    answer: bool
    signals: dict
    model: str = "general"  # or "corpus": assistant/corpus_model.py judged


def unmentioned_terms(index: SearchIndex, question: str) -> set[str]:
    """Words of the question the documents never use, though consumer health does (so
    not a typo or slang): what the question asks about that the documents are silent on."""
    return {t for t in terms(question) if not index.knows(t) and t in health_terms()}


def signals(index: SearchIndex, question: str, retrieval: Retrieval) -> dict[str, float]:
    if not retrieval.passages or not retrieval.candidates:
        return {name: 0.0 for name in FEATURES}
    unmentioned = len(unmentioned_terms(index, question))
    best_document = index.units[retrieval.candidates[0].position].doc_id
    return {
        "unit_dense": max(c.unit_dense for c in retrieval.candidates),
        "passage": retrieval.passages[0].dense,
        # As the answerability models were fitted: the best score retrieval alone gave.
        "score": max(c.score - c.memory for c in retrieval.candidates),
        "unmentioned": float(unmentioned),
        "any_unmentioned": float(unmentioned > 0),
        "corpus_size": corpus_size(index),
        "topic_missing": float(topic_missing(index, question, best_document)),
    }


def topic_missing(index: SearchIndex, question: str, doc_id: str) -> bool:
    """The question names a topic in consumer-health words and the document that answers
    best uses none of them: "What causes Ulcerative Colitis?" answered from a page on
    celiac disease, the nearest the corpus has. A wrong answer's document shares the
    question's wording of aspects ("causes") but seldom its topic."""
    topic = topic_terms(question)
    return bool(topic) and not topic & index.document_terms(doc_id)


def corpus_size(index: SearchIndex) -> float:
    """sqrt(2 ln N) for N units: how far the best of N unrelated cosines tends to rise
    above their mean. A question nothing answers still finds a closer unit among
    MedQuAD's 1,300 than among the home articles' 174, so the same cosine means less in
    a larger corpus; with this term one model refuses in both. (Fitted on two corpora,
    where any per-corpus constant would do as well; this one follows how the largest
    of N draws grows.)"""
    return math.sqrt(2 * math.log(max(2, len(index.units))))


def probability(values: dict[str, float], thresholds: Thresholds) -> float:
    return sigmoid(thresholds.bias + sum(w * values[name]
                                         for w, name in zip(thresholds.weights, FEATURES)))


def sigmoid(z: float) -> float:
    """A logistic model's probability, its argument clamped so exp never overflows."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def decide(index: SearchIndex, question: str, retrieval: Retrieval, *,
           thresholds: Thresholds = Thresholds(), corpus_model: CorpusModel | None = None,
           vector: np.ndarray | None = None, own_vector: np.ndarray | None = None,
           remembered: Sequence[dict[str, float]] | None = None) -> Decision:
    """Answer or not: by the corpus's own model when one fits this index (given with the
    question's vector), else by the general one. A follow-up is searched with the
    question it follows, whose vector makes "which brand is best?" after "what forms do
    B12 supplements come in?" look answerable: the corpus's model then takes the mean of
    its verdicts on that and on the follow-up's own words (`own_vector`). `remembered`:
    the question-memory features (question_memory.py) of `vector` and of `own_vector`,
    for a corpus model fitted with them."""
    values = signals(index, question, retrieval)
    if corpus_model is not None and vector is not None and (
            remembered is not None or not corpus_model.uses_memory):
        cut, model = corpus_model.answer_at, "corpus"
        judged = [v for v in (vector, own_vector) if v is not None]
        extra = list(remembered) if corpus_model.uses_memory else [{}] * len(judged)
        p = float(np.mean([corpus_model.probability(values | e, v)
                           for e, v in zip(extra, judged)]))
        values |= extra[0]
    else:
        p, cut, model = probability(values, thresholds), thresholds.answer_at, "general"
    shown = {k: round(v, 4) for k, v in values.items()} | {"p_answer": round(p, 4)}
    return Decision(bool(retrieval.candidates) and p >= cut, shown, model)


def content_terms(question: str) -> set[str]:
    return set(terms(question))
