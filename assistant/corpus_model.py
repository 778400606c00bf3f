"""Answerability learned for one corpus: which questions its documents answer.

The general abstention model (abstain.py) judges any corpus from retrieval signals alone,
and on questions written in other words than the documents' it refuses answerable ones
and answers near misses ("how long until the shots work?" when no sentence says). The
built-in corpus has about 1,900 labelled questions (assistant/dev_questions/), enough to
learn what its documents cover: a logistic model over the same signals and the
question's own vector from the encoder (what it asks about), strongly regularised.
Fitted by `python -m assistant.calibrate --corpus-model` and stored in
answer_model/corpus_model.json with a fingerprint of the units it was fitted on and the
encoder's weights: it is used only for exactly those, so a changed or added document, or
another model, falls back to the general model.

Measured (`python -m assistant.calibrate --skip-grid --home …home_dev.jsonl
…seed_questions.jsonl …home_dev_2.jsonl … …home_dev_6.jsonl --home-signals
assistant/answer_model/home_signals_cv.jsonl --corpus-model --corpus-answer-at 0.65`;
signals from encoders that never saw the question): at the cut-off 0.65, by fold,
answerable questions wrongly refused 0.04 and unanswerable ones refused 0.81, against
0.09 / 0.51 for the general model on four of the sets; with each question file held out
whole (other writers) 0.04 / 0.81 (the paraphrased third set 0.06 / 0.65).
home_in_domain_unanswerable.jsonl, never fitted on: 1.00 refused (0.58 with the general
model).
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.abstain import FEATURES, sigmoid
from assistant.question_memory import FEATURES as MEMORY_FEATURES
from index import SearchIndex

CORPUS_MODEL = Path(__file__).resolve().parent / "answer_model" / "corpus_model.json"
logger = logging.getLogger(__name__)


def fingerprint(index: SearchIndex, weights_hash: str) -> str:
    """The encoder's weights, the text of every unit and every passage's bounds (other
    chunk settings give other passage cosines), in order."""
    digest = hashlib.sha256(weights_hash.encode())
    for unit in index.units:
        digest.update(index.documents[unit.doc_id].text[unit.start:unit.end].encode())
        digest.update(b"\0")
    for chunk in index.chunks:
        digest.update(f"{chunk.doc_id}:{chunk.start}:{chunk.end}\0".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class CorpusModel:
    fingerprint: str
    mean: np.ndarray  # standardisation of [values of `features`, question vector]
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    answer_at: float
    features: tuple[str, ...] = FEATURES  # or FEATURES + question-memory features

    @property
    def uses_memory(self) -> bool:
        return self.features != FEATURES

    def probability(self, values: dict[str, float], vector: np.ndarray) -> float:
        x = (np.concatenate([[values[name] for name in self.features], vector])
             - self.mean) / self.scale
        return sigmoid(float(x @ self.weights) + self.bias)

    def to_json(self, **record: Any) -> str:
        return json.dumps({"fingerprint": self.fingerprint, "features": list(self.features),
                           "answer_at": self.answer_at, "bias": round(self.bias, 6),
                           "mean": _rounded(self.mean), "scale": _rounded(self.scale),
                           "weights": _rounded(self.weights), **record}, indent=1) + "\n"


def _rounded(values: np.ndarray) -> list[float]:
    """Six significant digits, not decimals: a near-constant embedding dimension's spread
    (~1e-7) rounded to 0 divides by zero."""
    return [float(f"{v:.6g}") for v in values]


def load(path: Path = CORPUS_MODEL) -> CorpusModel | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    features = tuple(data.get("features") or ())
    if features not in (FEATURES, FEATURES + MEMORY_FEATURES):
        return None  # fitted for other signals: the general model answers
    return CorpusModel(fingerprint=data["fingerprint"], mean=np.array(data["mean"]),
                       scale=np.array(data["scale"]), weights=np.array(data["weights"]),
                       bias=float(data["bias"]), answer_at=float(data["answer_at"]),
                       features=features)


class CorpusModels:
    """The corpus model when it fits the index and encoder in use, else None; each
    index's fingerprint is worked out once (an index swap brings a new one)."""

    def __init__(self, model: CorpusModel | None, weights_hash: str) -> None:
        self.model, self.weights_hash = model, weights_hash
        self._checked: dict[str, bool] = {}

    def for_index(self, index: SearchIndex) -> CorpusModel | None:
        if self.model is None:
            return None
        fits = self._checked.get(index.version)
        if fits is None:
            fits = fingerprint(index, self.weights_hash) == self.model.fingerprint
            self._checked[index.version] = fits
            if not fits:
                logger.info("Index %s: the general abstention model decides (the "
                            "corpus answerability model was fitted on other documents "
                            "or another encoder).", index.version)
        return self.model if fits else None
