"""Ranking signals and the abstention decision, on the fixture corpus and hand-made cases."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.abstain import FEATURES, Thresholds, decide, signals, unmentioned_terms
from conftest import fake_thresholds
from assistant.retrieval import Weights, candidate_units, retrieve
from corpus import load_corpus
from index import SearchIndex


@pytest.fixture
def index(fixture_dir, fake_encoder):
    documents, _ = load_corpus(fixture_dir)
    return SearchIndex.build(documents, fake_encoder)


def test_signals_are_the_best_unit_passage_and_candidate(index, fake_encoder):
    question = "vitamin B12 food sources"
    retrieval = retrieve(index, fake_encoder.encode([question])[0], question)
    values = signals(index, question, retrieval)
    assert set(values) == set(FEATURES)
    assert values["unit_dense"] == max(c.unit_dense for c in retrieval.candidates)
    assert values["passage"] == retrieval.passages[0].dense
    assert values["score"] == retrieval.candidates[0].score


def test_unmentioned_words_are_real_words_the_documents_never_use(index, fake_encoder):
    # "pregnant" and "micrograms": consumer health words the fixture documents never
    # use; "sublingul" (a typo) and "lol" are unknown to both, "cramps" is in them.
    question = "how many micrograms when pregnant, sublingul lol, for cramps"
    assert unmentioned_terms(index, question) == {"pregnant", "microgram"}
    retrieval = retrieve(index, fake_encoder.encode([question])[0], question)
    values = signals(index, question, retrieval)
    assert (values["unmentioned"], values["any_unmentioned"]) == (2.0, 1.0)
    plain = "sublingul cramps lol"
    assert signals(index, plain, retrieve(index, fake_encoder.encode([plain])[0], plain)
                   )["any_unmentioned"] == 0.0


def test_nothing_retrieved_is_never_answered(tmp_path, fake_encoder):
    index = SearchIndex.build([], fake_encoder)
    retrieval = retrieve(index, fake_encoder.encode(["anything"])[0], "anything")
    assert not decide(index, "anything", retrieval, thresholds=Thresholds(bias=30.0)).answer


@pytest.mark.parametrize("bias, answers", [(-30.0, False), (30.0, True)])
def test_the_decision_follows_the_logistic_model(index, fake_encoder, bias, answers):
    question = "muscle cramps at night"
    retrieval = retrieve(index, fake_encoder.encode([question])[0], question)
    decision = decide(index, question, retrieval,
                      thresholds=Thresholds(weights=(0.0,) * len(FEATURES), bias=bias))
    assert decision.answer is answers
    assert decision.signals["p_answer"] == (1.0 if answers else 0.0)


def test_thresholds_need_one_weight_per_feature():
    with pytest.raises(ValueError):
        Thresholds(weights=(1.0,) * (len(FEATURES) - 1))


def test_a_candidate_score_adds_its_passage_and_bm25_with_the_weights(index, fake_encoder):
    question = "muscle cramps at night"
    vector = fake_encoder.encode([question])[0]
    weights = Weights(passage=0.5, unit_lexical=0.25)
    for c in candidate_units(index, vector, question, weights=weights):
        assert c.score == pytest.approx(c.unit_dense + 0.5 * c.passage + 0.25 * c.unit_lexical)


def test_candidates_are_found_by_bm25_too(tmp_path, fake_encoder):
    # A word the fake model buckets with others still finds its unit through BM25.
    (tmp_path / "a.txt").write_text("Guide\n" + " ".join(
        f"Sentence {i} talks about walking and sleep." for i in range(40))
        + " Cyanocobalamin is one form of the vitamin.\n")
    documents, _ = load_corpus(tmp_path)
    index = SearchIndex.build(documents, fake_encoder)
    question = "cyanocobalamin"
    found = candidate_units(index, fake_encoder.encode([question])[0], question,
                            weights=Weights(candidates=3))
    texts = [index.units[c.position].search_text for c in found]
    assert "Cyanocobalamin is one form of the vitamin." in texts


def test_an_unrelated_document_does_not_change_the_answer(fixture_dir, tmp_path):
    from assistant import Assistant
    from conftest import FakeEncoder
    from tests_support_texts import UNRELATED
    # Wide enough that no gardening word shares a bucket with the questions' words:
    # unrelated to this encoder as to a real one.
    fake_encoder = FakeEncoder(dimension=4096)
    documents, _ = load_corpus(fixture_dir)
    before = SearchIndex.build(documents, fake_encoder)
    (tmp_path / "gardening.txt").write_text(UNRELATED)
    extra, _ = load_corpus(tmp_path)
    after = SearchIndex.build(documents + extra, fake_encoder)
    thresholds = replace(fake_thresholds(), bias=-2.0)  # wider vectors, lower cosines
    for question in ("What foods have vitamin B12?", "Why do muscles cramp at night?"):
        a = Assistant(before, fake_encoder, thresholds=thresholds).ask(question)
        b = Assistant(after, fake_encoder, thresholds=thresholds).ask(question)
        assert [q.text for q in a.quotes][:1] == [q.text for q in b.quotes][:1]
        assert a.quotes and a.quotes[0].doc_id != "gardening.txt"


def test_calibration_folds_score_each_question_with_weights_chosen_without_it():
    from assistant.calibrate import _fit
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0.2, 0.05, (20, 3)), rng.normal(0.8, 0.05, (20, 3))])
    y = np.array([0] * 20 + [1] * 20)
    model = _fit(x[::2], y[::2], np.array(["a", "b"] * 10))
    assert (model.predict_proba(x[1::2])[:, 1] > 0.5).tolist() == (y[1::2] == 1).tolist()



def test_calibration_takes_held_out_signals_in_place_of_the_current_encoders(
        index, fake_encoder, tmp_path):
    """`calibrate --home-signals`: a question the shipped encoder was tuned on is fitted
    with the signals of an encoder that never saw it; the others keep their own."""
    import json
    from assistant import Assistant
    from assistant.calibrate import abstention_features, cases_for
    path = tmp_path / "questions.jsonl"
    rows = [{"id": "q1", "question": "What triggers cramps?", "expect": "answer",
             "phrases": ["frequent trigger"], "fold": 0},
            {"id": "q2", "question": "Does B12 cure baldness?", "expect": "not_found", "fold": 1},
            {"id": "q3", "question": "I can't breathe", "expect": "emergency", "fold": 2}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assistant = Assistant(index, fake_encoder, thresholds=fake_thresholds())
    cases = cases_for(assistant, path, "home")
    assert [(c.row["id"], c.fold) for c in cases] == [("q1", 0), ("q2", 1)]  # no emergency
    given = {name: float(i) for i, name in enumerate(FEATURES)}
    x = abstention_features(cases, Weights(), {"q1": given})
    assert x[0].tolist() == [given[name] for name in FEATURES]
    own = signals(index, cases[1].query, cases[1].run(Weights())[0])
    assert x[1].tolist() == [own[name] for name in FEATURES]
    # Only home questions: another set's question with the same id keeps its own.
    other = cases_for(assistant, path, "questions")
    mine = signals(index, other[0].query, other[0].run(Weights())[0])
    assert abstention_features(other, Weights(), {"q1": given})[0].tolist() == \
        [mine[name] for name in FEATURES]
    # A signal the held-out file predates comes from the current encoder.
    older = {name: value for name, value in given.items() if name != "topic_missing"}
    mixed = abstention_features(cases, Weights(), {"q1": older})[0]
    current = signals(index, cases[0].query, cases[0].run(Weights())[0])
    assert mixed.tolist() == [older.get(name, current[name]) for name in FEATURES]


def test_topic_words_the_best_documents_never_uses_are_a_signal(tmp_path, fake_encoder):
    """"What causes ulcerative colitis?" answered from the nearest page, on celiac disease:
    the question's topic words are nowhere in that document."""
    from assistant.abstain import topic_missing
    (tmp_path / "celiac.txt").write_text(
        "Celiac disease\n\nCeliac disease damages the small intestine. Its causes are an "
        "immune reaction to gluten.\n")
    (tmp_path / "cramps.txt").write_text(
        "Muscle cramps\n\nA muscle cramp is a sudden tightening. Dehydration causes many.\n")
    index = SearchIndex.build(load_corpus(tmp_path)[0], fake_encoder)
    assert topic_missing(index, "What causes ulcerative colitis?", "celiac.txt")
    assert not topic_missing(index, "What causes celiac disease?", "celiac.txt")
    assert topic_missing(index, "What causes celiac disease?", "cramps.txt")
    # Only aspects ("causes", "symptoms") and no topic: nothing to miss.
    assert not topic_missing(index, "What are the causes and symptoms?", "cramps.txt")
    question = "What causes ulcerative colitis?"
    found = retrieve(index, fake_encoder.encode([question])[0], question)
    assert signals(index, question, found)["topic_missing"] == 1.0


def test_corpus_size_grows_with_the_number_of_units(fixture_dir, fake_encoder, tmp_path):
    import math
    from assistant.abstain import corpus_size
    from tests_support_texts import UNRELATED
    documents, _ = load_corpus(fixture_dir)
    small = SearchIndex.build(documents, fake_encoder)
    (tmp_path / "gardening.txt").write_text(UNRELATED)
    large = SearchIndex.build(documents + load_corpus(tmp_path)[0], fake_encoder)
    assert corpus_size(small) == pytest.approx(math.sqrt(2 * math.log(len(small.units))))
    assert corpus_size(large) > corpus_size(small)
    question = "What foods have vitamin B12?"
    found = retrieve(large, fake_encoder.encode([question])[0], question)
    assert signals(large, question, found)["corpus_size"] == corpus_size(large)


def test_topic_terms_leave_out_what_any_question_asks():
    from assistant.vocabulary import common_question_terms, topic_terms
    assert {"symptom", "treatment", "caus", "risk"} <= common_question_terms()
    assert topic_terms("What causes Ulcerative Colitis?") == {"ulcer", "coliti"}
    assert topic_terms("What are the symptoms and treatments?") == set()
    # A word consumer health never uses (a typo, slang) names no topic.
    assert topic_terms("sublingul lol") == set()
