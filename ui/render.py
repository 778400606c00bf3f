"""Answers as HTML for a chat message; pure functions, no gradio.

Everything that comes from a user or a document goes through ``_text`` (html.escape), so
it can only ever show up as text. The chat shows messages as sanitized HTML with Markdown
off. The output has no newlines at all: the chat shows messages with white-space: pre-line,
and without blank lines even a Markdown renderer would see one HTML block and leave the
escaped text alone.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from assistant import texts  # the fixed, reviewed sentences
from assistant import Answer, Passage, Quote


def _text(value: Any) -> str:
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return html.escape(text).replace("\n", "<br>")


def render_question(question: str) -> str:
    """A user's message, shown literally."""
    return f'<div class="qc-question">{_text(question)}</div>'


def question_from_message(content: str) -> str:
    """The text a user typed, back from ``render_question``'s HTML (its inverse, up to
    carriage returns, which become newlines)."""
    prefix, suffix = '<div class="qc-question">', "</div>"
    if content.startswith(prefix) and content.endswith(suffix):
        content = content[len(prefix):-len(suffix)]
    # html.escape turned any literal "<br>" into "&lt;br&gt;", so this is unambiguous.
    return html.unescape(content.replace("<br>", "\n"))


def _source_line(number: int, quote: Quote) -> str:
    where = _text(quote.title or quote.doc_id)
    if quote.section:
        where += f" › {_text(quote.section)}"
    line = f'<p class="qc-source">[{number}] {where}'
    if quote.also_in:
        others = ", ".join(_text(title or doc_id) for doc_id, title in quote.also_in)
        line += f' <span class="qc-also">(also in: {others})</span>'
    return line + "</p>"


def _passage_block(passage: Passage | None) -> str:
    if passage is None or not passage.text:
        return ""
    text, start, end = passage.text, passage.highlight_start, passage.highlight_end
    if 0 <= start <= end <= len(text):
        body = (f"{_text(text[:start])}<mark>{_text(text[start:end])}</mark>"
                f"{_text(text[end:])}")
    else:  # offsets that do not fit: show the passage without a highlight
        body = _text(text)
    return (f'<details class="qc-details"><summary>Show passage</summary>'
            f'<div class="qc-passage">{body}</div></details>')


def _quote_block(number: int, quote: Quote, passage: Passage | None) -> str:
    return (f'<div class="qc-quote"><blockquote>{_text(quote.text)}</blockquote>'
            f"{_source_line(number, quote)}{_passage_block(passage)}</div>")


def _quotes(answer: Answer, passages: Sequence[Passage | None] | None) -> list[str]:
    found = list(passages or ())
    found += [None] * (len(answer.quotes) - len(found))
    return [_quote_block(i, q, p)
            for i, (q, p) in enumerate(zip(answer.quotes, found), start=1)]


def _notice(text: str, *, alert: bool) -> str:
    if alert:
        return ('<div class="qc-emergency" role="alert"><span class="qc-icon" '
                f'aria-hidden="true">⚠</span> <strong>{_text(text)}</strong></div>')
    return f'<p class="qc-notice">{_text(text)}</p>'


def render_answer(answer: Answer,
                  passages: Sequence[Passage | None] | None = None) -> str:
    """One chat message for an Answer; ``passages`` run parallel to ``answer.quotes``."""
    parts: list[str] = []
    if answer.status == "emergency":
        parts.append(_notice(answer.notice or texts.EMERGENCY_NOTICE, alert=True))
        parts += _quotes(answer, passages)
    elif answer.status == "answered":
        parts.append(f'<p class="qc-lead">{_text(texts.ANSWER_LEAD)}</p>')
        parts += _quotes(answer, passages)
    elif answer.status == "not_found":
        parts.append(_notice(texts.NOT_FOUND, alert=False))
    else:  # "invalid", or a status this version does not know: say why, quote nothing
        parts.append(_notice(answer.notice or texts.EMPTY_QUESTION, alert=False))
    disclaimer = answer.disclaimer or texts.DISCLAIMER
    parts.append(f'<div class="qc-disclaimer"><small>{_text(disclaimer)}</small></div>')
    return '<div class="qc-answer">' + "".join(parts) + "</div>"
