"""Markdown through a CommonMark parser (markdown-it-py): ATX and setext headings, front
matter, code fences, lists whose items wrap over lines, and GFM tables.

The extracted text is the file itself (decoded as UTF-8); the parser's line map gives
each block's lines, and the block's span is found inside those lines, so a quote is
still a slice of the file as the maintainer wrote it. Code and raw HTML are not prose
and are not quoted; front matter gives the title.
"""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from corpus.model import Block
from corpus.readers import Extracted
from corpus.readers.decode import decode_utf8
from corpus.structure import cell_spans


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


def _line_starts(text: str) -> list[int]:
    starts, pos = [0], 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


def _span(text: str, starts: list[int], first_line: int, content: str) -> tuple[int, int]:
    """Where an inline's content lies in the source: its first content line is found on
    the block's first line, its last content line on the line it came from."""
    lines = content.split("\n")
    last_line = min(first_line + len(lines) - 1, len(starts) - 2)
    head = lines[0].strip()
    start = text.find(head, starts[first_line], starts[first_line + 1])
    if start < 0:  # escapes or entities changed the text: the whole line, trimmed
        line = text[starts[first_line]:starts[first_line + 1]]
        start = starts[first_line] + len(line) - len(line.lstrip())
    tail = lines[-1].strip()
    end = text.find(tail, max(start, starts[last_line]), starts[last_line + 1])
    end = end + len(tail) if end >= 0 and tail else \
        starts[last_line] + len(text[starts[last_line]:starts[last_line + 1]].rstrip())
    return start, max(start, end)


def _title_from_front_matter(content: str) -> str:
    for line in content.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "title" and value.strip():
            return value.strip().strip("\"'")
    return ""


def parse(text: str) -> Extracted:
    tokens = _parser().parse(text)
    starts = _line_starts(text)
    blocks: list[Block] = []
    section, title, list_depth, header = "", "", 0, ()
    in_head = False
    for i, tok in enumerate(tokens):
        if tok.type == "front_matter":
            title = _title_from_front_matter(tok.content)
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type in ("thead_open", "thead_close"):
            in_head = tok.type == "thead_open"
        elif tok.type == "table_open":
            header = ()
        elif tok.type == "tr_open" and tok.map:
            cells = _row(text, starts, tok.map[0])
            if in_head:
                header = tuple(text[a:b] for a, b in cells)
            elif cells:
                blocks.append(Block("table_row", cells[0][0], cells[-1][1], section,
                                    header=header, cells=tuple(text[a:b] for a, b in cells)))
        elif tok.type in ("heading_open", "paragraph_open") and tok.map:
            inline = tokens[i + 1]
            start, end = _span(text, starts, tok.map[0], inline.content)
            if start >= end:
                continue
            if tok.type == "heading_open":
                section = text[start:end]
                title = title or (section if tok.tag == "h1" else "")
                blocks.append(Block("heading", start, end, section))
            else:
                kind = "list_item" if list_depth else "paragraph"
                blocks.append(Block(kind, start, end, section))
    return Extracted(text, tuple(blocks), title, format="markdown")


def _row(text: str, starts: list[int], line: int) -> list[tuple[int, int]]:
    raw = text[starts[line]:starts[line + 1]].rstrip("\r\n")
    lead = len(raw) - len(raw.lstrip())
    return cell_spans(text, starts[line] + lead, starts[line] + len(raw.rstrip()))


def read(data: bytes) -> Extracted:
    return parse(decode_utf8(data))


