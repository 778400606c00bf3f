"""A quote from a PDF in the real chat: its source chip names the page, and its link
opens the PDF the app serves at that page (headless Chromium, the real model)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from browser_support import close_chat, open_chat, serve
from format_fixtures import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        from assistant.service import open_assistant
        from ui.settings import WebSettings
        root = tmp_path_factory.mktemp("pdfapp")
        (root / "corpus").mkdir()
        (root / "corpus" / "cramps leaflet.pdf").write_bytes(pdf_bytes())
        settings = WebSettings(corpus_dir=root / "corpus", index_dir=root / "index",
                            examples=("Why do B12 injections cause cramps?",))
        assistant = open_assistant(settings)
        server, url = serve(assistant, settings)
        yield SimpleNamespace(url=url)
        server.close()


def test_a_pdf_source_opens_at_its_page(browser, app):
    chat = open_chat(browser, app.url)
    try:
        answer = chat.ask("Why do B12 injections cause cramps?")
        quote = answer.locator("blockquote").first
        assert "potassium levels drop" in quote.inner_text()
        assert ", page 2" in answer.locator(".qc-where").first.inner_text()
        chat.shot("pdf-source-chip")
        link = answer.locator("a.qc-open").first
        assert link.inner_text() == "open the PDF at page 2"
        href = link.get_attribute("href")
        assert href == "quotechat/source/cramps%20leaflet.pdf#page=2"
        with chat.page.context.expect_page() as opened:
            link.click()
        tab = opened.value
        assert tab.url == app.url + href
        response = chat.page.request.get(app.url + href.split("#")[0])
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
        missing = chat.page.request.get(app.url + "quotechat/source/..%2Fetc%2Fpasswd")
        assert missing.status == 404
        chat.assert_no_script_ran()
    finally:
        close_chat(chat)
