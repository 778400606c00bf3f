"""quotechat eval's scoring, with a scripted assistant: the home format and the MedQuAD
format, with the metrics of shared/eval/score.py worked out by hand."""
from __future__ import annotations

import json

import pytest

from assistant.answer import Answer, Quote
from assistant.evaluation import (EvalFileError, evaluate_home, evaluate_medquad,
                                  read_questions)

TEXT = "Cramps at night are common. Potassium can drop after injections."


def _answer(status: str, *spans: tuple[str, int, int], ranked=()) -> Answer:
    quotes = tuple(Quote(TEXT[start:end], doc, "T", "", start, end, 0.5)
                   for doc, start, end in spans)
    return Answer("q", status, quotes, "disclaimer", details={"ranked_docs": list(ranked)})


def _scripted(answers: dict[str, Answer]):
    return lambda question, history=(): answers[question]


def test_home_metrics(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT)
    rows = [
        {"question": "night?", "expect": "answer", "phrases": ["cramps at night"]},
        {"question": "potassium?", "expect": "answer", "phrases": ["potassium"]},
        {"question": "missed?", "expect": "answer", "phrases": ["nowhere"]},
        {"question": "bread?", "expect": "not_found"},
        {"question": "chest pain", "expect": "emergency"},
    ]
    answers = {
        "night?": _answer("answered", ("a.txt", 0, 27)),  # hit@1
        "potassium?": _answer("answered", ("a.txt", 0, 27), ("a.txt", 28, 65)),  # hit@3
        "missed?": _answer("not_found"),  # a wrong abstention
        "bread?": _answer("answered", ("a.txt", 0, 27)),  # wrongly answered
        "chest pain": _answer("emergency"),
    }
    report = evaluate_home(rows, _scripted(answers), tmp_path)
    assert report.metrics == pytest.approx({
        "hit@1": 1 / 3, "hit@3": 2 / 3, "not_found": 0.0, "wrong_abstain": 1 / 3,
        "emergency": 1.0, "fidelity": 1.0})


def test_a_quote_that_differs_from_the_file_lowers_fidelity(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT)
    forged = Answer("q", "answered", (Quote("Cramps are rare.", "a.txt", "T", "", 0, 16, 0.5),),
                    "disclaimer")
    report = evaluate_home([{"question": "x", "expect": "answer", "phrases": ["cramps"]}],
                           lambda q, history=(): forged, tmp_path)
    assert report.metrics["fidelity"] == 0.0


def test_a_set_without_answerable_questions_scores_them_as_not_applicable(tmp_path):
    report = evaluate_home([{"question": "bread?", "expect": "not_found"}],
                           lambda q, history=(): _answer("not_found"), tmp_path)
    assert report.metrics["not_found"] == 1.0
    assert "hit@1=n/a" in report.score_line() and "wrong_abstain=n/a" in report.score_line()


def test_medquad_metrics_rank_quoted_documents_then_the_retrievers():
    rows = [
        {"id": "1", "question": "a", "expect": "answer", "doc_id": "A"},
        {"id": "2", "question": "b", "expect": "answer", "doc_id": "B",
         "relevant_doc_ids": ["B", "B2"], "kind": "synonym_variant"},
        {"id": "3", "question": "c", "expect": "answer", "doc_id": "C"},
        {"id": "4", "question": "d", "expect": "abstain", "doc_id": None, "kind": "null"},
        {"id": "5", "question": "e", "expect": "abstain", "doc_id": None, "kind": "null"},
    ]
    answers = {
        "a": _answer("answered", ("A.txt", 0, 5), ranked=["A.txt", "X.txt"]),  # rank 1
        # quoted X then ranked X (repeat), Y, B2: B2 is rank 3
        "b": _answer("answered", ("X.txt", 0, 5), ranked=["X.txt", "Y.txt", "docs/B2.txt"]),
        "c": _answer("not_found", ranked=["C.txt"]),  # abstained: a miss
        "d": _answer("not_found"),  # rightly abstained
        "e": _answer("answered", ("A.txt", 0, 5)),  # wrongly answered
    }
    report = evaluate_medquad(rows, _scripted(answers), by_kind=True)
    assert report.metrics == pytest.approx({"R@1": 1 / 3, "R@5": 2 / 3,
                                            "MRR": (1 + 1 / 3) / 3,
                                            "abstain_P": 1 / 2, "abstain_R": 1 / 2})
    assert {p["id"]: p["abstained"] for p in report.predictions} == \
        {"1": False, "2": False, "3": True, "4": True, "5": False}
    assert any(line.startswith("kind null") and "abstain_R=0.50" in line
               for line in report.summary)


@pytest.mark.parametrize("content, message", [
    ("", "has no questions"),
    ("not json\n", "line 1: not JSON"),
    (json.dumps({"question": "q"}) + "\n", "needs 'question' and 'expect'"),
])
def test_unreadable_question_files_say_which_line(tmp_path, content, message):
    path = tmp_path / "q.jsonl"
    path.write_text(content)
    with pytest.raises(EvalFileError, match=message):
        read_questions(path)


def test_follow_ups_are_asked_with_their_history(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT)
    seen = []

    def ask(question, history=()):
        seen.append((question, history))
        return Answer(question=question, status="not_found", quotes=(), disclaimer="d")
    rows = [{"question": "and at night?", "expect": "not_found",
             "history": [["do cramps hurt?", "They can."]]}]
    evaluate_home(rows, ask, tmp_path)
    assert seen == [("and at night?", [["do cramps hurt?", "They can."]])]
