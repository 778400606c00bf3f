"""Typos put right toward the documents' words; real words, short words and words the
documents never use left alone."""
from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.spelling import correct_typos
from conftest import fake_thresholds
from corpus import load_corpus
from index import SearchIndex


@pytest.fixture
def fixture_index(fixture_dir, fake_encoder):
    return SearchIndex.build(load_corpus(fixture_dir)[0], fake_encoder)


@pytest.mark.parametrize("typed, meant", [
    ("why do my musle cramp", "why do my muscle cramp"),
    ("crampps at nihgt", "cramps at night"),
    ("Vitamn B12 in food", "Vitamin B12 in food"),
])
def test_a_misspelt_word_becomes_the_documents_word(fixture_index, typed, meant):
    assert correct_typos(typed, fixture_index) == meant


@pytest.mark.parametrize("text", [
    "is it safe when pregnant",       # an English word the documents never use
    "does metformin lower b12",       # a drug MedQuAD knows
    "nite cramps",                    # short words: too many neighbours
    "zyxwvut cramps",                 # nothing of the documents is near
    "lipitor and cramps",             # a brand the documents never name stays
])
def test_known_short_and_faraway_words_stay(fixture_index, text):
    assert correct_typos(text, fixture_index) == text


def test_the_first_letter_is_kept(fixture_index):
    # "bramps" is one edit from "cramps", but typos seldom change the first letter.
    assert correct_typos("bramps", fixture_index) == "bramps"


def test_the_assistant_searches_the_corrected_question(fixture_index, fake_encoder):
    assistant = Assistant(fixture_index, fake_encoder, thresholds=fake_thresholds())
    answer = assistant.ask("what causes musle crampps at nihgt?")
    assert answer.details["search_text"] == "what causes muscle cramps at night?"
    assert answer.status == "answered"


def test_a_rare_document_word_outside_the_lookup_is_left_alone(tmp_path, fake_encoder,
                                                               monkeypatch):
    from assistant import spelling
    (tmp_path / "a.txt").write_text("Guide\n" + "Cramps hurt. " * 20 +
                                    "Zorbaxone helps. " * 10 + "Zorbaxine is named once.\n")
    index = SearchIndex.build(load_corpus(tmp_path)[0], fake_encoder)
    monkeypatch.setattr(spelling, "_spellers", {})
    monkeypatch.setattr(spelling, "_MAX_WORDS", 3)  # the rare word is no target
    assert correct_typos("what is zorbaxine", index) == "what is zorbaxine"
    assert correct_typos("what is zorbaxene", index) == "what is zorbaxone"
