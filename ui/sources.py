"""Original documents served by the app, so a quote's source can be opened (a PDF at
its page, an HTML page at the heading's anchor).

Only files the live index holds are served, looked up by doc_id and resolved inside the
corpus folder (a link leaving it is refused). A saved web page is served under a
sandbox policy, so scripts in it never run with the app's origin. No gradio here.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote as url_quote

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

SOURCE_PATH = "quotechat/source/"  # relative: works behind a proxy's root path too
_TYPES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
          ".md": "text/plain; charset=utf-8", ".markdown": "text/plain; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8"}
_SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def source_url(doc_id: str, *, page: int | None = None, anchor: str = "") -> str:
    """The link to a document's original file, at a PDF's page or an HTML anchor."""
    url = SOURCE_PATH + url_quote(doc_id, safe="/")
    if page is not None:
        return f"{url}#page={int(page)}"
    if anchor:
        return f"{url}#{url_quote(anchor, safe='')}"
    return url


def source_file(corpus_dir: Path, documents: Any, doc_id: str) -> Path | None:
    """The file of an indexed document, or None when it is not one to serve."""
    if doc_id not in documents:
        return None
    root = Path(corpus_dir).resolve()
    path = (root / doc_id).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def source_route(corpus_dir: Path, index: Callable[[], Any]) -> Route:
    """A route serving `SOURCE_PATH` + doc_id; ``index()`` gives the live index."""

    async def serve(request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        path = source_file(corpus_dir, index().documents, doc_id)
        if path is None:
            return PlainTextResponse("No such document in the index.", status_code=404)
        suffix = path.suffix.lower()
        media = _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or \
            "application/octet-stream"
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
        if suffix != ".pdf":
            headers["Content-Security-Policy"] = _SANDBOX
        disposition = "inline" if suffix in _TYPES else "attachment"
        return FileResponse(path, media_type=media, headers=headers,
                            content_disposition_type=disposition, filename=path.name)

    return Route("/" + SOURCE_PATH + "{doc_id:path}", serve, methods=["GET", "HEAD"])
