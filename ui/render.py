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
from ui.sources import source_url


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


def _where(quote: Quote) -> str:
    where = _text(quote.title or quote.doc_id)
    if quote.section and quote.section != quote.title:
        where += f" › {_text(quote.section)}"
    if quote.page is not None:
        where += f", page {int(quote.page)}"
    return where


def _open_link(quote: Quote) -> str:
    """A link to the original file (a PDF at the quote's page), in a new tab."""
    kind = "PDF" if quote.page is not None else "original"
    label = f"open the {kind}" + (f" at page {int(quote.page)}" if quote.page else "")
    href = _text(source_url(quote.doc_id, page=quote.page, anchor=quote.anchor))
    return (f'<a class="qc-open" href="{href}" target="_blank" rel="noopener noreferrer">'
            f"{label}</a>")


def _also_in(quote: Quote) -> str:
    if not quote.also_in:
        return ""
    others = ", ".join(_text(title or doc_id) for doc_id, title in quote.also_in)
    return f'<p class="qc-also">Also in: {others}</p>'


def _highlighted(passage: Passage) -> str:
    text, start, end = passage.text, passage.highlight_start, passage.highlight_end
    if 0 <= start <= end <= len(text):
        return (f"{_text(text[:start])}<mark>{_text(text[start:end])}</mark>"
                f"{_text(text[end:])}")
    return _text(text)  # offsets that do not fit: the passage without a highlight


def _source(number: int, quote: Quote, passage: Passage | None) -> str:
    """The numbered source chip; with a passage, the chip is the <summary> that opens it
    (a native disclosure: focusable, Enter/Space toggle, no script needed)."""
    chip = (f'<span class="qc-num">{number}</span> '
            f'<span class="qc-where">{_where(quote)}</span>')
    if passage is None or not passage.text:
        return f'<p class="qc-chip qc-chip-static">{chip}</p>{_open_link(quote)}'
    return (f'<details class="qc-details"><summary class="qc-chip" title="Show the '
            f'passage">{chip}<span class="qc-hint">passage</span></summary>'
            f'<div class="qc-passage">{_highlighted(passage)}</div></details>'
            f'{_open_link(quote)}')


def _quote_block(number: int, quote: Quote, passage: Passage | None) -> str:
    return (f'<div class="qc-quote"><blockquote>{_text(quote.text)}</blockquote>'
            f"{_source(number, quote, passage)}{_also_in(quote)}</div>")


def _quotes(answer: Answer, passages: Sequence[Passage | None] | None) -> list[str]:
    found = list(passages or ())
    found += [None] * (len(answer.quotes) - len(found))
    return [_quote_block(i, q, p)
            for i, (q, p) in enumerate(zip(answer.quotes, found), start=1)]


def _notice(text: str, *, alert: bool) -> str:
    if alert:
        # The first sentence in bold, the rest plain: a wall of bold is hard to read.
        head, dot, rest = text.partition(". ")
        return ('<div class="qc-emergency" role="alert"><strong><span class="qc-icon" '
                f'aria-hidden="true">⚠</span> {_text(head + dot.strip())}</strong> '
                f'{_text(rest)}</div>')
    return f'<p class="qc-notice">{_text(text)}</p>'


def render_answer(answer: Answer, passages: Sequence[Passage | None] | None = None, *,
                  suggest: bool = False) -> str:
    """One chat message for an Answer; ``passages`` run parallel to ``answer.quotes``.
    ``suggest``: a not-found reply introduces the example questions the chat shows as
    buttons under it."""
    parts: list[str] = []
    if answer.status == "emergency":
        parts.append(_notice(answer.notice or texts.EMERGENCY_NOTICE, alert=True))
        parts += _quotes(answer, passages)
    elif answer.status == "answered":
        parts.append(f'<p class="qc-lead">{_text(texts.ANSWER_LEAD)}</p>')
        parts += _quotes(answer, passages)
    elif answer.status == "not_found":
        parts.append(_notice(texts.NOT_FOUND, alert=False))
        if suggest:
            parts.append(f'<p class="qc-suggest-lead">{_text(texts.SUGGESTIONS_LEAD)}</p>')
    else:  # "invalid", or a status this version does not know: say why, quote nothing
        parts.append(_notice(answer.notice or texts.EMPTY_QUESTION, alert=False))
    disclaimer = answer.disclaimer or texts.DISCLAIMER
    parts.append(f'<div class="qc-disclaimer"><small>{_text(disclaimer)}</small></div>')
    return '<div class="qc-answer">' + "".join(parts) + "</div>"


_STATES = {"indexed": "indexed", "new": "new: re-index to add",
           "changed": "changed: re-index to update", "removed": "deleted: re-index to drop",
           "refused": "cannot be indexed"}


def _state(row: Any) -> str:
    state = _STATES.get(row.state, row.state)
    reason = getattr(row, "reason", "")
    return f"{state}: {reason}" if reason else state


def render_documents(rows: Sequence[Any]) -> str:
    """The maintainers' table of documents (ui.library.DocumentRow), all text escaped."""
    if not rows:
        return '<p class="qc-docs-empty">No documents yet.</p>'
    head = "".join(f'<th scope="col">{h}</th>' for h in
                   ("Title", "File", "Chunks", "Indexed (UTC)", "State"))
    body = "".join(
        f'<tr class="qc-doc-{_text(r.state)}"><td>{_text(r.title)}</td><td>{_text(r.file)}'
        f'</td><td>{"" if r.chunks is None else int(r.chunks)}</td>'
        f"<td>{_text(r.indexed_at.replace('T', ' ').replace('+00:00', ''))}</td>"
        f"<td>{_text(_state(r))}</td></tr>" for r in rows)
    return (f'<div class="qc-docs-wrap"><table class="qc-docs"><caption>{len(rows)} '
            f'document{"s" if len(rows) != 1 else ""}</caption><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")


def render_status(message: str, *, ok: bool = True) -> str:
    """A maintainer action's outcome, announced to screen readers."""
    kind = "qc-ok" if ok else "qc-error"
    return f'<p class="qc-status {kind}" role="status">{_text(message)}</p>'
