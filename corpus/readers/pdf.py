"""PDF through its text layer (pypdf), page by page, so every quote knows its page.

pypdf gives each page's text as lines. Lines are joined back into paragraphs (a line
that ends a sentence well short of the page's usual line length ends its paragraph), a
short title-like line is a heading, a line starting with a bullet or number is a list
item. The extracted text is those paragraphs, a blank line apart; that is what is
quoted and what `quotechat show DOC_ID --page N` prints. Table cells are not told apart
in a text layer: a table row is quoted as a line.
"""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from corpus.errors import DocumentError
from corpus.readers import Extracted
from corpus.readers.builder import TextBuilder, clean
from corpus.structure import looks_like_heading

_LIST = re.compile(r"^(?:[-*+•▪●◦]|\d{1,3}[.)])\s+")
_ENDS_SENTENCE = (".", "!", "?", ":", ";", "”", '"', ")")
MAX_PAGES = 2000


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted with a password; save an unprotected copy.")
        len(reader.pages)
    except (FileNotDecryptedError, NotImplementedError) as err:
        raise DocumentError("encrypted; save an unprotected copy.") from err
    except PdfReadError as err:
        raise DocumentError(f"not a readable PDF ({err}); is the file complete? "
                            "Re-export it.") from err
    return reader


def _paragraphs(lines: list[str]) -> list[tuple[str, str]]:
    """(kind, text) of a page's lines, wrapped lines joined into one paragraph."""
    lines = [clean(line) for line in lines]
    width = max((len(line) for line in lines), default=0)
    out: list[tuple[str, str]] = []
    current: list[str] = []
    kind = "paragraph"

    def flush() -> None:
        nonlocal current, kind
        if current:
            out.append((kind, " ".join(current)))
        current, kind = [], "paragraph"

    for i, line in enumerate(lines):
        if not line:
            flush()
            continue
        following = next((x for x in lines[i + 1:] if x), "")
        if (not current and looks_like_heading(line) and following
                and len(line) < 0.7 * width):
            out.append(("heading", line))
            continue
        if _LIST.match(line):
            flush()
            kind = "list_item"
        current.append(line)
        if line.endswith(_ENDS_SENTENCE) and len(line) < 0.8 * width:
            flush()
    flush()
    return out


def read(data: bytes) -> Extracted:
    reader = _open(data)
    if len(reader.pages) > MAX_PAGES:
        raise DocumentError(f"has {len(reader.pages)} pages, more than {MAX_PAGES}; "
                            "split it.")
    builder = TextBuilder()
    pages: list[tuple[int, int]] = []
    found_text = False
    for number, page in enumerate(reader.pages, start=1):
        builder.page = number
        start = builder.page_break()
        lines = (page.extract_text() or "").splitlines()
        for kind, text in _paragraphs(lines):
            found_text = True
            if kind == "heading":
                builder.heading(text)
            else:
                builder.paragraph(text, kind)
        pages.append((min(start, builder.length), builder.length))
    if not found_text:
        raise DocumentError("has no text layer (a scanned PDF?); run it through OCR and "
                            "save it with its text, or add the text as a .txt file.")
    title = clean(str((reader.metadata or {}).get("/Title") or ""))
    return Extracted(builder.text, tuple(builder.blocks), title, tuple(pages), "pdf")
