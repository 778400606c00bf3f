"""ui.render: every status, escaping of anything from a user or a document."""
from __future__ import annotations

import html
import re


import pytest

from assistant import texts
from assistant import Answer, Passage, Quote
from ui.render import (question_from_message, render_answer, render_documents,
                       render_question, render_status)

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
             "small", "br", "table", "caption", "thead", "tbody", "tr", "th", "td", "a"}


def only_source_links(out: str) -> bool:
    """Every link is quotechat's own link to an original document."""
    anchors = re.findall(r"<a [^>]*>", out)
    return all(re.fullmatch(r'<a class="qc-open" href="quotechat/source/[^"<>]*" '
                            r'target="_blank" rel="noopener noreferrer">', a)
               for a in anchors)


@pytest.mark.parametrize("status,notice", [
    ("answered", None), ("not_found", None), ("emergency", texts.EMERGENCY_NOTICE),
    ("invalid", texts.EMPTY_QUESTION)])
def test_every_status_ends_with_the_disclaimer(status, notice):
    quotes = (quote(),) if status in ("answered", "emergency") else ()
    out = render_answer(answer(status, quotes, notice))
    assert html.escape(texts.DISCLAIMER) in out
    assert out.rindex('class="qc-disclaimer"') > out.rfind("<blockquote>")
    assert tags(out) <= SAFE_TAGS


def test_answered_has_lead_numbered_source_chips_and_passages():
    q1, q2 = quote(), quote("Cramps may follow.", section="", also_in=(("d2", "Other"),))
    passage = Passage("B12 Shots", "Side effects", "Before. Potassium levels can drop. After.",
                      8, 34)
    out = render_answer(answer("answered", (q1, q2)), [passage, None])
    assert out.index(texts.ANSWER_LEAD) < out.index("<blockquote>")
    assert "<blockquote>Potassium levels can drop.</blockquote>" in out
    # The numbered chip is the <summary> that opens the passage with the quote marked.
    assert ('<summary class="qc-chip" title="Show the passage"><span class="qc-num">1</span> '
            '<span class="qc-where">B12 Shots › Side effects</span>') in out
    assert "Before. <mark>Potassium levels can drop.</mark> After." in out
    assert out.index("<summary") < out.index("<mark>")
    # No passage: the chip is plain text, and no empty disclosure.
    assert ('<p class="qc-chip qc-chip-static"><span class="qc-num">2</span> '
            '<span class="qc-where">B12 Shots</span></p>') in out
    assert "Also in: Other" in out
    assert out.count("<details") == 1


def test_section_equal_to_title_is_not_repeated():
    out = render_answer(answer("answered", (quote(section="B12 Shots"),)))
    assert "B12 Shots</span>" in out and "›" not in out


def test_passage_with_offsets_out_of_range_is_shown_without_highlight():
    passage = Passage("T", "S", "Some text", 5, 99)
    out = render_answer(answer("answered", (quote(),)), [passage])
    assert "Some text" in out and "<mark>" not in out


def test_not_found_is_plain_text():
    out = render_answer(answer("not_found"))
    assert html.escape(texts.NOT_FOUND) in out
    assert "<blockquote>" not in out and "role=" not in out
    assert html.escape(texts.SUGGESTIONS_LEAD) not in out


def test_not_found_can_introduce_suggestions():
    out = render_answer(answer("not_found"), suggest=True)
    assert out.index(html.escape(texts.NOT_FOUND)) < out.index(
        html.escape(texts.SUGGESTIONS_LEAD)) < out.index("qc-disclaimer")
    # Only a not-found reply suggests other questions.
    assert texts.SUGGESTIONS_LEAD not in render_answer(answer("answered", (quote(),)),
                                                       suggest=True)


def test_invalid_shows_why():
    notice = texts.QUESTION_TOO_LONG.format(length=5000, limit=2000)
    out = render_answer(answer("invalid", notice=notice))
    assert html.escape(notice) in out and "<blockquote>" not in out


def plain(out: str) -> str:
    """The text a browser shows (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", out))


def test_emergency_notice_comes_first_as_an_alert_then_quotes():
    out = render_answer(answer("emergency", (quote(),), texts.EMERGENCY_NOTICE))
    alert = out.index('role="alert"')
    assert alert < out.index("This may be a medical emergency.") < out.index("<blockquote>")
    assert out.index("</div>", alert) < out.index("<blockquote>")
    assert texts.EMERGENCY_NOTICE in plain(out)  # the reviewed text, word for word
    assert 'class="qc-emergency"' in out and "⚠" in out


def test_emergency_without_quotes():
    out = render_answer(answer("emergency", (), texts.EMERGENCY_NOTICE))
    assert 'role="alert"' in out and "<blockquote>" not in out


@pytest.mark.parametrize("evil", XSS)
def test_document_text_is_escaped_everywhere(evil):
    q = quote(evil, title=evil, section=evil, also_in=(("d2", evil),))
    passage = Passage(evil, evil, f"{evil} and {evil}", 0, len(evil))
    out = render_answer(answer("answered", (q,)), [passage])
    assert tags(out) <= SAFE_TAGS and only_source_links(out)
    assert "<script" not in out and "<img" not in out
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


def test_documents_table_escapes_titles_and_says_what_is_pending():
    from ui.library import DocumentRow
    rows = [DocumentRow("a.md", XSS[1], 3, "2026-01-02T03:04:05+00:00", "indexed"),
            DocumentRow("b.txt", "b.txt", None, "", "new"),
            DocumentRow("c.md", "C", 2, "2026-01-01T00:00:00+00:00", "removed"),
            DocumentRow("d.exe", "d.exe", None, "", "refused", "not a <b>supported</b> type")]
    out = render_documents(rows)
    assert "cannot be indexed: not a &lt;b&gt;supported&lt;/b&gt; type" in out
    assert tags(out) <= SAFE_TAGS and "<img" not in out
    assert html.escape(XSS[1]) in out
    assert "2026-01-02 03:04:05" in out
    assert "new: re-index to add" in out and "deleted: re-index to drop" in out
    assert "4 documents" in out
    assert "No documents" in render_documents([])


@pytest.mark.parametrize("evil", XSS)
def test_status_is_escaped(evil):
    out = render_status(evil, ok=False)
    assert tags(out) <= SAFE_TAGS and html.escape(evil) in out and 'role="status"' in out


def test_a_source_chip_names_the_page_and_links_to_the_original():
    pdf = Quote(text="Cramps are rare.", doc_id="leaflets/b12 (2024).pdf", title="B12",
                section="Side effects", start=0, end=16, score=0.9, page=3)
    out = render_answer(answer("answered", (pdf,)))
    assert "B12 › Side effects, page 3" in out
    assert 'href="quotechat/source/leaflets/b12%20%282024%29.pdf#page=3"' in out
    assert "open the PDF at page 3" in out and only_source_links(out)
    page = Quote(text="x", doc_id="p.html", title="T", section="S", start=0, end=1,
                 score=0.9, anchor='a"><script>')
    out = render_answer(answer("answered", (page,)))
    assert 'href="quotechat/source/p.html#a%22%3E%3Cscript%3E"' in out
    assert "<script" not in out and only_source_links(out)
