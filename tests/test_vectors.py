"""The dense index type chosen by size: flat below the limit, HNSW above; recorded,
saved and loaded with the index; exact vectors kept for re-use; damage refused."""
from __future__ import annotations

import gc
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

import faiss
import numpy as np
import pytest

from corpus import load_corpus
from index import ChunkSettings, IndexCorrupt, SearchIndex
from index import vectors as dense
from index.storage import file_sha256

SETTINGS = ChunkSettings(max_tokens=40, overlap=10)
QUERIES = ["muscle cramps at night", "vitamin B12 food sources", "see a doctor",
           "dehydration electrolyte drink", "fortified cereals", "zzz unknown"]
HNSW_SPEC = {"type": "hnsw", **dense.HNSW}


@pytest.fixture
def corpus(tmp_path, fixture_dir):
    return shutil.copytree(fixture_dir, tmp_path / "docs")


def build(folder, encoder, previous=None):
    documents, _ = load_corpus(folder)
    return SearchIndex.build(documents, encoder, settings=SETTINGS, previous=previous)


@pytest.fixture
def approximate(monkeypatch):
    """Every index above 3 vectors is HNSW, as a large library's would be."""
    monkeypatch.setattr(dense, "FLAT_LIMIT", 3)


def unit_vectors(n, dim=32, seed=0):
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    faiss.normalize_L2(x)
    return x


@pytest.mark.parametrize("count, expected", [(0, "flat"), (10, "flat"), (11, "hnsw"),
                                             (10_000, "hnsw")])
def test_chooser_is_flat_up_to_the_limit_and_hnsw_above(count, expected):
    assert dense.choose(count, flat_limit=10)["type"] == expected


def test_default_limit_keeps_ordinary_corpora_exact():
    assert dense.choose(dense.FLAT_LIMIT) == {"type": "flat"}
    assert dense.choose(dense.FLAT_LIMIT + 1) == HNSW_SPEC


def test_small_index_stays_flat_and_says_so(corpus, fake_encoder, tmp_path):
    built = build(corpus, fake_encoder)
    assert built.manifest["dense"] == {"units": {"type": "flat"}, "chunks": {"type": "flat"}}
    folder = built.save(tmp_path / "index")
    assert json.loads((folder / "manifest.json").read_text())["dense"] == \
        built.manifest["dense"]
    assert type(faiss.read_index(str(folder / "units.faiss"))) is faiss.IndexFlatIP


def test_large_index_is_hnsw_and_round_trips_type_and_parameters(
        corpus, fake_encoder, tmp_path, approximate):
    built = build(corpus, fake_encoder)
    assert built.manifest["dense"] == {"units": HNSW_SPEC, "chunks": HNSW_SPEC}
    folder = built.save(tmp_path / "index")
    assert json.loads((folder / "manifest.json").read_text())["dense"] == \
        built.manifest["dense"]
    stored = faiss.read_index(str(folder / "units.faiss"))
    assert type(stored) is faiss.IndexHNSWFlat and dense.spec_of(stored) == HNSW_SPEC
    loaded = SearchIndex.load(tmp_path / "index", encoder=fake_encoder, settings=SETTINGS)
    assert loaded.manifest["dense"] == built.manifest["dense"]
    assert dense.spec_of(loaded._dense_units) == HNSW_SPEC  # built once, not at load


def test_mixed_sizes_choose_per_index(corpus, fake_encoder, monkeypatch):
    probe = build(corpus, fake_encoder)
    assert len(probe.chunks) < len(probe.units)
    monkeypatch.setattr(dense, "FLAT_LIMIT", len(probe.chunks))
    built = build(corpus, fake_encoder)
    assert built.manifest["dense"] == {"units": HNSW_SPEC, "chunks": {"type": "flat"}}


def _assert_same_hits(hits, exact, vectors, query):
    """Same scores in the same order; ties may list equal-scoring positions apart."""
    assert [h.score for h in hits] == pytest.approx([h.score for h in exact], abs=1e-6)
    for hit in hits:
        assert float(vectors[hit.position] @ query) == pytest.approx(hit.score, abs=1e-6)


def test_hnsw_search_on_a_small_set_matches_flat(corpus, fake_encoder, tmp_path,
                                                 monkeypatch):
    exact = build(corpus, fake_encoder)
    monkeypatch.setattr(dense, "FLAT_LIMIT", 3)
    build(corpus, fake_encoder).save(tmp_path / "index")
    loaded = SearchIndex.load(tmp_path / "index")
    for text in QUERIES:
        query = fake_encoder.encode([text])[0]
        _assert_same_hits(loaded.dense_units(query, 5), exact.dense_units(query, 5),
                          exact.unit_vectors, query)
        _assert_same_hits(loaded.dense_chunks(query, 3), exact.dense_chunks(query, 3),
                          exact.chunk_vectors, query)
        assert len(loaded.dense_units(query, 1000)) == len(loaded.units)


@pytest.mark.parametrize("limit", [3, 10**6])
def test_vectors_round_trip_exactly_for_reuse(corpus, fake_encoder, tmp_path, monkeypatch,
                                              limit):
    monkeypatch.setattr(dense, "FLAT_LIMIT", limit)
    built = build(corpus, fake_encoder)
    built.save(tmp_path / "index")
    loaded = SearchIndex.load(tmp_path / "index")
    assert np.array_equal(loaded.unit_vectors, built.unit_vectors)
    assert np.array_equal(loaded.chunk_vectors, built.chunk_vectors)
    (corpus / "new.md").write_text("# Sleep\n\nSleep helps muscles recover.\n", "utf-8")
    encoder = type(fake_encoder)()
    updated = build(corpus, encoder, previous=loaded)
    assert len(encoder.texts) == len(updated.documents["new.md"].units) + sum(
        c.doc_id == "new.md" for c in updated.chunks)
    for doc_id in built.documents:
        assert np.array_equal(updated.doc_unit_vectors(doc_id),
                              built.doc_unit_vectors(doc_id))
        assert np.array_equal(updated.doc_chunk_vectors(doc_id),
                              built.doc_chunk_vectors(doc_id))


def test_stored_vectors_share_the_index_and_keep_it_alive():
    vectors = unit_vectors(50)
    for spec in ({"type": "flat"}, dict(HNSW_SPEC, M=8)):
        index = dense.build(vectors, spec)
        view = dense.stored_vectors(index)[10:20]
        assert not view.flags.writeable
        holder = view
        while isinstance(holder, np.ndarray):
            holder = holder.base
        assert holder.owner is index  # freed only when the last view goes
        del holder
        del index
        gc.collect()
        assert np.array_equal(view, vectors[10:20])
    assert dense.stored_vectors(dense.build(unit_vectors(0), HNSW_SPEC)).shape == (0, 32)


def test_concurrent_searches_on_one_index_give_the_sequential_results():
    vectors, queries = unit_vectors(2000), unit_vectors(200, seed=1)
    for spec in ({"type": "flat"}, HNSW_SPEC):
        index = dense.build(vectors, spec)
        sequential = [dense.search(index, q, 10)[1].tolist() for q in queries]
        with ThreadPoolExecutor(max_workers=8) as pool:
            together = list(pool.map(lambda q: dense.search(index, q, 10)[1].tolist(),
                                     queries))
        assert together == sequential


def test_search_uses_one_openmp_thread_and_build_all_of_them():
    index = dense.build(unit_vectors(20), {"type": "flat"})
    seen = {}

    def run():
        dense.search(index, unit_vectors(1)[0], 3)
        seen["search"] = faiss.omp_get_max_threads()
        dense.build(unit_vectors(20), {"type": "flat"})
        seen["build"] = faiss.omp_get_max_threads()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == {"search": 1, "build": dense._BUILD_THREADS}


def _rewrite_manifest(folder, edit):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest))


def test_truncated_index_file_is_corrupt_even_with_a_matching_checksum(
        corpus, fake_encoder, tmp_path, approximate):
    folder = build(corpus, fake_encoder).save(tmp_path / "index")
    data = (folder / "units.faiss").read_bytes()
    (folder / "units.faiss").write_bytes(data[:len(data) // 2])
    with pytest.raises(IndexCorrupt, match="damaged"):
        SearchIndex.load(tmp_path / "index")
    _rewrite_manifest(folder, lambda m: m["files"].update(
        {"units.faiss": file_sha256(folder / "units.faiss")}))
    with pytest.raises(IndexCorrupt, match="cannot be read.*quotechat index --rebuild"):
        SearchIndex.load(tmp_path / "index")


@pytest.mark.parametrize("edit", [
    lambda m: m["dense"].update(units={"type": "flat"}),
    lambda m: m["dense"]["units"].update(ef_search=64),
    lambda m: m.pop("dense"),
])
def test_manifest_that_misnames_the_index_type_is_corrupt(corpus, fake_encoder, tmp_path,
                                                          approximate, edit):
    folder = build(corpus, fake_encoder).save(tmp_path / "index")
    _rewrite_manifest(folder, edit)
    with pytest.raises(IndexCorrupt, match="the manifest says.*quotechat index --rebuild"):
        SearchIndex.load(tmp_path / "index")


@pytest.mark.parametrize("dense_field", [
    "hnsw", {"units": {"type": "flat"}}, {"units": {"type": "ivf"}, "chunks": {"type": "flat"}},
    {"units": {"type": "hnsw", "M": 32}, "chunks": {"type": "flat"}},
    {"units": {"type": "hnsw", "M": "32", "ef_construction": 80, "ef_search": 128},
     "chunks": {"type": "flat"}},
])
def test_malformed_dense_field_is_refused_by_the_schema(corpus, fake_encoder, tmp_path,
                                                        dense_field):
    folder = build(corpus, fake_encoder).save(tmp_path / "index")
    _rewrite_manifest(folder, lambda m: m.update(dense=dense_field))
    with pytest.raises(IndexCorrupt, match="Unusable manifest.*quotechat index --rebuild"):
        SearchIndex.load(tmp_path / "index")


def test_index_written_before_types_were_recorded_loads_as_flat(corpus, fake_encoder,
                                                                tmp_path):
    built = build(corpus, fake_encoder)
    folder = built.save(tmp_path / "index")
    _rewrite_manifest(folder, lambda m: m.pop("dense"))
    loaded = SearchIndex.load(tmp_path / "index", encoder=fake_encoder, settings=SETTINGS)
    assert loaded.manifest["dense"] == built.manifest["dense"]
    assert np.array_equal(loaded.unit_vectors, built.unit_vectors)


def test_scale_check_runs_and_reports_recall(tmp_path, capsys):
    from index import scale_check
    out = tmp_path / "report.json"
    assert scale_check.main(["--vectors", "2000", "--queries", "20", "--dim", "32",
                             "--ef", "64", "--nprobe", "8", "--flat-sizes", "1000",
                             "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == report
    kinds = {r["type"].split()[0]: r for r in report["results"]}
    assert set(kinds) == {"flat", "hnsw", "ivf-flat"}
    assert kinds["flat"]["search"][0]["recall@1"] == 1.0
    assert 0 < kinds["hnsw"]["search"][0]["recall@10"] <= 1
    assert [r["vectors"] for r in report["flat_by_size"]][0] == 1000
