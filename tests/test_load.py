"""Many people at once: answers under concurrency equal single-user answers, the queue
is bounded and refuses politely, and its settings are read and checked. The long load
test (10 and 50 sessions for 60 s, with timings) is `python -m ui.loadtest`; nothing
here asserts a time."""
from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from browser_support import run_coroutine
from ui.loadtest import (DEV_QUESTIONS, AskFailed, ChatClient, http_session, read_questions,
                         run_load)
from ui.serve_process import ServeProcess
from ui.settings import WebSettings

QUESTIONS = read_questions(DEV_QUESTIONS, 24)  # answered, not-found and emergency ones


def _ask_events(app):
    return [fn for fn in app.fns.values() if fn.concurrency_id == "ask"]


def test_queue_settings_come_from_the_environment():
    settings = WebSettings.from_env({"QUOTECHAT_QUEUE_SIZE": "7",
                                     "QUOTECHAT_ASK_CONCURRENCY": "3",
                                     "QUOTECHAT_COMPUTE_THREADS": "2"})
    assert (settings.queue_size, settings.ask_concurrency, settings.compute_threads) \
        == (7, 3, 2)


@pytest.mark.parametrize("environ, problem", [
    ({"QUOTECHAT_QUEUE_SIZE": "0"}, "queue_size must be a whole number of at least 1"),
    ({"QUOTECHAT_ASK_CONCURRENCY": "-2"}, "ask_concurrency must be"),
    ({"QUOTECHAT_QUEUE_SIZE": "lots"}, "QUOTECHAT_QUEUE_SIZE must be a whole number"),
])
def test_bad_queue_settings_are_refused_with_the_variable_named(environ, problem):
    with pytest.raises(ValueError, match=problem):
        WebSettings.from_env(environ)


def test_the_app_uses_the_queue_settings():
    from test_web import FakeAssistant
    from ui.web import build_app
    app = build_app(FakeAssistant(), WebSettings(queue_size=9, ask_concurrency=3))
    assert app._queue.max_size == 9
    events = _ask_events(app)
    assert len(events) == 4  # Enter, Send, an example, a suggestion
    assert {fn.concurrency_limit for fn in events} == {3}
    # Gradio's per-event pandas summary is bounded (see ui/web.py).
    assert app._queue.ANALYTICS_MAX_EVENTS == 1000
    assert app._queue.ANAYLTICS_CACHE_FREQUENCY == 1000


class BlockingAssistant:
    """Answers only when released, so questions pile up in the queue."""

    def __init__(self) -> None:
        from test_web import FakeAssistant
        self._fake, self.release, self.started = FakeAssistant(), threading.Event(), \
            threading.Event()
        self.examples, self.index = self._fake.examples, self._fake.index

    def ask(self, question, history=()):
        self.started.set()
        self.release.wait(timeout=30)
        return self._fake.ask(question, history)

    def quoted_text(self, *where):
        return self._fake.quoted_text(*where)

    def passage(self, quote):
        return self._fake.passage(quote)


def test_a_full_queue_refuses_at_once_with_a_clear_message():
    from browser_support import serve
    assistant = BlockingAssistant()
    app, url = serve(assistant, WebSettings(queue_size=1, ask_concurrency=1))

    async def scenario():
        async with http_session(timeout=30) as http:
            client = await ChatClient.connect(http, url)
            running = asyncio.create_task(client.ask("Why cramps?", "s-running"))
            await asyncio.to_thread(assistant.started.wait, 10)
            waiting = asyncio.create_task(client.ask("Why cramps?", "s-waiting"))
            await asyncio.sleep(0.5)  # joined: the one place in the queue is taken
            with pytest.raises(AskFailed, match="join 503: .*Queue is full"):
                await client.ask("Why cramps?", "s-refused")
            assistant.release.set()
            return await running, await waiting

    try:
        answers = run_coroutine(scenario())
    finally:
        assistant.release.set()
        app.close()
    assert all("Potassium levels can drop." in str(a) for a in answers)


@pytest.mark.integration
def test_many_threads_at_once_get_the_single_user_answers(real_assistant):
    """The encoder (serialized) and the FAISS and BM25 indexes (read-only) are shared by
    every answer the web app runs at once."""
    from assistant.assistant import share_between_threads
    from ui.web import respond
    share_between_threads(real_assistant)
    alone = [respond(real_assistant, q, [])[1] for q in QUESTIONS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda q: respond(real_assistant, q, [])[1],
                                 QUESTIONS * 3))
    assert together == alone * 3


@pytest.mark.integration
def test_ten_sessions_get_the_single_user_answers_from_the_served_app(real_assistant,
                                                                       index_dir):
    from browser_support import free_port
    with ServeProcess(free_port(), ["--index", str(index_dir)]) as server:
        report = run_coroutine(run_load(server.url, QUESTIONS, sessions=10, seconds=8,
                                      server_pids=(server.process.pid,)))
    assert report.errors == [] and report.refused == 0
    assert report.mismatches == []
    assert report.answers >= 10


@pytest.mark.browser
def test_the_page_says_busy_when_the_queue_is_full(browser):
    from browser_support import close_chat, open_chat, serve
    assistant = BlockingAssistant()
    app, url = serve(assistant, WebSettings(queue_size=1, ask_concurrency=1))
    chat = open_chat(browser, url)  # page loaded while the queue is empty

    async def occupy():  # one question being answered, one waiting: the queue is full
        async with http_session(timeout=60) as http:
            client = await ChatClient.connect(http, url)
            running = asyncio.create_task(client.ask("Why cramps?", "s-running"))
            await asyncio.to_thread(assistant.started.wait, 10)
            await asyncio.gather(running, client.ask("Why cramps?", "s-waiting"))

    others = threading.Thread(target=asyncio.run, args=(occupy(),))
    others.start()
    try:
        assistant.started.wait(10)
        time.sleep(0.5)
        chat.page.locator("#qc-input textarea").fill("Why cramps?")
        chat.page.keyboard.press("Enter")
        toast = chat.page.get_by_text("This application is currently busy. Please try again.")
        toast.first.wait_for(state="visible", timeout=15_000)
        chat.shot("queue-full")
    finally:
        assistant.release.set()
        others.join(30)
        close_chat(chat)
        app.close()
