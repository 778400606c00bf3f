"""Read a folder of .txt/.md files into Documents; a bad file is reported, not fatal."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import CorpusError, DocumentError
from corpus.model import Document
from corpus.structure import looks_like_heading, parse_blocks
from corpus.units import attach_lists, block_units

logger = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown")
# Bumped whenever the same file would be read into different blocks or units, so an
# index built by an older reader is rebuilt rather than quoted from stale offsets.
READER_VERSION = 2
DEFAULT_CORPUS = Path(__file__).resolve().parent / "documents"
MAX_FILE_BYTES = 5_000_000


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_document(doc_id: str, text: str, *, markdown: bool, digest: str = "") -> Document:
    """Build a Document from already-decoded text (no file access)."""
    blocks = parse_blocks(text, markdown=markdown)
    units = tuple(attach_lists([u for block in blocks for u in block_units(doc_id, text, block)]))
    return Document(doc_id=doc_id, title=_title(doc_id, text, markdown=markdown),
                    text=text, content_hash=digest or content_hash(text.encode("utf-8")),
                    blocks=tuple(blocks), units=units)


def _title(doc_id: str, text: str, *, markdown: bool) -> str:
    first = text.lstrip().split("\n", 1)[0].strip()
    if markdown and first.startswith("#"):
        return first.lstrip("#").strip() or Path(doc_id).stem
    if first and looks_like_heading(first):
        return first
    return Path(doc_id).name


def read_document(path: Path, root: Path) -> Document:
    doc_id = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError(f"{doc_id}: cannot be read ({err.strerror}).") from err
    if len(data) > MAX_FILE_BYTES:
        raise DocumentError(f"{doc_id}: larger than {MAX_FILE_BYTES // 1_000_000} MB; split it.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DocumentError(
            f"{doc_id}: not UTF-8 text (byte {err.start}); re-save it as UTF-8.") from err
    if "\x00" in text:
        raise DocumentError(f"{doc_id}: contains NUL bytes; is it really a text file?")
    if not text.strip():
        raise DocumentError(f"{doc_id}: empty.")
    return parse_document(doc_id, text, markdown=path.suffix.lower() != ".txt",
                          digest=content_hash(data))


def document_paths(root: Path) -> list[Path]:
    """Text files under root, skipping hidden files and folders (e.g. an index kept there)."""
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def load_corpus(root: Path) -> tuple[list[Document], list[Skipped]]:
    """All readable documents under root, and the files skipped with the reason."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"Corpus folder {root} does not exist; pass --corpus DIR.")
    documents, skipped = [], []
    for path in document_paths(root):
        try:
            documents.append(read_document(path, root))
        except DocumentError as err:
            logger.warning("skipped %s", err)
            skipped.append(Skipped(path.relative_to(root).as_posix(), str(err)))
    if not documents:
        raise CorpusError(f"No readable .txt or .md documents in {root}.")
    return documents, skipped
