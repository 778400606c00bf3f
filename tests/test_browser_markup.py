"""The web chat in headless Chromium on a fake assistant whose document is full of markup
that tries to run or format itself, and that raises an emergency on request.

Skips when /usr/bin/chromium or playwright is missing, unless QUOTECHAT_REQUIRE_BROWSER=1.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant import texts
from assistant.answer import Answer, Quote
from browser_support import BOT, USER, assert_only_source_links, close_chat, open_chat, serve

pytestmark = pytest.mark.browser

XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"
EVIL_DOC = ('<script>window.__xss=3</script><img src=x onerror="window.__xss=4"> '
            '[click me](javascript:window.__xss=5) ![pic](http://127.0.0.1:1/x.png) $$x^2$$')


class FakeAssistant:
    """Answers anything with a quote from a document full of markup."""

    examples = ["Why cramps?", f"Example {XSS_IMG}"]
    index = SimpleNamespace(version="fake-1")

    def ask(self, question, history=()):
        if "nothing" in question:
            return Answer(question=question, status="not_found", quotes=(),
                          disclaimer=texts.DISCLAIMER)
        quote = Quote(text=EVIL_DOC, doc_id="evil", title=f"Title {XSS_IMG}",
                      section="Section [s](javascript:x)", start=0, end=len(EVIL_DOC),
                      score=1.0, also_in=(("other", XSS_SCRIPT),))
        emergency = "emergency" in question
        return Answer(question=question, status="emergency" if emergency else "answered",
                      quotes=(quote,), disclaimer=texts.DISCLAIMER,
                      notice=texts.EMERGENCY_NOTICE if emergency else None)

    def quoted_text(self, doc_id, start, end):
        return EVIL_DOC[start:end] if doc_id == "evil" else ""

    def passage(self, quote):
        return SimpleNamespace(title=quote.title, section=quote.section,
                               text=f"Before **bold**\n\n{EVIL_DOC}\n\nafter",
                               highlight_start=17, highlight_end=17 + len(EVIL_DOC))


@pytest.fixture(scope="module")
def fake_url():
    app, url = serve(FakeAssistant())
    yield url
    app.close()


@pytest.fixture
def chat(browser, fake_url):
    chat = open_chat(browser, fake_url)
    yield chat
    close_chat(chat)


def test_document_markup_is_inert(chat):
    answer = chat.ask(f"{XSS_IMG} {XSS_SCRIPT}")
    answer.locator("summary.qc-chip").first.click()
    answer.locator(".qc-passage mark").wait_for(state="visible")
    text = answer.inner_text()
    for literal in (EVIL_DOC, XSS_IMG, XSS_SCRIPT, "[s](javascript:x)", "**bold**"):
        assert literal in text
    log = chat.page.locator("#qc-chat")
    assert log.locator("img, script, strong").count() == 0
    assert_only_source_links(log)
    assert log.locator(".katex").count() == 0  # "$$x^2$$" is not typeset either
    chat.shot("fake-document-markup")
    chat.assert_no_script_ran()
    assert chat.outside == []


def test_suggestions_with_markup_are_text(chat):
    chat.ask("nothing here")
    option = chat.page.locator("#qc-chat .option", has_text="Example")
    assert option.inner_text().strip() == f"Example {XSS_IMG}"
    option.click()
    chat.answer(1)
    assert chat.page.locator(USER).last.inner_text().strip() == f"Example {XSS_IMG}"
    assert chat.page.locator("#qc-chat img").count() == 0
    chat.assert_no_script_ran()


def test_emergency_styling(chat):
    answer = chat.ask("an emergency")
    alert = answer.get_by_role("alert")
    assert alert.is_visible() and "⚠" in alert.inner_text()
    quote = answer.locator("blockquote").first
    assert alert.evaluate("(a, q) => !!(a.compareDocumentPosition(q) & "
                          "Node.DOCUMENT_POSITION_FOLLOWING)", quote.element_handle())
    assert alert.bounding_box()["y"] < quote.bounding_box()["y"]
    colour = alert.evaluate("e => getComputedStyle(e).borderTopColor")
    assert colour == "rgb(185, 28, 28)"
    chat.shot("fake-emergency")


def test_example_question_on_the_empty_chat_asks_it(chat):
    example = chat.page.locator("#qc-chat .example", has_text="Why cramps?")
    example.click()
    chat.page.locator(BOT).first.wait_for(state="visible")
    assert chat.page.locator(USER).first.inner_text().strip() == "Why cramps?"
    assert chat.page.locator("#qc-chat .example").count() == 0  # gone once chatting


def test_emergency_notice_is_scrolled_into_view_on_a_small_screen(chat):
    chat.page.set_viewport_size({"width": 390, "height": 800})
    for question in ("one", "two"):
        chat.ask(question)
    alert = chat.ask("an emergency").get_by_role("alert")
    in_view = """e => { const a = e.getBoundingClientRect();
        const c = document.querySelector('#qc-chat [role=log]').getBoundingClientRect();
        return a.top >= c.top && a.top < c.bottom; }"""
    chat.page.wait_for_function(f"({in_view})(document.querySelectorAll("
                                f"'#qc-chat [role=alert]')[0])", timeout=5000)
    assert alert.evaluate(in_view)
    assert chat.no_sideways_scroll()
    chat.shot("fake-emergency-small-screen")
