"""PDF through its text layer (pypdf), page by page, so every quote knows its page.

pypdf gives each page's text as lines. Lines are joined back into paragraphs (a line
that ends a sentence well short of the page's usual line length ends its paragraph), a
short title-like line is a heading, a line starting with a bullet or number is a list
item. The extracted text is those paragraphs, a blank line apart; that is what is
quoted and what `quotechat show DOC_ID --page N` prints. Table cells are not told apart
in a text layer by themselves: pypdf's layout mode lines the columns up, and a table
found there is kept as rows of cells with its header row; otherwise it stays text.
"""
from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from corpus.errors import NothingToQuote, TooLarge, Unreadable
from corpus.readers import Extracted
from corpus.readers.builder import TextBuilder, clean
from corpus.structure import looks_like_heading

_BULLETS = "-*+•▪●◦■□➢\x7f\uf0b7"
_LIST = re.compile(rf"^(?:[{re.escape(_BULLETS)}]|\d{{1,3}}[.)])\s+")
_BULLET_ONLY = re.compile(rf"^[{re.escape(_BULLETS)}]$")
_NO_TITLE = {"untitled", "(anonymous)", "anonymous", "title", "document", "none"}
_PAGE_NUMBER = re.compile(r"^(?:(?:page|seite|p\.)\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$",
                          re.I)
_COLUMN_GAP = re.compile(r"\s{2,}")
_ENDS_SENTENCE = (".", "!", "?", ":", ";", "”", '"', ")")
MAX_PAGES = 2000


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted with a password; save an unprotected copy.")
        len(reader.pages)
    except (FileNotDecryptedError, NotImplementedError) as err:
        raise Unreadable("encrypted; save an unprotected copy.") from err
    except PdfReadError as err:
        raise Unreadable(f"not a readable PDF ({err}); is the file complete? "
                            "Re-export it.") from err
    return reader


def _page_lines(page: PageObject) -> list[tuple[str, float]]:
    """A page's text lines, each with the largest font size used on it."""
    lines: list[tuple[str, float]] = []
    current, size = [], 0.0

    def visit(text, cm, tm, font_dict, font_size) -> None:  # pypdf's visitor signature
        nonlocal current, size
        pieces = text.split("\n")
        for number, piece in enumerate(pieces):
            if piece.strip():
                size = max(size, float(font_size) * abs(float(tm[3])) * abs(float(cm[3])))
            current.append(piece)
            if number < len(pieces) - 1:
                lines.append(("".join(current), size))
                current, size = [], 0.0

    page.extract_text(visitor_text=visit)
    if current:
        lines.append(("".join(current), size))
    # Bullet glyphs often come out as DEL or a private-use character: keep them bullets.
    lines = [(clean(text.replace("\x7f", "•").replace("\uf0b7", "•")), size)
             for text, size in lines]
    # A page number alone on the first or last line is page furniture, not text.
    filled = [i for i, (text, _) in enumerate(lines) if text]
    for i in (filled[:1] + filled[-1:]) if filled else []:
        if _PAGE_NUMBER.match(lines[i][0]):
            lines[i] = ("", 0.0)
    return lines


def _layout_tables(page: PageObject) -> list[list[list[str]]]:
    """Tables as pypdf's layout mode lines them up: runs of two or more lines whose
    columns (cells two or more spaces apart) have the same count; the first is the header."""
    tables, run = [], []
    for line in (page.extract_text(extraction_mode="layout") or "").splitlines():
        cells = [clean(c) for c in _COLUMN_GAP.split(line.strip()) if clean(c)]
        if len(cells) >= 2 and (not run or len(cells) == len(run[0])):
            run.append(cells)
            continue
        if len(run) >= 2:
            tables.append(run)
        run = [cells] if len(cells) >= 2 else []
    if len(run) >= 2:
        tables.append(run)
    return tables


def _may_hold_table(lines: list[tuple[str, float]], width: int) -> bool:
    """Four short lines in a row that end no sentence: perhaps table cells, one a line.
    Layout mode costs more than the rest of reading a page, so only such pages get it."""
    run = 0
    for text, _ in lines:
        run = run + 1 if text and len(text) < 0.5 * width \
            and not text.endswith(_ENDS_SENTENCE) else 0
        if run >= 4:
            return True
    return False


def _mark_tables(lines: list[tuple[str, float]],
                 tables: list[list[list[str]]]) -> list[tuple[str, float] | list]:
    """Replace the lines that hold a table's cells, one cell a line in reading order,
    by the table itself; a table laid out any other way stays text."""
    out: list = list(lines)
    for table in tables:
        cells = [cell for row in table for cell in row]
        texts = [x[0] if isinstance(x, tuple) else None for x in out]
        for i in range(len(out) - len(cells) + 1):
            if texts[i:i + len(cells)] == cells:
                out[i:i + len(cells)] = [table]
                break
    return out


def _body_size(pages: list[list[tuple[str, float]]]) -> float:
    """The font size most of the text is set in."""
    weight: dict[float, int] = {}
    for lines in pages:
        for text, size in lines:
            weight[round(size, 1)] = weight.get(round(size, 1), 0) + len(text)
    return max(weight, key=weight.get) if weight else 0.0


def _is_heading(text: str, size: float, body: float) -> bool:
    return body > 0 and size > body * 1.1 and looks_like_heading(text)


def _paragraphs(lines: list, body: float, width: int) -> list[tuple[str, Any]]:
    """(kind, text) of a page's lines, wrapped lines joined into one paragraph."""
    out: list[tuple[str, str]] = []
    current: list[str] = []
    sizes: list[float] = []  # font size of each heading in `out`
    kind = "paragraph"

    def flush() -> None:
        nonlocal current, kind
        if current:
            out.append((kind, " ".join(current)))
        current, kind = [], "paragraph"

    for line in lines:
        if isinstance(line, list):  # a table found by _mark_tables
            flush()
            out.append(("table", line))
            continue
        text, size = line
        if not text:
            flush()
        elif not current and out and out[-1][0] == "heading" and abs(size - sizes[-1]) < .5 \
                and size > body * 1.1:  # a heading wrapped over two lines
            out[-1] = ("heading", f"{out[-1][1]} {text}")
        elif _is_heading(text, size, body):
            flush()
            out.append(("heading", text))
            sizes.append(size)
        elif _BULLET_ONLY.match(text):  # a bullet on a line of its own: the item follows
            flush()
            kind = "list_item"
        else:
            if _LIST.match(text):
                flush()
                kind = "list_item"
            current.append(text)
            # A short line ends a list item; a paragraph only when it ends a sentence.
            if len(text) < 0.8 * width and (kind == "list_item"
                                             or text.endswith(_ENDS_SENTENCE)):
                flush()
    flush()
    return out


def _across_pages(pages: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """A paragraph cut by a page break is kept whole, on the page where it starts."""
    for number in range(len(pages) - 1):
        here, there = pages[number], pages[number + 1]
        if (here and there and here[-1][0] in ("paragraph", "list_item")
                and there[0][0] == "paragraph"
                and not here[-1][1].endswith(_ENDS_SENTENCE)):
            here[-1] = (here[-1][0], f"{here[-1][1]} {there.pop(0)[1]}")
    return pages


def read(data: bytes) -> Extracted:
    reader = _open(data)
    if len(reader.pages) > MAX_PAGES:
        raise TooLarge(f"has {len(reader.pages)} pages, more than {MAX_PAGES}; "
                            "split it.")
    page_lines = [_page_lines(page) for page in reader.pages]
    body = _body_size(page_lines)
    lengths = sorted(len(text) for lines in page_lines for text, _ in lines if text)
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0  # a full line's length
    builder = TextBuilder()
    pages: list[tuple[int, int]] = []
    found_text = False
    marked = [_mark_tables(lines, _layout_tables(page))
              if _may_hold_table(lines, width) else lines
              for lines, page in zip(page_lines, reader.pages)]
    for number, paragraphs in enumerate(_across_pages(
            [_paragraphs(lines, body, width) for lines in marked]), start=1):
        builder.page = number
        start = builder.page_break()
        for kind, text in paragraphs:
            found_text = True
            if kind == "heading":
                builder.heading(text)
            elif kind == "table":
                for row in text[1:]:
                    builder.table_row(row, tuple(text[0]))
            else:
                builder.paragraph(text, kind)
        pages.append((min(start, builder.length), builder.length))
    if not found_text:
        raise NothingToQuote("has no text layer (a scanned PDF?); run it through OCR and "
                            "save it with its text, or add the text as a .txt file.")
    return Extracted(builder.text, tuple(builder.blocks), _title(reader, builder),
                     tuple(pages), "pdf")


def _title(reader: PdfReader, builder: TextBuilder) -> str:
    """The metadata title when it is a real one, else a heading that opens the text."""
    try:
        title = clean(str((reader.metadata or {}).get("/Title") or ""))
    except (PdfReadError, ValueError, TypeError):
        title = ""
    if title and title.lower() not in _NO_TITLE and not title.lower().startswith(
            "microsoft word") and not re.search(r"\.\w{2,4}$", title):
        return title
    first = builder.blocks[0] if builder.blocks else None
    if first is not None and first.kind == "heading" and first.start == 0:
        return builder.text[first.start:first.end]
    return ""
