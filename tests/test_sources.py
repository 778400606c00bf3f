"""The original documents the app serves for source links: only indexed files, inside
the corpus folder, a saved web page sandboxed."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from format_fixtures import write_all
from starlette.applications import Starlette
from starlette.testclient import TestClient

from ui.sources import source_route, source_url


@pytest.fixture
def client(tmp_path):
    corpus = tmp_path / "docs"
    paths = write_all(corpus)
    (tmp_path / "secret.txt").write_text("Outside the corpus.", encoding="utf-8")
    (corpus / "link.txt").symlink_to(tmp_path / "secret.txt")
    (corpus / "unindexed.txt").write_text("Not indexed yet.", encoding="utf-8")
    indexed = {p.name: None for p in paths.values()} | {"link.txt": None}
    index = SimpleNamespace(documents=indexed)
    app = Starlette(routes=[source_route(corpus, lambda: index)])
    return TestClient(app)


def test_an_indexed_pdf_is_served_inline(client):
    response = client.get("/" + source_url("article.pdf", page=2).split("#")[0])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")


def test_a_saved_web_page_is_sandboxed(client):
    response = client.get("/quotechat/source/article.html")
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["unindexed.txt", "link.txt", "../secret.txt",
                                  "%2e%2e/secret.txt", "nothing.pdf"])
def test_anything_else_is_not_found(client, path):
    assert client.get("/quotechat/source/" + path).status_code == 404


def test_source_urls():
    assert source_url("a b.pdf", page=4) == "quotechat/source/a%20b.pdf#page=4"
    assert source_url("dir/p.html", anchor="dose") == "quotechat/source/dir/p.html#dose"
    assert source_url("x.txt") == "quotechat/source/x.txt"
