"""ui.render: every status, escaping of anything from a user or a document."""
from __future__ import annotations

import html
import re


import pytest

from assistant import texts
from assistant import Answer, Passage, Quote
from ui.render import question_from_message, render_answer, render_question

XSS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
       '<a href="javascript:alert(1)">x</a>', '[click](javascript:alert(1))',
       '![pic](http://example.com/x.png)', '" onmouseover="alert(1)']


def quote(text: str = "Potassium levels can drop.", *, title: str = "B12 Shots",
          section: str = "Side effects", also_in: tuple = ()) -> Quote:
    return Quote(text=text, doc_id="d1", title=title, section=section, start=10,
                 end=10 + len(text), score=0.9, also_in=also_in)


def answer(status: str, quotes: tuple = (), notice: str | None = None,
           question: str = "q?") -> Answer:
    return Answer(question=question, status=status, quotes=quotes,
                  disclaimer=texts.DISCLAIMER, notice=notice)


def tags(out: str) -> set[str]:
    return set(re.findall(r"<([a-zA-Z]+)", out))


SAFE_TAGS = {"div", "p", "blockquote", "details", "summary", "mark", "span", "strong",
             "small", "br"}


@pytest.mark.parametrize("status,notice", [
    ("answered", None), ("not_found", None), ("emergency", texts.EMERGENCY_NOTICE),
    ("invalid", texts.EMPTY_QUESTION)])
def test_every_status_ends_with_the_disclaimer(status, notice):
    quotes = (quote(),) if status in ("answered", "emergency") else ()
    out = render_answer(answer(status, quotes, notice))
    assert html.escape(texts.DISCLAIMER) in out
    assert out.rindex('class="qc-disclaimer"') > out.rfind("<blockquote>")
    assert tags(out) <= SAFE_TAGS


def test_answered_has_lead_numbered_sources_and_passages():
    q1, q2 = quote(), quote("Cramps may follow.", section="", also_in=(("d2", "Other"),))
    passage = Passage("B12 Shots", "Side effects", "Before. Potassium levels can drop. After.",
                      8, 34)
    out = render_answer(answer("answered", (q1, q2)), [passage, None])
    assert out.index(texts.ANSWER_LEAD) < out.index("<blockquote>")
    assert "<blockquote>Potassium levels can drop.</blockquote>" in out
    assert "[1] B12 Shots › Side effects" in out
    assert "[2] B12 Shots</p>" not in out and "[2] B12 Shots <span" in out
    assert "also in: Other" in out
    assert "<summary>Show passage</summary>" in out
    assert "Before. <mark>Potassium levels can drop.</mark> After." in out
    assert out.count("<details") == 1  # no passage, no empty details


def test_passage_with_offsets_out_of_range_is_shown_without_highlight():
    passage = Passage("T", "S", "Some text", 5, 99)
    out = render_answer(answer("answered", (quote(),)), [passage])
    assert "Some text" in out and "<mark>" not in out


def test_not_found_is_plain_text():
    out = render_answer(answer("not_found"))
    assert html.escape(texts.NOT_FOUND) in out
    assert "<blockquote>" not in out and "role=" not in out


def test_invalid_shows_why():
    notice = texts.QUESTION_TOO_LONG.format(length=5000, limit=2000)
    out = render_answer(answer("invalid", notice=notice))
    assert html.escape(notice) in out and "<blockquote>" not in out


def test_emergency_notice_comes_first_as_an_alert_then_quotes():
    out = render_answer(answer("emergency", (quote(),), texts.EMERGENCY_NOTICE))
    assert out.index('role="alert"') < out.index(html.escape(texts.EMERGENCY_NOTICE))
    assert out.index(html.escape(texts.EMERGENCY_NOTICE)) < out.index("<blockquote>")
    assert 'class="qc-emergency"' in out and "⚠" in out


def test_emergency_without_quotes():
    out = render_answer(answer("emergency", (), texts.EMERGENCY_NOTICE))
    assert 'role="alert"' in out and "<blockquote>" not in out


@pytest.mark.parametrize("evil", XSS)
def test_document_text_is_escaped_everywhere(evil):
    q = quote(evil, title=evil, section=evil, also_in=(("d2", evil),))
    passage = Passage(evil, evil, f"{evil} and {evil}", 0, len(evil))
    out = render_answer(answer("answered", (q,)), [passage])
    assert tags(out) <= SAFE_TAGS
    assert "<script" not in out and "<img" not in out and "<a " not in out
    assert html.escape(evil) in out
    # No newlines: one HTML block that a Markdown renderer would leave alone, and no
    # stray line breaks under the chat's white-space: pre-line.
    assert "\n" not in out


@pytest.mark.parametrize("evil", XSS)
def test_notice_is_escaped(evil):
    out = render_answer(answer("invalid", notice=evil))
    assert tags(out) <= SAFE_TAGS and html.escape(evil) in out


@pytest.mark.parametrize("evil", XSS + ["line one\n\nline two", "a<br>b", "&lt;b&gt;"])
def test_question_is_escaped_and_round_trips(evil):
    out = render_question(evil)
    assert tags(out) <= SAFE_TAGS
    assert "<script" not in out and "<img" not in out and "<a " not in out
    assert "\n" not in out
    assert question_from_message(out) == evil


def test_script_and_onerror_never_survive_as_markup():
    evil = '<script>x</script><img src=x onerror=alert(1)>'
    out = render_question(evil) + render_answer(answer("answered", (quote(evil),)))
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert(1)&gt;" in out
