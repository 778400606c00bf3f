"""The encoder's second-stage training data: from a question with gold phrases, the unit
that answers it against a unit that ranks high and does not (fake encoder)."""
from __future__ import annotations

import random

import pytest

from assistant import Assistant
from assistant.answer_model.home_triplets import gold_units, question_triplets
from assistant.evaluation import holds_phrase
from conftest import fake_thresholds
from corpus import load_corpus
from index import SearchIndex

ROWS = [
    {"question": "What often triggers cramps?", "expect": "answer",
     "phrases": ["frequent trigger"]},
    {"question": "Which cramps should a doctor see?", "expect": "answer",
     "phrases": ["if cramps are severe"]},
    {"question": "Does B12 cure baldness?", "expect": "not_found"},
    {"question": "What colour is the sky?", "expect": "answer",
     "phrases": ["in no document at all"]},
]


@pytest.fixture
def assistant(fixture_dir, fake_encoder):
    documents, _ = load_corpus(fixture_dir)
    return Assistant(SearchIndex.build(documents, fake_encoder), fake_encoder,
                     thresholds=fake_thresholds())


def test_gold_units_are_the_units_holding_a_phrase(assistant):
    index = assistant.index
    found = gold_units(index, ["FREQUENT   trigger"])
    assert len(found) == 1
    unit = index.units[found.pop()]
    assert index.documents[unit.doc_id].text[unit.start:unit.end] == \
        "Dehydration is a frequent trigger for cramps."
    assert gold_units(index, ["in no document at all"]) == set()


def test_each_answerable_question_gives_a_sentence_and_a_passage_triplet(assistant):
    triplets = question_triplets(assistant, ROWS, random.Random(0))
    # Two answerable questions with a gold unit; not_found and gold-less rows give none.
    assert len(triplets) == 4
    assert {t["anchor"] for t in triplets} == {
        assistant.search_text(r["question"]) for r in ROWS[:2]}
    for triplet in triplets:
        row = next(r for r in ROWS if assistant.search_text(r["question"]) == triplet["anchor"])
        assert holds_phrase(triplet["positive"], row["phrases"])
        assert not holds_phrase(triplet["negative"], row["phrases"])
        assert triplet["positive"] != triplet["negative"]


def test_the_sentence_positive_is_embedded_as_the_index_embeds_it(assistant):
    sentence = question_triplets(assistant, ROWS[:1], random.Random(0))[0]
    assert sentence["positive"] == "Common Causes: Dehydration is a frequent trigger for cramps."
