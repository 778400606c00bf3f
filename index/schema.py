"""The manifest's schema: a hand-edited or damaged manifest is refused, never half-used.

Every field a reader of the index relies on is required with its type, and so are the
checksums of every data file, so removing them cannot turn the checksum check off.
`dense` (the FAISS index types) is optional: an index written before it was recorded
is flat; when present it must be whole.
"""
from __future__ import annotations

import re
from typing import Any

from index.vectors import spec_problem

DATA_FILES = ("documents.json", "chunks.json", "units.faiss", "chunks.faiss")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

TOP_LEVEL: dict[str, type | tuple[type, ...]] = {
    "format_version": int, "reader_version": int, "index_version": str,
    "created_at": str, "model_id": str, "model_hash": str, "dimension": int,
    "tokenizer": str, "chunk_settings": dict, "documents": dict, "files": dict,
    "corpus": str,
}
CHUNK_SETTINGS = {"max_tokens": int, "overlap": int}
DOCUMENT = {"title": str, "content_hash": str, "units": int, "chunks": int,
            "indexed_at": str}


def _typed(value: Any, kind: type | tuple[type, ...]) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def _fields(data: dict, schema: dict, where: str) -> str | None:
    for name, kind in schema.items():
        if name not in data:
            return f"{where} has no {name!r}"
        if not _typed(data[name], kind):
            return f"{where}{name!r} is not a {getattr(kind, '__name__', kind)}"
    return None


def manifest_problem(manifest: Any) -> str | None:
    """What is wrong with a manifest, or None when it has the schema."""
    if not isinstance(manifest, dict):
        return "it is not a JSON object"
    from index.manifest import FORMAT_VERSION  # the manifest module builds on this one
    version = manifest.get("format_version")
    if _typed(version, int) and version != FORMAT_VERSION:
        return (f"it is index format {version}, this quotechat reads format "
                f"{FORMAT_VERSION}; it was built by another version of quotechat")
    problem = _fields(manifest, TOP_LEVEL, "the manifest's ")
    if problem:
        return problem.replace("the manifest's  has no", "the manifest has no")
    problem = _fields(manifest["chunk_settings"], CHUNK_SETTINGS, "chunk_settings ")
    if problem:
        return problem
    for doc_id, entry in manifest["documents"].items():
        if not isinstance(entry, dict):
            return f"the entry of document {doc_id!r} is not an object"
        problem = _fields(entry, DOCUMENT, f"document {doc_id!r} ")
        if problem:
            return problem
        if not _SHA256.match(entry["content_hash"]):
            return f"document {doc_id!r} has no valid content_hash"
    problem = _dense_problem(manifest.get("dense"))
    if problem:
        return problem
    files = manifest["files"]
    for name in DATA_FILES:
        if not isinstance(files.get(name), str) or not _SHA256.match(files[name]):
            return f"the checksum of {name} is missing"
    return None


def _dense_problem(specs: Any) -> str | None:
    if specs is None:
        return None
    if not isinstance(specs, dict) or set(specs) != {"units", "chunks"}:
        return "'dense' does not name the index types of units and chunks"
    for name, spec in specs.items():
        problem = spec_problem(spec)
        if problem:
            return f"the dense index of {name} {problem}"
    return None
