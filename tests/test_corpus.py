"""Reading documents: titles, blocks, quotable units with exact spans, loading a folder."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from corpus import CorpusError, DocumentError, load_corpus, parse_document, read_document


@pytest.fixture
def docs(fixture_dir):
    documents, skipped = load_corpus(fixture_dir)
    assert skipped == []
    return {d.doc_id: d for d in documents}


def block_view(doc):
    return [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks]


def unit_texts(doc):
    return [doc.text[u.start:u.end] for u in doc.units]


@pytest.mark.parametrize("doc_id, title", [
    ("cramps.txt", "Muscle Cramps and Hydration"),  # layout heading on the first line
    ("b12.md", "Vitamin B12 Basics"),  # '#' heading
])
def test_title_from_first_heading(docs, doc_id, title):
    assert docs[doc_id].title == title


@pytest.mark.parametrize("doc_id, text, markdown, title", [
    ("notes.txt", "This first line is a sentence.\nMore text.", False, "notes"),
    ("lower.txt", "lower case start\nMore text.", False, "lower"),
    ("intro.md", "Plain opening words, then more.\n", True, "intro"),
    ("spaced.txt", "\n\n  Leading Blank Lines\nBody text here.", False, "Leading Blank Lines"),
])
def test_title_falls_back_to_file_name(doc_id, text, markdown, title):
    assert parse_document(doc_id, text, markdown=markdown).title == title


def test_plain_text_blocks(docs):
    assert block_view(docs["cramps.txt"]) == [
        ("heading", "Muscle Cramps and Hydration"),
        ("paragraph", "Muscle cramps are sudden, involuntary contractions of a muscle. They often "
                      "strike the calves at night. Most cramps pass within a few minutes."),
        ("heading", "Common Causes"),
        ("paragraph", "Dehydration is a frequent trigger for cramps. Low potassium can also play "
                      "a part. Overexertion strains the muscle fibres."),
        ("paragraph", "Warning signs include:"),
        ("list_item", "Sudden tightness in the calf"),
        ("list_item", "Twitching after exercise"),
        ("list_item", "Cramps that wake you at night"),
        ("heading", "Comparison of Remedies"),
        ("table_row", "| Stretching | Works within minutes. | Night cramps |"),
        ("table_row", "| Electrolyte Drink | Takes about an hour. | Dehydration |"),
        ("heading", "When To See A Doctor"),
        ("paragraph", "See a doctor if cramps are severe or frequent. Persistent cramps can "
                      "signal a nerve problem."),
    ]


def test_markdown_blocks_join_wrapped_lines(docs):
    assert block_view(docs["b12.md"]) == [
        ("heading", "Vitamin B12 Basics"),
        ("paragraph", "Vitamin B12 keeps nerves and blood cells\nhealthy. It is found mostly in "
                      "animal foods. Vegans may need a supplement."),
        ("heading", "Food Sources"),
        ("list_item", "Beef liver and clams"),
        ("list_item", "Fish such as tuna"),
        ("list_item", "Fortified cereals"),
        ("heading", "Deficiency"),
        ("paragraph", "A deficiency can cause fatigue and numbness. It develops slowly over years."),
    ]


@pytest.mark.parametrize("doc_id", ["cramps.txt", "b12.md"])
def test_every_span_is_a_trimmed_piece_of_the_text(docs, doc_id):
    doc = docs[doc_id]
    for piece in doc.blocks + doc.units:
        quoted = doc.text[piece.start:piece.end]
        assert quoted and quoted == quoted.strip(), piece
    for unit in doc.units:
        quoted = doc.text[unit.start:unit.end]
        if unit.kind == "table_row":
            continue
        if quoted.endswith(":"):  # a list's lead-in is searched with the list
            assert unit.search_text.startswith(quoted + " ")
        else:
            assert unit.search_text == quoted
    starts = [u.start for u in doc.units]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_table_cells_are_searched_with_row_and_column(docs):
    doc = docs["cramps.txt"]
    cells = [u for u in doc.units if u.kind == "table_row"]
    assert [(doc.text[u.start:u.end], u.search_text, u.label) for u in cells] == [
        ("Works within minutes.", "Stretching — Speed of Relief: Works within minutes.",
         "Stretching — Speed of Relief"),
        ("Night cramps", "Stretching — Best For: Night cramps", "Stretching — Best For"),
        ("Takes about an hour.", "Electrolyte Drink — Speed of Relief: Takes about an hour.",
         "Electrolyte Drink — Speed of Relief"),
        ("Dehydration", "Electrolyte Drink — Best For: Dehydration",
         "Electrolyte Drink — Best For"),
    ]
    row = next(b for b in doc.blocks if b.kind == "table_row")
    assert row.header == ("Remedy", "Speed of Relief", "Best For")
    assert row.cells == ("Stretching", "Works within minutes.", "Night cramps")


@pytest.mark.parametrize("doc_id, marker, items", [
    ("cramps.txt", "- ", ["Sudden tightness in the calf", "Twitching after exercise",
                          "Cramps that wake you at night"]),
    ("b12.md", ". ", ["Beef liver and clams", "Fish such as tuna", "Fortified cereals"]),
])
def test_list_items_exclude_the_marker(docs, doc_id, marker, items):
    doc = docs[doc_id]
    listed = [u for u in doc.units if u.kind == "list_item"]
    assert [doc.text[u.start:u.end] for u in listed] == items
    assert [u.search_text for u in listed] == items
    assert all(doc.text[u.start - len(marker):u.start] == marker for u in listed)


def test_paragraphs_split_into_sentences(docs):
    assert unit_texts(docs["cramps.txt"])[:3] == [
        "Muscle cramps are sudden, involuntary contractions of a muscle.",
        "They often strike the calves at night.",
        "Most cramps pass within a few minutes.",
    ]
    # A sentence wrapped over two markdown lines stays one unit.
    assert unit_texts(docs["b12.md"])[:3] == [
        "Vitamin B12 keeps nerves and blood cells\nhealthy.",
        "It is found mostly in animal foods.",
        "Vegans may need a supplement.",
    ]


def test_unit_section_is_the_last_heading(docs):
    sections = [(docs["b12.md"].text[u.start:u.end], u.section) for u in docs["b12.md"].units]
    assert sections == [
        ("Vitamin B12 keeps nerves and blood cells\nhealthy.", "Vitamin B12 Basics"),
        ("It is found mostly in animal foods.", "Vitamin B12 Basics"),
        ("Vegans may need a supplement.", "Vitamin B12 Basics"),
        ("Beef liver and clams", "Food Sources"),
        ("Fish such as tuna", "Food Sources"),
        ("Fortified cereals", "Food Sources"),
        ("A deficiency can cause fatigue and numbness.", "Deficiency"),
        ("It develops slowly over years.", "Deficiency"),
    ]
    cramps = docs["cramps.txt"]
    assert [u.section for u in cramps.units] == (
        ["Muscle Cramps and Hydration"] * 3 + ["Common Causes"] * 7
        + ["Comparison of Remedies"] * 4 + ["When To See A Doctor"] * 2)


def test_content_hash_is_sha256_of_the_file(docs, fixture_dir):
    data = (fixture_dir / "cramps.txt").read_bytes()
    assert docs["cramps.txt"].content_hash == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name, data, title, kinds, units", [
    ("one.txt", b"One sentence only.", "one", ["paragraph"], ["One sentence only."]),
    ("table.md", b"| Food | B12 |\n|---|---|\n| Clams | Very high |\n| Eggs | Some |\n",
     "table", ["table_row", "table_row"], ["Very high", "Some"]),
    ("heading.txt", b"Just A Heading\n", "Just A Heading", ["paragraph"], ["Just A Heading"]),
    ("crlf.txt", b"Title Line\r\nFirst one here. Second one.\r\n- item\r\n", "Title Line",
     ["heading", "paragraph", "list_item"], ["First one here.", "Second one.", "item"]),
    ("cafe.txt", "Caf\u00e9 au lait is tasty. So is t\u00e9.".encode(), "cafe",
     ["paragraph"], ["Caf\u00e9 au lait is tasty.", "So is t\u00e9."]),
    ("repeat.txt", b"Rest well. Rest well.", "repeat", ["paragraph"],
     ["Rest well.", "Rest well."]),
])
def test_edge_case_documents(tmp_path, name, data, title, kinds, units):
    (tmp_path / name).write_bytes(data)
    doc = read_document(tmp_path / name, tmp_path)
    assert doc.title == title
    assert [b.kind for b in doc.blocks] == kinds
    assert unit_texts(doc) == units
    starts = [u.start for u in doc.units]
    assert starts == sorted(set(starts))  # each unit is its own piece of the text


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\t\r\n", "empty"),
    ("latin1.txt", b"\xff\xfe caf\xe9", "not UTF-8"),
    ("binary.md", b"abc\x00def", "NUL"),
    ("heading.md", b"# Only A Heading\n", "no sentences to quote"),
    ("headings.md", b"# One\n\n## Two\n\nThree\n=====\n", "no sentences to quote"),
])
def test_unreadable_documents_raise(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(DocumentError, match=reason) as err:
        read_document(tmp_path / name, tmp_path)
    assert name not in str(err.value)  # the caller names the file, once


def test_load_corpus_skips_bad_files_and_keeps_good_ones(tmp_path):
    (tmp_path / "good.txt").write_text("A Good Title\nIt reads well.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.md").write_text("# Nested\n\nFound too.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "latin1.txt").write_bytes(b"\xff\xfe caf\xe9")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 not text")
    (tmp_path / "letter.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / ".index").mkdir()
    (tmp_path / ".index" / "hidden.txt").write_text("Hidden words.", encoding="utf-8")
    (tmp_path / ".draft.md").write_text("Hidden file.", encoding="utf-8")

    documents, skipped = load_corpus(tmp_path)

    assert [d.doc_id for d in documents] == ["good.txt", "sub/nested.md"]
    assert [s.path for s in skipped] == ["empty.txt", "latin1.txt", "letter.docx",
                                         "report.pdf"]
    assert "empty" in skipped[0].reason and "UTF-8" in skipped[1].reason
    assert "docx" in skipped[2].reason and "PDF" in skipped[3].reason


def test_missing_corpus_folder(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")


@pytest.mark.parametrize("files", [
    {},
    {"empty.txt": b"", "bad.md": b"\xff\xfe caf\xe9", "paper.pdf": b"%PDF", "x.docx": b"PK"},
])
def test_corpus_without_readable_documents(tmp_path, files):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(CorpusError, match="No readable"):
        load_corpus(Path(tmp_path))


def test_a_list_lead_in_is_searched_with_its_items(docs):
    doc = docs["cramps.txt"]
    lead = next(u for u in doc.units if doc.text[u.start:u.end] == "Warning signs include:")
    assert lead.search_text == ("Warning signs include: Sudden tightness in the calf "
                                "Twitching after exercise Cramps that wake you at night")
