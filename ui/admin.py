"""The maintainers' tab: sign in, list documents, add, remove, re-index.

Built only when a password is configured. Every handler checks the session's signed-in
flag (a gr.State, which gradio keeps on the server and never takes from a request), so
calling an endpoint directly does nothing without the password. File rules live in
ui.library; this module only lays out the tab and wires it up.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.reindexer import Reindexer, ReindexRunning
from assistant.service import reindex
from corpus import CorpusError
from corpus.loading import SUFFIXES
from index import IndexError_
from ui.access import LoginGuard, TooManyAttempts
from ui.library import (LibraryError, list_documents, read_upload, remove_document,
                        save_document)
from ui.render import render_documents, render_status
from ui.settings import WebSettings

logger = logging.getLogger(__name__)
NOT_SIGNED_IN = "Sign in first."
# Not in the API docs, and one library change at a time (the chat has its own queue).
PRIVATE = dict(api_visibility="private", concurrency_id="library")
SKIP = gr.update()  # leave an output as it is


def _reindexed(report: Any) -> str:
    index = report.index
    if not report.saved:
        text = f"Already up to date: the chat answers from index {index.version}."
    else:
        text = (f"Re-indexed: {len(index.documents)} documents (added "
                f"{len(report.added)}, changed {len(report.changed)}, removed "
                f"{len(report.removed)}). The chat now answers from index {index.version}.")
    for skipped in report.skipped:
        text += f" Skipped {skipped.path}: {skipped.reason}"
    return text


class AdminTab:
    """The tab's components and handlers, for one app (many sessions)."""

    def __init__(self, assistant: Any, settings: WebSettings) -> None:
        self.assistant = assistant
        self.corpus_dir = Path(settings.corpus_dir)
        self.guard = LoginGuard(settings.admin_password or "")
        self.reindexer = Reindexer(assistant, functools.partial(reindex, settings))

    def view(self) -> tuple[str, Any]:
        """The documents table and the delete menu's choices, as they are now."""
        rows = list_documents(self.assistant.index, self.corpus_dir)
        files = [r.file for r in rows if r.state != "removed"]
        return render_documents(rows), gr.update(choices=files, value=None)

    def on_sign_in(self, attempt: str, request: gr.Request):
        """(signed in, password box, message, login form, panel, table, delete menu)"""
        try:
            ok = self.guard.check(attempt)
        except TooManyAttempts as err:
            return False, "", render_status(str(err), ok=False), SKIP, SKIP, SKIP, SKIP
        if not ok:
            client = getattr(getattr(request, "client", None), "host", "?")
            logger.warning("wrong maintainer password from %s", client)  # never the text
            return False, "", render_status("Wrong password.", ok=False), SKIP, SKIP, \
                SKIP, SKIP
        return (True, "", "", gr.update(visible=False), gr.update(visible=True),
                *self.view())

    def on_add(self, paths: list[str] | None, replace: bool, signed_in: bool):
        """(status, table, delete menu, file picker)"""
        if not signed_in:
            return render_status(NOT_SIGNED_IN, ok=False), SKIP, SKIP, None
        if not paths:
            return render_status("Choose one or more files first.", ok=False), SKIP, \
                SKIP, None
        added, problems = [], []
        for path in paths:
            try:  # gradio keeps an upload's own file name; save_document checks it
                added.append(save_document(self.corpus_dir, Path(path).name,
                                           read_upload(Path(path)), replace=bool(replace)))
            except (LibraryError, OSError) as err:
                problems.append(str(err))
        message = [f"Added {', '.join(added)}; re-index to answer from it."] if added else []
        return (render_status(" ".join(message + problems), ok=not problems),
                *self.view(), None)

    def on_remove(self, doc_id: str | None, signed_in: bool):
        """(status, table, delete menu)"""
        if not signed_in:
            return render_status(NOT_SIGNED_IN, ok=False), SKIP, SKIP
        try:
            remove_document(self.corpus_dir, doc_id or "")
        except (LibraryError, OSError) as err:
            return render_status(str(err), ok=False), *self.view()
        return (render_status(f"Deleted {doc_id}; re-index to stop quoting it."),
                *self.view())

    def on_reindex(self, signed_in: bool, progress=gr.Progress(track_tqdm=True)):
        """(status, table, delete menu); the embedding's progress bar shows meanwhile."""
        if not signed_in:
            return render_status(NOT_SIGNED_IN, ok=False), SKIP, SKIP
        progress(0, desc="Re-indexing: reading and embedding documents…")
        try:
            report = self.reindexer.run(progress=True)
        except (ReindexRunning, CorpusError, IndexError_, OSError) as err:
            return render_status(f"Re-index failed: {err}", ok=False), *self.view()
        return render_status(_reindexed(report)), *self.view()


def build_admin(assistant: Any, settings: WebSettings) -> list[Any]:
    """Lay out the tab inside the current gr.Tab; returns the events after which the
    page footer (index version) should be refreshed."""
    tab = AdminTab(assistant, settings)
    signed_in = gr.State(False)
    with gr.Column(elem_id="qc-login") as login:
        password = gr.Textbox(label="Maintainer password", type="password", max_lines=1,
                              elem_id="qc-admin-password")
        sign_in = gr.Button("Sign in", variant="primary", elem_id="qc-admin-signin")
        login_status = gr.HTML(elem_id="qc-login-status")
    with gr.Column(visible=False, elem_id="qc-admin") as panel:
        docs = gr.HTML(elem_id="qc-docs")
        with gr.Group():
            files = gr.File(label="Add documents (.txt, .md, .pdf, .html, .docx; at most 5 MB "
                                  "each)",
                            file_count="multiple", file_types=list(SUFFIXES),
                            type="filepath", elem_id="qc-upload")
            replace = gr.Checkbox(label="Replace documents that have the same file name",
                                  elem_id="qc-replace")
            add = gr.Button("Add to the library", elem_id="qc-add")
        with gr.Row(equal_height=True):
            choice = gr.Dropdown(label="Document to delete", choices=[], scale=3,
                                 elem_id="qc-remove-choice")
            remove = gr.Button("Delete file", variant="stop", scale=1, elem_id="qc-remove")
        run = gr.Button("Re-index now", variant="primary", elem_id="qc-reindex")
        status = gr.HTML(elem_id="qc-admin-status")
        sign_out = gr.Button("Sign out", size="sm", elem_id="qc-signout")
    for event in (sign_in.click, password.submit):
        event(tab.on_sign_in, [password], [signed_in, password, login_status, login, panel,
                                           docs, choice], **PRIVATE)
    add.click(tab.on_add, [files, replace, signed_in], [status, docs, choice, files],
              **PRIVATE)
    remove.click(tab.on_remove, [choice, signed_in], [status, docs, choice], **PRIVATE)
    # Progress over the status line only, so the table stays readable meanwhile.
    done = run.click(tab.on_reindex, [signed_in], [status, docs, choice],
                     show_progress_on=status, **PRIVATE)
    sign_out.click(lambda: (False, gr.update(visible=True), gr.update(visible=False), ""),
                   None, [signed_in, login, panel, status], api_visibility="private")
    return [done]
