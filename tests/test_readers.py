"""Every format: quotes are verbatim slices of the extracted text, sections and pages
are right, boilerplate is never in the text; bad files are named with a reason."""
from __future__ import annotations

import io
import time
import zipfile

import pytest
from format_fixtures import ARTICLE, BOILERPLATE, MAKERS, docx_bytes, pdf_bytes

from corpus import DocumentError, SUFFIXES, chunk_document, load_corpus, read_bytes
from corpus.readers import reader_for

SENTENCES = {  # every sentence of the article, with the section it is in
    "Muscle cramps are sudden, involuntary contractions of a muscle.": "Why Cramps Happen",
    "They often strike the calves at night and pass within minutes.": "Why Cramps Happen",
    "This effect is usually temporary and settles within a week.":
        "Vitamin B12 Injections",
    "Clams, liver and fortified cereals are rich in vitamin B12.": "Food Sources",
}


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=sorted(MAKERS))
def doc(request):
    suffix = request.param
    return read_bytes(f"article{suffix}", MAKERS[suffix]())


def test_every_format_is_registered():
    assert set(MAKERS) <= set(SUFFIXES)
    assert reader_for(".PDF") is reader_for(".pdf")


def test_units_are_verbatim_slices_with_their_sections(doc):
    assert doc.title == ARTICLE["title"]
    by_text = {squash(doc.text[u.start:u.end]): u for u in doc.units}
    for sentence, section in SENTENCES.items():
        assert sentence in by_text, (doc.format, sentence)
        assert by_text[sentence].section == section
    for unit in doc.units:
        assert unit.start < unit.end and doc.text[unit.start:unit.end].strip()
    for block in doc.blocks:
        assert 0 <= block.start < block.end <= len(doc.text)


def test_list_items_are_list_items(doc):
    kinds = {squash(doc.text[u.start:u.end]): u.kind for u in doc.units}
    for item in ARTICLE["items"]:
        assert kinds[item] == "list_item", doc.format


def test_tables_are_searched_with_row_and_column(doc):
    if doc.format == "text":  # no table in the text fixture
        return
    cell = next(u for u in doc.units if doc.text[u.start:u.end] == "Minutes")
    assert cell.search_text == "Stretching — Speed: Minutes"
    assert cell.kind == "table_row" and cell.section == "Food Sources"


def test_boilerplate_and_markup_are_never_in_the_text(doc):
    for junk in BOILERPLATE + ("<", "var tracking", "color:red", "not a heading: code"):
        assert all(junk not in doc.text[u.start:u.end] for u in doc.units), junk
    if doc.format not in ("markdown", "text"):  # those quote the file as written
        assert not any(junk in doc.text for junk in BOILERPLATE)


def test_chunks_stay_inside_sections_and_the_text(doc):
    for chunk in chunk_document(doc, max_tokens=40, overlap=5):
        assert doc.text[chunk.start:chunk.end].strip()
        assert {u.section for u in doc.units[chunk.first_unit:chunk.last_unit + 1]} == \
            {chunk.section}


def test_pdf_keeps_pages():
    doc = read_bytes("article.pdf", pdf_bytes())
    assert len(doc.pages) == 3
    pages = {squash(doc.text[u.start:u.end]): u.page for u in doc.units}
    assert pages["Muscle cramps are sudden, involuntary contractions of a muscle."] == 1
    assert pages["This effect is usually temporary and settles within a week."] == 2
    assert pages["Clams, liver and fortified cereals are rich in vitamin B12."] == 3
    assert "settles within a week" in doc.page_text(2)
    assert "settles within a week" not in doc.page_text(1) + doc.page_text(3)
    for unit in doc.units:  # each unit lies on its page's span
        start, end = doc.pages[unit.page - 1]
        assert start <= unit.start < unit.end <= end
    with pytest.raises(ValueError, match="between 1 and 3"):
        doc.page_text(4)


def test_html_anchors_come_from_heading_ids():
    doc = read_bytes("article.html", MAKERS[".html"]())
    anchors = {squash(doc.text[u.start:u.end]): u.anchor for u in doc.units}
    assert anchors["Muscle cramps are sudden, involuntary contractions of a muscle."] == "s0"
    assert anchors["Clams, liver and fortified cereals are rich in vitamin B12."] == "s2"
    assert all(u.page is None for u in doc.units)


def test_markdown_front_matter_setext_fences_and_wrapped_items():
    data = (b"---\ntitle: Front Matter Title\ntags: [a, b]\n---\n\nIntro Words\n===========\n\n"
            b"- an item that wraps\n  onto a second line.\n- second item\n\n"
            b"```\n# inside a fence\nnot prose\n```\n\nSub Part\n--------\n\nLast words here.\n")
    doc = read_bytes("notes.md", data)
    assert doc.title == "Front Matter Title"
    units = [(doc.text[u.start:u.end], u.kind, u.section) for u in doc.units]
    assert units == [("an item that wraps\n  onto a second line.", "list_item", "Intro Words"),
                     ("second item", "list_item", "Intro Words"),
                     ("Last words here.", "paragraph", "Sub Part")]
    assert all("title:" not in doc.text[u.start:u.end] for u in doc.units)


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        archive.writestr("word/document.xml", b"\0" * 150_000_000)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _scanned_pdf() -> bytes:
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.rect(100, 100, 300, 400, fill=1)  # a picture, no text
    page.showPage()
    page.save()
    return out.getvalue()


BAD_FILES = {
    "scan.pdf": (_scanned_pdf, "no text layer"),
    "locked.pdf": (_encrypted_pdf, "encrypted"),
    "truncated.pdf": (lambda: pdf_bytes()[:700], "PDF"),
    "garbage.pdf": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 20, "PDF"),
    "truncated.docx": (lambda: docx_bytes()[:2000], "docx"),
    "bomb.docx": (_zip_bomb, "unpack"),
    "notzip.docx": (lambda: b"PK\x03\x04 not really", "docx"),
    "headings.md": (lambda: b"# A\n\n## B\n\nC\n=\n", "no sentences"),
    "nav-only.html": (lambda: b"<nav><p>Home</p></nav><footer>Footer text.</footer>",
                      "no sentences"),
    "empty.txt": (lambda: b"", "empty"),
    "latin1.html": (lambda: b"<p>caf\xe9 au lait.</p>", "UTF-8"),
    "picture.png": (lambda: b"\x89PNG\r\n", "not a supported type"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_raise_a_reason(name):
    make, reason = BAD_FILES[name]
    with pytest.raises(DocumentError, match=reason) as err:
        read_bytes(name, make())
    assert name not in str(err.value)


def test_a_mixed_folder_indexes_the_good_and_names_each_bad_file_once(tmp_path):
    for suffix, make in MAKERS.items():
        (tmp_path / f"good{suffix}").write_bytes(make())
    for name, (make, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(make())
    (tmp_path / "passwd.txt").symlink_to("/etc/passwd")
    outside = tmp_path.parent / "outside-notes.txt"
    outside.write_text("A secret sentence outside the corpus.", encoding="utf-8")
    (tmp_path / "notes-link.txt").symlink_to(outside)
    (tmp_path / "inside-link.txt").symlink_to(tmp_path / "good.txt")
    bad_name = b"caf\xe9.txt"
    (tmp_path / bad_name.decode("utf-8", "surrogateescape")).write_bytes(b"Fine text here.")

    documents, skipped = load_corpus(tmp_path)

    assert sorted(d.doc_id for d in documents) == sorted(
        [f"good{s}" for s in MAKERS] + ["inside-link.txt"])
    reasons = {s.path: s.reason for s in skipped}
    assert set(reasons) == set(BAD_FILES) | {"passwd.txt", "notes-link.txt", "caf\ufffd.txt"}
    assert "outside the corpus" in reasons["passwd.txt"]
    assert "outside the corpus" in reasons["notes-link.txt"]
    assert "not valid UTF-8" in reasons["caf\ufffd.txt"]
    for path, reason in reasons.items():
        assert path not in reason  # named once, by the caller
        reason.encode("utf-8")  # printable


def test_a_huge_markdown_table_reads_and_chunks_in_linear_time():
    rows = "".join(f"| Row {i} | value {i} with some words | {i * 7} mg |\n"
                   for i in range(12_000))
    data = ("# Big Table\n\n| Name | Description | Dose |\n|---|---|---|\n" + rows).encode()
    assert len(data) > 500_000
    started = time.perf_counter()
    doc = read_bytes("big.md", data)
    chunks = chunk_document(doc, max_tokens=160, overlap=30)
    elapsed = time.perf_counter() - started
    assert len(doc.units) == 24_000 and chunks
    assert elapsed < 30, f"{elapsed:.1f}s"
