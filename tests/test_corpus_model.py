"""The corpus's own answerability model: used only for the units and encoder it was
fitted on, and then it decides; anything else falls back to the general model."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant.abstain import FEATURES, Thresholds, decide, signals
from assistant.assistant import Assistant
from assistant.corpus_model import CorpusModel, CorpusModels, fingerprint, load
from assistant.retrieval import retrieve
from conftest import fake_thresholds
from corpus import load_corpus
from index import ChunkSettings, SearchIndex


@pytest.fixture
def index(fixture_dir, fake_encoder):
    documents, _ = load_corpus(fixture_dir)
    return SearchIndex.build(documents, fake_encoder)


@pytest.fixture
def grown(fixture_dir, tmp_path, fake_encoder):
    """The fixture corpus with one unrelated document added."""
    folder = tmp_path / "grown"
    shutil.copytree(fixture_dir, folder)
    (folder / "magnesium.txt").write_text("Magnesium\n\nMagnesium helps some cramps.\n")
    documents, _ = load_corpus(folder)
    return SearchIndex.build(documents, fake_encoder)


def constant_model(index, encoder, bias: float) -> CorpusModel:
    """A model whose answer is its bias alone: p = sigmoid(bias)."""
    width = len(FEATURES) + encoder.dimension
    return CorpusModel(fingerprint(index, encoder.weights_hash), np.zeros(width),
                       np.ones(width), np.zeros(width), bias, 0.5)


def test_the_fingerprint_follows_the_units_text_and_the_encoder(index, grown, fixture_dir,
                                                                fake_encoder):
    documents, _ = load_corpus(fixture_dir)
    same = SearchIndex.build(documents, fake_encoder)
    assert fingerprint(same, "w") == fingerprint(index, "w")
    assert fingerprint(index, "other weights") != fingerprint(index, "w")
    assert fingerprint(grown, "w") != fingerprint(index, "w")
    small_passages = SearchIndex.build(documents, fake_encoder,
                                       settings=ChunkSettings(max_tokens=40, overlap=0))
    assert fingerprint(small_passages, "w") != fingerprint(index, "w")


def test_the_model_applies_only_to_the_index_and_encoder_it_was_fitted_on(index, grown,
                                                                        fake_encoder):
    model = constant_model(index, fake_encoder, 0.0)
    assert CorpusModels(model, fake_encoder.weights_hash).for_index(index) is model
    assert CorpusModels(model, "another model").for_index(index) is None
    assert CorpusModels(model, fake_encoder.weights_hash).for_index(grown) is None
    assert CorpusModels(None, fake_encoder.weights_hash).for_index(index) is None


@pytest.mark.parametrize("bias, answers", [(-30.0, False), (30.0, True)])
def test_a_fitting_corpus_model_decides(index, fake_encoder, bias, answers):
    question = "muscle cramps at night"
    vector = fake_encoder.encode([question])[0]
    retrieval = retrieve(index, vector, question)
    # The general model would answer the opposite way.
    general = Thresholds(weights=(0.0,) * len(FEATURES), bias=-bias)
    decision = decide(index, question, retrieval, thresholds=general,
                      corpus_model=constant_model(index, fake_encoder, bias), vector=vector)
    assert (decision.answer, decision.model) == (answers, "corpus")
    assert decide(index, question, retrieval, thresholds=general).model == "general"


def test_the_assistant_uses_the_corpus_model_until_the_index_changes(index, grown,
                                                                   fake_encoder):
    refusing = constant_model(index, fake_encoder, -30.0)
    assistant = Assistant(index, fake_encoder, thresholds=fake_thresholds(),
                          corpus_model=refusing)
    answer = assistant.ask("Which foods contain vitamin B12?")
    assert (answer.status, answer.details["abstention_model"]) == ("not_found", "corpus")
    assistant.use_index(grown)
    answer = assistant.ask("Which foods contain vitamin B12?")
    assert (answer.status, answer.details["abstention_model"]) == ("answered", "general")


def test_a_written_model_reads_back_the_same(index, fake_encoder, tmp_path):
    model = constant_model(index, fake_encoder, 1.5)
    path = tmp_path / "corpus_model.json"
    path.write_text(model.to_json(C=0.01), encoding="utf-8")
    again = load(path)
    assert again.fingerprint == model.fingerprint and again.bias == 1.5
    values = {name: 0.3 for name in FEATURES}
    vector = np.full(fake_encoder.dimension, 0.1)
    assert again.probability(values, vector) == pytest.approx(model.probability(values, vector))
    assert load(tmp_path / "missing.json") is None


def test_a_near_constant_input_keeps_its_spread_when_written(index, fake_encoder, tmp_path):
    model = constant_model(index, fake_encoder, 0.0)
    model.mean[-1], model.scale[-1], model.weights[-1] = 1e-6, 4e-7, 0.04
    path = tmp_path / "corpus_model.json"
    path.write_text(model.to_json(), encoding="utf-8")
    values = {name: 0.3 for name in FEATURES}
    vector = np.full(fake_encoder.dimension, 1.2e-6)
    assert load(path).probability(values, vector) == pytest.approx(
        model.probability(values, vector))


def test_a_model_fitted_for_other_signals_is_not_used(index, fake_encoder, tmp_path):
    path = tmp_path / "corpus_model.json"
    path.write_text(constant_model(index, fake_encoder, 0.0).to_json()
                    .replace('"unit_dense"', '"some_old_signal"'), encoding="utf-8")
    assert load(path) is None


def test_a_follow_up_is_judged_on_its_searched_text_and_its_own_words(index, fake_encoder):
    """The corpus model's verdict on a follow-up is the mean of its verdicts on the joined
    text's vector and on the message's own; the assistant gives it the message's own."""
    joined, own = "vitamin b12 supplements forms and which brand is best", "which brand is best"
    v_joined, v_own = fake_encoder.encode([joined, own])
    width = len(FEATURES) + fake_encoder.dimension
    # A model that answers what looks like the joined text and refuses the message alone.
    weights = np.concatenate([np.zeros(len(FEATURES)), 40.0 * (v_joined - v_own)])
    model = CorpusModel(fingerprint(index, fake_encoder.weights_hash), np.zeros(width),
                        np.ones(width), weights, 0.0, 0.5)
    retrieval = retrieve(index, v_joined, joined)
    alone = decide(index, joined, retrieval, corpus_model=model, vector=v_joined)
    both = decide(index, joined, retrieval, corpus_model=model, vector=v_joined,
                  own_vector=v_own)
    values = signals(index, joined, retrieval)
    assert both.signals["p_answer"] == pytest.approx(
        (model.probability(values, v_joined) + model.probability(values, v_own)) / 2, abs=1e-4)
    assert alone.answer and alone.signals["p_answer"] > both.signals["p_answer"]

    assistant = Assistant(index, fake_encoder, thresholds=fake_thresholds(), corpus_model=model)
    history = [("What forms do vitamin B12 supplements come in?", "")]
    message = "and which brand is best?"
    asked = assistant.ask(message, history)
    query = asked.details["search_text"]
    assert query != message
    v_query, v_message = fake_encoder.encode([query, message])
    expected = decide(index, query, retrieve(index, v_query, query), corpus_model=model,
                      vector=v_query, own_vector=v_message)
    assert asked.details["signals"]["p_answer"] == pytest.approx(
        expected.signals["p_answer"], abs=1e-4)


def test_a_corpus_model_fitted_with_memory_features_decides_only_with_them(index,
                                                                           fake_encoder):
    from assistant.question_memory import FEATURES as MEMORY_FEATURES
    width = len(FEATURES) + len(MEMORY_FEATURES) + fake_encoder.dimension
    model = CorpusModel(fingerprint(index, fake_encoder.weights_hash), np.zeros(width),
                        np.ones(width), np.zeros(width), 30.0, 0.5,
                        FEATURES + MEMORY_FEATURES)
    assert model.uses_memory and not constant_model(index, fake_encoder, 0.0).uses_memory
    question = "muscle cramps at night"
    vector = fake_encoder.encode([question])[0]
    retrieval = retrieve(index, vector, question)
    general = Thresholds(weights=(0.0,) * len(FEATURES), bias=-30.0)
    assert decide(index, question, retrieval, thresholds=general, corpus_model=model,
                  vector=vector).model == "general"  # no memory: its features are missing
    remembered = [dict.fromkeys(MEMORY_FEATURES, 0.25)]
    decision = decide(index, question, retrieval, thresholds=general, corpus_model=model,
                      vector=vector, remembered=remembered)
    assert (decision.answer, decision.model) == (True, "corpus")
    assert decision.signals["memory_answerable_10"] == 0.25
