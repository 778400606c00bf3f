"""Helpful / not helpful feedback on answers, kept with the answer's provenance in a
JSON-lines file for maintainers. No gradio.

Questions can be health information, so nothing is stored unless a file is configured
(``serve --feedback FILE`` or QUOTECHAT_FEEDBACK_FILE). Each record is one line, written
with one append and fsynced, so earlier records are never rewritten or lost.
"""
from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant import Answer

VERDICTS = {True: "helpful", False: "not_helpful", "Like": "helpful",
            "Dislike": "not_helpful", "": "withdrawn", None: "withdrawn"}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def provenance(answer: Answer) -> dict[str, Any]:
    """What a maintainer needs to find an answer again: the question, the index it came
    from and exactly which text was quoted."""
    return {"question": answer.question, "status": answer.status,
            "index_version": answer.index_version, "answered_at": _now(),
            "quotes": [{"doc_id": q.doc_id, "start": q.start, "end": q.end}
                       for q in answer.quotes]}


def feedback_record(record: dict[str, Any] | None, liked: Any) -> dict[str, Any] | None:
    """The line to store for a like/dislike on an answer, or None when there is nothing
    to store (a user message, an unknown answer, an unknown kind of feedback)."""
    if not isinstance(record, dict):
        return None
    try:
        verdict = VERDICTS[liked]
    except (KeyError, TypeError):  # TypeError: an unhashable value from a client
        return None
    return {"feedback": verdict, "feedback_at": _now(), **record}


class FeedbackLog:
    """Appends records to a JSON-lines file, one whole line per write."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            # Owner-only: the file holds people's questions.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
