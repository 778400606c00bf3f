"""ui.web without a server: respond() and feedback with a fake assistant, and the page
builds with or without the maintainers' tab."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from assistant import texts
from assistant.answer import Answer, Quote
from ui.render import render_question
from ui.settings import WebSettings
from ui.feedback import FeedbackLog
from ui.web import build_app, chat_so_far, record_feedback, respond

QUOTE = Quote(text="Potassium levels can drop.", doc_id="d1", title="B12 Shots",
              section="Side effects", start=7, end=33, score=0.9)


@dataclass
class FakeAssistant:
    """ask/passage/examples/index.version, recording what it was asked."""

    calls: list = field(default_factory=list)
    examples: list = field(default_factory=lambda: ["Why cramps?", "What is B12?"])
    index: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(version="v-test"))
    passage_fails: bool = False

    def ask(self, question, history=()):
        self.calls.append((question, list(history)))
        if "unknown" in question:
            return Answer(question=question, status="not_found", quotes=(),
                          disclaimer=texts.DISCLAIMER, index_version=self.index.version)
        return Answer(question=question, status="answered", quotes=(QUOTE,),
                      disclaimer=texts.DISCLAIMER, index_version=self.index.version)

    def quoted_text(self, doc_id, start, end):
        held = (doc_id, start, end) == (QUOTE.doc_id, QUOTE.start, QUOTE.end)
        return QUOTE.text if held else ""

    def passage(self, quote):
        if self.passage_fails:
            raise KeyError(quote.doc_id)
        return SimpleNamespace(title=quote.title, section=quote.section,
                               text="Before Potassium levels can drop. After.",
                               highlight_start=7, highlight_end=33)


def test_respond_appends_user_and_assistant_messages():
    fake = FakeAssistant()
    box, history, records = respond(fake, "Why do B12 shots cause cramps?", [])
    assert box == "" and len(records) == 2
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert "Why do B12 shots cause cramps?" in history[0]["content"]
    assert "<mark>Potassium levels can drop.</mark>" in history[1]["content"]
    assert fake.calls == [("Why do B12 shots cause cramps?", [])]


def test_the_chat_so_far_is_passed_oldest_first_with_what_each_reply_quoted():
    fake = FakeAssistant()
    _, history, records = respond(fake, "first <b>one</b>", None)
    _, history, records = respond(fake, "and for vegans?", history, records)
    _, history, records = respond(fake, "unknown third", history, records)
    _, history, records = respond(fake, "fourth", history, records)
    shown = QUOTE.text
    assert fake.calls[1][1] == [("first <b>one</b>", shown)]
    assert fake.calls[3][1] == [("first <b>one</b>", shown), ("and for vegans?", shown),
                                ("unknown third", "")]  # a not-found reply quoted nothing
    assert len(history) == 8


def test_history_as_gradio_hands_it_back():
    # gradio 6 preprocesses each message's content into a list of typed parts.
    history = [
        {"role": "user", "content": [{"type": "text", "text": render_question("a & <b>")}]},
        {"role": "assistant", "content": [{"type": "text", "text": "<div>answer</div>"}]},
        {"role": "user", "content": render_question("line 1\nline 2")},
    ]
    fake = FakeAssistant()
    assert chat_so_far(fake, history, [None] * 3) == [("a & <b>", ""), ("line 1\nline 2", "")]
    respond(fake, "next", history)
    assert fake.calls == [("next", [("a & <b>", ""), ("line 1\nline 2", "")])]


@pytest.mark.parametrize("message", ["", "   ", "\n\t", None])
def test_empty_message_is_ignored(message):
    fake = FakeAssistant()
    history = [{"role": "user", "content": render_question("hi")}]
    box, new, records = respond(fake, message, history, [None])
    assert box == "" and new == history and records == [None] and fake.calls == []


def test_user_message_is_shown_literally():
    fake = FakeAssistant()
    evil = '<img src=x onerror="window.__xss=1">'
    _, history, _ = respond(fake, evil, [])
    assert "<img" not in history[0]["content"]
    assert html.escape(evil) in history[0]["content"]
    assert fake.calls[0][0] == evil  # the assistant gets what was typed, unescaped


def test_a_failing_passage_does_not_lose_the_answer():
    fake = FakeAssistant(passage_fails=True)
    _, history, _ = respond(fake, "q", [])
    assert "<blockquote>Potassium levels can drop.</blockquote>" in history[1]["content"]
    assert "<details" not in history[1]["content"]
    assert "qc-chip-static" in history[1]["content"]


def test_provenance_runs_parallel_to_the_messages():
    fake = FakeAssistant()
    _, history, records = respond(fake, "first", [])
    _, history, records = respond(fake, "second", history, records)
    assert len(records) == len(history) == 4
    assert records[0] is None and records[2] is None  # user messages
    assert records[1]["question"] == "first" and records[3]["question"] == "second"
    assert records[3] == {"question": "second", "status": "answered",
                          "index_version": "v-test", "answered_at": records[3]["answered_at"],
                          "quotes": [{"doc_id": "d1", "start": 7, "end": 33}]}


def test_provenance_realigns_with_a_history_it_does_not_match():
    # e.g. the chat was cleared with gradio's own button: the records start over.
    fake = FakeAssistant()
    _, history, records = respond(fake, "new", [], [None, {"question": "old"}])
    assert [r and r["question"] for r in records] == [None, "new"]


def test_not_found_offers_three_examples_as_buttons():
    fake = FakeAssistant(examples=["A?", "B?", "C?", "D?"])
    _, history, records = respond(fake, "something unknown", [])
    reply = history[1]
    assert html.escape(texts.NOT_FOUND) in reply["content"]
    assert html.escape(texts.SUGGESTIONS_LEAD) in reply["content"]
    assert reply["options"] == [{"label": q, "value": q} for q in ("A?", "B?", "C?")]
    assert records[1]["status"] == "not_found" and records[1]["quotes"] == []
    _, history, _ = respond(fake, "answered one", [])
    assert "options" not in history[1]


def test_feedback_is_appended_with_the_answers_provenance(tmp_path):
    log = FeedbackLog(tmp_path / "fb" / "feedback.jsonl")
    _, _, records = respond(FakeAssistant(), "Why cramps?", [])
    assert record_feedback(log, records, 1, True)["feedback"] == "helpful"
    assert record_feedback(log, records, 1, False)["feedback"] == "not_helpful"
    assert record_feedback(log, records, 1, "")["feedback"] == "withdrawn"
    lines = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert [r["feedback"] for r in lines] == ["helpful", "not_helpful", "withdrawn"]
    assert lines[0]["question"] == "Why cramps?" and lines[0]["quotes"][0]["end"] == 33


@pytest.mark.parametrize("index", [0, 2, -1, True, "1", [0, 1], None])
def test_feedback_on_no_answer_stores_nothing(tmp_path, index):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    _, _, records = respond(FakeAssistant(), "q", [])
    assert record_feedback(log, records, index, True) is None
    assert not log.path.exists()


def test_build_app_has_chat_examples_and_footer():
    app = build_app(FakeAssistant())
    config = app.get_config_file()
    kinds = [c["type"] for c in config["components"]]
    assert "chatbot" in kinds and "textbox" in kinds
    chatbot = next(c for c in config["components"] if c["type"] == "chatbot")
    assert chatbot["props"]["render_markdown"] is False
    assert chatbot["props"]["sanitize_html"] is True
    assert [e["text"] for e in chatbot["props"]["examples"]] == ["Why cramps?", "What is B12?"]
    values = [str(c["props"].get("value")) for c in config["components"]]
    assert any(html.escape(texts.DISCLAIMER) in v for v in values)
    assert any("v-test" in v for v in values)


def _labels(app) -> list[str]:
    return [str(c["props"].get("label")) for c in app.get_config_file()["components"]]


def test_without_settings_there_is_no_maintainers_tab_and_no_feedback():
    app = build_app(FakeAssistant())
    assert "Maintainers" not in _labels(app) and "Maintainer password" not in _labels(app)
    assert "like" not in _events(app)


def test_maintainers_tab_and_feedback_when_configured(tmp_path):
    settings = WebSettings(corpus_dir=tmp_path, index_dir=tmp_path / "index",
                        admin_password="pw", feedback_file=tmp_path / "f.jsonl")
    fake = FakeAssistant()
    fake.encoder = object()
    app = build_app(fake, settings)
    assert "Maintainers" in _labels(app) and "Maintainer password" in _labels(app)
    assert "like" in _events(app)
    password = next(c for c in app.get_config_file()["components"]
                    if c["props"].get("label") == "Maintainer password")
    assert password["props"]["type"] == "password" and not password["props"].get("value")


def _events(app) -> set[str]:
    return {trigger[1] for dep in app.get_config_file()["dependencies"]
            for trigger in dep["targets"]}


def test_maintainer_actions_refuse_a_session_that_has_not_signed_in(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "keep.md").write_text("# Keep\n\nThis stays.\n", encoding="utf-8")
    upload = tmp_path / "new.md"
    upload.write_text("# New\n\nA new document.\n", encoding="utf-8")
    settings = WebSettings(corpus_dir=corpus, index_dir=tmp_path / "index", admin_password="pw")
    fake = FakeAssistant()
    fake.encoder = object()
    fns = {f.name: f.fn for f in build_app(fake, settings).fns.values()}
    # The signed-in flag is a gr.State: gradio takes it from the server-side session,
    # never from the request, so a direct API call always arrives with False.
    from ui.admin import Upload
    for status in (fns["on_add"]([Upload(upload, "new.md")], True, False)[0],
                   fns["on_remove"]("keep.md", False)[0],
                   fns["on_reindex"](False)[0]):
        assert "Sign in first" in status
    assert sorted(p.name for p in corpus.iterdir()) == ["keep.md"]
    assert not (tmp_path / "index").exists()


def test_the_maintainers_page_lists_and_deletes_a_file_that_cannot_be_indexed(
        tmp_path, fixture_dir, fake_encoder):
    import shutil
    from index.update import update_index
    from ui.admin import AdminTab
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_dir, corpus)
    outside = tmp_path / "secret.txt"
    outside.write_text("Not for the corpus.", encoding="utf-8")
    (corpus / "secret.txt").symlink_to(outside)
    index = update_index(corpus, tmp_path / "index", fake_encoder).index
    tab = AdminTab(SimpleNamespace(index=index, encoder=fake_encoder),
                   WebSettings(corpus_dir=corpus, index_dir=tmp_path / "index",
                               admin_password="pw"))
    table, menu = tab.view()
    assert "secret.txt" in menu["choices"] and "outside the corpus folder" in table
    status, table, menu = tab.on_remove("secret.txt", True)
    assert "Deleted secret.txt" in status and "secret.txt" not in menu["choices"]
    assert not (corpus / "secret.txt").is_symlink() and outside.exists()
