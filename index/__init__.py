"""Embedding, the FAISS and BM25 indexes, the manifest: build, update, save, load."""
from index.embedder import (Encoder, SentenceTransformerEmbedder, SerializedEncoder,
                            default_model_path, set_compute_threads)
from index.errors import IndexCorrupt, IndexError_, IndexMismatch, IndexNotFound, ModelNotFound
from index.manifest import ChunkSettings
from index.store import Hit, SearchIndex

__all__ = ["ChunkSettings", "Encoder", "Hit", "IndexCorrupt", "IndexError_", "IndexMismatch",
           "IndexNotFound", "ModelNotFound", "SearchIndex", "SentenceTransformerEmbedder",
           "SerializedEncoder", "default_model_path", "set_compute_threads"]
