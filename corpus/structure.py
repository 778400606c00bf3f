"""Split a document's text into structural blocks, each with character offsets.

Plain-text articles mark headings only by layout (a short line with no closing
punctuation), markdown files by ``#``. Lists and markdown tables are recognised in both.
"""
from __future__ import annotations

import re
from typing import Iterator

from corpus.model import Block

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
_TABLE_SEPARATOR = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_HEADING_MAX_WORDS = 14
_HEADING_MAX_CHARS = 120


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each line, without its line break or surrounding spaces."""
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos += len(raw)


def looks_like_heading(line: str) -> bool:
    """A layout heading: short, starts like a title, no sentence-ending punctuation."""
    words = line.split()
    return (
        0 < len(words) <= _HEADING_MAX_WORDS
        and len(line) <= _HEADING_MAX_CHARS
        and (line[0].isupper() or line[0].isdigit())
        and line[-1] not in ".,;:!"
        and not _LIST_MARKER.match(line)
        and "|" not in line
    )


def cell_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Character spans of the trimmed cells of a markdown table row."""
    line = text[start:end]
    inner_start = 1 if line.startswith("|") else 0
    inner_end = len(line) - 1 if line.endswith("|") and len(line) > 1 else len(line)
    spans, cell_start = [], inner_start
    for i in range(inner_start, inner_end + 1):
        if i == inner_end or line[i] == "|":
            cell = line[cell_start:i]
            lead = len(cell) - len(cell.lstrip())
            spans.append((start + cell_start + lead, start + cell_start + len(cell.rstrip())))
            cell_start = i + 1
    return spans


def parse_blocks(text: str, *, markdown: bool) -> list[Block]:
    """Return the document's blocks in order, each knowing its section heading."""
    blocks: list[Block] = []
    section = ""
    header: tuple[str, ...] = ()
    lines = list(_lines(text))
    for i, (start, end) in enumerate(lines):
        line = text[start:end]
        next_line = text[lines[i + 1][0]:lines[i + 1][1]] if i + 1 < len(lines) else ""
        if _TABLE_SEPARATOR.match(line) and "-" in line:
            continue
        if line.startswith("|") and line.count("|") >= 2:
            cells = cell_spans(text, start, end)
            names = tuple(text[a:b] for a, b in cells)
            if _TABLE_SEPARATOR.match(next_line) and "-" in next_line:
                header = names  # a header row names the columns of the rows below it
                continue
            blocks.append(Block("table_row", start, end, section, header=header, cells=names))
            continue
        header = ()
        md = _MD_HEADING.match(line) if markdown else None
        if md:
            section = md.group(2)
            offset = start + md.start(2)
            blocks.append(Block("heading", offset, offset + len(section), section))
            continue
        marker = _LIST_MARKER.match(line)
        if marker:
            blocks.append(Block("list_item", start + marker.end(), end, section))
        elif not markdown and looks_like_heading(line) and next_line:
            section = line
            blocks.append(Block("heading", start, end, section))
        elif markdown and blocks and _continues_paragraph(text, blocks[-1], start):
            blocks[-1] = Block("paragraph", blocks[-1].start, end, section)
        else:
            blocks.append(Block("paragraph", start, end, section))
    return blocks


def _continues_paragraph(text: str, previous: Block, start: int) -> bool:
    """In markdown, a line right below a paragraph line (no blank line) continues it."""
    return previous.kind == "paragraph" and text.count("\n", previous.end, start) == 1
