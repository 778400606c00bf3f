"""Follow-up questions: "and for vegans?" is searched together with the question before.

A follow-up is recognised by its opening ("and …", "what about …", "why is that?") or by
having almost no content words of its own; anything else starts a new topic, so old
turns do not pollute a new question.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from assistant.abstain import content_terms

_FOLLOW_UP_START = re.compile(
    r"^\s*(?:and|also|but|so|or|what about|how about|why is that|why|is that|does that|"
    r"what else|same for|then|plus|ok so|okay so)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:it|that|this|they|them|those|these|there)\b", re.IGNORECASE)


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


def is_follow_up(question: str) -> bool:
    own = content_terms(question)
    return bool(_FOLLOW_UP_START.match(question)) or len(own) <= 1 or (
        len(own) <= 3 and bool(_PRONOUN.search(question)))


_MAX_CHAIN = 3  # a follow-up carries at most this many earlier turns


def search_text(question: str, history: Sequence[Any]) -> str:
    """The text to search for: the question, with the topic it follows when it is a
    follow-up. In a chain ("How is it treated?" / "and injections?" / "why?"), the
    earlier turns back to the last question that stood on its own are kept."""
    turns = user_turns(history)
    if not turns or not is_follow_up(question):
        return question
    chain = [question]
    for turn in reversed(turns[-_MAX_CHAIN:]):
        chain.insert(0, turn)
        if not is_follow_up(turn):
            break
    return " ".join(chain)
