"""From ranked candidates to quotes: the best units, made readable, without repeats."""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np

from assistant.answer import Quote
from corpus.units import LIST_ITEMS_SEARCHED
from assistant.retrieval import Candidate
from index import SearchIndex
from index.lexical import words

# A sentence that opens like this leans on the one before it ("This is because…").
_DEPENDENT_START = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|such|as a result|however|therefore|"
    r"thus|in these cases|in this case|in severe cases|because of this|for this reason)\b",
    re.IGNORECASE)
_DUPLICATE_OVERLAP = 0.6
_QUOTED_SEARCH = 30  # a reply holds up to three quotes, each a unit or a few
# A follow-up's best unit, though the reply it follows showed it, is quoted again when it
# scores this far above the best new one: in ~8% of the dev sets' follow-ups the answer is
# in the quote just read. Chosen with each question file held out in turn (`python -m
# assistant.calibrate_keep_shown`, forty-six training sets, 4,093 answerable follow-ups,
# stop 27's first encoder round): 0.15 for every file; held out, right first 0.771 ->
# 0.788, first three 0.906 -> 0.921. With the shipped encoder (forty-eight sets) 0.2 is
# chosen, 0.773 -> 0.791; 0.15 and 0.2 score 0.790 / 0.920 and 0.791 / 0.919 over all.
KEEP_SHOWN_ABOVE = 0.15




def _span(index: SearchIndex, position: int) -> tuple[int, int]:
    """The unit's span, widened to the previous sentence when it depends on it, and to
    the list it introduces when it ends with a colon ("… sensations, including:")."""
    unit = index.units[position]
    start, end = unit.start, unit.end
    text = index.documents[unit.doc_id].text
    if unit.kind != "paragraph":
        return start, end
    if _DEPENDENT_START.match(text[start:end]) and position > 0:
        previous = index.units[position - 1]
        same_paragraph = (previous.doc_id == unit.doc_id and previous.kind == "paragraph"
                          and "\n" not in text[previous.end:start])
        if same_paragraph:
            start = previous.start
    if text[start:end].endswith(":"):
        following = index.units[position + 1:position + 1 + LIST_ITEMS_SEARCHED]
        for item in following:
            if item.doc_id != unit.doc_id or item.kind != "list_item":
                break
            end = item.end
    return start, end


def _overlap(a: str, b: str) -> float:
    wa, wb = set(words(a)), set(words(b))
    return len(wa & wb) / max(1, len(wa), len(wb))


def quote_section(index: SearchIndex, position: int) -> str:
    unit = index.units[position]
    return " › ".join(part for part in (unit.section, unit.label) if part)


def _unit_text(index: SearchIndex, position: int) -> str:
    unit = index.units[position]
    return index.documents[unit.doc_id].text[unit.start:unit.end]


def quoted_units(index: SearchIndex, reply: str, positions: Iterable[int] | None = None
                 ) -> list[int]:
    """The units whose text the reply quotes, among `positions` (default: the units
    sharing most words with the reply, where anything it quotes ranks)."""
    text = _folded(reply)
    if not text:
        return []
    if positions is None:
        lexical = index.lexical_units(reply)
        positions = [p for p in np.argsort(-lexical)[:_QUOTED_SEARCH].tolist() if lexical[p] > 0]
    return [p for p in positions if _folded(_unit_text(index, p)) in text]


def _adjacent(text: str, a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Two spans with only spaces between them: sentences of one paragraph."""
    if a_end <= b_start:
        gap = text[a_end:b_start]
    elif b_end <= a_start:
        gap = text[b_end:a_start]
    else:
        return False
    return not gap.strip() and "\n" not in gap


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def select_quotes(index: SearchIndex, candidates: list[Candidate], *, max_quotes: int,
                  margin: float, shown: str = "",
                  keep_shown_above: float = KEEP_SHOWN_ABOVE) -> list[Quote]:
    """Up to max_quotes quotes scoring within `margin` of the best one.

    A quote that repeats an earlier one (same span, or mostly the same words) is
    dropped; when it comes from another document, that document is listed under the
    earlier quote as "also in". A unit already in `shown` (the reply a follow-up
    follows) is passed over: "and the pills?" wants something new, not the quote it
    just read (home follow-ups right first 0.37 -> 0.47, tried on every fold at once:
    nothing here is fitted), unless it outscores every new unit by `keep_shown_above`:
    then the follow-up asks about what it just read ("where on the body does it
    happen?"). A sentence next to a chosen quote, in the same paragraph, joins it: one
    passage reads better than two halves (second home question set, which the encoder
    never saw: right first 0.553 -> 0.571; the first set 0.641 -> 0.645).
    """
    if shown:
        seen = set(quoted_units(index, shown, [c.position for c in candidates]))
        new = [c for c in candidates if c.position not in seen]
        if not (new and candidates[0].score > new[0].score + keep_shown_above):
            candidates = new
    if not candidates:
        return []
    floor = candidates[0].score - margin
    chosen: list[dict] = []
    for candidate in candidates:
        if candidate.score < floor or len(chosen) >= max_quotes:
            break
        unit = index.units[candidate.position]
        doc = index.documents[unit.doc_id]
        start, end = _span(index, candidate.position)
        text = doc.text[start:end]
        twin = next((q for q in chosen if
                     (q["doc_id"] == doc.doc_id and q["start"] < end and start < q["end"])
                     or _overlap(q["text"], text) >= _DUPLICATE_OVERLAP), None)
        if twin is not None:
            if twin["doc_id"] != doc.doc_id and doc.doc_id not in dict(twin["also_in"]):
                twin["also_in"].append((doc.doc_id, doc.title))
            continue
        host = next((q for q in chosen if q["doc_id"] == doc.doc_id
                     and _adjacent(doc.text, q["start"], q["end"], start, end)), None)
        if host is not None:  # the sentence next to a quote: one passage, one quote
            host["start"], host["end"] = min(host["start"], start), max(host["end"], end)
            host["text"] = doc.text[host["start"]:host["end"]]
            continue
        chosen.append({"text": text, "doc_id": doc.doc_id, "title": doc.title,
                       "section": quote_section(index, candidate.position), "start": start,
                       "end": end, "score": candidate.score, "also_in": []})
    return [Quote(**{**q, "also_in": tuple(q["also_in"])}) for q in chosen]
