"""One reader per file format, chosen by suffix; adding a format is one small module.

A reader takes a file's bytes and returns an ``Extracted``: the text the index keeps and
quotes from, its structural blocks (offsets into that text) and, for PDF, each page's
span. Readers raise ``DocumentError`` with the reason alone; the caller adds the name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from corpus.model import Block


@dataclass(frozen=True)
class Extracted:
    text: str
    blocks: tuple[Block, ...]
    title: str = ""
    pages: tuple[tuple[int, int], ...] = ()
    format: str = "text"


Reader = Callable[[bytes], Extracted]


def _text(data: bytes) -> Extracted:
    from corpus.readers.text import read
    return read(data)


def _markdown(data: bytes) -> Extracted:
    from corpus.readers.markdown import read
    return read(data)


def _pdf(data: bytes) -> Extracted:
    from corpus.readers.pdf import read
    return read(data)


def _html(data: bytes) -> Extracted:
    from corpus.readers.html import read
    return read(data)


def _docx(data: bytes) -> Extracted:
    from corpus.readers.docx import read
    return read(data)


# Imported on first use, so reading .txt files never loads a PDF library.
READERS: dict[str, Reader] = {
    ".txt": _text, ".md": _markdown, ".markdown": _markdown, ".pdf": _pdf,
    ".html": _html, ".htm": _html, ".docx": _docx,
}
SUFFIXES = tuple(READERS)


def reader_for(suffix: str) -> Reader | None:
    return READERS.get(suffix.lower())
