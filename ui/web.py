"""The chat web page: ``respond`` does one turn (testable without a server), ``build_app``
lays out the page, ``launch`` serves it. The maintainers' tab lives in ui/admin.py.
"""
from __future__ import annotations

import html
import logging
import os
from typing import Any

# Before gradio is imported: it reads this once, and quotechat must not phone home.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
# Gradio's queue rebuilds a pandas summary of its last 10,000 events after every
# event, for a monitoring page quotechat does not serve: 8 ms of CPU per answer after
# 1,000 answers, 18 ms after 10,000, as much as the answer itself. Keep 1,000 events
# and summarise them once per 1,000 (the operator's own values win).
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")

import gradio as gr  # noqa: E402

from assistant import texts  # noqa: E402
from assistant.assistant import share_between_threads  # noqa: E402
from ui.settings import WebSettings  # noqa: E402
from corpus.loading import MAX_FILE_BYTES  # noqa: E402
from ui.feedback import FeedbackLog, feedback_record, provenance  # noqa: E402
from ui.render import question_from_message, render_answer, render_question  # noqa: E402
from ui.sources import source_route  # noqa: E402
from ui.style import CSS, HEAD, SCROLL_TO_QUESTION  # noqa: E402

logger = logging.getLogger(__name__)
SUGGESTIONS = 3  # example questions offered with a not-found reply
FOOTER_REFRESH_SECONDS = 5  # how soon an open page shows a new index version
STATUS_EVERY_SECONDS = 1.0  # how often waiting pages hear their place in the queue

# Local fonts only: the page must not depend on a font CDN. Dark blue and red buttons so
# white labels keep a contrast of at least 4.5:1 (the default orange has under 3:1).
THEME = gr.themes.Default(
    primary_hue="blue",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial",
          "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
).set(color_accent="*primary_700", button_primary_background_fill="*primary_700",
      button_primary_background_fill_hover="*primary_800",
      button_primary_text_color="white", button_cancel_background_fill="#b91c1c",
      button_cancel_background_fill_hover="#991b1b", button_cancel_text_color="white")


def _content_text(content: Any) -> str:
    """A message's text, whether gradio handed it back as a string or as content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return "".join(_content_text(part) for part in content)
    return ""


def chat_so_far(assistant: Any, history: list[dict[str, Any]], records: list
                ) -> list[tuple[str, str]]:
    """(question as typed, text its reply quoted) pairs, oldest first: the assistant
    reads a follow-up with the questions before it and does not quote again what it
    just showed. Replies are read from the provenance records, not the rendered HTML."""
    pairs: list[list[str]] = []
    for message, record in zip(history, records):
        if message.get("role") == "user":
            pairs.append([question_from_message(_content_text(message.get("content"))), ""])
        elif pairs and isinstance(record, dict):
            pairs[-1][1] = " ".join(assistant.quoted_text(q.get("doc_id"), q.get("start"),
                                                          q.get("end"))
                                    for q in record.get("quotes") or ())
    return [(question, reply) for question, reply in pairs]


def _passage(assistant: Any, quote: Any) -> Any:
    # The passage is a convenience around a verbatim quote: never lose the answer over it.
    try:
        return assistant.passage(quote)
    except Exception:  # noqa: BLE001
        logger.warning("no passage for %s:%s-%s", quote.doc_id, quote.start, quote.end,
                       exc_info=True)
        return None


def _aligned(records: list | None, length: int) -> list:
    """Provenance records index-aligned with the chat messages (None for user messages)."""
    records = list(records or [])[:length]
    return records + [None] * (length - len(records))


def respond(assistant: Any, message: str | None, history: list[dict[str, Any]] | None,
            records: list | None = None) -> tuple[str, list[dict[str, Any]], list]:
    """One turn: ask, then return (cleared textbox, chat history with both new messages,
    provenance records parallel to the history)."""
    history = list(history or [])
    records = _aligned(records, len(history))
    if not message or not message.strip():
        return "", history, records  # an empty send is ignored, not answered
    answer = assistant.ask(message, chat_so_far(assistant, history, records))
    passages = [_passage(assistant, q) for q in answer.quotes]
    suggestions = list(assistant.examples)[:SUGGESTIONS] \
        if answer.status == "not_found" else []
    reply: dict[str, Any] = {"role": "assistant",
                             "content": render_answer(answer, passages,
                                                      suggest=bool(suggestions))}
    if suggestions:  # shown as buttons under the reply; clicking one asks it
        reply["options"] = [{"label": q, "value": q} for q in suggestions]
    history += [{"role": "user", "content": render_question(message)}, reply]
    records += [None, provenance(answer)]
    return "", history, records


def record_feedback(log: FeedbackLog, records: list | None, index: Any,
                    liked: Any) -> dict[str, Any] | None:
    """Store a like/dislike on the answer at ``index``; returns the stored record."""
    records = records or []
    if not isinstance(index, int) or isinstance(index, bool) \
            or not 0 <= index < len(records):
        return None
    record = feedback_record(records[index], liked)
    if record is not None:
        try:
            log.append(record)
        except OSError:
            logger.warning("feedback not saved to %s", log.path, exc_info=True)
            gr.Warning("Your feedback could not be saved.")
            return None
    return record


class _App(gr.Blocks):
    """Blocks whose launch() brings quotechat's theme and CSS, however it is called.

    Gradio 6 takes theme and CSS in launch(), and callers may just call app.launch().
    """

    source_routes: list = []  # set by build_app: the route serving original documents

    def launch(self, *args: Any, **kwargs: Any) -> Any:
        app_kwargs = dict(kwargs.get("app_kwargs") or {})
        app_kwargs["routes"] = list(app_kwargs.get("routes") or []) + self.source_routes
        kwargs["app_kwargs"] = app_kwargs
        kwargs.setdefault("theme", THEME)
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("head", HEAD)
        kwargs.setdefault("footer_links", [])
        kwargs.setdefault("max_file_size", MAX_FILE_BYTES)
        return super().launch(*args, **kwargs)


def footer_html(assistant: Any) -> str:
    """The permanent footer: the disclaimer and the index being answered from."""
    version = getattr(getattr(assistant, "index", None), "version", "")
    line = html.escape(texts.DISCLAIMER)
    if version:
        line += f'<br><span class="qc-version">Index {html.escape(str(version))}</span>'
    return f'<p class="qc-footer">{line}</p>'


def _chat(assistant: Any, feedback: FeedbackLog | None, ask_concurrency: int = 1) -> None:
    """The chat: messages, input, send and clear, examples, feedback."""
    chatbot = gr.Chatbot(
        elem_id="qc-chat", show_label=False, height="60vh", buttons=[],
        examples=[{"text": q} for q in assistant.examples],
        feedback_options=("Like", "Dislike") if feedback else None,
        # Messages are HTML built by ui.render; Markdown and LaTeX would only let
        # document text format itself.
        render_markdown=False, latex_delimiters=[], sanitize_html=True, autoscroll=False)
    records = gr.State([])  # provenance per message, for feedback
    with gr.Row(equal_height=True, elem_id="qc-controls"):
        box = gr.Textbox(placeholder="Ask a question about the documents",
                         show_label=False, scale=6, autofocus=True, elem_id="qc-input")
        send = gr.Button("Send", variant="primary", scale=1, elem_id="qc-send")
        clear = gr.Button("Clear chat", scale=1, elem_id="qc-clear")

    def on_send(message: str, history: list, recs: list):
        return respond(assistant, message, history, recs)

    def on_pick(data: gr.SelectData, history: list, recs: list):
        # An example (value {"text": …}) on the empty chat, or a suggestion (value: text).
        value = data.value.get("text") if isinstance(data.value, dict) else data.value
        return respond(assistant, str(value or ""), history, recs)

    # Every way of asking shares one queue lane of `ask_concurrency` slots (Gradio keeps
    # the smallest limit given for a concurrency_id, so each event names it).
    lane = dict(concurrency_id="ask", concurrency_limit=ask_concurrency)
    io = dict(inputs=[box, chatbot, records], outputs=[box, chatbot, records], **lane)
    for event in (box.submit, send.click):
        event(on_send, **io).then(None, js=SCROLL_TO_QUESTION)
    for event in (chatbot.example_select, chatbot.option_select):
        event(on_pick, io["inputs"][1:], io["outputs"], **lane) \
            .then(None, js=SCROLL_TO_QUESTION)
    clear.click(lambda: ("", [], []), None, [box, chatbot, records])
    chatbot.clear(lambda: [], None, records)  # the chat's own trash button
    if feedback:
        def on_like(data: gr.LikeData, recs: list) -> None:
            record_feedback(feedback, recs, data.index, data.liked)
        chatbot.like(on_like, [records], None, api_visibility="private")


def build_app(assistant: Any, settings: WebSettings | None = None) -> gr.Blocks:
    """The chat page for an assistant, and the maintainers' tab when ``settings`` has an
    admin password; not launched."""
    settings = settings or WebSettings()
    share_between_threads(assistant)  # ask_concurrency > 1: answers run side by side
    feedback = FeedbackLog(settings.feedback_file) if settings.feedback_file else None
    # Uploads picked but never added stay in gradio's upload folder: swept hourly (the
    # maintainers' tab deletes the ones it handles at once).
    with _App(title="quotechat", delete_cache=(3600, 3600)) as app:
        app.source_routes = [source_route(settings.corpus_dir, lambda: assistant.index)]
        gr.Markdown("# quotechat", elem_id="qc-title")
        if settings.admin_password:
            from ui.admin import build_admin
            with gr.Tabs(elem_id="qc-tabs"):
                with gr.Tab("Chat", id="chat", elem_id="qc-chat-tab"):
                    _chat(assistant, feedback, settings.ask_concurrency)
                with gr.Tab("Maintainers", id="admin", elem_id="qc-admin-tab"):
                    footer_updates = build_admin(assistant, settings)
        else:
            _chat(assistant, feedback, settings.ask_concurrency)
            footer_updates = []
        footer = gr.HTML(footer_html(assistant), elem_id="qc-footer")
        # The index can change under an open page (a re-index here, on another replica
        # or by `quotechat index`): refresh on load, after a re-index here, and every
        # few seconds; outside the queue, as it only formats a string.
        refresh = dict(fn=lambda: footer_html(assistant), inputs=None, outputs=footer,
                       queue=False, show_progress="hidden", api_visibility="private")
        app.load(**refresh)
        gr.Timer(FOOTER_REFRESH_SECONDS).tick(**refresh)
        for event in footer_updates:
            event.then(**refresh)
    return configure_queue(app, settings)


def configure_queue(app: gr.Blocks, settings: WebSettings) -> gr.Blocks:
    """A bounded queue: past `queue_size` waiting events Gradio refuses at once (the
    page says "This application is currently busy. Please try again.") instead of
    letting people wait minutes. Events other than asking keep one slot each.

    Queue positions are sent once a second, not each time an answer starts: Gradio's
    "auto" sends every waiting page a message per answer, so with 50 people waiting
    the server spent more time telling them their place than answering."""
    return app.queue(max_size=settings.queue_size, default_concurrency_limit=1,
                     status_update_rate=STATUS_EVERY_SECONDS)


def use_compute_threads(settings: WebSettings) -> None:
    """Embedding threads for the whole serving process (so only `quotechat serve` calls
    it): answers already run side by side, see WebSettings.compute_threads."""
    from index import set_compute_threads
    set_compute_threads(settings.compute_threads)


def launch(assistant: Any, *, host: str = "127.0.0.1", port: int = 7860,
           prevent_thread_lock: bool = False, settings: WebSettings | None = None) -> gr.Blocks:
    """Serve the chat page on host:port; blocks unless prevent_thread_lock."""
    app = build_app(assistant, settings)
    app.launch(server_name=host, server_port=port, prevent_thread_lock=prevent_thread_lock)
    return app
