"""The path users take: the real MiniLM model, real FAISS, the real `quotechat` command."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from corpus import DEFAULT_CORPUS

pytestmark = pytest.mark.integration
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}


def quotechat(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], input=stdin,
                          capture_output=True, text=True, env=ENV, timeout=300)


@pytest.mark.parametrize("question, phrases", [
    # Two sentences answer: the potassium drop, and cramping "as a direct side effect".
    ("Why do B12 injections sometimes cause cramps?",
     ["potassium", "injections can cause leg pain, muscle weakness, or cramping"]),
    ("What is megaloblastic anemia?", ["abnormally large, immature red blood cells"]),
    ("Which foods contain vitamin B12?", ["Eggs", "Fish (tuna", "Beef, liver", "Meat ("]),
    ("Can low B12 change my mood?", ["irritability and depression"]),
])
def test_the_right_sentence_is_quoted(real_assistant, question, phrases):
    answer = real_assistant.ask(question)
    assert answer.status == "answered"
    quoted = " | ".join(q.text for q in answer.quotes[:3])
    assert any(phrase in quoted for phrase in phrases), quoted


@pytest.mark.parametrize("question", ["How do I bake sourdough bread?",
                                      "What is the stock price of Apple?"])
def test_off_corpus_questions_are_not_found(real_assistant, question):
    assert real_assistant.ask(question).status == "not_found"


def test_follow_up_uses_the_conversation(real_assistant):
    answer = real_assistant.ask("and injections?", ["How is a B12 deficiency treated?"])
    assert answer.status == "answered"
    assert any("inject" in q.text.lower() for q in answer.quotes)


def _check_contract(data: dict) -> None:
    assert data["status"] in {"answered", "not_found", "emergency", "invalid"}
    assert data["disclaimer"]
    for quote in data["quotes"]:
        text = (DEFAULT_CORPUS / quote["doc_id"]).read_bytes().decode("utf-8")
        assert text[quote["start"]:quote["end"]] == quote["text"]
    if data["status"] == "not_found":
        assert data["quotes"] == []
    if data["status"] in ("emergency", "invalid"):
        assert data["notice"]


def test_ask_json_and_batch_follow_the_contract(real_assistant, index_dir):
    single = quotechat("ask", "--json", "--index", str(index_dir),
                       "Can vitamin B12 make you ache?")
    assert single.returncode == 0, single.stderr
    data = json.loads(single.stdout)
    _check_contract(data)
    assert data["status"] == "answered" and data["quotes"][0]["doc_id"].endswith(".txt")
    lines = ["Is it possible to overdose on oral B12?",
             json.dumps({"id": "f1", "question": "and injections?",
                         "history": ["Do B12 injections hurt?"]}),
             "",
             "I think I'm having a heart attack",
             "<img src=x onerror=alert(1)> how do I bake bread?"]
    batch = quotechat("ask", "--json", "--batch", "-", "--index", str(index_dir),
                      stdin="\n".join(lines) + "\n")
    assert batch.returncode == 0, batch.stderr
    rows = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["answered", "answered", "invalid", "emergency",
                                           "not_found"]
    assert rows[1]["id"] == "f1" and rows[4]["question"].startswith("<img")
    for row in rows:
        _check_contract(row)


def test_index_updates_only_what_changed_and_reports_bad_files(tmp_path):
    corpus, index = tmp_path / "docs", tmp_path / "index"
    shutil.copytree(DEFAULT_CORPUS, corpus)
    (corpus / "broken.txt").write_bytes(b"\xff\xfe not utf-8 \xe9")
    first = quotechat("index", "--corpus", str(corpus), "--index", str(index))
    assert first.returncode == 0, first.stderr
    assert "added 3" in first.stdout and "skipped 1" in first.stdout
    assert "broken.txt" in first.stderr
    doc = next(corpus.glob("004_*.txt"))
    doc.write_text(doc.read_text() + "\nZebra stripes are unrelated to vitamins.\n")
    (corpus / "000_4f201f6bb156fd53.txt").unlink()
    second = quotechat("index", "--corpus", str(corpus), "--index", str(index))
    assert "added 0, changed 1, removed 1, unchanged 1" in second.stdout, second.stdout
    answer = quotechat("ask", "--json", "--corpus", str(corpus), "--index", str(index),
                       "Are zebra stripes related to vitamins?")
    assert "Zebra stripes" in json.loads(answer.stdout)["quotes"][0]["text"]


def test_a_corrupt_index_gives_a_clear_error_not_a_traceback(tmp_path, index_dir):
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    version = (copy / "CURRENT").read_text().strip()
    (copy / version / "units.faiss").write_bytes(b"garbage")
    result = quotechat("ask", "--index", str(copy), "What is B12?")
    assert result.returncode == 2
    assert "damaged" in result.stderr and "quotechat index --rebuild" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_usage_errors_are_one_clear_line():
    result = quotechat("ask", "--corpus", "/nonexistent/folder", "hello")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "does not exist" in result.stderr


def test_a_stale_index_is_reported_but_still_answers(tmp_path, real_assistant, caplog):
    from assistant.service import warn_if_stale
    corpus = tmp_path / "docs"
    shutil.copytree(DEFAULT_CORPUS, corpus)
    (corpus / "new.md").write_text("# New\n\nA new document.\n")
    (corpus / "junk.txt").write_bytes(b"\xff\xfe")
    index = real_assistant.index
    assert warn_if_stale(Settings(corpus_dir=corpus), index) == ["new.md"]
    assert "quotechat index" in caplog.text


class RecordingEncoder:
    """The real model, remembering every text it was asked to embed."""

    def __init__(self, encoder) -> None:
        self.inner, self.texts = encoder, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode(self, texts, **kwargs):
        self.texts.extend(texts)
        return self.inner.encode(texts, **kwargs)


def test_nothing_embedded_is_longer_than_the_model_reads(tmp_path, real_assistant):
    from corpus import load_corpus
    from index import SearchIndex
    items = "".join(f"- Item {i}: cyanocobalamin, methylcobalamin and hydroxocobalamin "
                    "injections given intramuscularly, with adenosylcobalamin tablets taken "
                    f"sublingually by people with pernicious anaemia, every {i} weeks\n"
                    for i in range(8))
    (tmp_path / "long.md").write_text("# Forms\n\nThe forms of the vitamin are:\n\n" + items)
    shutil.copy(next(DEFAULT_CORPUS.glob("004_*.txt")), tmp_path)
    encoder = RecordingEncoder(real_assistant.encoder)
    SearchIndex.build(load_corpus(tmp_path)[0], encoder)
    counts = encoder.inner.token_counts(encoder.texts)
    assert max(counts) == encoder.max_tokens  # the list lead-in was cut, not dropped
    assert all(n <= encoder.max_tokens for n in counts)


UNRELATED_POOL = Path(__file__).resolve().parents[2] / "shared" / "train" / "medquad_pool.jsonl"


def test_an_unrelated_document_does_not_change_answers_about_the_others(tmp_path,
                                                                         real_assistant):
    """A 100 KB article on other topics joins the corpus: answers about the B12
    articles still open with one of the quotes they had."""
    from assistant import Assistant
    from corpus import load_corpus
    from index import SearchIndex
    assert UNRELATED_POOL.is_file(), f"{UNRELATED_POOL} is needed (shared/ beside the repo)"
    rows = [json.loads(line) for line in UNRELATED_POOL.read_text().splitlines()[:400]]
    text = "Other Health Topics\n\n" + "\n\n".join(
        f"{r['focus']}\n\n{r['answer']}" for r in rows if "B12" not in r["answer"])
    (tmp_path / "other.txt").write_text(text[:100_000])
    documents = [*real_assistant.index.documents.values(), *load_corpus(tmp_path)[0]]
    bigger = SearchIndex.build(documents, real_assistant.encoder)
    after = Assistant(bigger, real_assistant.encoder)
    for question in ("How is a B12 deficiency diagnosed?", "Can vitamin B12 cause muscle pain?",
                     "What are good food sources of vitamin B12?"):
        before_quotes = real_assistant.ask(question).quotes
        after_quotes = after.ask(question).quotes
        assert before_quotes and after_quotes
        # The new first quote was already in the reply (BM25's corpus-wide term weights
        # may reorder a reply's quotes: here two items of one list swap), never a
        # sentence from elsewhere.
        first = after_quotes[0]
        assert any(q.doc_id == first.doc_id and q.start <= first.end and first.start <= q.end
                   for q in before_quotes), question


def test_the_shipped_corpus_model_judges_the_built_in_corpus_only(tmp_path, real_assistant):
    """assistant/answer_model/corpus_model.json was fitted on this corpus and encoder: it
    answers what the articles say and refuses near misses they do not (a price, a brand,
    a duration); with one more document the general model judges instead."""
    from assistant import Assistant
    from assistant.corpus_model import load
    from corpus import load_corpus
    from index import SearchIndex
    for question, status in (("Does B12 play any part in making DNA?", "answered"),
                             ("How much does a B12 injection cost?", "not_found"),
                             ("Which brand of B12 gummies is best?", "not_found")):
        answer = real_assistant.ask(question)
        assert (answer.status, answer.details["abstention_model"]) == (status, "corpus")
    (tmp_path / "extra.txt").write_text("Magnesium\n\nMagnesium may help night cramps.\n")
    documents = [*real_assistant.index.documents.values(), *load_corpus(tmp_path)[0]]
    grown = Assistant(SearchIndex.build(documents, real_assistant.encoder),
                      real_assistant.encoder, corpus_model=load())
    assert grown.ask("Does B12 play any part in making DNA?"
                     ).details["abstention_model"] == "general"


def test_bench_reports_every_figure_as_a_number(index_dir):
    """`quotechat bench` on the built-in corpus (one round): each row it promises is
    there with a figure; nothing is asserted about how fast (that is what it measures)."""
    result = quotechat("bench", "--index", str(index_dir), "--repeat", "1")
    assert result.returncode == 0, result.stderr
    rows = dict(line.split("  ", 1) for line in result.stdout.splitlines()[2:] if "  " in line)
    rows = {name.strip(): value.strip() for name, value in rows.items()}
    for name in ("warm answer, median", "bare query embedding, median",
                 "answer / embedding (median ratio)", "cold start to first answer, median",
                 "index build (model loaded), median of 3", "build / raw encoder",
                 "answerability model, median", "triage model, median",
                 "question memory, median"):
        assert re.match(r"^\d+(\.\d+)?\s*(ms|s|x)$", rows[name]), (name, rows.get(name))
    assert rows["answerability model"] == "the corpus's own"
    assert rows["triage"] == "rules and model"
    assert re.match(r"^\d+ questions$", rows["question memory"]), rows["question memory"]
    assert int(rows["texts embedded (distinct units + chunks)"]) > 100


def test_the_shipped_question_memory_fits_the_shipped_encoder_and_articles(real_assistant):
    """assistant/answer_model/question_memory.npz was made by the shipped encoder on the
    built-in articles: every remembered gold place is a unit of the live index (a changed
    article or encoder without a rebuilt memory fails here), the shipped corpus model reads
    its features, it votes for a question it holds, and a forgotten file's questions are
    out of reach."""
    bound = real_assistant.memories.for_index(real_assistant.index)
    assert bound is not None
    places = set(bound.memory.gold_question.tolist())
    assert {q for q, units in enumerate(bound.units) if units} == places
    assert real_assistant.corpus_models.for_index(real_assistant.index).uses_memory
    question = next(i for i in range(len(bound.units)) if bound.units[i])
    vector = bound.memory.vectors[question]
    assert bound.recall(vector).votes()
    forgotten = bound.recall(vector, frozenset({str(bound.memory.sources[question])}))
    assert forgotten.similarity[question] == -np.inf


def test_rules_and_the_shipped_triage_model_catch_every_labelled_emergency(real_assistant):
    """assistant/answer_model/triage_model.json reads the shipped encoder's vectors; with
    the rules it catches every emergency of every labelled triage file (it was fitted on
    them: this guards the shipped pair against a regression) and fires on at most 5% of
    each file's non-emergencies."""
    assert real_assistant.triage_model is not None
    for path in sorted(Path(__file__).parent.glob("triage_*.jsonl")):
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        said = {r["message"]: real_assistant.ask(r["message"]).status == "emergency"
                for r in rows}
        missed = [r["message"] for r in rows if r["label"] != "none" and not said[r["message"]]]
        negatives = [r["message"] for r in rows if r["label"] == "none"]
        alarms = [m for m in negatives if said[m]]
        assert not missed, (path.name, missed)
        assert len(alarms) <= 0.05 * len(negatives), (path.name, alarms)
    dev = [json.loads(line) for path in sorted(
        (Path(__file__).parents[1] / "assistant" / "dev_questions").glob("home_dev*.jsonl"))
        for line in path.read_text().splitlines() if line.strip()]
    missed = [q["question"] for q in dev if q["expect"] == "emergency"
              and real_assistant.ask(q["question"], q.get("history") or []).status != "emergency"]
    assert not missed, missed
