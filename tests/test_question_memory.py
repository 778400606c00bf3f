"""The question memory: labelled questions vote for the units that answered them, for
the encoder that embedded them only, their own file forgotten when it is scored, and
their votes stay with the same sentences when other documents are added."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from assistant.abstain import FEATURES, Thresholds
from assistant.answer_model.build_memory import build
from assistant.assistant import Assistant
from assistant.question_memory import FEATURES as MEMORY_FEATURES
from assistant.question_memory import MemoryForIndex, QuestionMemory, mean_votes
from assistant.retrieval import retrieve
from corpus import load_corpus
from index import SearchIndex

# Cosine alone ranks the answering sentence second (the fake encoder: shared buckets).
QUESTION = "what wakes calves up overnight?"
GOLD = "They often strike the calves at night."
ALWAYS_ANSWER = Thresholds(weights=(0.0,) * len(FEATURES), bias=30.0, answer_at=0.5)


def _index(folder, encoder) -> SearchIndex:
    documents, _ = load_corpus(folder)
    return SearchIndex.build(documents, encoder)


@pytest.fixture
def index(fixture_dir, fake_encoder):
    return _index(fixture_dir, fake_encoder)


@pytest.fixture
def questions(tmp_path):
    rows = [{"id": "m1", "question": QUESTION, "expect": "answer",
             "phrases": ["strike the calves at night"]},
            {"id": "m2", "question": "how much does a b12 shot cost", "expect": "not_found"},
            {"id": "m3", "question": "my dad collapsed", "expect": "emergency"}]
    path = tmp_path / "home_dev_memory.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def memory(index, fake_encoder, questions):
    return build(Assistant(index, fake_encoder), [questions])


def _first(index, encoder, votes=None) -> str:
    vector = encoder.encode([QUESTION])[0]
    found = retrieve(index, vector, QUESTION, votes=votes or {})
    unit = index.units[found.candidates[0].position]
    return index.documents[unit.doc_id].text[unit.start:unit.end]


def test_the_nearest_questions_vote_for_the_units_holding_their_gold(index, fake_encoder,
                                                                     memory):
    assert len(memory.answerable) == 2  # the emergency is triage's, not remembered
    assert memory.answerable.tolist() == [True, False]
    votes = memory.bind(index).recall(fake_encoder.encode([QUESTION])[0]).votes()
    assert [index.documents[index.units[u].doc_id].text[index.units[u].start:
                                                        index.units[u].end]
            for u in votes] == [GOLD]
    assert votes[next(iter(votes))] == pytest.approx(1.0)
    assert _first(index, fake_encoder) != GOLD
    assert _first(index, fake_encoder, votes) == GOLD


def test_features_say_how_answerable_the_nearest_questions_were(index, fake_encoder,
                                                                memory):
    bound = memory.bind(index)
    asked = bound.recall(fake_encoder.encode([QUESTION])[0]).features()
    assert list(asked) == list(MEMORY_FEATURES)
    assert asked["memory_closest_answerable"] == pytest.approx(1.0, abs=0.01)
    priced = bound.recall(fake_encoder.encode(["how much does a b12 shot cost"])[0]).features()
    assert priced["memory_closest_unanswerable"] == pytest.approx(1.0, abs=0.01)
    assert priced["memory_answerable_weighted"] < 0.5 < asked["memory_answerable_weighted"]


def test_a_saved_memory_loads_the_same(memory, index, fake_encoder, tmp_path):
    path = tmp_path / "memory.npz"
    memory.save(path)
    loaded = QuestionMemory.load(path)
    assert loaded.encoder == memory.encoder and loaded.sources.tolist() == \
        memory.sources.tolist()
    # int8 storage: every cosine within 0.01 of the float vectors'.
    assert np.abs(loaded.vectors @ memory.vectors.T - memory.vectors @ memory.vectors.T
                  ).max() < 0.01
    vector = fake_encoder.encode([QUESTION])[0]
    assert loaded.bind(index).recall(vector).votes().keys() == \
        memory.bind(index).recall(vector).votes().keys()
    assert QuestionMemory.load(tmp_path / "missing.npz") is None
    assert not list(tmp_path.glob("*.part"))


def test_votes_stay_with_their_sentences_when_documents_change(memory, fixture_dir,
                                                              fake_encoder, tmp_path):
    folder = tmp_path / "grown"
    shutil.copytree(fixture_dir, folder)
    # A document that sorts first moves every unit's position; the vote follows GOLD.
    (folder / "a_magnesium.txt").write_text("Magnesium\n\nMagnesium helps some cramps.\n")
    grown = _index(folder, fake_encoder)
    assert _first(grown, fake_encoder, memory.bind(grown).recall(
        fake_encoder.encode([QUESTION])[0]).votes()) == GOLD
    # The answering document edited: its places are no longer trusted.
    cramps = folder / "cramps.txt"
    cramps.write_text(cramps.read_text() + "\nEdited.\n")
    assert memory.bind(_index(folder, fake_encoder)).recall(
        fake_encoder.encode([QUESTION])[0]).votes() == {}


def test_the_assistant_remembers_unless_the_file_is_forgotten_or_the_encoder_differs(
        index, fake_encoder, memory, questions):
    assistant = Assistant(index, fake_encoder, thresholds=ALWAYS_ANSWER,
                          question_memory=memory)
    assert GOLD in assistant.ask(QUESTION).quotes[0].text
    assistant.forget(questions.name)
    assert GOLD not in assistant.ask(QUESTION).quotes[0].text
    assert MemoryForIndex(memory, "another model").for_index(index) is None
    other = Assistant(index, fake_encoder, thresholds=ALWAYS_ANSWER,
                      question_memory=replace(memory, encoder="another model"))
    assert GOLD not in other.ask(QUESTION).quotes[0].text


def test_a_question_with_everything_forgotten_gets_no_votes_and_neutral_features(
        index, fake_encoder, memory, questions):
    recalled = memory.bind(index).recall(fake_encoder.encode([QUESTION])[0],
                                         frozenset({questions.name}))
    assert recalled.votes() == {}
    assert recalled.features()["memory_answerable_weighted"] == 0.5


def test_a_file_of_emergencies_alone_is_refused(index, fake_encoder, tmp_path):
    path = tmp_path / "emergencies.jsonl"
    path.write_text(json.dumps({"id": "e1", "question": "he collapsed",
                                "expect": "emergency"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no questions to remember"):
        build(Assistant(index, fake_encoder), [path])


def test_a_follow_ups_votes_are_the_mean_of_its_joined_text_and_its_own_words(
        index, fake_encoder, tmp_path):
    rows = [{"id": "f1", "question": QUESTION, "expect": "answer",
             "phrases": ["strike the calves at night"]},
            {"id": "f2", "question": "and which foods?", "expect": "answer",
             "phrases": ["Beef liver and clams"]}]
    path = tmp_path / "home_dev_follow.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    bound = build(Assistant(index, fake_encoder), [path]).bind(index)
    joined = bound.recall(fake_encoder.encode([QUESTION])[0])
    own = bound.recall(fake_encoder.encode(["and which foods?"])[0])
    assert mean_votes([joined]) == joined.votes()
    both = mean_votes([joined, own])
    assert both.keys() == joined.votes().keys() | own.votes().keys()
    for unit, share in both.items():
        assert share == pytest.approx((joined.votes().get(unit, 0.0)
                                       + own.votes().get(unit, 0.0)) / 2)
    assert sum(both.values()) == pytest.approx(1.0)
    assert mean_votes([]) == {}
