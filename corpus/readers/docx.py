"""DOCX (Word) through python-docx: headings by style, list items by style or
numbering, tables row by row with the first row as header. A zip that would expand to
an absurd size is refused before anything is unpacked."""
from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from corpus.errors import TooLarge, Unreadable
from corpus.readers import Extracted
from corpus.readers.builder import TextBuilder, clean

MAX_UNPACKED_BYTES = 100_000_000


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as err:
        raise Unreadable(f"not a valid .docx ({err}); is the file complete? "
                            "Re-save it from Word.") from err
    if unpacked > MAX_UNPACKED_BYTES:
        raise TooLarge(f"would unpack to {unpacked // 1_000_000} MB (more than "
                            f"{MAX_UNPACKED_BYTES // 1_000_000} MB); not a normal Word "
                            "file, refused.")


def _style(paragraph: Paragraph) -> str:
    try:
        return (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, AttributeError):
        return ""


def _is_list(paragraph: Paragraph, style: str) -> bool:
    ppr = paragraph._p.pPr
    return "List" in style or (ppr is not None and ppr.numPr is not None)


def _table(builder: TextBuilder, table: Table) -> None:
    header: tuple[str, ...] = ()
    for number, row in enumerate(table.rows):
        cells = [clean(cell.text) for cell in row.cells]
        if number == 0:
            header = tuple(cells)
            continue
        builder.table_row(cells, header)


def read(data: bytes) -> Extracted:
    _check_zip(data)
    document = docx.Document(io.BytesIO(data))
    builder, title = TextBuilder(), clean(document.core_properties.title or "")
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            _table(builder, Table(element, document))
            continue
        if tag != "p":
            continue
        paragraph = Paragraph(element, document)
        style = _style(paragraph)
        if style == "Title" or style.startswith("Heading"):
            title = title or (clean(paragraph.text) if style in ("Title", "Heading 1")
                              else "")
            builder.heading(paragraph.text)
        elif _is_list(paragraph, style):
            builder.paragraph(paragraph.text, "list_item")
        else:
            builder.paragraph(paragraph.text)
    return Extracted(builder.text, tuple(builder.blocks), title, format="docx")
