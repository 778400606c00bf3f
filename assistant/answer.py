"""What the assistant returns: data only; rendering lives in ui."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["answered", "not_found", "emergency", "invalid"]


@dataclass(frozen=True)
class Quote:
    """A verbatim quote: ``text == document_text[start:end]``."""

    text: str
    doc_id: str
    title: str
    section: str
    start: int
    end: int
    score: float
    # Other documents that say (nearly) the same thing: (doc_id, title) pairs.
    also_in: tuple[tuple[str, str], ...] = ()
    page: int | None = None  # PDF: the page the quote starts on
    anchor: str = ""  # HTML: the id of the heading above the quote


@dataclass(frozen=True)
class Answer:
    question: str
    status: Status
    quotes: tuple[Quote, ...]
    disclaimer: str
    notice: str | None = None
    index_version: str = ""
    id: str | None = None
    # Why the assistant decided as it did (signals, thresholds); for eval and debugging.
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The contract of `quotechat ask --json` (see README)."""
        return {
            "id": self.id,
            "question": self.question,
            "status": self.status,
            "quotes": [_quote_json(q) for q in self.quotes],
            "notice": self.notice,
            "disclaimer": self.disclaimer,
            "index_version": self.index_version,
        }

    def to_debug_json(self) -> dict[str, Any]:
        data = self.to_json()
        data["quotes"] = [asdict(q) for q in self.quotes]
        data["details"] = self.details
        return data


def _quote_json(quote: Quote) -> dict[str, Any]:
    """A quote in the JSON contract; `page` and `anchor` only where the source has them."""
    data: dict[str, Any] = {"text": quote.text, "doc_id": quote.doc_id, "title": quote.title,
                            "section": quote.section, "start": quote.start,
                            "end": quote.end, "score": round(quote.score, 4)}
    if quote.page is not None:
        data["page"] = quote.page
    if quote.anchor:
        data["anchor"] = quote.anchor
    return data
