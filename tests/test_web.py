"""ui.web without a server: respond() with a fake assistant, and the page builds."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from assistant import texts
from assistant.answer import Answer, Quote
from ui.render import render_question
from ui.web import build_app, respond, user_messages

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
        return Answer(question=question, status="answered", quotes=(QUOTE,),
                      disclaimer=texts.DISCLAIMER, index_version=self.index.version)

    def passage(self, quote):
        if self.passage_fails:
            raise KeyError(quote.doc_id)
        return SimpleNamespace(title=quote.title, section=quote.section,
                               text="Before Potassium levels can drop. After.",
                               highlight_start=7, highlight_end=33)


def test_respond_appends_user_and_assistant_messages():
    fake = FakeAssistant()
    box, history = respond(fake, "Why do B12 shots cause cramps?", [])
    assert box == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert "Why do B12 shots cause cramps?" in history[0]["content"]
    assert "<mark>Potassium levels can drop.</mark>" in history[1]["content"]
    assert fake.calls == [("Why do B12 shots cause cramps?", [])]


def test_previous_user_messages_are_passed_oldest_first():
    fake = FakeAssistant()
    _, history = respond(fake, "first <b>one</b>", None)
    _, history = respond(fake, "and for vegans?", history)
    _, history = respond(fake, "third", history)
    assert fake.calls[1][1] == ["first <b>one</b>"]
    assert fake.calls[2][1] == ["first <b>one</b>", "and for vegans?"]
    assert len(history) == 6


def test_history_as_gradio_hands_it_back():
    # gradio 6 preprocesses each message's content into a list of typed parts.
    history = [
        {"role": "user", "content": [{"type": "text", "text": render_question("a & <b>")}]},
        {"role": "assistant", "content": [{"type": "text", "text": "<div>answer</div>"}]},
        {"role": "user", "content": render_question("line 1\nline 2")},
    ]
    assert user_messages(history) == ["a & <b>", "line 1\nline 2"]
    fake = FakeAssistant()
    respond(fake, "next", history)
    assert fake.calls == [("next", ["a & <b>", "line 1\nline 2"])]


@pytest.mark.parametrize("message", ["", "   ", "\n\t", None])
def test_empty_message_is_ignored(message):
    fake = FakeAssistant()
    history = [{"role": "user", "content": render_question("hi")}]
    box, new = respond(fake, message, history)
    assert box == "" and new == history and fake.calls == []


def test_user_message_is_shown_literally():
    fake = FakeAssistant()
    evil = '<img src=x onerror="window.__xss=1">'
    _, history = respond(fake, evil, [])
    assert "<img" not in history[0]["content"]
    assert html.escape(evil) in history[0]["content"]
    assert fake.calls[0][0] == evil  # the assistant gets what was typed, unescaped


def test_a_failing_passage_does_not_lose_the_answer():
    fake = FakeAssistant(passage_fails=True)
    _, history = respond(fake, "q", [])
    assert "<blockquote>Potassium levels can drop.</blockquote>" in history[1]["content"]
    assert "<details" not in history[1]["content"]


def test_build_app_has_chat_examples_and_footer():
    app = build_app(FakeAssistant())
    config = app.get_config_file()
    kinds = [c["type"] for c in config["components"]]
    assert "chatbot" in kinds and "textbox" in kinds
    chatbot = next(c for c in config["components"] if c["type"] == "chatbot")
    assert chatbot["props"]["render_markdown"] is False
    assert chatbot["props"]["sanitize_html"] is True
    values = [str(c["props"].get("value")) for c in config["components"]]
    assert "Why cramps?" in values and "What is B12?" in values
    assert any(html.escape(texts.DISCLAIMER) in v for v in values)
    assert any("v-test" in v for v in values)
