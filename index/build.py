"""What builds an index: chunk the documents, re-use the vectors of unchanged ones,
embed the rest. Searching is index/store.py; files on disk are index/storage.py."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import numpy as np

from corpus import Chunk, Document, Unit, chunk_document
from index.embedder import Encoder
from index.manifest import ChunkSettings, build_manifest
from corpus.progress import Progress

if TYPE_CHECKING:  # only for type hints: the builder reads a previous index, never imports it
    from index.store import SearchIndex

logger = logging.getLogger(__name__)
# Room left in the model's window for the title and section put before each chunk.
HEADER_TOKENS = 48
# Texts per encode() call. Sorted by length beforehand, so the size does not change
# the padding; kept small because a chat sharing the model waits for one call.
GROUP_SIZE = 128
FIT_GROUP = 4096  # texts per fit_window() call


def unit_embedding_text(unit: Unit) -> str:
    """A unit is embedded with its section name: "Dosage: Adults need 2.4 mcg".
    Measured against the bare sentence (cross-validated on the development sets):
    MedQuAD R@1 0.76 -> 0.87, home hit@1 0.47 -> 0.49."""
    if not unit.section:
        return unit.search_text
    return f"{unit.section}: {unit.search_text}"


def chunk_embedding_text(doc: Document, chunk: Chunk) -> str:
    body = " ".join(u.search_text for u in doc.units[chunk.first_unit:chunk.last_unit + 1])
    heads = [h for h in dict.fromkeys((doc.title, chunk.section)) if h]
    return ". ".join(heads + [body])


@dataclass(frozen=True)
class BuiltIndex:
    """What SearchIndex is made of, freshly built."""

    manifest: dict
    documents: list[Document]
    chunks: list[Chunk]
    unit_vectors: np.ndarray
    chunk_vectors: np.ndarray


def build_index(documents: Iterable[Document], encoder: Encoder, *,
                settings: ChunkSettings = ChunkSettings(),
                previous: "SearchIndex | None" = None, progress: bool = False,
                batch_size: int = 32, corpus: str = "") -> BuiltIndex:
    """Chunk and embed documents, re-using the vectors of documents `previous` already
    has; the parts a SearchIndex is made of."""
    if settings.max_tokens + HEADER_TOKENS > encoder.max_tokens:
        raise ValueError(
            f"Chunks of {settings.max_tokens} tokens plus their title and section are "
            f"longer than the model reads ({encoder.max_tokens}); use a chunk size of "
            f"at most {encoder.max_tokens - HEADER_TOKENS}.")
    documents = sorted(documents, key=lambda d: d.doc_id)
    if len({d.doc_id for d in documents}) != len(documents):
        raise ValueError("Two documents share one doc_id.")
    reuse = previous if previous is not None and previous.compatible(
        encoder, settings) else None
    chunks_by_doc = {d.doc_id: chunk_document(d, max_tokens=settings.max_tokens,
                                              overlap=settings.overlap)
                     for d in documents}
    old_chunks = _chunk_rows(reuse)
    fresh = [d for d in documents if reuse is None
             or not _unchanged(reuse, old_chunks, d, chunks_by_doc[d.doc_id])]
    texts = embedding_texts(fresh, chunks_by_doc)
    if progress:
        logger.info("chunked %d documents: %d new or changed, %d texts to embed",
                    len(documents), len(fresh), len(texts))
    # Past the model's window the rest of a text would be dropped silently; cut it
    # here, on purpose, where it can be counted and tested.
    fitted = fit_to_window(encoder, texts)
    cut = sum(a != b for a, b in zip(texts, fitted))
    if cut:
        logger.info("%d of %d texts cut to the model's %d-token window", cut,
                    len(texts), encoder.max_tokens)
    texts = fitted
    if progress and fresh:
        names = ", ".join(d.doc_id for d in fresh[:3]) + (", …" if len(fresh) > 3 else "")
        logger.info("embedding %d texts of %d new or changed documents (%s)",
                    len(texts), len(fresh), names)
    vectors = encode_texts(encoder, texts, progress=progress, batch_size=batch_size,
                           what=f"Embedding texts of {len(fresh)} documents")
    new_units, new_chunks, cursor = {}, {}, 0
    for d in fresh:
        new_units[d.doc_id] = vectors[cursor:cursor + len(d.units)]
        cursor += len(d.units)
    for d in fresh:
        n = len(chunks_by_doc[d.doc_id])
        new_chunks[d.doc_id] = vectors[cursor:cursor + n]
        cursor += n
    unit_parts, chunk_parts = [], []
    for d in documents:
        if d.doc_id in new_units:
            unit_parts.append(new_units[d.doc_id])
            chunk_parts.append(new_chunks[d.doc_id])
        else:
            unit_parts.append(reuse.doc_unit_vectors(d.doc_id))
            chunk_parts.append(reuse.chunk_vectors[old_chunks[d.doc_id]])
    dim = encoder.dimension
    manifest = build_manifest(documents, chunks_by_doc, encoder, settings,
                              reuse.manifest if reuse is not None else None,
                              fresh={d.doc_id for d in fresh}, corpus=corpus)
    logger.info("indexed %d documents (%d embedded, %d re-used)", len(documents),
                len(fresh), len(documents) - len(fresh))
    return BuiltIndex(manifest=manifest, documents=documents,
                      chunks=[c for d in documents for c in chunks_by_doc[d.doc_id]],
                      unit_vectors=_stack(unit_parts, dim),
                      chunk_vectors=_stack(chunk_parts, dim))


def _chunk_rows(index: "SearchIndex | None") -> dict[str, list[int]]:
    """doc_id -> the rows of its chunks in `index`, found in one pass (a pass per
    document is quadratic: minutes for a library of thousands)."""
    rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(index.chunks if index is not None else ()):
        rows.setdefault(chunk.doc_id, []).append(row)
    return rows


def _unchanged(previous: "SearchIndex", old_chunks: dict[str, list[int]], doc: Document,
               chunks: list[Chunk]) -> bool:
    """Whether doc's stored vectors still fit: same content, parsed and cut the same."""
    return (previous.content_hash(doc.doc_id) == doc.content_hash
            and previous.documents[doc.doc_id].units == doc.units
            and [previous.chunks[r] for r in old_chunks.get(doc.doc_id, ())] == chunks)


def fit_to_window(encoder: Encoder, texts: list[str]) -> list[str]:
    """Each text cut to the model's window, in groups: the tokenizer's offsets for
    170,000 texts at once peaked at 3.5 GB, and a chat sharing the encoder waits for
    one call."""
    return [text for start in range(0, len(texts), FIT_GROUP)
            for text in encoder.fit_window(texts[start:start + FIT_GROUP])]


def embedding_texts(documents: Iterable[Document],
                    chunks_by_doc: dict[str, list[Chunk]]) -> list[str]:
    """What a build embeds for these documents, in the order of the vectors it keeps:
    every unit of every document, then every chunk of every document."""
    documents = list(documents)
    texts = [unit_embedding_text(u) for d in documents for u in d.units]
    return texts + [chunk_embedding_text(d, c) for d in documents
                    for c in chunks_by_doc[d.doc_id]]


def encode_texts(encoder: Encoder, texts: list[str], *, progress: bool = False,
                 batch_size: int = 32, group: int | None = None,
                 what: str = "Embedding texts") -> np.ndarray:
    """One vector per text, in the order given, each distinct text embedded once.

    The model pads every batch to its longest text, so texts are embedded longest
    first in groups of similar length (as sentence-transformers does inside one call)
    and put back in order; groups keep the progress moving and memory flat."""
    group = group or GROUP_SIZE
    distinct = list(dict.fromkeys(texts))
    vectors = np.empty((len(distinct), encoder.dimension), dtype=np.float32)
    # A resumed build (index/resume.py) takes what it kept first, outside the progress.
    kept = encoder.kept(distinct) if hasattr(encoder, "kept") else [False] * len(distinct)
    resumed = [i for i, k in enumerate(kept) if k]
    if resumed:
        vectors[resumed] = encoder.encode([distinct[i] for i in resumed], batch_size=batch_size)
    order = sorted((i for i, k in enumerate(kept) if not k), key=lambda i: -len(distinct[i]))
    with Progress(len(order), what, enabled=progress) as bar:
        for start in range(0, len(order), group):
            rows = order[start:start + group]
            vectors[rows] = encoder.encode([distinct[i] for i in rows],
                                           batch_size=batch_size)
            bar.update(len(rows))
    if len(distinct) == len(texts):  # no text repeated: already in order
        return vectors
    row_of = {text: row for row, text in enumerate(distinct)}
    return np.ascontiguousarray(vectors[[row_of[t] for t in texts]])


def _stack(parts: list[np.ndarray], dim: int) -> np.ndarray:
    parts = [p for p in parts if len(p)]
    if not parts:
        return np.zeros((0, dim), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)
