"""The chat web page: ``respond`` does one turn (testable without a server), ``build_app``
lays out the page, ``launch`` serves it.
"""
from __future__ import annotations

import html
import logging
import os
from typing import Any

# Before gradio is imported: it reads this once, and quotechat must not phone home.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from assistant import texts  # noqa: E402
from ui.render import question_from_message, render_answer, render_question  # noqa: E402

logger = logging.getLogger(__name__)

CSS = """
.qc-answer blockquote { margin: .4em 0 .2em; padding: .3em .8em;
  border-left: 4px solid var(--color-accent); background: var(--background-fill-secondary); }
.qc-lead, .qc-notice { margin: 0 0 .4em; }
.qc-source { margin: 0 0 .2em; font-size: .9em; font-weight: 600; }
.qc-also { font-weight: normal; }
.qc-quote + .qc-quote { margin-top: .8em; }
.qc-details { margin: 0 0 .6em; font-size: .9em; }
.qc-details summary { cursor: pointer; color: var(--link-text-color); }
.qc-passage { margin-top: .3em; padding: .4em .8em; border: 1px solid var(--border-color-primary);
  border-radius: 4px; }
.qc-passage mark { background: #fde68a; color: #1f2937; padding: 0 .1em; }
.qc-emergency { margin: 0 0 .6em; padding: .7em 1em; border: 2px solid #b91c1c;
  border-radius: 6px; background: #fee2e2; color: #7f1d1d; }
.qc-emergency .qc-icon { font-size: 1.3em; }
.dark .qc-emergency { background: #450a0a; color: #fecaca; border-color: #f87171; }
.qc-disclaimer { margin-top: .6em; padding-top: .4em; font-size: .85em;
  border-top: 1px solid var(--border-color-primary); opacity: .85; }
.qc-footer { text-align: center; font-size: .85em; color: var(--body-text-color); opacity: .85; }
.qc-answer p { margin-top: 0; }
"""

# After an answer, scroll the chat so the question and the start of the answer are in view:
# an emergency notice comes first in the answer and must not be scrolled away, as gradio's
# autoscroll-to-bottom would do on a small screen.
SCROLL_TO_QUESTION = """() => setTimeout(() => {
  const asked = [...document.querySelectorAll('#qc-chat [data-testid="user"]')].pop();
  let box = asked && asked.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight
                  && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement;
  }
  if (box) box.scrollTop += asked.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
}, 50)"""

# Local fonts only: the page must not depend on a font CDN.
THEME = gr.themes.Default(
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial",
          "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"])


def _content_text(content: Any) -> str:
    """A message's text, whether gradio handed it back as a string or as content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return "".join(_content_text(part) for part in content)
    return ""


def user_messages(history: list[dict[str, Any]] | None) -> list[str]:
    """The user's previous messages in this chat, oldest first, as they typed them."""
    return [question_from_message(_content_text(m.get("content")))
            for m in history or () if m.get("role") == "user"]


def _passage(assistant: Any, quote: Any) -> Any:
    # The passage is a convenience around a verbatim quote: never lose the answer over it.
    try:
        return assistant.passage(quote)
    except Exception:  # noqa: BLE001
        logger.warning("no passage for %s:%s-%s", quote.doc_id, quote.start, quote.end,
                       exc_info=True)
        return None


def respond(assistant: Any, message: str | None,
            history: list[dict[str, Any]] | None) -> tuple[str, list[dict[str, Any]]]:
    """One turn: ask, then return (cleared textbox, chat history with both new messages)."""
    history = list(history or [])
    if not message or not message.strip():
        return "", history  # an empty send is ignored, not answered
    answer = assistant.ask(message, user_messages(history))
    passages = [_passage(assistant, q) for q in answer.quotes]
    history.append({"role": "user", "content": render_question(message)})
    history.append({"role": "assistant", "content": render_answer(answer, passages)})
    return "", history


class _App(gr.Blocks):
    """Blocks whose launch() brings quotechat's theme and CSS, however it is called.

    Gradio 6 takes theme and CSS in launch(), and callers may just call app.launch().
    """

    def launch(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("theme", THEME)
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("footer_links", [])
        return super().launch(*args, **kwargs)


def _footer(assistant: Any) -> str:
    version = getattr(getattr(assistant, "index", None), "version", "")
    line = html.escape(texts.DISCLAIMER)
    if version:
        line += f'<br><span class="qc-version">Index {html.escape(str(version))}</span>'
    return f'<p class="qc-footer">{line}</p>'


def _asker(assistant: Any, question: str):
    def ask_example(history: list[dict[str, Any]]):
        return respond(assistant, question, history)
    return ask_example


def build_app(assistant: Any) -> gr.Blocks:
    """The chat page for an assistant; not launched."""
    def on_send(message: str, history: list[dict[str, Any]]):
        return respond(assistant, message, history)

    with _App(title="quotechat") as app:
        gr.Markdown("# quotechat")
        chatbot = gr.Chatbot(
            elem_id="qc-chat", show_label=False, height="65vh", buttons=[],
            # Messages are HTML built by ui.render; Markdown and LaTeX would only let
            # document text format itself.
            render_markdown=False, latex_delimiters=[], sanitize_html=True, autoscroll=False)
        with gr.Row(equal_height=True):
            box = gr.Textbox(placeholder="Ask a question about the documents",
                             show_label=False, scale=6, autofocus=True, elem_id="qc-input")
            send = gr.Button("Send", variant="primary", scale=1, elem_id="qc-send")
            gr.ClearButton([box, chatbot], value="Clear", scale=1, elem_id="qc-clear")
        with gr.Row(elem_id="qc-examples"):
            for example in assistant.examples:
                button = gr.Button(example, size="sm", variant="secondary",
                                   elem_classes="qc-example")
                button.click(_asker(assistant, example), [chatbot], [box, chatbot],
                             concurrency_id="ask").then(None, js=SCROLL_TO_QUESTION)
        gr.HTML(_footer(assistant))
        for event in (box.submit, send.click):
            # One shared queue slot ("ask"): the assistant answers one question at a time.
            event(on_send, [box, chatbot], [box, chatbot], concurrency_id="ask") \
                .then(None, js=SCROLL_TO_QUESTION)
    return app


def launch(assistant: Any, *, host: str = "127.0.0.1", port: int = 7860,
           prevent_thread_lock: bool = False) -> gr.Blocks:
    """Serve the chat page on host:port; blocks unless prevent_thread_lock."""
    app = build_app(assistant)
    app.launch(server_name=host, server_port=port, prevent_thread_lock=prevent_thread_lock)
    return app
