"""Triage against a labelled file: every emergency caught, few false alarms."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.triage import CATEGORIES, triage

EXAMPLES = [json.loads(line) for line in
            (Path(__file__).parent / "triage_examples.jsonl").read_text().splitlines()
            if line.strip()]
POSITIVES = [e for e in EXAMPLES if e["label"] != "none"]
NEGATIVES = [e for e in EXAMPLES if e["label"] == "none"]


def test_the_labelled_file_covers_every_category_and_enough_negatives():
    assert {e["label"] for e in POSITIVES} == set(CATEGORIES)
    assert len(EXAMPLES) >= 80 and len(NEGATIVES) >= 40


@pytest.mark.parametrize("example", POSITIVES, ids=lambda e: e["message"][:40])
def test_every_emergency_is_caught(example):
    assert triage(example["message"]).emergency


def test_false_alarms_on_negatives_stay_under_five_percent():
    alarms = [e["message"] for e in NEGATIVES if triage(e["message"]).emergency]
    assert len(alarms) / len(NEGATIVES) <= 0.05, alarms


def test_categories_are_right_for_most_emergencies():
    right = sum(triage(e["message"]).category == e["label"] for e in POSITIVES)
    assert right / len(POSITIVES) >= 0.9


def test_curly_apostrophes_and_spacing_do_not_hide_an_emergency():
    assert triage("I   can’t   breathe").emergency
