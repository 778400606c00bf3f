"""Chunks: whole units, token-bounded, never across a heading, rebuilding the source text."""
from __future__ import annotations

import pytest

from corpus import chunk_document, load_corpus, parse_document
from corpus.tokens import count_tokens

SETTINGS = [(8, 0), (20, 0), (40, 0), (160, 0), (20, 8), (40, 15), (160, 30)]


@pytest.fixture
def docs(fixture_dir):
    documents, _ = load_corpus(fixture_dir)
    return {d.doc_id: d for d in documents}


def spans(chunks):
    return [(c.first_unit, c.last_unit) for c in chunks]


@pytest.mark.parametrize("doc_id", ["cramps.txt", "b12.md"])
@pytest.mark.parametrize("max_tokens, overlap", SETTINGS)
def test_chunks_are_whole_units_of_one_section(docs, doc_id, max_tokens, overlap):
    doc = docs[doc_id]
    chunks = chunk_document(doc, max_tokens=max_tokens, overlap=overlap)
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        units = doc.units[chunk.first_unit:chunk.last_unit + 1]
        body = doc.text[chunk.start:chunk.end]
        size = sum(count_tokens(u.search_text) for u in units)
        assert chunk.doc_id == doc_id and units
        assert {u.section for u in units} == {chunk.section}
        assert chunk.n_tokens <= max_tokens
        first, last = (doc.text[u.start:u.end] for u in (units[0], units[-1]))
        if size <= max_tokens:
            assert body.startswith(first) and body.endswith(last)
            assert (chunk.start, chunk.end) == (units[0].start, units[-1].end)
            assert chunk.n_tokens == size
        else:  # a single overlong unit, cut to what the model reads
            assert len(units) == 1 and first.startswith(body) and chunk.start == units[0].start
            assert chunk.n_tokens == max_tokens and count_tokens(body) <= max_tokens


@pytest.mark.parametrize("doc_id", ["cramps.txt", "b12.md"])
@pytest.mark.parametrize("max_tokens", [8, 20, 40, 160])
def test_without_overlap_every_unit_is_in_exactly_one_chunk(docs, doc_id, max_tokens):
    doc = docs[doc_id]
    chunks = chunk_document(doc, max_tokens=max_tokens, overlap=0)
    covered = [i for c in chunks for i in range(c.first_unit, c.last_unit + 1)]
    assert covered == list(range(len(doc.units)))


def test_exact_cuts_follow_token_budget_and_headings(docs):
    doc = docs["cramps.txt"]
    # unit sizes: 14, 8, 9 | 10, 8, 10, 22, 7, 5, 7 | 11, 9, 15, 11 | 11, 9
    # (unit 6, "Warning signs include:", is searched together with its list items)
    assert [count_tokens(u.search_text) for u in doc.units] == [
        14, 8, 9, 10, 8, 10, 22, 7, 5, 7, 11, 9, 15, 11, 11, 9]
    chunks = chunk_document(doc, max_tokens=20, overlap=0)
    assert spans(chunks) == [(0, 0), (1, 2), (3, 4), (5, 5), (6, 6), (7, 9), (10, 11),
                             (12, 12), (13, 13), (14, 15)]
    # the overlong unit 6 is a chunk of its own, counted at the budget
    assert [c.n_tokens for c in chunks] == [14, 17, 18, 10, 20, 19, 20, 15, 11, 20]


def test_a_roomy_budget_gives_one_chunk_per_section(docs):
    doc = docs["cramps.txt"]
    chunks = chunk_document(doc, max_tokens=160, overlap=0)
    assert [c.section for c in chunks] == ["Muscle Cramps and Hydration", "Common Causes",
                                           "Comparison of Remedies", "When To See A Doctor"]
    assert spans(chunks) == [(0, 2), (3, 9), (10, 13), (14, 15)]


def test_overlap_repeats_trailing_units_within_a_section(docs):
    doc = docs["cramps.txt"]
    chunks = chunk_document(doc, max_tokens=20, overlap=8)
    # Unit 4 (8 tokens) is carried over; units 5 (10), 6 (22) and 11 (9) are too big to
    # repeat, and nothing is carried across a heading.
    assert spans(chunks) == [(0, 0), (1, 2), (3, 4), (4, 5), (6, 6), (7, 9), (10, 11),
                             (12, 12), (13, 13), (14, 15)]
    for before, after in zip(chunks, chunks[1:]):
        assert after.first_unit > before.first_unit  # always moves forward
        repeated = doc.units[after.first_unit:before.last_unit + 1]
        assert sum(count_tokens(u.search_text) for u in repeated) <= 8
        if before.section != after.section:
            assert after.first_unit == before.last_unit + 1


def test_overlap_with_word_counter():
    text = "Alpha beta gamma. Delta epsilon. Zeta eta theta iota. Kappa lambda mu."
    doc = parse_document("w.txt", text, markdown=False)
    words = lambda s: len(s.split())  # noqa: E731
    chunks = chunk_document(doc, max_tokens=8, overlap=2, counter=words)
    # sizes 3, 2, 4, 3: [0,1] -> carry unit 1 (2 words) -> [1,2] -> carry nothing (4) -> [3]
    assert spans(chunks) == [(0, 1), (1, 2), (3, 3)]
    assert [doc.text[c.start:c.end] for c in chunks] == [
        "Alpha beta gamma. Delta epsilon.", "Delta epsilon. Zeta eta theta iota.", "Kappa lambda mu."]


def test_overlong_sentence_becomes_one_truncated_chunk():
    long_sentence = "Muscle " * 300 + "end."
    text = f"Short opening line here. {long_sentence} A closing sentence."
    doc = parse_document("long.txt", text, markdown=False)
    assert [count_tokens(u.search_text) for u in doc.units] == [5, 303, 4]
    chunks = chunk_document(doc, max_tokens=16, overlap=4)
    assert spans(chunks) == [(0, 0), (1, 1), (2, 2)]
    long_chunk = chunks[1]
    body = doc.text[long_chunk.start:long_chunk.end]
    assert long_chunk.start == doc.units[1].start
    assert long_chunk.end < doc.units[1].end
    assert long_sentence.startswith(body)
    assert long_chunk.n_tokens == 16 and count_tokens(body) == 16


def test_document_without_units_has_no_chunks():
    doc = parse_document("h.md", "# Only A Heading\n", markdown=True)
    assert chunk_document(doc, max_tokens=50) == []


@pytest.mark.parametrize("max_tokens, overlap, message", [
    (7, 0, "max_tokens=7 is too small"),
    (0, 0, "max_tokens=0 is too small"),
    (20, -1, r"overlap=-1 must be between 0 and max_tokens-1"),
    (20, 20, r"overlap=20 must be between 0 and max_tokens-1"),
    (20, 50, r"overlap=50 must be between"),
])
def test_invalid_settings(docs, max_tokens, overlap, message):
    with pytest.raises(ValueError, match=message):
        chunk_document(docs["b12.md"], max_tokens=max_tokens, overlap=overlap)
