"""The seed articles saved as PDF, HTML and DOCX are answered with the same quotes as the
.txt originals (real model), every quote verbatim in the extracted text, PDF quotes
with their page; and the command line keeps chunk settings and valid UTF-8."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from format_fixtures import convert

from assistant.assistant import Assistant
from corpus import DEFAULT_CORPUS, read_document
from index import SentenceTransformerEmbedder
from index.update import update_index

pytestmark = pytest.mark.integration
SEED_QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / \
    "seed_questions.jsonl"
FALLBACK_QUESTIONS = ["Why do B12 injections sometimes cause cramps?",
                      "Which foods contain vitamin B12?", "What is megaloblastic anemia?",
                      "Can low B12 change my mood?", "Is it possible to overdose on oral B12?"]


def questions() -> list[str]:
    if SEED_QUESTIONS.is_file():
        return [json.loads(line)["question"] for line in
                SEED_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return FALLBACK_QUESTIONS


def squash(text: str) -> str:
    """Whitespace folded and list markers dropped: a lead-in quoted with its list holds
    the "- " markers of the .txt file, which the other formats do not have."""
    return " ".join(re.sub(r"(^|\s)- ", " ", text).split())


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    for suffix in (".txt", ".html", ".docx", ".pdf"):
        (root / suffix[1:]).mkdir()
    for path in sorted(DEFAULT_CORPUS.glob("*.txt")):
        (root / "txt" / path.name).write_bytes(path.read_bytes())
        for suffix, data in convert(read_document(path, DEFAULT_CORPUS)).items():
            (root / suffix[1:] / (path.stem + suffix)).write_bytes(data)
    encoder = SentenceTransformerEmbedder()
    result = {}
    for fmt in ("txt", "html", "docx", "pdf"):
        index = update_index(root / fmt, root / f"index-{fmt}", encoder).index
        assistant = Assistant(index, encoder)
        result[fmt] = (index, [assistant.ask(q) for q in questions()[::3]])
    return result


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_other_formats_give_the_same_quotes(answers, fmt):
    _, base = answers["txt"]
    index, other = answers[fmt]
    same = [a.status == b.status and [squash(q.text) for q in a.quotes]
            == [squash(q.text) for q in b.quotes] for a, b in zip(base, other)]
    # Measured on all 34 seed questions: pdf 33, html 32, docx 31 identical; the rest
    # differ because a document without a title line is titled by its file name, which
    # has its suffix. Every third question here, to keep the test short.
    assert sum(same) >= 0.9 * len(same), [a.question for a, s in zip(base, same) if not s]
    for answer in other:
        for quote in answer.quotes:
            assert index.documents[quote.doc_id].text[quote.start:quote.end] == quote.text
            assert (quote.page is not None) == (fmt == "pdf")


def test_pdf_pages_are_the_pages_the_quote_is_on(answers):
    index, other = answers["pdf"]
    for answer in other:
        for quote in answer.quotes:
            doc = index.documents[quote.doc_id]
            start, end = doc.pages[quote.page - 1]
            assert start <= quote.start < end


def quotechat(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True,
                          timeout=300, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin",
                                            "HOME": str(Path.home())})


def test_index_chunk_settings_are_used_by_ask_and_output_stays_utf8(tmp_path):
    corpus, index = tmp_path / "docs", tmp_path / "index"
    corpus.mkdir()
    for path in DEFAULT_CORPUS.glob("004_*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    common = ("--corpus", str(corpus), "--index", str(index))
    built = quotechat("index", *common, "--chunk-tokens", "120")
    assert built.returncode == 0, built.stderr
    broken = b"Can B12 \xff\xfe cause cramps?".decode("utf-8", "surrogateescape")
    asked = quotechat("ask", "--json", *common, broken)
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout.decode("utf-8"))  # strict: valid UTF-8
    assert data["question"] == "Can B12 \ufffd\ufffd cause cramps?"
    manifest = json.loads(next(index.glob("*/manifest.json")).read_text())
    assert manifest["chunk_settings"]["max_tokens"] == 120
