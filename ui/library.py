"""The maintainers' document library: safe uploads, removals, listing and re-indexing.

No gradio here, so every rule is unit-tested without a browser. Files are written into
the corpus folder through a hidden temporary file and os.replace, so a reader (or a
re-index) never sees half a document; hidden files are skipped by corpus loading.
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from corpus import MAX_FILE_BYTES, SUFFIXES, errors, read_bytes
from corpus.loading import document_paths
from index import SearchIndex
from index.update import UpdateReport, corpus_changes

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
MAX_NAME_CHARS = 120
# Letters, digits and a few punctuation marks; starts with a letter or digit, so no
# hidden names, no "..", no separators, no option-like "-x".
_SAFE_NAME = re.compile(r"^\w[\w .()+,-]*$")


class LibraryError(ValueError):
    """A maintainer's request that cannot be done; the message says what to do."""


class UnsafeFileName(LibraryError):
    pass


class UnsupportedFileType(LibraryError):
    pass


class FileTooLarge(LibraryError):
    pass


class NotUtf8Text(LibraryError):
    pass


class NoQuotableText(LibraryError):
    pass


class DocumentExists(LibraryError):
    pass


class DocumentNotFound(LibraryError):
    pass


class ReindexRunning(LibraryError):
    pass


def safe_name(name: str) -> str:
    """The file name to store an upload under, or UnsafeFileName / UnsupportedFileType."""
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if "/" in name or "\\" in name or "\x00" in name:
        raise UnsafeFileName(f"{name!r} is a path; upload a file with a plain name.")
    if not name or len(name) > MAX_NAME_CHARS or not _SAFE_NAME.match(name) \
            or name.endswith((".", " ")):
        raise UnsafeFileName(
            f"{name!r} is not a safe file name; rename it to letters, digits, spaces and "
            f"- _ . ( ) + , only, starting with a letter or digit (at most "
            f"{MAX_NAME_CHARS} characters).")
    if Path(name).suffix.lower() not in SUFFIXES:
        raise UnsupportedFileType(
            f"{name}: only {', '.join(SUFFIXES)} files can be added; save it as one "
            "of those.")
    return name


class UnreadableUpload(LibraryError):
    pass


# The corpus decides whether a file is a document (one place for every rule); an
# upload's refusal keeps the corpus's reason under the library's own error types.
_UPLOAD_ERRORS = {errors.UnsupportedType: UnsupportedFileType, errors.TooLarge: FileTooLarge,
                  errors.NotText: NotUtf8Text, errors.NothingToQuote: NoQuotableText,
                  errors.Unreadable: UnreadableUpload}


def check_content(name: str, data: bytes) -> str:
    """The document's extracted text if it can be indexed and quoted; else why not."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileTooLarge(f"{name} is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB; "
                           "split it into smaller documents.")
    try:
        return read_bytes(name, data).text
    except errors.DocumentError as err:
        raise _UPLOAD_ERRORS.get(type(err), UnreadableUpload)(f"{name}: {err}") from None


def read_upload(path: Path) -> bytes:
    """An uploaded file's bytes, refusing an oversized one before reading it all."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileTooLarge(f"{Path(path).name} is larger than "
                           f"{MAX_UPLOAD_BYTES // 1_000_000} MB; split it.")
    return data


def save_document(corpus_dir: Path, name: str, data: bytes, *,
                  replace: bool = False) -> str:
    """Validate and store one document; returns its doc_id (the file name)."""
    name = safe_name(name)
    check_content(name, data)
    corpus_dir = Path(corpus_dir)
    target = corpus_dir / name
    if target.resolve().parent != corpus_dir.resolve():
        raise UnsafeFileName(f"{name!r} would be stored outside the corpus folder.")
    if target.exists() and not replace:
        raise DocumentExists(f"{name} is already in the library; tick 'Replace' to "
                             "overwrite it, or rename the file.")
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=corpus_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return name


def remove_document(corpus_dir: Path, doc_id: str) -> None:
    """Delete a document file; only ids the corpus listing has, never a built path."""
    corpus_dir = Path(corpus_dir)
    files = {p.relative_to(corpus_dir).as_posix(): p for p in document_paths(corpus_dir)}
    if doc_id not in files:
        raise DocumentNotFound(f"{doc_id!r} is not in the library; refresh the list.")
    files[doc_id].unlink()


@dataclass(frozen=True)
class DocumentRow:
    file: str
    title: str
    chunks: int | None
    indexed_at: str
    state: str  # "indexed", "new", "changed" or "removed"


def list_documents(index: SearchIndex, corpus_dir: Path) -> list[DocumentRow]:
    """Indexed documents, and files added, changed or removed since the last re-index."""
    changes = corpus_changes(index, corpus_dir)
    rows = [DocumentRow(doc_id, entry["title"], entry["chunks"], entry["indexed_at"],
                        changes.get(doc_id, "indexed"))
            for doc_id, entry in sorted(index.manifest["documents"].items())]
    rows += [DocumentRow(doc_id, doc_id, None, "", "new")
             for doc_id, state in sorted(changes.items()) if state == "new"]
    return rows


class SerializedEncoder:
    """One encode() at a time: the chat and a re-index share one model, and a fast
    tokenizer must not be used from two threads at once ("Already borrowed")."""

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        with self._lock:
            return self._encoder.encode(texts, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not delegated (and no recursion before __init__)
            raise AttributeError(name)
        return getattr(self._encoder, name)


class Reindexer:
    """Re-index the corpus and swap the new index into a running assistant.

    The index is built in memory and saved as a new version before the swap, so
    questions asked meanwhile are answered from the old index, never a half-built one.
    """

    def __init__(self, assistant: Any, build: Callable[..., UpdateReport]) -> None:
        self.assistant = assistant
        self._build = build  # e.g. functools.partial(service.reindex, settings)
        self._lock = threading.Lock()
        if not isinstance(assistant.encoder, SerializedEncoder):
            assistant.encoder = SerializedEncoder(assistant.encoder)

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def run(self, *, progress: bool = False) -> UpdateReport:
        if not self._lock.acquire(blocking=False):
            raise ReindexRunning("A re-index is already running; wait for it to finish.")
        try:
            report = self._build(encoder=self.assistant.encoder, progress=progress)
            self.assistant.use_index(report.index)
            return report
        finally:
            self._lock.release()
