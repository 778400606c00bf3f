"""Quotable units: sentences of paragraphs, whole list items, and table cells.

A table cell is quoted as it stands but searched with its row and column names
("Speed of Relief — B12 Injections: Faster, …"), because the bare cell means little.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import pysbd

from corpus.model import Block, Unit


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end], from pysbd's own character spans.

    Line breaks inside a block (a wrapped markdown paragraph) are soft: the segmenter
    sees them as spaces (same length, so offsets still match) and a sentence wrapped
    over two lines stays one unit.
    """
    block = text[start:end].replace("\r", " ").replace("\n", " ")
    spans = []
    for span in _segmenter().segment(block):
        piece = block[span.start:span.end]
        if piece.strip() != span.sent.strip():  # spans that do not fit: the whole block
            return [(start, end)]
        lead = len(piece) - len(piece.lstrip())
        length = len(piece.strip())
        if length:
            spans.append((start + span.start + lead, start + span.start + lead + length))
    return spans or [(start, end)]


def block_units(doc_id: str, text: str, block: Block) -> list[Unit]:
    """The quotable units of one block; each carries the block's page and anchor."""
    units = _units(doc_id, text, block)
    if block.page is not None or block.anchor:
        units = [replace(u, page=block.page, anchor=block.anchor) for u in units]
    return units


def _units(doc_id: str, text: str, block: Block) -> list[Unit]:
    if block.kind == "heading":
        return []
    if block.kind == "list_item":
        return [Unit(doc_id, block.start, block.end, block.section, "list_item",
                     text[block.start:block.end])]
    if block.kind == "table_row":
        return _cell_units(doc_id, text, block)
    return [Unit(doc_id, a, b, block.section, "paragraph", text[a:b])
            for a, b in sentence_spans(text, block.start, block.end)]


def _cell_units(doc_id: str, text: str, block: Block) -> list[Unit]:
    """One unit per data cell; the first cell names the row."""
    row = text[block.start:block.end]
    units, cursor = [], block.start
    positions = []
    for cell in block.cells:
        found = text.find(cell, cursor, block.end) if cell else cursor
        positions.append(found)
        cursor = found + len(cell)
    row_name = block.cells[0] if block.cells else ""
    for col, (cell, pos) in enumerate(zip(block.cells, positions)):
        if col == 0 or not cell.strip():
            continue
        column = block.header[col] if col < len(block.header) else ""
        label = " — ".join(part for part in (row_name, column) if part)
        units.append(Unit(doc_id, pos, pos + len(cell), block.section, "table_row",
                          f"{label}: {cell}" if label else cell, label))
    if not units and row.strip():
        units.append(Unit(doc_id, block.start, block.end, block.section, "table_row", row))
    return units


LIST_ITEMS_SEARCHED = 8


def attach_lists(units: list[Unit]) -> list[Unit]:
    """A sentence that introduces a list ("… sensations, including:") is searched
    together with the list's items, since it means little without them."""
    result = list(units)
    for i, unit in enumerate(units):
        if unit.kind != "paragraph" or not unit.search_text.endswith(":"):
            continue
        items = []
        for item in units[i + 1:i + 1 + LIST_ITEMS_SEARCHED]:
            if item.kind != "list_item":
                break
            items.append(item.search_text)
        if items:
            result[i] = replace(unit, search_text=" ".join([unit.search_text] + items))
    return result
