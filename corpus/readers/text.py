"""Plain text: the file decoded as UTF-8 is the extracted text; headings by layout."""
from __future__ import annotations

from corpus.readers import Extracted
from corpus.readers.decode import decode_utf8
from corpus.structure import looks_like_heading, parse_blocks


def parse(text: str) -> Extracted:
    first = text.lstrip().split("\n", 1)[0].strip()
    title = first if first and looks_like_heading(first) else ""
    return Extracted(text, tuple(parse_blocks(text, markdown=False)), title, format="text")


def read(data: bytes) -> Extracted:
    return parse(decode_utf8(data))
