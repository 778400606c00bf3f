"""The maintainers' tab: sign in, list documents, add, remove, re-index.

Built only when a password is configured. Every handler checks the session's signed-in
flag (a gr.State, which gradio keeps on the server and never takes from a request), so
calling an endpoint directly does nothing without the password. File rules live in
ui.library; this module only lays out the tab and wires it up.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import time
from pathlib import Path
from typing import Any, NamedTuple

import gradio as gr
from gradio.utils import get_upload_folder

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
# None of these is in the API docs. Each kind of action has its own queue slot, so a
# sign-in or an upload never waits behind a re-index (which can take minutes):
# - sign-in waits are asyncio sleeps holding no thread, so any number may run at once;
# - adding and deleting files, one at a time (each is quick);
# - re-index: no limit here, because Reindexer lets one run and refuses a second at
#   once; a limit of 1 would queue the second click silently until the first ends.
SIGN_IN = dict(api_visibility="private", concurrency_id="admin-sign-in",
               concurrency_limit=None)
FILES = dict(api_visibility="private", concurrency_id="admin-files", concurrency_limit=1)
REINDEX = dict(api_visibility="private", concurrency_id="admin-reindex",
               concurrency_limit=None)
SKIP = gr.update()  # leave an output as it is


class Upload(NamedTuple):
    path: Path  # gradio's copy, in its upload folder
    name: str  # the name the maintainer's browser (or an API client) gave the file


def uploads_as_sent(payload: Any) -> list[Upload] | None:
    """An upload field's value: each file's own name, as sent, beside gradio's copy.

    gradio stores an upload under a cleaned-up name ("../../x.md" becomes "x.md", NUL
    and control characters are dropped), so the copy's name cannot tell a plain name
    from a path; ui.library must see the name as sent to refuse it. gradio has checked
    that each path is one of its uploads before this runs."""
    if payload is None:
        return None
    files = payload.root if hasattr(payload, "root") else [payload]
    return [Upload(Path(f.path), f.orig_name or Path(f.path).name) for f in files]


def upload_field(**kwargs: Any) -> gr.File:
    """gr.File whose value is uploads_as_sent. Set on the instance: a gr.File subclass
    would make gradio write a .pyi stub beside this module at import. Also skips the
    empty temporary file gr.File(type="filepath") leaves in the upload folder per file."""
    field = gr.File(file_count="multiple", **kwargs)
    field.preprocess = uploads_as_sent  # type: ignore[method-assign]
    return field


def discard_upload(path: Path) -> None:
    """Delete gradio's copy of an upload (and its folder, once empty) after handling it,
    accepted or refused: the corpus has its own copy, and a refused one is kept nowhere.
    Only inside gradio's upload folder, whatever path a request names."""
    folder = Path(get_upload_folder()).resolve()
    path = Path(path)
    if not path.resolve().is_relative_to(folder) or path.resolve() == folder:
        return
    try:
        path.unlink(missing_ok=True)
        if path.parent.resolve() != folder:
            path.parent.rmdir()  # gradio's per-upload folder; kept if not empty
    except OSError:
        pass


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
        build = functools.partial(reindex, settings)

        def timed_build(**kwargs: Any) -> Any:  # called once the re-index lock is held
            self._reindex_started = time.time()
            return build(**kwargs)
        self.reindexer = Reindexer(assistant, timed_build)
        self._reindex_started = time.time()

    def view(self) -> tuple[str, Any]:
        """The documents table and the delete menu's choices, as they are now."""
        rows = list_documents(self.assistant.index, self.corpus_dir)
        files = [r.file for r in rows if r.state != "removed"]
        return render_documents(rows), gr.update(choices=files, value=None)

    def running_note(self) -> str:
        """A line saying a re-index runs, for a maintainer who signs in meanwhile."""
        if not self.reindexer.running:
            return ""
        started = time.strftime("%H:%M:%S", time.localtime(self._reindex_started))
        return render_status(f"A re-index started at {started} is running; the chat "
                             f"answers from index {self.assistant.index.version} until "
                             "it finishes.")

    async def on_sign_in(self, attempt: str, request: gr.Request):
        """(signed in, password box, message, login form, panel, table, delete menu,
        status line)"""
        session = getattr(request, "session_hash", None) or "?"
        client = getattr(getattr(request, "client", None), "host", None) or "?"

        def refused(message: str) -> tuple:
            return (False, "", render_status(message, ok=False)) + (SKIP,) * 5
        try:
            ok = await self.guard.check_async(attempt, session=session, client=client)
        except TooManyAttempts as err:
            return refused(str(err))
        if not ok:
            logger.warning("wrong maintainer password from %s", client)  # never the text
            return refused("Wrong password.")
        table, menu = await asyncio.to_thread(self.view)  # reads the corpus folder
        return (True, "", "", gr.update(visible=False), gr.update(visible=True), table,
                menu, self.running_note())

    def on_add(self, uploads: list[Upload] | None, replace: bool, signed_in: bool):
        """(status, table, delete menu, file picker)"""
        try:
            return self._add(uploads or [], bool(replace), signed_in)
        finally:
            for upload in uploads or []:
                discard_upload(upload.path)

    def _add(self, uploads: list[Upload], replace: bool, signed_in: bool):
        if not signed_in:
            return render_status(NOT_SIGNED_IN, ok=False), SKIP, SKIP, None
        if not uploads:
            return render_status("Choose one or more files first.", ok=False), SKIP, \
                SKIP, None
        added, problems = [], []
        for upload in uploads:
            try:  # the name as sent: save_document refuses paths and control characters
                added.append(save_document(self.corpus_dir, upload.name,
                                           read_upload(upload.path), replace=replace))
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
        if self.reindexer.running:  # said at once, not after the running one ends
            return self.running_note(), SKIP, SKIP
        progress(0, desc="Re-indexing: reading and embedding documents…")
        try:
            report = self.reindexer.run(progress=True)
        except ReindexRunning:  # started by another maintainer a moment ago
            return self.running_note(), SKIP, SKIP
        except (CorpusError, IndexError_, OSError) as err:
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
            files = upload_field(label="Add documents (.txt, .md, .pdf, .html, .docx; at "
                                       "most 5 MB each)",
                                 file_types=list(SUFFIXES), elem_id="qc-upload")
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
                                           docs, choice, status], **SIGN_IN)
    add.click(tab.on_add, [files, replace, signed_in], [status, docs, choice, files],
              **FILES)
    remove.click(tab.on_remove, [choice, signed_in], [status, docs, choice], **FILES)
    # Progress over the status line only, so the table stays readable meanwhile.
    done = run.click(tab.on_reindex, [signed_in], [status, docs, choice],
                     show_progress_on=status, **REINDEX)
    sign_out.click(lambda: (False, gr.update(visible=True), gr.update(visible=False), ""),
                   None, [signed_in, login, panel, status], queue=False,
                   api_visibility="private")
    return [done]
