"""The nouns of a corpus: documents, their structural blocks, quotable units and chunks.

Every span is a pair of character offsets into ``Document.text`` (the extracted text:
for .txt/.md the file decoded as UTF-8, for PDF/HTML/DOCX what the reader took out of
the file), so anything shown to a user can be checked as ``text[start:end]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table_row"]


@dataclass(frozen=True)
class Block:
    """A structural piece of a document: a heading, paragraph, list item or table row."""

    kind: BlockKind
    start: int
    end: int
    section: str = ""
    # For a table row: the header cells and the row's own cells, so the row can be
    # searched as "Dehydration — How it affects muscles: …" while the original is quoted.
    header: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()
    page: int | None = None  # PDF: the 1-based page the block starts on
    anchor: str = ""  # HTML: the id of the heading above the block, for a #link


@dataclass(frozen=True)
class Unit:
    """The smallest quotable piece: a sentence, a list item or a table row."""

    doc_id: str
    start: int
    end: int
    section: str
    kind: BlockKind
    # Text used for searching; differs from the quoted text only for table cells.
    search_text: str
    # For a table cell, its row and column names ("Speed of Relief — B12 Injections").
    label: str = ""
    page: int | None = None
    anchor: str = ""


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    text: str
    content_hash: str
    blocks: tuple[Block, ...] = field(default=(), repr=False)
    units: tuple[Unit, ...] = field(default=(), repr=False)
    # PDF: (start, end) of each page's text, page 1 first; empty for other formats.
    pages: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    # The reader that made `text` ("text", "markdown", "pdf", "html", "docx").
    format: str = "text"

    def page_text(self, page: int) -> str:
        """One page of the extracted text (1-based), for `quotechat show --page`."""
        if not 1 <= page <= len(self.pages):
            raise ValueError(f"{self.doc_id} has {len(self.pages)} page(s); "
                             f"choose --page between 1 and {max(1, len(self.pages))}.")
        start, end = self.pages[page - 1]
        return self.text[start:end]


@dataclass(frozen=True)
class Chunk:
    """A token-bounded passage: whole units of one section, never across a heading."""

    doc_id: str
    chunk_index: int
    start: int
    end: int
    section: str
    first_unit: int  # index into Document.units
    last_unit: int  # inclusive
    n_tokens: int
