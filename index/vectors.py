"""The dense (FAISS) index of a set of vectors, its type chosen by size.

Up to FLAT_LIMIT vectors it is exact search (IndexFlatIP), so answers on ordinary
corpora never depend on an approximation. Above it, HNSW (IndexHNSWFlat, inner
product), chosen over IVF by `python -m index.scale_check` (README, "Index types").
Both keep the vectors exactly in their storage: the vectors an incremental build
re-uses come back bit for bit, with no second copy on disk or in memory.

A spec ({"type": ..., and its parameters}) is what the manifest records; the index
file holds the built graph, so nothing is built or trained again at load.

Threads: searching one flat or HNSW index from several threads at once is safe (a
search only reads the index; HNSW keeps its visited set per search). OpenMP settings
are per thread, so each search sets its own thread to one OpenMP thread: for one query,
more threads only add start-up cost (measured: README), and the app's concurrency comes
from answering several questions at once. Builds use all cores.
"""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

FLAT_LIMIT = 20_000  # flat single-query search passes ~4 ms here (README, "Index types")
HNSW = {"M": 32, "ef_construction": 80, "ef_search": 128}
_BUILD_THREADS = faiss.omp_get_max_threads()


def choose(count: int, *, flat_limit: int | None = None) -> dict:
    """The spec for `count` vectors: flat up to the limit, HNSW above it."""
    limit = FLAT_LIMIT if flat_limit is None else flat_limit
    return {"type": "flat"} if count <= limit else {"type": "hnsw", **HNSW}


def build(vectors: np.ndarray, spec: dict) -> faiss.Index:
    """A FAISS index of `vectors` (n x d float32, unit length) as `spec` says."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    if spec["type"] == "flat":
        index = faiss.IndexFlatIP(dim)
    elif spec["type"] == "hnsw":
        index = faiss.IndexHNSWFlat(dim, spec["M"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = spec["ef_construction"]
        index.hnsw.efSearch = spec["ef_search"]
    else:
        raise ValueError(f"unknown index type {spec['type']!r}")
    if len(vectors):
        faiss.omp_set_num_threads(_BUILD_THREADS)  # this thread may have searched before
        index.add(vectors)
    return index


def spec_of(index: faiss.Index) -> dict:
    """The spec an index was built with, read back from the index itself."""
    if isinstance(index, faiss.IndexFlatIP):
        return {"type": "flat"}
    if isinstance(index, faiss.IndexHNSWFlat) and \
            index.metric_type == faiss.METRIC_INNER_PRODUCT:
        return {"type": "hnsw", "M": int(index.hnsw.nb_neighbors(1)),
                "ef_construction": int(index.hnsw.efConstruction),
                "ef_search": int(index.hnsw.efSearch)}
    raise ValueError(f"unexpected FAISS index {type(index).__name__}")


def spec_problem(spec: object) -> str | None:
    """What is wrong with a spec read from a manifest, or None."""
    if not isinstance(spec, dict) or spec.get("type") not in ("flat", "hnsw"):
        return "is not a known index type"
    if spec["type"] == "hnsw" and not all(
            type(spec.get(k)) is int and spec[k] > 0 for k in HNSW):
        return f"lacks one of the HNSW parameters {sorted(HNSW)}"
    return None


def read(path: Path, spec: dict) -> faiss.Index:
    """Read an index file; refuse one that is not what the manifest says it is."""
    index = faiss.read_index(str(path))
    found = spec_of(index)
    if found != spec:
        raise ValueError(f"{path.name} holds {found}, the manifest says {spec}")
    return index


def stored_vectors(index: faiss.Index) -> np.ndarray:
    """The vectors the index keeps, exactly: a read-only array sharing the index's
    memory, which keeps the index alive as long as the array (or a slice) lives."""
    flat = index if isinstance(index, faiss.IndexFlat) else \
        faiss.downcast_index(index.storage)
    if flat.ntotal == 0:
        return np.zeros((0, flat.d), dtype=np.float32)
    return np.asarray(_Shared(index, int(flat.get_xb()), (flat.ntotal, flat.d)))


class _Shared:
    """Lends numpy the index's float buffer, holding on to the index."""

    def __init__(self, owner: faiss.Index, address: int, shape: tuple[int, int]) -> None:
        self.owner = owner
        self.__array_interface__ = {"shape": shape, "typestr": "<f4", "version": 3,
                                    "data": (address, True)}  # True: read-only


def search(index: faiss.Index, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores and positions of the k best vectors for one query."""
    faiss.omp_set_num_threads(1)
    scores, ids = index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k)
    return scores[0], ids[0]
