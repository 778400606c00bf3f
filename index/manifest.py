"""The manifest: what an index was built from and how, so a mismatch is refused.

It records the format and document-reader versions, the model and a hash of its
weights, the tokenizer, the chunk settings and each document's content hash.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from corpus import READER_VERSION, Document
from corpus.tokens import ENCODING
from index.embedder import Encoder

FORMAT_VERSION = 2  # 2: units embedded with their section name


@dataclass(frozen=True)
class ChunkSettings:
    max_tokens: int = 160
    overlap: int = 30


def describe_mismatch(manifest: dict, encoder: Encoder | None,
                      settings: ChunkSettings | None) -> str | None:
    """Why an index cannot serve this model and these settings, or None when it can."""
    if manifest.get("format_version") != FORMAT_VERSION:
        return (f"has format version {manifest.get('format_version')}, this quotechat "
                f"reads {FORMAT_VERSION}")
    if manifest.get("reader_version") != READER_VERSION:
        return (f"was built by document reader version {manifest.get('reader_version')}, "
                f"this quotechat reads documents with version {READER_VERSION}")
    if manifest.get("tokenizer") != ENCODING:
        return f"was chunked with tokenizer {manifest.get('tokenizer')}, not {ENCODING}"
    if encoder is not None and manifest.get("model_hash") != encoder.weights_hash:
        return (f"was built with model {manifest.get('model_id')!r} (weights "
                f"{str(manifest.get('model_hash'))[:12]}), not the configured model "
                f"{encoder.model_id!r} (weights {encoder.weights_hash[:12]})")
    if settings is not None and manifest.get("chunk_settings") != asdict(settings):
        return (f"was built with chunks {manifest.get('chunk_settings')}, the settings "
                f"ask for {asdict(settings)}")
    return None


def corpus_mismatch(manifest: dict, corpus: str | None) -> str | None:
    """Why an index built from one corpus folder must not answer for another."""
    built_from = manifest.get("corpus") or ""
    if not corpus or not built_from or built_from == corpus:
        return None
    return (f"was built from the corpus {built_from}, not {corpus}. Index this corpus "
            f"with `quotechat index --corpus {corpus}` and no --index (or an --index "
            "folder of its own)")


def build_manifest(documents: list[Document], chunks_by_doc: dict, encoder: Encoder,
                   settings: ChunkSettings, previous: dict | None, *,
                   fresh: set[str], corpus: str = "") -> dict:
    """The manifest of a new build; unchanged documents keep their `indexed_at`."""
    now = datetime.now(timezone.utc)
    entries = {}
    for d in documents:
        old = previous["documents"].get(d.doc_id) if previous else None
        entries[d.doc_id] = {
            "title": d.title, "content_hash": d.content_hash, "units": len(d.units),
            "chunks": len(chunks_by_doc[d.doc_id]),
            "indexed_at": old["indexed_at"] if old and d.doc_id not in fresh
            else now.isoformat(timespec="seconds")}
    # Everything that shapes the index goes into its name, so one name is one content.
    digest = hashlib.sha256(json.dumps(
        [entries[k]["content_hash"] + k for k in sorted(entries)]
        + [encoder.weights_hash, asdict(settings), FORMAT_VERSION, READER_VERSION,
           ENCODING], sort_keys=True).encode()).hexdigest()
    return {"format_version": FORMAT_VERSION, "reader_version": READER_VERSION,
            "index_version": f"{now:%Y%m%dT%H%M%SZ}-{digest[:8]}",
            "created_at": now.isoformat(timespec="seconds"),
            "model_id": encoder.model_id, "model_hash": encoder.weights_hash,
            "dimension": encoder.dimension, "tokenizer": ENCODING,
            "chunk_settings": asdict(settings), "corpus": corpus, "documents": entries}
