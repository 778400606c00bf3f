"""Assemble extracted text block by block, so every block knows its exact offsets.

Readers of binary or markup formats (PDF, HTML, DOCX) do not quote the file itself but
the text they extract from it; building that text here, one block at a time, is what
keeps every quote ``text[start:end]`` of the text the index stores.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from corpus.model import Block, BlockKind

CELL_SEPARATOR = " | "


def clean(text: str) -> str:
    """Runs of white space (line breaks, tabs, no-break spaces) folded to one space;
    control characters (a PDF's private bullet glyphs, DEL) dropped."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)
    return " ".join(text.split())


@dataclass
class TextBuilder:
    """Appends blocks to a growing text, a blank line between blocks."""

    parts: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    length: int = 0
    section: str = ""
    anchor: str = ""
    page: int | None = None

    def _append(self, piece: str) -> tuple[int, int]:
        if self.length:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return start, self.length

    def heading(self, text: str, *, anchor: str = "") -> None:
        text = clean(text)
        if not text:
            return
        self.section, self.anchor = text, anchor
        start, end = self._append(text)
        self.blocks.append(Block("heading", start, end, text, page=self.page, anchor=anchor))

    def paragraph(self, text: str, kind: BlockKind = "paragraph") -> None:
        text = clean(text)
        if not text:
            return
        start, end = self._append(text)
        self.blocks.append(Block(kind, start, end, self.section, page=self.page,
                                 anchor=self.anchor))

    def table_row(self, cells: list[str], header: tuple[str, ...] = ()) -> None:
        """A row as "cell | cell | cell"; its units are the cells (see corpus.units)."""
        cells = [clean(c) for c in cells]
        if not any(cells):
            return
        start, end = self._append(CELL_SEPARATOR.join(cells))
        self.blocks.append(Block("table_row", start, end, self.section, header=header,
                                 cells=tuple(cells), page=self.page, anchor=self.anchor))

    def page_break(self) -> int:
        """Start of the next page's text (pages are separated like blocks)."""
        return self.length + (2 if self.length else 0)

    @property
    def text(self) -> str:
        return "".join(self.parts)
