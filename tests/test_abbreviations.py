"""Abbreviations the documents define, and questions that use them."""
from __future__ import annotations

import pytest

from corpus.abbreviations import defined_abbreviations, merge_definitions, spell_out


@pytest.mark.parametrize("text, expected", [
    ("Normal pressure hydrocephalus (NPH) is a brain disorder.",
     {"nph": "Normal pressure hydrocephalus"}),
    ("It is also called chronic obstructive pulmonary disease (COPD) by doctors.",
     {"copd": "chronic obstructive pulmonary disease"}),
    ("People with Parkinson's disease (PD) and transient ischemic attacks (TIAs).",
     {"pd": "Parkinson's disease", "tias": "transient ischemic attacks"}),
])
def test_definitions_are_found(text, expected):
    assert defined_abbreviations(text) == expected


@pytest.mark.parametrize("text", [
    "Take it with food (see above).",  # no capitals
    "The level was high (B12).",  # one capital, and no words that spell it
    "Results came back quickly (MRI).",  # the words before do not spell MRI
])
def test_parentheses_that_define_nothing_are_ignored(text):
    assert defined_abbreviations(text) == {}


def test_an_abbreviation_defined_two_ways_is_left_out():
    merged = merge_definitions([{"pd": "Parkinson's disease", "nph": "Normal pressure"},
                                {"pd": "peritoneal dialysis", "nph": "normal pressure"}])
    assert merged == {"nph": "Normal pressure"}


def test_a_question_gets_the_long_form_once():
    table = {"nph": "normal pressure hydrocephalus"}
    assert spell_out("Support groups for nph?", table) == \
        "Support groups for nph? (normal pressure hydrocephalus)"
    already = "Is normal pressure hydrocephalus (NPH) treatable?"
    assert spell_out(already, table) == already
    assert spell_out("Is it treatable?", table) == "Is it treatable?"


def test_the_assistant_searches_with_the_long_form(tmp_path, fake_encoder):
    from assistant import Assistant
    from corpus import load_corpus
    from index import SearchIndex
    (tmp_path / "nph.txt").write_text(
        "NPH\nNormal pressure hydrocephalus (NPH) is a build-up of fluid in the brain.\n")
    documents, _ = load_corpus(tmp_path)
    assistant = Assistant(SearchIndex.build(documents, fake_encoder), fake_encoder)
    answer = assistant.ask("what is nph")
    assert answer.details["search_text"] == "what is nph (Normal pressure hydrocephalus)"
