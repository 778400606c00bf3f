"""assistant.reindexer: one re-index at a time, swapped in whole; the shared encoder."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from assistant.reindexer import Reindexer, ReindexRunning
from index import ChunkSettings, SearchIndex, SerializedEncoder
from index.update import update_index

DOC = "# Quokka Care\n\nQuokkas eat leaves and grasses. Never feed them bread.\n"


@pytest.fixture
def corpus(tmp_path, fixture_dir) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(fixture_dir, folder)
    return folder


def save_document(corpus: Path, name: str, text: str) -> None:
    (corpus / name).write_text(text, encoding="utf-8")


def remove_document(corpus: Path, name: str) -> None:
    (corpus / name).unlink()


def _build(corpus: Path, index_dir: Path, encoder, gate=None):
    def build(*, encoder, progress=False):
        if gate is not None:
            gate.wait(10)
        return update_index(corpus, index_dir, encoder, settings=ChunkSettings(),
                            progress=progress)
    return build


class Holder:
    """The part of Assistant that Reindexer uses."""

    def __init__(self, index, encoder):
        self.index, self.encoder = index, encoder

    def use_index(self, index):
        self.index = index


def test_reindex_swaps_the_new_index_in(corpus, tmp_path, fake_encoder):
    index_dir = tmp_path / "index"
    holder = Holder(update_index(corpus, index_dir, fake_encoder,
                                 settings=ChunkSettings()).index, fake_encoder)
    reindexer = Reindexer(holder, _build(corpus, index_dir, fake_encoder))
    save_document(corpus, "quokka.md", DOC)
    report = reindexer.run()
    assert report.added == ["quokka.md"]
    assert holder.index is report.index and "quokka.md" in holder.index.documents
    assert SearchIndex.load(index_dir).version == holder.index.version  # saved, live


def test_questions_during_a_reindex_use_the_old_index(corpus, tmp_path, fake_encoder):
    index_dir = tmp_path / "index"
    old = update_index(corpus, index_dir, fake_encoder, settings=ChunkSettings()).index
    holder = Holder(old, fake_encoder)
    gate = threading.Event()
    reindexer = Reindexer(holder, _build(corpus, index_dir, fake_encoder, gate))
    save_document(corpus, "quokka.md", DOC)
    worker = threading.Thread(target=reindexer.run)
    worker.start()
    try:
        while not reindexer.running:
            pass
        assert holder.index is old  # still answering from the complete old index
        with pytest.raises(ReindexRunning, match="already running"):
            reindexer.run()  # one re-index at a time
    finally:
        gate.set()
        worker.join(10)
    assert holder.index is not old and "quokka.md" in holder.index.documents
    assert not reindexer.running


def test_a_failed_reindex_keeps_the_old_index(corpus, tmp_path, fake_encoder):
    index_dir = tmp_path / "index"
    old = update_index(corpus, index_dir, fake_encoder, settings=ChunkSettings()).index
    holder = Holder(old, fake_encoder)
    for doc_id in ("b12.md", "cramps.txt"):
        remove_document(corpus, doc_id)
    reindexer = Reindexer(holder, _build(corpus, index_dir, fake_encoder))
    with pytest.raises(Exception, match="No readable"):
        reindexer.run()
    assert holder.index is old and not reindexer.running


def test_serialized_encoder_delegates_and_is_not_wrapped_twice(fake_encoder):
    holder = Holder(None, fake_encoder)
    Reindexer(holder, lambda **_: None)
    wrapped = holder.encoder
    assert isinstance(wrapped, SerializedEncoder)
    assert wrapped.dimension == fake_encoder.dimension
    assert wrapped.weights_hash == fake_encoder.weights_hash
    assert wrapped.encode(["a b"]).shape == (1, fake_encoder.dimension)
    Reindexer(holder, lambda **_: None)
    assert holder.encoder is wrapped


def test_the_shared_encoder_tokenizes_one_caller_at_a_time(fake_encoder):
    """fit_window uses the model's tokenizer too, so it takes the same lock as encode."""
    wrapped = SerializedEncoder(fake_encoder)
    held = []
    original = fake_encoder.fit_window

    def recording(texts):
        held.append(wrapped._lock.locked())
        return original(texts)
    fake_encoder.fit_window = recording
    assert wrapped.fit_window(["one two three"]) == ["one two three"]
    assert held == [True]
