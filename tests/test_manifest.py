"""An index that defends itself: the manifest's schema, required checksums, stale build
folders, remembered chunk settings and the corpus an index was built from."""
from __future__ import annotations

import json
import shutil

import pytest
from format_fixtures import write_all

from assistant.settings import Settings
from index import ChunkSettings, IndexCorrupt, IndexMismatch, SearchIndex
from index.update import update_index


@pytest.fixture
def corpus(tmp_path, fixture_dir):
    return shutil.copytree(fixture_dir, tmp_path / "docs")


@pytest.fixture
def built(corpus, fake_encoder, tmp_path):
    report = update_index(corpus, tmp_path / "index", fake_encoder)
    return tmp_path / "index", report.path / report.index.version


def _edit(folder, change):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def _first_doc(m):
    return next(iter(m["documents"].values()))


HAND_EDITS = {
    "files is a string": lambda m: m.update(files="x"),
    "documents missing": lambda m: m.pop("documents"),
    "documents a list": lambda m: m.update(documents=[]),
    "entry without content_hash": lambda m: _first_doc(m).pop("content_hash"),
    "no index_version": lambda m: m.pop("index_version"),
    "no files": lambda m: m.pop("files"),
    "a checksum removed": lambda m: m["files"].pop("documents.json"),
    "chunk_settings a number": lambda m: m.update(chunk_settings=160),
    "dimension a string": lambda m: m.update(dimension="384"),
    "a file outside the folder": lambda m: m["files"].update({"../x": "0" * 64}),
}


@pytest.mark.parametrize("edit", sorted(HAND_EDITS))
def test_hand_edited_manifests_are_refused_with_the_command_to_run(built, edit):
    root, folder = built
    _edit(folder, HAND_EDITS[edit])
    with pytest.raises(IndexCorrupt, match="quotechat index --rebuild"):
        SearchIndex.load(root)


def test_removing_the_checksums_does_not_let_an_edited_text_be_quoted(built):
    root, folder = built
    _edit(folder, lambda m: m.pop("files"))
    docs = json.loads((folder / "documents.json").read_text())
    docs[0]["text"] = docs[0]["text"].replace("cramp", "CRAMP")
    (folder / "documents.json").write_text(json.dumps(docs))
    with pytest.raises(IndexCorrupt):
        SearchIndex.load(root)


def test_an_index_with_a_bad_manifest_is_rebuilt_by_index(built, corpus, fake_encoder):
    root, folder = built
    _edit(folder, HAND_EDITS["documents a list"])
    report = update_index(corpus, root, fake_encoder)
    assert report.saved and "unusable" in report.note
    assert SearchIndex.load(root).version == report.index.version


def test_leftovers_of_killed_builds_are_removed(built, corpus, fake_encoder):
    root, _ = built
    (root / ".building-abc123").mkdir()
    (root / ".building-abc123" / "documents.json").write_text("half")
    (corpus / "new.txt").write_text("A new sentence about quokkas.", encoding="utf-8")
    update_index(corpus, root, fake_encoder)
    assert not list(root.glob(".building-*"))


def test_chunk_settings_given_to_index_are_remembered(corpus, fake_encoder, tmp_path):
    root = tmp_path / "index"
    asked = Settings(corpus_dir=corpus, index_dir=root, chunk_tokens=40)
    update_index(corpus, root, fake_encoder, settings=asked.chunk_settings)
    later = Settings(corpus_dir=corpus, index_dir=root)  # `ask` without chunk options
    assert later.chunk_settings is None
    index = SearchIndex.load(root, encoder=fake_encoder, settings=later.chunk_settings)
    assert index.manifest["chunk_settings"] == {"max_tokens": 40, "overlap": 10}
    (corpus / "new.txt").write_text("A new sentence about quokkas.", encoding="utf-8")
    report = update_index(corpus, root, fake_encoder, settings=later.chunk_settings)
    assert report.index.manifest["chunk_settings"]["max_tokens"] == 40
    with pytest.raises(IndexMismatch, match="chunks"):
        SearchIndex.load(root, settings=ChunkSettings(max_tokens=160, overlap=30))


@pytest.mark.parametrize("tokens, overlap, match", [
    (5, None, "chunk size 5 is too small"), (0, None, "too small"),
    (40, 40, "overlap 40 must be .* below the chunk size 40"),
    (None, 500, "overlap 500"),
])
def test_bad_chunk_settings_name_the_right_option(tokens, overlap, match):
    with pytest.raises(ValueError, match=match):
        Settings(chunk_tokens=tokens, chunk_overlap=overlap)


def test_another_corpus_s_index_is_refused_with_the_command(built, tmp_path):
    root, _ = built
    other = tmp_path / "other"
    write_all(other)
    with pytest.raises(IndexMismatch, match=f"quotechat index --corpus {other.resolve()}"):
        SearchIndex.load(root, corpus=str(other.resolve()))


def test_the_manifest_records_the_corpus(built, corpus):
    root, _ = built
    assert SearchIndex.load(root).manifest["corpus"] == str(corpus.resolve())
    SearchIndex.load(root, corpus=str(corpus.resolve()))  # its own corpus: fine
