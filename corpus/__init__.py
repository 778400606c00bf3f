"""Documents and how they are read: loading, structure, quotable units and chunks."""
from corpus.chunking import chunk_document
from corpus.errors import CorpusError, DocumentError
from corpus.loading import (DEFAULT_CORPUS, MAX_FILE_BYTES, READER_VERSION, Skipped,
                            load_corpus, parse_document, read_bytes, read_document,
                            scan_corpus)
from corpus.readers import SUFFIXES
from corpus.model import Block, Chunk, Document, Unit

__all__ = ["Block", "Chunk", "CorpusError", "DEFAULT_CORPUS", "Document", "DocumentError",
           "MAX_FILE_BYTES", "READER_VERSION", "SUFFIXES", "Skipped", "Unit", "chunk_document", "load_corpus",
           "parse_document", "read_bytes", "read_document", "scan_corpus"]
