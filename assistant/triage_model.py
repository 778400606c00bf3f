"""Emergencies told in words no rule foresaw, judged from the message's meaning.

The rules in triage.py catch the wordings they were written for; on messages written
later, blind to them, they caught 0.48–0.70 of emergencies. This model reads the
message's vector from the encoder (what it means, not which words it uses) and gives
the probability of each emergency category and of none: one multinomial logistic model,
fitted on the labelled triage files and the development questions by
`python -m assistant.answer_model.fit_triage` (answer_model/triage_model.json).
A message is an emergency when the rules fire or this model is sure (probability of
none below 1 − cut-off). The vector belongs to one encoder, so the model records the
encoder's weights hash and stands down for any other (the rules still apply).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.triage import ALWAYS, past_event, topic_question

TRIAGE_MODEL = Path(__file__).resolve().parent / "answer_model" / "triage_model.json"
NONE = "none"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TriageModel:
    encoder: str  # weights_hash of the encoder whose vectors it reads
    classes: tuple[str, ...]
    weights: np.ndarray  # classes × vector size
    bias: np.ndarray
    cut_off: float

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        z = self.weights @ np.asarray(vector, dtype=np.float64) + self.bias
        p = np.exp(z - z.max())
        return dict(zip(self.classes, (p / p.sum()).tolist()))

    def category(self, vector: np.ndarray, message: str) -> str | None:
        """The likeliest emergency category when the model is sure it is one, and the
        message is not a question about a topic naming no one (as for the rules:
        self-harm always counts) nor an event told as past and over, else None."""
        p = self.probabilities(vector)
        if 1.0 - p[NONE] < self.cut_off:
            return None
        found = max((c for c in self.classes if c != NONE), key=p.__getitem__)
        if past_event(message) or (found not in ALWAYS and topic_question(message)):
            return None
        return found

    def to_json(self, **record: Any) -> str:
        return json.dumps({"encoder": self.encoder, "classes": list(self.classes),
                           "cut_off": self.cut_off,
                           "bias": [round(float(b), 5) for b in self.bias],
                           "weights": [[round(float(w), 5) for w in row] for row in self.weights],
                           **record}, indent=1) + "\n"


def load(path: Path = TRIAGE_MODEL) -> TriageModel | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return TriageModel(encoder=data["encoder"], classes=tuple(data["classes"]),
                       weights=np.array(data["weights"]), bias=np.array(data["bias"]),
                       cut_off=float(data["cut_off"]))


def for_encoder(model: TriageModel | None, weights_hash: str) -> TriageModel | None:
    """The model when it reads this encoder's vectors, else None (rules only)."""
    if model is not None and model.encoder != weights_hash:
        logger.info("The triage model was fitted for another encoder: rules only.")
        return None
    return model
