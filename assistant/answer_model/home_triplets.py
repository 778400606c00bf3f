"""Training triplets from home-corpus questions with gold phrases (the development
sets' format, assistant/dev_questions/README.md), for the encoder's second stage.

For each answerable question: the question as the assistant searches it; the unit that
holds a gold phrase and ranks best, embedded as the index embeds it; and, as the hard
negative, one of the two best-ranked units that hold none. The same again for their
passages (chunks). The negatives are what the current encoder ranks too high, so the
stage teaches it this corpus's near misses: a list item above the sentence that answers.
"""
from __future__ import annotations

import random

from assistant.evaluation import holds_phrase
from assistant.retrieval import retrieve
from index import SearchIndex
from index.build import chunk_embedding_text, unit_embedding_text


def gold_units(index: SearchIndex, phrases: list[str]) -> set[int]:
    """Positions of the units whose quoted text holds one of the phrases."""
    return {i for i, unit in enumerate(index.units)
            if holds_phrase(index.documents[unit.doc_id].text[unit.start:unit.end], phrases)}


def question_triplets(assistant, rows: list[dict], rng: random.Random) -> list[dict]:
    index = assistant.index
    rows = [r for r in rows if r.get("expect") == "answer" and r.get("phrases")]
    queries = [assistant.search_text(r["question"], r.get("history") or []) for r in rows]
    triplets = []
    for row, query, vector in zip(rows, queries, assistant.encoder.encode(queries)):
        gold = gold_units(index, row["phrases"])
        found = retrieve(index, vector, query)
        ranked = [c.position for c in found.candidates]
        wrong = [p for p in ranked if p not in gold]
        if not gold or not wrong:
            continue
        best = next((p for p in ranked if p in gold), min(gold))
        triplets.append({"anchor": query, "positive": unit_embedding_text(index.units[best]),
                         "negative": unit_embedding_text(index.units[rng.choice(wrong[:2])])})
        chunk = int(index.unit_chunk[best])
        gold_chunks = {int(index.unit_chunk[g]) for g in gold}
        other = next((p.position for p in found.passages if p.position not in gold_chunks), None)
        if chunk >= 0 and other is not None:
            triplets.append({"anchor": query,
                             "positive": _chunk_text(index, chunk),
                             "negative": _chunk_text(index, other)})
    return triplets


def _chunk_text(index: SearchIndex, position: int) -> str:
    chunk = index.chunks[position]
    return chunk_embedding_text(index.documents[chunk.doc_id], chunk)
