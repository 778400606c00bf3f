"""Token-bounded chunks made of whole units, cut on unit boundaries, never across a heading."""
from __future__ import annotations

from typing import Callable

from corpus.model import Chunk, Document
from corpus.tokens import count_tokens, prefix_within


def chunk_document(doc: Document, *, max_tokens: int, overlap: int = 0,
                   counter: Callable[[str], int] = count_tokens) -> list[Chunk]:
    """Group a document's units into chunks of at most max_tokens tokens.

    ``overlap`` tokens' worth of whole trailing units are repeated at the start of the
    next chunk in the same section, so an answer that straddles a cut is still whole
    somewhere. A single unit longer than max_tokens becomes a chunk of its own, cut at
    max_tokens, so no chunk is longer than the embedding model reads.
    """
    if max_tokens < 8:
        raise ValueError(f"max_tokens={max_tokens} is too small; use at least 8.")
    if not 0 <= overlap < max_tokens:
        raise ValueError(f"overlap={overlap} must be between 0 and max_tokens-1.")
    sizes = [counter(u.search_text) for u in doc.units]  # what the model will read
    chunks: list[Chunk] = []
    first = 0
    while first < len(doc.units):
        last, total = first, sizes[first]
        while (last + 1 < len(doc.units)
               and doc.units[last + 1].section == doc.units[first].section
               and total + sizes[last + 1] <= max_tokens):
            last += 1
            total += sizes[last]
        chunks.append(_make_chunk(doc, len(chunks), first, last, total, max_tokens))
        first = _next_start(doc, sizes, first, last, overlap)
    return chunks


def _next_start(doc: Document, sizes: list[int], first: int, last: int, overlap: int) -> int:
    """Step back over whole trailing units worth at most `overlap` tokens."""
    nxt, carried = last + 1, 0
    if nxt >= len(doc.units) or doc.units[nxt].section != doc.units[last].section:
        return nxt
    while nxt - 1 > first and carried + sizes[nxt - 1] <= overlap:
        nxt -= 1
        carried += sizes[nxt]
    return nxt


def _make_chunk(doc: Document, index: int, first: int, last: int, total: int,
                max_tokens: int) -> Chunk:
    start, end = doc.units[first].start, doc.units[last].end
    if total > max_tokens:  # one overlong unit: keep the part the model can read
        end = start + prefix_within(doc.text[start:end], max_tokens)
        total = max_tokens
    return Chunk(doc.doc_id, index, start, end, doc.units[first].section, first, last, total)
