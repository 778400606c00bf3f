"""Emergencies told in words no rule foresaw, judged from the message's meaning.

The rules in triage.py catch the wordings they were written for; on messages written
later, blind to them, they caught 0.48–0.70 of emergencies. This model reads the
message's vector from the encoder (what it means, not which words it uses) and its
words, word pairs and the words a negation governs (which a vector blurs: "no chest
pain", "all fine now", "can breathe") and gives the probability of each emergency
category and of none: one multinomial logistic model, fitted on the labelled triage
files and the development questions by `python -m assistant.answer_model.fit_triage`
(answer_model/triage_model.json). A message is an emergency when this model is sure
(probability of none below 1 − cut-off), or when the rules fire and this model does not
rule it out (emergency at least `veto`, for self-harm at least the lower
`veto_self_harm`). The vector belongs to one encoder, so the model records the
encoder's weights hash and stands down for any other (the rules still apply).
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.conversation import message_words, words_and_pairs
from assistant.triage import ALWAYS, CLAUSE_END, past_event, topic_question

TRIAGE_MODEL = Path(__file__).resolve().parent / "answer_model" / "triage_model.json"
NONE = "none"
logger = logging.getLogger(__name__)
# Broader than the rules' triage._RULING_OUT ("isn't breathing" is a sign the rules must
# keep): the model learns from the labelled messages what each negated word means.
_NEGATION = re.compile(r"^(?:no|not|never|without|nor|haven'?t|hasn'?t|isn'?t|isnt|wasn'?t|"
                       r"wasnt|didn'?t|didnt|don'?t|dont|doesn'?t|doesnt)$")


def negated_words(message: str) -> set[str]:
    """The three words after each negation, in its clause, marked ("no chest pain" ->
    "not:chest", "not:pain"), so the model can learn a sign ruled out from a sign present.
    With each blind set held out whole: the same emergencies caught, false alarms 41 -> 34
    of 1,650."""
    marked = set()
    for clause in CLAUSE_END.split(message):
        words = message_words(clause)
        for i, word in enumerate(words):
            if _NEGATION.match(word):
                marked |= {f"not:{w}" for w in words[i + 1:i + 4]}
    return marked


def triage_features(message: str) -> set[str]:
    """What the model reads besides the vector: words, word pairs, negated words."""
    return words_and_pairs(message) | negated_words(message)


@dataclass(frozen=True)
class TriageModel:
    encoder: str  # weights_hash of the encoder whose vectors it reads
    classes: tuple[str, ...]
    weights: np.ndarray  # classes × vector size
    bias: np.ndarray
    cut_off: float
    # Per-class weights of the message's words and word pairs, each present one adding
    # word_scale × its weights: the vector alone reads "no chest pain" as chest pain.
    words: dict[str, np.ndarray] = field(default_factory=dict)
    word_scale: float = 0.0
    # The rules' verdict stands unless this model gives emergency less than this
    # ("no trouble breathing", "saw on the news a footballer collapsed"); self-harm's
    # unless it is all but sure ("not suicidal or anything, just tired"). 0.0: the rules
    # always stand.
    veto: float = 0.0
    veto_self_harm: float = 0.0

    def probabilities(self, vector: np.ndarray, message: str = "") -> dict[str, float]:
        z = self.weights @ np.asarray(vector, dtype=np.float64) + self.bias
        for feature in triage_features(message) & self.words.keys():
            z = z + self.word_scale * self.words[feature]
        p = np.exp(z - z.max())
        return dict(zip(self.classes, (p / p.sum()).tolist()))

    def judge(self, vector: np.ndarray, message: str, rules: str | None
              ) -> tuple[str | None, str | None]:
        """The emergency category and what found it ("rules", "model"), or (None, None):
        the rules' category unless this model is sure there is none, else this model's."""
        p = self.probabilities(vector, message)
        veto = self.veto_self_harm if rules in ALWAYS else self.veto
        if rules is not None and 1.0 - p[NONE] >= veto:
            return rules, "rules"
        found = self._category(p, message)
        return (found, "model") if found else (None, None)

    def category(self, vector: np.ndarray, message: str) -> str | None:
        return self._category(self.probabilities(vector, message), message)

    def _category(self, p: dict[str, float], message: str) -> str | None:
        """The likeliest emergency category when the model is sure it is one, and the
        message is not a question about a topic naming no one (as for the rules:
        self-harm always counts) nor an event told as past and over, else None."""
        if 1.0 - p[NONE] < self.cut_off:
            return None
        found = max((c for c in self.classes if c != NONE), key=p.__getitem__)
        if past_event(message) or (found not in ALWAYS and topic_question(message)):
            return None
        return found

    def to_json(self, **record: Any) -> str:
        def rounded(values: np.ndarray) -> list[float]:
            return [round(float(v), 5) for v in values]
        return json.dumps({"encoder": self.encoder, "classes": list(self.classes),
                           "cut_off": self.cut_off, "veto": self.veto,
                           "veto_self_harm": self.veto_self_harm,
                           "bias": rounded(self.bias),
                           "weights": [rounded(row) for row in self.weights],
                           "word_scale": self.word_scale,
                           "words": {f: rounded(w) for f, w in sorted(self.words.items())},
                           **record}, separators=(",", ":")) + "\n"


def load(path: Path = TRIAGE_MODEL) -> TriageModel | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return TriageModel(encoder=data["encoder"], classes=tuple(data["classes"]),
                       weights=np.array(data["weights"]), bias=np.array(data["bias"]),
                       cut_off=float(data["cut_off"]),
                       words={f: np.array(w) for f, w in data.get("words", {}).items()},
                       word_scale=float(data.get("word_scale", 0.0)),
                       veto=float(data.get("veto", 0.0)),
                       veto_self_harm=float(data.get("veto_self_harm", 0.0)))


def for_encoder(model: TriageModel | None, weights_hash: str) -> TriageModel | None:
    """The model when it reads this encoder's vectors, else None (rules only)."""
    if model is not None and model.encoder != weights_hash:
        logger.info("The triage model was fitted for another encoder: rules only.")
        return None
    return model
