"""Read a corpus folder into Documents; a bad file is reported by name, never fatal.

This is the one place that decides whether a file can be a document (size, type, name,
readable, something to quote); the maintainers' upload asks it too (ui/library.py).
"""
from __future__ import annotations

import hashlib
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from corpus.progress import Progress
from corpus.errors import (CorpusError, DocumentError, NothingToQuote, TooLarge,
                           Unreadable, UnsupportedType)
from corpus.model import Document
from corpus.readers import SUFFIXES, Extracted, reader_for
from corpus.readers.markdown import parse as parse_markdown
from corpus.readers.text import parse as parse_text
from corpus.units import attach_lists, block_units

logger = logging.getLogger(__name__)

# Bumped whenever the same file would be read into different blocks or units, so an
# index built by an older reader is rebuilt rather than quoted from stale offsets.
READER_VERSION = 4  # 4: untitled documents are titled by their file name less its suffix
DEFAULT_CORPUS = Path(__file__).resolve().parent / "documents"
MAX_FILE_BYTES = 5_000_000


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _document(doc_id: str, extracted: Extracted, digest: str) -> Document:
    units = attach_lists([u for block in extracted.blocks
                          for u in block_units(doc_id, extracted.text, block)])
    # Without a title of its own a document is titled by its file name less the suffix,
    # so the same article saved as .txt, .pdf or .html reads (and is embedded) the same.
    return Document(doc_id=doc_id, title=extracted.title or Path(doc_id).stem,
                    text=extracted.text, content_hash=digest, blocks=extracted.blocks,
                    units=tuple(units), pages=extracted.pages, format=extracted.format)


def parse_document(doc_id: str, text: str, *, markdown: bool, digest: str = "") -> Document:
    """Build a Document from already-decoded text (no file access)."""
    extracted = parse_markdown(text) if markdown else parse_text(text)
    return _document(doc_id, extracted, digest or content_hash(text.encode("utf-8")))


def read_bytes(doc_id: str, data: bytes) -> Document:
    """A file's bytes as a Document, or DocumentError with the reason (without the name:
    callers name the file once)."""
    reader = reader_for(Path(doc_id).suffix)
    if reader is None:
        raise UnsupportedType(unsupported_reason(doc_id))
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(f"larger than {MAX_FILE_BYTES // 1_000_000} MB; split it.")
    if not data.strip():
        raise NothingToQuote("empty.")
    try:
        extracted = reader(data)
    except DocumentError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, LookupError,
            OSError, EOFError, RecursionError, AssertionError, zlib.error) as err:
        # Third-party parsers fail in many ways on a truncated or hostile file.
        raise Unreadable(f"cannot be read as {Path(doc_id).suffix.lower()[1:]} "
                            f"({type(err).__name__}: {str(err)[:120]}); is the file "
                            "complete? Re-export it.") from err
    doc = _document(doc_id, extracted, content_hash(data))
    if not doc.units:
        raise NothingToQuote("no sentences to quote (headings only, or no text); check "
                            "the file.")
    return doc


def unsupported_reason(name: str) -> str:
    return (f"{Path(name).suffix or 'a file without a suffix'} is not a supported type; "
            f"save it as one of {', '.join(SUFFIXES)}.")


def read_document(path: Path, root: Path) -> Document:
    doc_id = path.relative_to(root).as_posix()
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise Unreadable(f"cannot be read ({err.strerror}).") from err
    return read_bytes(doc_id, data)


def printable_name(path: str) -> str:
    """A file name as text that can always be printed, even when it is not UTF-8."""
    return os.fsencode(path).decode("utf-8", errors="replace")


def _refusal(path: Path, root: Path, real_root: Path) -> str | None:
    """Why a file under root is no document, before reading it (None: try to read it)."""
    rel = path.relative_to(root).as_posix()
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8; rename it."
    real = path.resolve()
    if path.is_symlink() and not real.is_relative_to(real_root):
        return "a link to a file outside the corpus folder; copy the file in instead."
    if reader_for(path.suffix) is None:
        return unsupported_reason(rel)
    return None


def corpus_files(root: Path) -> list[tuple[Path, str | None]]:
    """Every file under root with why it is refused before reading (None: try it).
    Hidden files and folders (an index kept there, uploads in progress) are ignored."""
    root = Path(root)
    real_root = root.resolve()
    files = []
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if not (path.is_file() or path.is_symlink()) or path.is_dir():
            continue
        files.append((path, _refusal(path, root, real_root)))
    return files


def scan_corpus(root: Path) -> tuple[list[Path], list[Skipped]]:
    """Files under root that may be documents, and those refused with the reason."""
    root = Path(root)
    paths, skipped = [], []
    for path, reason in corpus_files(root):
        if reason:
            skipped.append(Skipped(printable_name(path.relative_to(root).as_posix()), reason))
        else:
            paths.append(path)
    return paths, skipped


def document_paths(root: Path) -> list[Path]:
    """Files under root that are read as documents (see scan_corpus)."""
    return scan_corpus(root)[0]


def load_corpus(root: Path, *, progress: bool = False) -> tuple[list[Document], list[Skipped]]:
    """All readable documents under root, and the files skipped with the reason;
    `progress` shows the files read (a thousand files take minutes to split)."""
    root = Path(root)
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        raise CorpusError(f"Corpus folder {root} {what}; pass --corpus DIR with a folder "
                          "of documents.")
    paths, skipped = scan_corpus(root)
    documents = []
    with Progress(len(paths), f"Reading documents in {root}", enabled=progress,
                  unit="file") as bar:
        for path in paths:
            doc_id = path.relative_to(root).as_posix()
            try:
                documents.append(read_document(path, root))
            except DocumentError as err:
                skipped.append(Skipped(doc_id, str(err)))
            bar.update(1, doc_id)
    for item in skipped:
        logger.info("skipped %s: %s", item.path, item.reason)
    if not documents:
        raise CorpusError(f"No readable documents in {root} (supported: "
                          f"{', '.join(SUFFIXES)}).")
    return documents, sorted(skipped, key=lambda s: s.path)
