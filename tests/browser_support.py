"""Helpers for the browser tests: serving an app, a chat page driver, screenshots.

The ``browser`` fixture itself lives in conftest.py (one Chromium per test session).
"""
from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
BOT = '#qc-chat [data-testid="bot"]'
USER = '#qc-chat [data-testid="user"]'
# No horizontal scrolling of the page (1px of rounding allowed).
NO_SIDEWAYS_SCROLL = ("() => document.documentElement.scrollWidth <= "
                      "document.documentElement.clientWidth + 1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(assistant: Any, settings: Any = None) -> tuple[Any, str]:
    from ui.web import launch
    port = free_port()
    app = launch(assistant, host="127.0.0.1", port=port, prevent_thread_lock=True,
                 settings=settings)
    return app, f"http://127.0.0.1:{port}/"


@dataclass
class Chat:
    page: Any
    url: str
    dialogs: list = field(default_factory=list)
    outside: list = field(default_factory=list)

    def ask(self, question: str, timeout: float = 60_000) -> Any:
        """Send a question; wait for its answer and return that message."""
        before = self.page.locator(BOT).count()
        self.page.locator("#qc-input textarea").fill(question)
        self.page.keyboard.press("Enter")
        return self.answer(before, timeout)

    def answer(self, number: int, timeout: float = 60_000) -> Any:
        answer = self.page.locator(BOT).nth(number)
        answer.wait_for(state="visible", timeout=timeout)
        answer.locator(".qc-disclaimer").wait_for(state="visible", timeout=timeout)
        return answer

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def focused(self) -> str:
        return self.page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e ? e.tagName.toLowerCase() + '.' + e.className : ''; })()")

    def assert_no_script_ran(self) -> None:
        assert self.page.evaluate("typeof window.__xss") == "undefined"
        assert self.dialogs == []

    def no_sideways_scroll(self) -> bool:
        return self.page.evaluate(NO_SIDEWAYS_SCROLL)


def open_chat(browser: Any, url: str, **context: Any) -> Chat:
    """A fresh page (its own gradio session) on the app; ``context``: viewport etc."""
    context.setdefault("viewport", {"width": 1100, "height": 1000})
    page = browser.new_context(**context).new_page()
    chat = Chat(page, url)
    page.on("dialog", lambda d: (chat.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith(url) or r.url.startswith(
        ("data:", "blob:")) else chat.outside.append(r.url))
    page.goto(url)
    page.locator("#qc-input textarea").wait_for()
    return chat


def close_chat(chat: Chat) -> None:
    chat.page.context.close()


def assert_only_source_links(area: Any) -> None:
    """The only links in the chat are quotechat's own links to original documents:
    nothing in a question or a document ever becomes a link."""
    links = area.locator("a")
    for number in range(links.count()):
        link = links.nth(number)
        assert link.get_attribute("class") == "qc-open"
        assert (link.get_attribute("href") or "").startswith("quotechat/source/")


def run_coroutine(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: playwright's sync API (the browser tests)
    leaves an event loop running in the main thread, where asyncio.run refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
