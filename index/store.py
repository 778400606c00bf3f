"""The search index: unit and chunk vectors in FAISS, BM25 beside them, and metadata.
Building it is index/build.py; its files on disk, index/storage.py.

Units (sentences, list items, table cells) are what gets quoted; chunks (a few units of
one section) give each unit the context of its passage. Both are searched densely and
lexically; fusing the signals is the assistant's business, not the index's.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

import faiss
import numpy as np

from corpus import Chunk, Document, Unit
from corpus.abbreviations import defined_abbreviations, merge_definitions
from index import vectors as dense
from index.build import build_index, chunk_embedding_text
from index.embedder import Encoder
from index.errors import IndexCorrupt, IndexMismatch
from index.lexical import LexicalIndex, terms
from index.manifest import ChunkSettings, corpus_mismatch, describe_mismatch
from index.storage import live_version, read_manifest, write_version

@dataclass(frozen=True)
class Hit:
    """A search result: a position in SearchIndex.units or .chunks, and its score."""

    position: int
    score: float


class SearchIndex:
    def __init__(self, *, manifest: dict, documents: Sequence[Document],
                 chunks: Sequence[Chunk], unit_vectors: np.ndarray | None,
                 chunk_vectors: np.ndarray | None,
                 loaded: tuple[faiss.Index, faiss.Index] | None = None,
                 lexical: tuple[LexicalIndex, LexicalIndex] | None = None) -> None:
        """`loaded`: the FAISS indexes read from disk; without them they are built, of
        the type index/vectors.py chooses by size, and the manifest records which.
        `lexical`: the BM25 indexes read from disk; without them they are built."""
        self.documents = {d.doc_id: d for d in documents}
        self.units: list[Unit] = [u for d in documents for u in d.units]
        self.chunks = list(chunks)
        self._unit_offset = {}
        offset = 0
        for d in documents:
            self._unit_offset[d.doc_id] = offset
            offset += len(d.units)
        self.unit_chunk = self._map_units_to_chunks()
        if loaded is None:
            loaded = (dense.build(unit_vectors, dense.choose(len(unit_vectors))),
                      dense.build(chunk_vectors, dense.choose(len(chunk_vectors))))
        self._dense_units, self._dense_chunks = loaded
        self.manifest = dict(manifest, dense={"units": dense.spec_of(loaded[0]),
                                              "chunks": dense.spec_of(loaded[1])})
        # Views of the vectors the FAISS indexes hold: exact, and not a second copy.
        self.unit_vectors = dense.stored_vectors(self._dense_units)
        self.chunk_vectors = dense.stored_vectors(self._dense_chunks)
        if lexical is None:
            lexical = (LexicalIndex([f"{u.section} {u.search_text}" if u.kind != "paragraph"
                                     else u.search_text for u in self.units]),
                       LexicalIndex([chunk_embedding_text(self.documents[c.doc_id], c)
                                     for c in self.chunks]))
        self._lexical_units, self._lexical_chunks = lexical
        self._document_terms: dict[str, frozenset[str]] = {}
        # "NPH" in a question is searched as "normal pressure hydrocephalus" too.
        self.abbreviations = merge_definitions(defined_abbreviations(d.text)
                                               for d in documents)

    @property
    def version(self) -> str:
        return self.manifest["index_version"]

    def unit_position(self, doc_id: str, unit_index: int) -> int:
        return self._unit_offset[doc_id] + unit_index

    def chunk_units(self, chunk: Chunk) -> range:
        base = self._unit_offset[chunk.doc_id]
        return range(base + chunk.first_unit, base + chunk.last_unit + 1)

    def _map_units_to_chunks(self) -> np.ndarray:
        """For each unit, the first chunk that contains it."""
        owner = np.full(len(self.units), -1, dtype=np.int64)
        for position, chunk in enumerate(self.chunks):
            for unit in self.chunk_units(chunk):
                if owner[unit] < 0:
                    owner[unit] = position
        return owner

    # --- search -------------------------------------------------------------------
    def dense_units(self, query: np.ndarray, k: int) -> list[Hit]:
        return self._search(self._dense_units, query, k)

    def dense_chunks(self, query: np.ndarray, k: int) -> list[Hit]:
        return self._search(self._dense_chunks, query, k)

    @staticmethod
    def _search(index: faiss.Index, query: np.ndarray, k: int) -> list[Hit]:
        k = min(k, index.ntotal)
        if k <= 0:
            return []
        scores, ids = dense.search(index, query, k)
        return [Hit(int(i), float(s)) for i, s in zip(ids, scores) if i >= 0]

    def lexical_units(self, query: str) -> np.ndarray:
        return self._lexical_units.scores(query)

    def lexical_chunks(self, query: str) -> np.ndarray:
        return self._lexical_chunks.scores(query)

    def knows(self, term: str) -> bool:
        """Whether the documents use an index term (passages include their titles and
        section names, so every word of the corpus is there)."""
        return self._lexical_chunks.knows(term)

    def document_terms(self, doc_id: str) -> frozenset[str]:
        """The index terms one document uses (title, sections, text), found at its first
        asking: the answerability signals ask it only of the best match's document."""
        found = self._document_terms.get(doc_id)
        if found is None:
            doc = self.documents[doc_id]
            found = frozenset(terms(" ".join([doc.title, *{u.section for u in doc.units},
                                              *(u.search_text for u in doc.units)])))
            self._document_terms[doc_id] = found
        return found

    # --- build (index/build.py does the work) ---------------------------------------
    @classmethod
    def build(cls, documents: Iterable[Document], encoder: Encoder, *,
              settings: ChunkSettings = ChunkSettings(),
              previous: "SearchIndex | None" = None, progress: bool = False,
              batch_size: int = 32, corpus: str = "") -> "SearchIndex":
        """Index documents, re-using the vectors of documents `previous` already has."""
        built = build_index(documents, encoder, settings=settings, previous=previous,
                            progress=progress, batch_size=batch_size, corpus=corpus)
        return cls(manifest=built.manifest, documents=built.documents, chunks=built.chunks,
                   unit_vectors=built.unit_vectors, chunk_vectors=built.chunk_vectors)

    def compatible(self, encoder: Encoder, settings: ChunkSettings) -> bool:
        return describe_mismatch(self.manifest, encoder, settings) is None

    def content_hash(self, doc_id: str) -> str | None:
        entry = self.manifest["documents"].get(doc_id)
        return entry["content_hash"] if entry else None

    def doc_unit_vectors(self, doc_id: str) -> np.ndarray:
        start = self._unit_offset[doc_id]
        return self.unit_vectors[start:start + len(self.documents[doc_id].units)]

    def doc_chunk_vectors(self, doc_id: str) -> np.ndarray:
        rows = [i for i, c in enumerate(self.chunks) if c.doc_id == doc_id]
        return self.chunk_vectors[rows]

    # --- save / load --------------------------------------------------------------
    def save(self, root: Path) -> Path:
        return write_version(Path(root), self.version, self.manifest, self._write_files)

    def _write_files(self, folder: Path) -> None:
        docs = [{"doc_id": d.doc_id, "title": d.title, "text": d.text,
                 "content_hash": d.content_hash, "format": d.format,
                 "pages": [list(p) for p in d.pages],
                 "units": [[u.start, u.end, u.section, u.kind, u.search_text, u.label,
                            u.page, u.anchor] for u in d.units]}
                for d in self.documents.values()]
        (folder / "documents.json").write_text(json.dumps(docs), encoding="utf-8")
        (folder / "chunks.json").write_text(
            json.dumps([asdict(c) for c in self.chunks]), encoding="utf-8")
        faiss.write_index(self._dense_units, str(folder / "units.faiss"))
        faiss.write_index(self._dense_chunks, str(folder / "chunks.faiss"))
        self._lexical_units.write(folder, "units")
        self._lexical_chunks.write(folder, "chunks")

    @classmethod
    def load(cls, root: Path, *, encoder: Encoder | None = None,
             settings: ChunkSettings | None = None,
             corpus: str | None = None) -> "SearchIndex":
        """Load the live version; refuse one that is damaged or built differently, or
        (given `corpus`, a resolved folder path) built from another corpus folder."""
        folder = live_version(Path(root))
        manifest = read_manifest(folder)
        other = corpus_mismatch(manifest, corpus)
        if other:
            raise IndexMismatch(f"The index at {root} {other}.")
        problem = describe_mismatch(manifest, encoder, settings)
        if problem:
            raise IndexMismatch(f"The index at {root} {problem}. "
                                "Rebuild it with `quotechat index` (same --corpus/--index).")
        try:
            raw_docs = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
            documents = [Document(
                doc_id=d["doc_id"], title=d["title"], text=d["text"],
                content_hash=d["content_hash"], format=d["format"],
                pages=tuple(tuple(p) for p in d["pages"]),
                units=tuple(Unit(d["doc_id"], *u) for u in d["units"])) for d in raw_docs]
            chunks = [Chunk(**c) for c in
                      json.loads((folder / "chunks.json").read_text(encoding="utf-8"))]
            # An index written before the type was recorded is flat.
            specs = manifest.get("dense", {"units": {"type": "flat"},
                                           "chunks": {"type": "flat"}})
            loaded = (dense.read(folder / "units.faiss", specs["units"]),
                      dense.read(folder / "chunks.faiss", specs["chunks"]))
            # An index written before BM25 was saved with it builds it here.
            lexical = (LexicalIndex.read(folder, "units", loaded[0].ntotal),
                       LexicalIndex.read(folder, "chunks", loaded[1].ntotal)) \
                if LexicalIndex.saved(folder, "units") else None
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as err:
            raise IndexCorrupt(f"The index at {root} cannot be read ({err}). "
                               "Rebuild it with `quotechat index --rebuild`.") from err
        if loaded[0].ntotal != sum(len(d.units) for d in documents) or \
                loaded[1].ntotal != len(chunks) or \
                {loaded[0].d, loaded[1].d} != {manifest["dimension"]}:
            raise IndexCorrupt(f"The index at {root} is inconsistent. "
                               "Rebuild it with `quotechat index --rebuild`.")
        return cls(manifest=manifest, documents=documents, chunks=chunks,
                   unit_vectors=None, chunk_vectors=None, loaded=loaded, lexical=lexical)
