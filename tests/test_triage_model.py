"""The triage model: an emergency the rules miss is caught from the message's meaning,
only with the encoder the model was fitted for; the rules apply whatever the model says."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.triage import triage
from assistant.triage_model import NONE, TriageModel, for_encoder, load, negated_words
from conftest import fake_thresholds
from corpus import load_corpus
from index import SearchIndex

MISSED_BY_RULES = "my grandad went grey and keeps rubbing his shoulder blade"


@pytest.fixture
def index(fixture_dir, fake_encoder):
    documents, _ = load_corpus(fixture_dir)
    return SearchIndex.build(documents, fake_encoder)


def model_for(encoder, message: str, cut_off: float = 0.85) -> TriageModel:
    """A two-class model that calls `message` (and texts like it) a heart emergency."""
    direction = encoder.encode([message])[0].astype(np.float64)
    weights = np.vstack([np.zeros_like(direction), 20.0 * direction])
    return TriageModel(encoder=encoder.weights_hash, classes=(NONE, "heart"),
                       weights=weights, bias=np.array([0.0, -10.0]), cut_off=cut_off)


def test_the_model_names_a_category_only_when_sure(fake_encoder):
    model = model_for(fake_encoder, MISSED_BY_RULES)
    assert model.category(fake_encoder.encode([MISSED_BY_RULES])[0], MISSED_BY_RULES) == "heart"
    assert model.category(fake_encoder.encode(["good food sources of vitamin b12"])[0],
                          "good food sources of vitamin b12") is None
    unsure = model_for(fake_encoder, MISSED_BY_RULES, cut_off=0.99999)
    assert unsure.category(fake_encoder.encode([MISSED_BY_RULES])[0], MISSED_BY_RULES) is None


def test_the_assistant_calls_an_emergency_the_rules_miss(index, fake_encoder):
    assert not triage(MISSED_BY_RULES).emergency
    assistant = Assistant(index, fake_encoder, thresholds=fake_thresholds(),
                          triage_model=model_for(fake_encoder, MISSED_BY_RULES))
    answer = assistant.ask(MISSED_BY_RULES)
    assert answer.status == "emergency" and not answer.quotes
    assert answer.details["emergency"] == "heart"
    assert answer.details["emergency_found_by"] == "model"
    ruled = assistant.ask("I think I'm having a heart attack")
    assert ruled.status == "emergency" and ruled.details["emergency_found_by"] == "rules"
    assert assistant.ask("What are good food sources of vitamin B12?").status != "emergency"


def test_a_follow_up_is_judged_on_its_own_words(index, fake_encoder):
    """The searched text of a follow-up carries the earlier question; the message alone
    is what the model judges."""
    assistant = Assistant(index, fake_encoder, thresholds=fake_thresholds(),
                          triage_model=model_for(fake_encoder, MISSED_BY_RULES))
    answer = assistant.ask(MISSED_BY_RULES, ["What are good food sources of vitamin B12?"])
    assert answer.status == "emergency"


def test_a_model_for_another_encoder_stands_down(index, fake_encoder):
    other = model_for(fake_encoder, MISSED_BY_RULES)
    other = TriageModel("another-encoder", other.classes, other.weights, other.bias, other.cut_off)
    assert for_encoder(other, fake_encoder.weights_hash) is None
    assistant = Assistant(index, fake_encoder, thresholds=fake_thresholds(), triage_model=other)
    assert assistant.ask(MISSED_BY_RULES).status != "emergency"
    assert assistant.ask("I think I'm having a heart attack").status == "emergency"


def test_a_written_model_reads_back_the_same(fake_encoder, tmp_path):
    model = model_for(fake_encoder, MISSED_BY_RULES)
    path = tmp_path / "triage_model.json"
    path.write_text(model.to_json(data=["x"]), encoding="utf-8")
    again = load(path)
    vector = fake_encoder.encode([MISSED_BY_RULES])[0]
    assert again.encoder == model.encoder and again.classes == model.classes
    assert again.probabilities(vector) == pytest.approx(model.probabilities(vector), abs=1e-4)
    assert load(tmp_path / "missing.json") is None
    worded = replace(model, words={"no chest": np.array([3.0, -3.0])}, word_scale=0.5)
    path.write_text(worded.to_json(), encoding="utf-8")
    message = "no chest pain, my grandad is just tired"
    assert load(path).probabilities(vector, message) == pytest.approx(
        worded.probabilities(vector, message), abs=1e-4)


def test_the_words_of_a_message_move_its_vector_s_verdict(fake_encoder):
    """A vector reads "no chest pain" much as "chest pain"; the model's word weights
    (a word pair here) tell them apart, and only words the message has count."""
    model = model_for(fake_encoder, MISSED_BY_RULES)
    vector = fake_encoder.encode([MISSED_BY_RULES])[0]
    worded = replace(model, words={"no chest": np.array([40.0, -40.0])}, word_scale=0.5)
    assert worded.category(vector, MISSED_BY_RULES) == "heart"
    assert worded.category(vector, "No chest pain: " + MISSED_BY_RULES) is None
    assert model.category(vector, "No chest pain: " + MISSED_BY_RULES) == "heart"


def test_the_words_a_negation_governs_are_marked_within_its_clause():
    assert negated_words("no chest pain, my left arm is numb") == {"not:chest", "not:pain"}
    assert negated_words("I haven't fainted or collapsed today at all") == {
        "not:fainted", "not:or", "not:collapsed"}
    assert negated_words("my chest hurts and my arm is numb") == set()


def test_a_negated_word_s_weight_moves_the_verdict(fake_encoder):
    """"no pressure, no arm pain" holds the words "pressure" and "arm pain"; a weight on
    the negated word tells it from a message that has them."""
    model = model_for(fake_encoder, MISSED_BY_RULES)
    vector = fake_encoder.encode([MISSED_BY_RULES])[0]
    worded = replace(model, words={"not:pressure": np.array([40.0, -40.0])}, word_scale=0.5)
    assert worded.category(vector, MISSED_BY_RULES + ", pressure in the chest") == "heart"
    assert worded.category(vector, MISSED_BY_RULES + ", no pressure") is None


def test_a_question_about_a_topic_naming_no_one_is_not_an_emergency(fake_encoder):
    """"What is (are) Heart Attack?" is a question a health library answers; a message
    that names someone, or hints at self-harm, is judged by the model."""
    topic = "What is (are) Heart Attack?"
    model = model_for(fake_encoder, topic)
    assert model.category(fake_encoder.encode([topic])[0], topic) is None
    about_dad = "What is happening to my dad, heart attack?"
    assert model.category(fake_encoder.encode([topic])[0], about_dad) == "heart"
    harm = TriageModel(model.encoder, (NONE, "self_harm"), model.weights, model.bias, 0.85)
    assert harm.category(fake_encoder.encode([topic])[0], topic) == "self_harm"


def test_the_rules_stand_unless_the_model_rules_an_emergency_out(fake_encoder):
    """Rules fire on words ("not suicidal", "no trouble breathing"); a model sure there is
    no emergency overrules them, self-harm only when it is all but sure."""
    calm = "good food sources of vitamin b12"
    model = replace(model_for(fake_encoder, MISSED_BY_RULES), veto=0.2, veto_self_harm=0.0)
    vector = fake_encoder.encode([calm])[0]
    assert 1.0 - model.probabilities(vector, calm)[NONE] < 0.2
    assert model.judge(vector, calm, "breathing") == (None, None)
    assert model.judge(vector, calm, "self_harm") == ("self_harm", "rules")
    assert replace(model, veto_self_harm=0.2).judge(vector, calm, "self_harm") == (None, None)
    assert replace(model, veto=0.0).judge(vector, calm, "breathing") == ("breathing", "rules")
    sure = fake_encoder.encode([MISSED_BY_RULES])[0]
    assert model.judge(sure, MISSED_BY_RULES, "breathing") == ("breathing", "rules")
    assert model.judge(sure, MISSED_BY_RULES, None) == ("heart", "model")
