"""How a build embeds: each distinct text once, longest first in groups, vectors back in
the order of the texts; progress as log lines when stderr is not a terminal."""
from __future__ import annotations

import io
import logging

import numpy as np
import pytest

from corpus import load_corpus
from index import SearchIndex
from index.build import encode_texts
from corpus.progress import Progress


def test_vectors_come_back_in_the_order_of_the_texts(fake_encoder):
    texts = ["a much longer text about vitamin b12 injections and cramps", "short",
             "medium length text on muscles", "x", "another fairly long text about aches"]
    got = encode_texts(fake_encoder, texts, group=2)
    for row, text in enumerate(texts):
        assert np.array_equal(got[row], fake_encoder.encode([text])[0])


def test_each_text_is_embedded_once_longest_first(fake_encoder):
    texts = ["bb", "a", "cccc", "bb", "ddd", "a", "cccc"]
    got = encode_texts(fake_encoder, texts, group=2)
    assert sorted(fake_encoder.texts) == sorted(set(texts))  # no text twice
    assert fake_encoder.texts == ["cccc", "ddd", "bb", "a"]  # longest first
    assert fake_encoder.calls == 2  # groups of 2
    assert np.array_equal(got[0], got[3]) and np.array_equal(got[2], got[6])
    assert got.shape == (len(texts), fake_encoder.dimension)


def test_nothing_to_embed_makes_no_call(fake_encoder):
    assert encode_texts(fake_encoder, []).shape == (0, fake_encoder.dimension)
    assert fake_encoder.calls == 0


def test_a_build_embeds_the_same_vectors_as_one_text_at_a_time(fixture_dir, fake_encoder):
    documents, _ = load_corpus(fixture_dir)
    index = SearchIndex.build(documents, fake_encoder)
    assert len(fake_encoder.texts) == len(set(fake_encoder.texts))
    from index.build import chunk_embedding_text, unit_embedding_text
    for position in (0, len(index.units) // 2, len(index.units) - 1):
        unit = index.units[position]
        expected = fake_encoder.encode([unit_embedding_text(unit)])[0]
        assert np.allclose(index.unit_vectors[position], expected)
    chunk = index.chunks[-1]
    expected = fake_encoder.encode([chunk_embedding_text(index.documents[chunk.doc_id],
                                                         chunk)])[0]
    assert np.allclose(index.chunk_vectors[-1], expected)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_is_log_lines_when_not_a_terminal(caplog):
    clock, stream = Clock(), io.StringIO()  # StringIO.isatty() is False, like nohup
    caplog.set_level(logging.INFO, logger="corpus.progress")
    with Progress(300, "Embedding texts of 7 documents", stream=stream, every=5,
                  clock=clock) as bar:
        bar.update(100)  # too soon for a line
        clock.now = 6.0
        bar.update(100)
        clock.now = 8.0
        bar.update(50)  # too soon again
        clock.now = 12.0
        bar.update(50)  # done: the final line says so
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["Embedding texts of 7 documents: 200/300 (67%), 33.3/s, about 3 s left",
                     "Embedding texts of 7 documents: 300/300 (100%), 25.0/s, done in 12.0 s"]
    assert stream.getvalue() == ""  # no bar drawn


def test_no_progress_when_not_asked(caplog):
    caplog.set_level(logging.INFO, logger="corpus.progress")
    with Progress(10, "x", enabled=False, stream=io.StringIO(), clock=Clock()) as bar:
        bar.update(10)
    assert caplog.records == []


def test_a_terminal_gets_a_bar_not_lines(caplog):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    terminal = Terminal()
    caplog.set_level(logging.INFO, logger="corpus.progress")
    with Progress(10, "Embedding", stream=terminal, clock=Clock()) as bar:
        bar.update(10)
    assert caplog.records == [] and "Embedding" in terminal.getvalue()


def test_a_build_with_progress_logs_the_documents(fixture_dir, fake_encoder, caplog):
    caplog.set_level(logging.INFO, logger="index")
    caplog.set_level(logging.INFO, logger="corpus.progress")
    documents, _ = load_corpus(fixture_dir)
    SearchIndex.build(documents, fake_encoder, progress=True)
    messages = [r.getMessage() for r in caplog.records]
    first = sorted(d.doc_id for d in documents)[0]
    assert any(m.startswith("embedding ") and first in m for m in messages)
    assert any(m.startswith(f"Embedding texts of {len(documents)} documents: ")
               and "done in" in m for m in messages)


def test_a_killed_build_resumes_without_embedding_again(fixture_dir, fake_encoder,
                                                          tmp_path, monkeypatch, caplog):
    from index import resume
    from index.update import update_index
    monkeypatch.setattr(resume, "FLUSH_TEXTS", 1)  # every group is written at once

    class Killed(Exception):
        pass

    class DiesAfterTwoCalls:
        def __init__(self, inner):
            self.inner = inner

        def encode(self, texts, **kwargs):
            if self.inner.calls == 2:
                raise Killed
            return self.inner.encode(texts, **kwargs)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr("index.build.GROUP_SIZE", 8)
    with pytest.raises(Killed):
        update_index(fixture_dir, tmp_path / "index", DiesAfterTwoCalls(fake_encoder))
    done_before = list(fake_encoder.texts)
    assert len(done_before) == 16 and list((tmp_path / "index").glob(".embedded-*"))
    fake_encoder.texts.clear()
    caplog.set_level(logging.INFO, logger="corpus.progress")
    report = update_index(fixture_dir, tmp_path / "index", fake_encoder, progress=True)
    assert not set(fake_encoder.texts) & set(done_before)  # not embedded again
    # the progress counts what is embedded now, not the kept vectors (a rate, not a jump)
    totals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Embedding")]
    assert totals and all(f"{len(fake_encoder.texts)}/{len(fake_encoder.texts)} " in m
                          for m in totals)
    assert len(fake_encoder.texts) + 16 == len(report.index.units) + len(report.index.chunks)
    assert not list((tmp_path / "index").glob(".embedded-*"))  # cleared once saved
    # the resumed vectors are the vectors: the same as a build from scratch
    fresh = update_index(fixture_dir, tmp_path / "again", fake_encoder).index
    assert np.allclose(report.index.unit_vectors, fresh.unit_vectors)
    assert np.allclose(report.index.chunk_vectors, fresh.chunk_vectors)


def test_vectors_of_another_model_are_not_resumed(fake_encoder, tmp_path):
    from conftest import FakeEncoder
    from index.resume import ResumableEncoder
    first = ResumableEncoder(fake_encoder, tmp_path)
    first.encode(["a text"])
    first.flush()
    other = FakeEncoder(weights_hash="other-weights")
    ResumableEncoder(other, tmp_path).encode(["a text"])
    assert other.texts == ["a text"]  # embedded by the other model, not taken over
    again = FakeEncoder()
    ResumableEncoder(again, tmp_path).encode(["a text"])
    assert again.calls == 0  # the same model's vector is re-used


def test_reading_a_corpus_logs_files_read_and_names_the_file(fixture_dir, caplog,
                                                             monkeypatch):
    import corpus.progress
    monkeypatch.setattr(corpus.progress, "LOG_EVERY_S", 0.0)  # a line per file
    caplog.set_level(logging.INFO, logger="corpus.progress")
    documents, _ = load_corpus(fixture_dir, progress=True)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith(f"Reading documents in {fixture_dir}: 1/")
    assert "(at " in lines[0] and lines[-1].endswith(" s")  # the final line
    assert len(lines) >= len(documents)


def test_texts_are_fitted_to_the_window_in_groups(fixture_dir, fake_encoder, monkeypatch):
    monkeypatch.setattr("index.build.FIT_GROUP", 5)
    sizes = []
    fit = fake_encoder.fit_window
    monkeypatch.setattr(fake_encoder, "fit_window", lambda texts: sizes.append(len(texts))
                        or fit(texts))
    documents, _ = load_corpus(fixture_dir)
    index = SearchIndex.build(documents, fake_encoder)
    assert max(sizes) == 5 and sum(sizes) == len(index.units) + len(index.chunks)
