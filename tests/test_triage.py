"""Triage against labelled files: every emergency caught in the right category, no
labelled non-emergency fires, and few false alarms on the home dev questions.

* tests/triage_examples.jsonl: the labelled set the rules were written against.
* tests/triage_check.jsonl: a check set of new wordings, written before the rules were
  tuned (see the module docstring of assistant/triage.py).
* tests/triage_fresh.jsonl: 26 emergencies and 24 alarming non-emergencies written
  later still, and scored once before any rule changed (24/26 caught, 1 false alarm);
  the two misses were then fixed by broader structures, so it is no longer held out.
  Held to the issue's bar as a whole: every emergency, at most 5% false alarms.
* tests/triage_blind.jsonl: 90 emergencies and 90 alarming non-emergencies written blind
  to the rules (stop 19). Scored before any change: 63/90 caught, 7 false alarms; the
  rules were then broadened and it is held to the same bar as the fresh set.
* tests/triage_blind_2.jsonl: a second blind set, 100 / 100, which the rules caught
  0.60 of before and 0.64 of after those changes: wordings keep outrunning rules, so a
  learned model judges with them (assistant/triage_model.py, tests/test_triage_model.py
  and the integration test hold rules and model together to every labelled file).
* tests/triage_blind_3.jsonl … triage_blind_30.jsonl: twenty-eight more blind sets, each
  scored once by the release of its time (rules + model: 0.88, 0.96, 0.99, 0.97, 0.98,
  0.98, 0.96, 0.98, 0.98, 0.98, 0.99, 0.99, 0.97, 0.97, 0.96, 0.96, 0.95, 0.96, 0.98,
  0.98, 1.00, 0.96, 0.96, 0.99, 0.99, 0.98, 0.97 and 0.99 caught), then fitted on. Their
  non-emergencies showed the rules firing on words ("not suicidal", "no trouble
  breathing"): the model may now overrule them (assistant/triage_model.py), so the rules
  alone are not held to them here.
* assistant/dev_questions/home_dev*.jsonl (eighty-two sets): emergencies all caught and
  their `answer` / `not_found` questions (almost) never fire.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.triage import CATEGORIES, triage

HERE = Path(__file__).parent


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


EXAMPLES = _load(HERE / "triage_examples.jsonl")
CHECK = _load(HERE / "triage_check.jsonl")
FRESH = _load(HERE / "triage_fresh.jsonl")
BLIND = _load(HERE / "triage_blind.jsonl")
LABELLED = [pytest.param(e, id=f"{name}:{e['message'][:40]}")
            for name, rows in (("examples", EXAMPLES), ("check", CHECK)) for e in rows]
DEV = [q for path in sorted((HERE.parent / "assistant" / "dev_questions").glob("home_dev*.jsonl"))
       for q in _load(path)]
DEV_EMERGENCIES = [q for q in DEV if q["expect"] == "emergency"]
DEV_OTHERS = [q for q in DEV if q["expect"] != "emergency"]


@pytest.mark.parametrize("rows", [EXAMPLES, CHECK], ids=["examples", "check"])
def test_each_labelled_file_covers_every_category_and_enough_negatives(rows):
    positives = [e for e in rows if e["label"] != "none"]
    negatives = [e for e in rows if e["label"] == "none"]
    assert {e["label"] for e in positives} == set(CATEGORIES)
    assert {e["label"] for e in rows} <= set(CATEGORIES) | {"none"}
    assert len(positives) >= 35 and len(negatives) >= 25


def test_labelled_files_do_not_overlap():
    files = [{e["message"] for e in _load(path)} for path in sorted(HERE.glob("triage_*.jsonl"))]
    assert len(files) >= 12
    assert all(not a & b for i, a in enumerate(files) for b in files[i + 1:])


@pytest.mark.parametrize("rows", [FRESH, BLIND], ids=["fresh", "blind"])
def test_later_sets_catch_every_emergency_with_few_false_alarms(rows):
    wrong = [e["message"] for e in rows if e["label"] != "none"
             and triage(e["message"]).category != e["label"]]
    negatives = [e for e in rows if e["label"] == "none"]
    alarms = [e["message"] for e in negatives if triage(e["message"]).emergency]
    assert len(negatives) >= 20 and not wrong, wrong
    assert len(alarms) / len(negatives) <= 0.05, alarms


@pytest.mark.parametrize("example", LABELLED)
def test_every_labelled_example(example):
    category = triage(example["message"]).category
    expected = None if example["label"] == "none" else example["label"]
    assert category == expected, example["message"]


def test_home_dev_emergencies_are_all_caught():
    missed = [q["question"] for q in DEV_EMERGENCIES if not triage(q["question"]).emergency]
    assert len(DEV_EMERGENCIES) >= 10 and not missed, missed


def test_home_dev_non_emergencies_rarely_fire():
    alarms = [q["question"] for q in DEV_OTHERS if triage(q["question"]).emergency]
    assert len(DEV_OTHERS) >= 200 and len(alarms) / len(DEV_OTHERS) <= 0.05, alarms


def test_curly_apostrophes_and_spacing_do_not_hide_an_emergency():
    assert triage("I   can’t   breathe").emergency
    assert triage("i don’t want to be here anymore").category == "self_harm"


@pytest.mark.parametrize("message", [
    "my calves are killing me after the run",
    "my legs have felt odd for weeks, sort of prickly",
    "I'm dying to know if b12 helps",
    "took an extra b12 tablet by mistake is that bad",
    "can you overdose on b12",
    "I nearly fainted at the sight of the needle",
    "What is (are) Heart Attack?",  # a health library's questions about a topic
    "Who is at risk for Sudden Cardiac Arrest?",
    "What are the treatments for Choking?",
    "my husband just moans about his back all day, could it be b12?",  # complains
    "i cant keep her calm when she gets her b12 jab",
    "I took my 10 o'clock pills with all my other meds, is b12 ok with them?",  # a time
])
def test_figures_of_speech_and_topic_questions_do_not_fire(message):
    assert not triage(message).emergency


@pytest.mark.parametrize("message", ["my brother OD'd on his pills", "she ODed last night",
                                     "I think he O.D. on something"])
def test_overdose_abbreviations_are_overdoses(message):
    assert triage(message).category == "overdose"


@pytest.mark.parametrize("message, emergency", [
    ("My mum overdosed years ago and survived, she's well now. Is B12 safe with sertraline?", False),
    ("I used to self harm as a teen, I'm doing well now. Will scars matter for the jab?", False),
    ("My dad had a heart attack last month and is home recovering now. Can he take B12?", False),
    ("I self-harmed years ago and the urges are back tonight", True),
    ("He had a stent put in 3 years ago and now he keeps clutching his chest", True),
    ("I had a seizure last year and I'm having one again right now", True),
])
def test_an_event_told_as_past_and_over_is_not_an_emergency(message, emergency):
    assert triage(message).emergency is emergency
