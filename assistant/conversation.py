"""Follow-up questions: "and for vegans?" is searched together with the question before.

Whether a message is a follow-up is judged by a small logistic model over its words and
word pairs ("then", "does that", "which ones") and a few shape features (an opening like
"and …" or "what about …", how few content words it has), fitted on the labelled
follow-ups and stand-alone questions of the development sets by
`python -m assistant.answer_model.fit_follow_up` (answer_model/follow_up.json). Anything
not judged a follow-up starts a new topic, so old turns do not pollute a new question.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from assistant.abstain import content_terms, sigmoid

FOLLOW_UP_MODEL = Path(__file__).resolve().parent / "answer_model" / "follow_up.json"
_FOLLOW_UP_START = re.compile(
    r"^\s*(?:and|also|but|so|or|what about|how about|why is that|why|is that|does that|"
    r"what else|same for|then|plus|ok so|okay so)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:it|that|this|they|them|those|these|there)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9']+")


def user_turns(history: Sequence[Any]) -> list[str]:
    """The user's earlier messages, from plain strings or {"role", "content"} dicts."""
    turns = []
    for item in history or ():
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, dict) and item.get("role", "user") == "user":
            content = item.get("content")
            if isinstance(content, str):
                turns.append(content)
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            turns.append(item[0])  # (user, assistant) pairs
    return [t.strip() for t in turns if t and t.strip()]


def previous_reply(history: Sequence[Any]) -> str:
    """The assistant's last reply, from (user, assistant) pairs or {"role", "content"}
    dicts; "" when the history has none."""
    for item in reversed(list(history or ())):
        if isinstance(item, dict) and item.get("role") == "assistant":
            content = item.get("content")
            return content if isinstance(content, str) else ""
        if isinstance(item, (list, tuple)) and len(item) > 1:
            return item[1] if isinstance(item[1], str) else ""
    return ""


def follow_up_features(question: str) -> set[str]:
    """Words, word pairs and shape features of a message, as the follow-up model reads it."""
    own = len(content_terms(question))
    words = message_words(question)
    shape = {"@opening": bool(_FOLLOW_UP_START.match(question)), "@content<=1": own <= 1,
             "@content<=2": own <= 2, "@content<=3": own <= 3, "@short": len(words) <= 6,
             "@pronoun, few words": own <= 3 and bool(_PRONOUN.search(question))}
    return words_and_pairs(question) | {name for name, on in shape.items() if on}


def message_words(text: str) -> list[str]:
    """A message's lower-cased words in order, apostrophes kept ("can't" is not "can")."""
    return _WORD.findall(text.lower())


def words_and_pairs(text: str) -> set[str]:
    """A message's words and adjacent word pairs ("can't breathe" is not "can breathe"):
    what the follow-up and triage models read."""
    words = message_words(text)
    return {*words, *(f"{a} {b}" for a, b in zip(words, words[1:]))}


@lru_cache(maxsize=1)
def follow_up_model() -> dict[str, Any]:
    """The shipped model: {"weights": {feature: weight}, "bias", "cut_off"}."""
    return json.loads(FOLLOW_UP_MODEL.read_text(encoding="utf-8"))


def follow_up_probability(question: str, model: dict[str, Any] | None = None) -> float:
    model = model or follow_up_model()
    return sigmoid(model["bias"] + sum(model["weights"].get(f, 0.0)
                                       for f in follow_up_features(question)))


@lru_cache(maxsize=4096)
def is_follow_up(question: str) -> bool:
    """By the shipped model; cached, as one question is asked this several times (its
    search text, the quote it follows, its answerability)."""
    return follow_up_probability(question) >= follow_up_model()["cut_off"]


def follows_up(question: str, history: Sequence[Any]) -> bool:
    """A follow-up of the chat so far: there is an earlier question to follow."""
    return bool(user_turns(history)) and is_follow_up(question)


_MAX_CHAIN = 3  # a follow-up carries at most this many earlier turns


def search_text(question: str, history: Sequence[Any]) -> str:
    """The text to search for: the question, with the topic it follows when it is a
    follow-up. In a chain ("How is it treated?" / "and injections?" / "why?"), the
    earlier turns back to the last question that stood on its own are kept."""
    if not follows_up(question, history):
        return question
    turns = user_turns(history)
    chain = [question]
    for turn in reversed(turns[-_MAX_CHAIN:]):
        chain.insert(0, turn)
        if not is_follow_up(turn):
            break
    return " ".join(chain)
