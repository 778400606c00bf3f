"""Documents and how they are read: loading, structure, quotable units and chunks."""
from corpus.chunking import chunk_document
from corpus.errors import CorpusError, DocumentError
from corpus.loading import (DEFAULT_CORPUS, READER_VERSION, Skipped, load_corpus,
                            parse_document, read_document)
from corpus.model import Block, Chunk, Document, Unit

__all__ = ["Block", "Chunk", "CorpusError", "DEFAULT_CORPUS", "Document", "DocumentError",
           "READER_VERSION", "Skipped", "Unit", "chunk_document", "load_corpus",
           "parse_document", "read_document"]
