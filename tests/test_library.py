"""ui.library: safe names, upload checks, atomic saves, removal, listing."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index import ChunkSettings
from index.update import update_index
from ui import library
from ui.library import (DocumentExists, DocumentNotFound, FileTooLarge, NoQuotableText,
                        NotUtf8Text, UnsafeFileName, UnsupportedFileType, check_content,
                        list_documents, read_upload, remove_document, safe_name,
                        save_document)

ROOT = Path(__file__).resolve().parent.parent
DOC = "# Quokka Care\n\nQuokkas eat leaves and grasses. Never feed them bread.\n".encode()


@pytest.fixture
def corpus(tmp_path, fixture_dir) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(fixture_dir, folder)
    return folder


def test_the_gradio_free_modules_do_not_load_gradio():
    code = ("import sys, ui.library, ui.feedback, ui.access, ui.render, ui.style; "
            "sys.exit('gradio' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


@pytest.mark.parametrize("name", ["notes.md", "B12 facts (2024).txt", "Ünïcode-guide.md",
                                  "a.MD", "x.markdown", "v1.2_final+edit,copy.txt"])
def test_safe_names_are_kept(name):
    assert safe_name(name) == name


@pytest.mark.parametrize("name", ["../x.md", "a/b.md", "a\\b.md", "/etc/passwd.md",
                                  ".hidden.md", "..md", "", "   ", "-rf.md", "a.md.",
                                  "x<y>.md", "name\x00.md", "semi;colon.md", "x" * 200 + ".md",
                                  "CON\n.md"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(UnsafeFileName):
        safe_name(name)


@pytest.mark.parametrize("name,problem", [
    ("../../x.md", "contains a folder separator"), ("a\\b.md", "contains a folder separator"),
    ("..", "starts with '..'"), ("...md", "starts with '..'"),
    ("nul\x00name.md", r"control character \(NUL\)"),
    ("tab\tname.md", r"control character \(U\+0009\)"),
    ("trailing.md\n", r"control character \(U\+000A\)"),
    ("rtl\u202edm.txt", r"control character \(U\+202E\)")])
def test_paths_and_control_characters_are_refused_with_the_reason(name, problem):
    with pytest.raises(UnsafeFileName, match=problem + ".*not saved"):
        safe_name(name)


@pytest.mark.parametrize("name", ["paper.pdf", "page.html", "page.HTM", "letter.docx"])
def test_the_corpus_formats_are_accepted(name):
    assert safe_name(name) == name


def test_uploads_are_checked_by_the_corpus_reader():
    from format_fixtures import docx_bytes, pdf_bytes
    assert "Vitamin B12 Injections" in check_content("a.pdf", pdf_bytes())
    assert "Vitamin B12 Injections" in check_content("a.docx", docx_bytes())
    with pytest.raises(library.UnreadableUpload, match="a.pdf: .*complete"):
        check_content("a.pdf", pdf_bytes()[:600])
    with pytest.raises(NoQuotableText, match="h.md: no sentences"):
        check_content("h.md", b"# Just\n\n## Headings\n")


@pytest.mark.parametrize("name", ["notes", "x.md.exe", "a.TXT.js", "doc.doc", "p.png"])
def test_other_file_types_are_refused(name):
    with pytest.raises(UnsupportedFileType, match="only .txt"):
        safe_name(name)


def test_content_must_be_quotable_utf8_text(monkeypatch):
    assert check_content("a.md", DOC) == DOC.decode()
    with pytest.raises(NotUtf8Text, match="re-save it as UTF-8"):
        check_content("a.txt", "café".encode("latin-1"))
    with pytest.raises(NotUtf8Text, match="NUL"):
        check_content("a.txt", b"text\x00more")
    for empty in (b"", b"  \n\t\n"):
        with pytest.raises(NoQuotableText):
            check_content("a.txt", empty)
    monkeypatch.setattr(library, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(FileTooLarge, match="split it"):
        check_content("a.md", DOC)


def test_read_upload_stops_at_the_size_limit(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 100)
    monkeypatch.setattr(library, "MAX_UPLOAD_BYTES", 50)
    with pytest.raises(FileTooLarge):
        read_upload(big)
    monkeypatch.setattr(library, "MAX_UPLOAD_BYTES", 100)
    assert read_upload(big) == b"x" * 100


def test_the_size_limit_is_the_corpus_readers():
    from corpus.loading import MAX_FILE_BYTES
    assert library.MAX_UPLOAD_BYTES <= MAX_FILE_BYTES


def test_save_writes_the_file_atomically_and_leaves_no_temp_files(corpus):
    assert save_document(corpus, "quokka.md", DOC) == "quokka.md"
    assert (corpus / "quokka.md").read_bytes() == DOC
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]


def test_save_refuses_to_overwrite_unless_asked(corpus):
    save_document(corpus, "quokka.md", DOC)
    with pytest.raises(DocumentExists, match="Replace"):
        save_document(corpus, "quokka.md", b"Other text here.")
    assert (corpus / "quokka.md").read_bytes() == DOC
    save_document(corpus, "quokka.md", b"Other text here.", replace=True)
    assert (corpus / "quokka.md").read_bytes() == b"Other text here."


def test_a_refused_upload_changes_nothing(corpus):
    before = sorted(p.name for p in corpus.iterdir())
    for name, data in (("../escape.md", DOC), ("bad.txt", b"\xff\xfe"), ("x.pdf", DOC), ("x.exe", DOC)):
        with pytest.raises(library.LibraryError):
            save_document(corpus, name, data, replace=True)
    assert sorted(p.name for p in corpus.iterdir()) == before
    assert not (corpus.parent / "escape.md").exists()


def test_a_failed_write_leaves_no_temp_file(corpus, monkeypatch):
    def fail(*_):
        raise OSError("disk full")
    monkeypatch.setattr(library.os, "replace", fail)
    with pytest.raises(OSError):
        save_document(corpus, "quokka.md", DOC)
    assert not [p for p in corpus.iterdir() if p.name.startswith(".upload-")]
    assert not (corpus / "quokka.md").exists()


def test_remove_only_deletes_listed_documents(corpus, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_bytes(DOC)
    (corpus / ".hidden.md").write_bytes(DOC)
    for doc_id in ("../outside.md", str(outside), ".hidden.md", "missing.md", ""):
        with pytest.raises(DocumentNotFound):
            remove_document(corpus, doc_id)
    assert outside.exists() and (corpus / ".hidden.md").exists()
    remove_document(corpus, "b12.md")
    assert not (corpus / "b12.md").exists()


def test_list_documents_shows_what_a_reindex_would_change(corpus, tmp_path, fake_encoder):
    index = update_index(corpus, tmp_path / "index", fake_encoder,
                         settings=ChunkSettings()).index
    rows = {r.file: r for r in list_documents(index, corpus)}
    assert {r.state for r in rows.values()} == {"indexed"}
    assert rows["b12.md"].chunks == index.manifest["documents"]["b12.md"]["chunks"]
    assert rows["b12.md"].title == index.documents["b12.md"].title and rows["b12.md"].indexed_at
    save_document(corpus, "quokka.md", DOC)
    (corpus / "cramps.txt").write_text("Changed text about cramps.", encoding="utf-8")
    remove_document(corpus, "b12.md")
    states = {r.file: r.state for r in list_documents(index, corpus)}
    assert states == {"b12.md": "removed", "cramps.txt": "changed", "quokka.md": "new"}


def _hostile_corpus(corpus: Path, tmp_path: Path) -> Path:
    """A corpus with one file of each kind a re-index refuses; returns a file outside."""
    from format_fixtures import pdf_bytes
    outside = tmp_path / "outside.txt"
    outside.write_text("Kept outside the corpus.", encoding="utf-8")
    (corpus / b"caf\xe9.txt".decode("utf-8", "surrogateescape")).write_bytes(b"Fine text.")
    (corpus / "passwd.txt").symlink_to(outside)
    (corpus / "tool.exe").write_bytes(b"MZ")
    (corpus / "broken.pdf").write_bytes(pdf_bytes()[:600])
    (corpus / "headings.md").write_bytes(b"# Just\n\n## Headings\n")
    return outside


REFUSED = {"caf\ufffd.txt": "not valid UTF-8", "passwd.txt": "outside the corpus",
           "tool.exe": "not a supported type", "broken.pdf": "complete",
           "headings.md": "no sentences"}


def test_files_that_cannot_be_indexed_are_listed_with_the_reason(corpus, tmp_path,
                                                                 fake_encoder):
    _hostile_corpus(corpus, tmp_path)
    report = update_index(corpus, tmp_path / "index", fake_encoder)
    assert {s.path for s in report.skipped} == set(REFUSED)
    rows = {r.file: r for r in list_documents(report.index, corpus)}
    assert {f: r.state for f, r in rows.items()} == {
        "b12.md": "indexed", "cramps.txt": "indexed", **{f: "refused" for f in REFUSED}}
    for name, words in REFUSED.items():
        assert words in rows[name].reason and rows[name].chunks is None


def test_an_indexed_file_that_breaks_is_listed_as_refused(corpus, tmp_path, fake_encoder):
    index = update_index(corpus, tmp_path / "index", fake_encoder).index
    (corpus / "cramps.txt").write_bytes(b"  \n")
    rows = {r.file: r for r in list_documents(index, corpus)}
    assert rows["cramps.txt"].state == "refused" and rows["cramps.txt"].reason == "empty."
    assert len(rows) == 2


def test_refused_files_can_be_deleted_and_a_link_never_takes_its_target(corpus, tmp_path,
                                                                        fake_encoder):
    outside = _hostile_corpus(corpus, tmp_path)
    index = update_index(corpus, tmp_path / "index", fake_encoder).index
    for name in REFUSED:
        remove_document(corpus, name)
    assert sorted(p.name for p in corpus.iterdir()) == ["b12.md", "cramps.txt"]
    assert outside.read_text(encoding="utf-8") == "Kept outside the corpus."
    assert {r.state for r in list_documents(index, corpus)} == {"indexed"}


def test_a_link_inside_the_corpus_is_deleted_as_a_link(corpus):
    (corpus / "alias.md").symlink_to(corpus / "b12.md")
    remove_document(corpus, "alias.md")
    assert not (corpus / "alias.md").is_symlink() and (corpus / "b12.md").exists()


def test_a_linked_folder_leaving_the_corpus_is_never_entered(corpus, tmp_path):
    away = tmp_path / "away"
    away.mkdir()
    (away / "secret.md").write_bytes(DOC)
    (corpus / "sub").symlink_to(away)
    for doc_id in ("sub/secret.md", "sub"):
        with pytest.raises(DocumentNotFound):
            remove_document(corpus, doc_id)
    assert (away / "secret.md").exists() and (corpus / "sub").is_symlink()


def test_two_names_that_print_alike_are_not_guessed_between(corpus):
    for raw in (b"x\xe9.txt", b"x\xe8.txt"):
        (corpus / raw.decode("utf-8", "surrogateescape")).write_bytes(b"Text.")
    with pytest.raises(library.LibraryError, match="rename them"):
        remove_document(corpus, "x\ufffd.txt")
    assert len(list(corpus.iterdir())) == 4
