"""The maintainers' document library: safe uploads, removals and listing.

No gradio here, so every rule is unit-tested without a browser. Files are written into
the corpus folder through a hidden temporary file and os.replace, so a reader (or a
re-index) never sees half a document; hidden files are skipped by corpus loading.
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from corpus import MAX_FILE_BYTES, SUFFIXES, errors, read_bytes
from corpus.loading import content_hash, corpus_files, printable_name
from index import SearchIndex
from index.update import corpus_changes

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


def _name_problem(name: str) -> str | None:
    """What makes a name a path or a trick rather than a file name, said plainly (the
    browser sends the name as the maintainer's computer has it; an API client, anything)."""
    controls = sorted({ch for ch in name if unicodedata.category(ch) in ("Cc", "Cf")})
    if controls:
        shown = ", ".join("NUL" if ch == "\x00" else f"U+{ord(ch):04X}" for ch in controls)
        return f"contains a control character ({shown})"
    if "/" in name or "\\" in name:
        return "contains a folder separator ('/' or '\\'), so it is a path"
    if name.startswith(".."):
        return "starts with '..', which names a parent folder"
    return None


def safe_name(name: str) -> str:
    """The file name to store an upload under, or UnsafeFileName / UnsupportedFileType."""
    name = unicodedata.normalize("NFC", str(name or ""))
    problem = _name_problem(name)  # before strip(), which would drop a trailing "\n"
    if problem:
        raise UnsafeFileName(f"{name!r} {problem}; it was not saved. Upload it under a "
                             "plain file name.")
    name = name.strip()
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


def _files_named(corpus_dir: Path, doc_id: str) -> list[Path]:
    """Files under the corpus folder listed under this name (a name that is not UTF-8
    is listed as printable_name shows it, so it can be chosen on the page)."""
    return [path for path, _ in corpus_files(corpus_dir)
            if printable_name(path.relative_to(corpus_dir).as_posix()) == doc_id]


def remove_document(corpus_dir: Path, doc_id: str) -> None:
    """Delete a file the listing shows, documents and refused files alike; never a
    built path, never anything outside the corpus folder, never a link's target."""
    corpus_dir = Path(corpus_dir)
    paths = _files_named(corpus_dir, doc_id) if doc_id else []
    if not paths:
        raise DocumentNotFound(f"{doc_id!r} is not in the library; refresh the list.")
    if len(paths) > 1:  # two undecodable names that print alike: which one is meant?
        raise LibraryError(f"{len(paths)} files are listed as {doc_id!r}; rename them "
                           "on the server.")
    path = paths[0]
    # The folder holding it, links resolved, must still be the corpus (it may have been
    # swapped for a link since the listing); the file itself is not resolved.
    if not Path(os.path.realpath(path.parent)).is_relative_to(corpus_dir.resolve()) \
            or (path.is_dir() and not path.is_symlink()):
        raise DocumentNotFound(f"{doc_id!r} is not a file in the library; refresh the list.")
    path.unlink()  # a symlink is removed as a link; its target is never touched


@dataclass(frozen=True)
class DocumentRow:
    file: str
    title: str
    chunks: int | None
    indexed_at: str
    state: str  # "indexed", "new", "changed", "removed" or "refused"
    reason: str = ""  # why a refused file cannot be indexed, and what to do


# Why a file's content cannot be indexed, by (name, content hash): the table is drawn
# after every action, and a new or broken PDF need not be parsed each time.
_REASONS: dict[tuple[str, str], str | None] = {}


def _read_refusal(doc_id: str, path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        return f"cannot be read ({err.strerror})."
    key = (doc_id, content_hash(data))
    if key not in _REASONS:
        if len(_REASONS) > 256:
            _REASONS.clear()
        try:
            read_bytes(doc_id, data)
            _REASONS[key] = None
        except errors.DocumentError as err:
            _REASONS[key] = str(err)
    return _REASONS[key]


def refused_files(corpus_dir: Path, changes: dict[str, str]) -> dict[str, str]:
    """Files that a re-index would skip, by listed name, with the reason: refused by
    name, link or type, or (new and changed files only) unreadable."""
    corpus_dir = Path(corpus_dir)
    refused = {}
    for path, reason in corpus_files(corpus_dir):
        doc_id = printable_name(path.relative_to(corpus_dir).as_posix())
        if reason is None and changes.get(doc_id) in ("new", "changed"):
            reason = _read_refusal(doc_id, path)
        if reason:
            refused[doc_id] = reason
    return refused


def list_documents(index: SearchIndex, corpus_dir: Path) -> list[DocumentRow]:
    """Indexed documents, files added, changed or removed since the last re-index, and
    files that cannot be indexed (with the reason, so they can be fixed or deleted)."""
    changes = corpus_changes(index, corpus_dir)
    refused = refused_files(corpus_dir, changes)
    rows = [DocumentRow(doc_id, entry["title"], entry["chunks"], entry["indexed_at"],
                        "refused" if doc_id in refused else changes.get(doc_id, "indexed"),
                        refused.get(doc_id, ""))
            for doc_id, entry in sorted(index.manifest["documents"].items())]
    rows += [DocumentRow(doc_id, doc_id, None, "", "new")
             for doc_id, state in sorted(changes.items())
             if state == "new" and doc_id not in refused]
    rows += [DocumentRow(doc_id, doc_id, None, "", "refused", reason)
             for doc_id, reason in sorted(refused.items())
             if doc_id not in index.manifest["documents"]]
    return rows
