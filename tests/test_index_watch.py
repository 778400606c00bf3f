"""assistant.index_watch: a running app follows new versions of its index folder, keeps
the old index when a new one is unusable, never switches under a question; and two
re-indexes of one folder at once both count."""
from __future__ import annotations

import functools
import logging
import shutil
import threading
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.index_watch import IndexWatcher, pointed_version, watch_index
from assistant.settings import Settings
from conftest import FakeEncoder, fake_thresholds
from index import ChunkSettings, SearchIndex
from index.update import update_index

QUOKKA = "# Quokka Care\n\nQuokkas eat leaves and grasses. Never feed a quokka bread.\n"
WOMBAT = "# Wombat Care\n\nWombats dig long burrows and sleep in them during the day.\n"
QUESTION = "What do quokkas eat?"
FAKE_THRESHOLDS = fake_thresholds()


@pytest.fixture
def corpus(tmp_path, fixture_dir) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(fixture_dir, folder)
    return folder


def build(corpus: Path, index_dir: Path, encoder) -> SearchIndex:
    """A re-index as another replica (or `quotechat index`) would make it."""
    return update_index(corpus, index_dir, encoder, settings=ChunkSettings()).index


class CountingLoad:
    def __init__(self, index_dir: Path, encoder) -> None:
        self.calls = 0
        self._load = functools.partial(SearchIndex.load, index_dir, encoder=encoder,
                                       corpus=None)

    def __call__(self) -> SearchIndex:
        self.calls += 1
        return self._load()


@pytest.fixture
def served(corpus, tmp_path, fake_encoder):
    """An assistant answering from a shared index folder, and its (unstarted) watcher."""
    index_dir = tmp_path / "index"
    assistant = Assistant(build(corpus, index_dir, fake_encoder), fake_encoder,
                          thresholds=FAKE_THRESHOLDS)
    load = CountingLoad(index_dir, fake_encoder)
    return assistant, IndexWatcher(assistant, index_dir, load, interval=0.05), load


def test_a_new_version_is_swapped_in_and_answered_from(served, corpus, tmp_path,
                                                       fake_encoder):
    assistant, watcher, load = served
    assert watcher.check() is False and load.calls == 0  # nothing new: nothing loaded
    old = assistant.index.version
    assert "quokka.md" not in {q.doc_id for q in assistant.ask(QUESTION).quotes}
    (corpus / "quokka.md").write_text(QUOKKA, encoding="utf-8")
    new = build(corpus, tmp_path / "index", fake_encoder)
    assert new.version != old and pointed_version(tmp_path / "index") == new.version
    assert watcher.check() is True
    assert assistant.index.version == new.version
    answer = assistant.ask(QUESTION)
    assert (answer.status, answer.index_version) == ("answered", new.version)
    assert answer.quotes[0].doc_id == "quokka.md"
    assert watcher.check() is False and load.calls == 1  # swapped once, not reloaded


def test_a_damaged_new_version_is_logged_and_the_old_index_kept(served, corpus, tmp_path,
                                                                fake_encoder, caplog):
    assistant, watcher, load = served
    old = assistant.index
    (corpus / "quokka.md").write_text(QUOKKA, encoding="utf-8")
    damaged = build(corpus, tmp_path / "index", fake_encoder)
    faiss_file = tmp_path / "index" / damaged.version / "units.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:-10])
    with caplog.at_level(logging.WARNING, logger="assistant.index_watch"):
        assert watcher.check() is False
        assert watcher.check() is False
    assert assistant.index is old
    assert assistant.ask("What causes muscle cramps?").index_version == old.version
    warnings = [r.getMessage() for r in caplog.records if r.name == "assistant.index_watch"]
    assert len(warnings) == 1 and damaged.version in warnings[0]
    assert "still answering from " + old.version in warnings[0]
    assert load.calls == 1  # a refused version is not re-read every poll
    # The next good version (here: the damaged one rebuilt) is taken.
    repaired = update_index(corpus, tmp_path / "index", fake_encoder, rebuild=True).index
    assert watcher.check() is True and assistant.index.version == repaired.version


def test_a_version_built_with_another_model_is_refused(served, corpus, tmp_path, caplog):
    assistant, watcher, _ = served
    old = assistant.index
    (corpus / "quokka.md").write_text(QUOKKA, encoding="utf-8")
    other = build(corpus, tmp_path / "index", FakeEncoder(weights_hash="other-weights"))
    with caplog.at_level(logging.WARNING, logger="assistant.index_watch"):
        assert watcher.check() is False
    assert assistant.index is old
    [warning] = [r.getMessage() for r in caplog.records if r.name == "assistant.index_watch"]
    assert other.version in warning and "model" in warning


class GatedEncoder(FakeEncoder):
    """Encodes only when let through: holds a question (or a build) mid-way."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting, self.go = threading.Event(), threading.Event()
        self.gated = False

    def encode(self, texts, **kwargs):
        if self.gated:
            self.waiting.set()
            assert self.go.wait(10), "the test never let the encoder go"
        return super().encode(texts, **kwargs)


def test_a_question_in_flight_finishes_on_the_index_it_started_with(corpus, tmp_path):
    encoder = GatedEncoder()
    index_dir = tmp_path / "index"
    (corpus / "quokka.md").write_text(QUOKKA, encoding="utf-8")
    assistant = Assistant(build(corpus, index_dir, encoder), encoder,
                          thresholds=FAKE_THRESHOLDS)
    old = assistant.index.version
    (corpus / "quokka.md").unlink()  # the new version no longer has the answer
    new = build(corpus, index_dir, encoder).version
    watcher = IndexWatcher(assistant, index_dir,
                           functools.partial(SearchIndex.load, index_dir, encoder=encoder))
    answers = []
    encoder.gated = True
    asking = threading.Thread(target=lambda: answers.append(assistant.ask(QUESTION)))
    asking.start()
    assert encoder.waiting.wait(10)  # the question holds its index and is embedding
    encoder.gated = False
    assert watcher.check() is True and assistant.index.version == new
    encoder.go.set()
    asking.join(10)
    [answer] = answers
    assert (answer.status, answer.index_version) == ("answered", old)
    assert answer.quotes[0].doc_id == "quokka.md"
    # Its source passage is not looked up in the new index, which lacks the document.
    with pytest.raises(LookupError, match="quokka.md"):
        assistant.passage(answer.quotes[0])
    assert assistant.ask(QUESTION).index_version == new


def test_a_version_superseded_while_loading_is_not_swapped_in(served, corpus, tmp_path,
                                                              fake_encoder):
    assistant, _, _ = served
    index_dir = tmp_path / "index"
    (corpus / "quokka.md").write_text(QUOKKA, encoding="utf-8")
    first = build(corpus, index_dir, fake_encoder)

    def slow_load() -> SearchIndex:
        loaded = SearchIndex.load(index_dir, encoder=fake_encoder)
        (corpus / "wombat.md").write_text(WOMBAT, encoding="utf-8")
        build(corpus, index_dir, fake_encoder)  # a newer version lands meanwhile
        return loaded

    watcher = IndexWatcher(assistant, index_dir, slow_load)
    assert watcher.check() is False and assistant.index.version != first.version
    watcher._load = functools.partial(SearchIndex.load, index_dir, encoder=fake_encoder)
    assert watcher.check() is True and "wombat.md" in assistant.index.documents


def test_a_started_watcher_follows_and_stops_cleanly(corpus, tmp_path, fake_encoder):
    index_dir = tmp_path / "index"
    assistant = Assistant(build(corpus, index_dir, fake_encoder), fake_encoder)
    settings = Settings(corpus_dir=corpus, index_dir=index_dir)
    watcher = watch_index(assistant, settings, interval=0.05)
    try:
        assert watcher.running
        (corpus / "quokka.md").write_text(QUOKKA, encoding="utf-8")
        new = build(corpus, index_dir, fake_encoder).version
        pause = threading.Event()
        for _ in range(200):  # bounded: 10 s at most
            if assistant.index.version == new:
                break
            pause.wait(0.05)
        assert assistant.index.version == new
    finally:
        watcher.stop()
    assert not watcher.running
    assert not any(t.name == "quotechat-index-watch" for t in threading.enumerate())


def test_a_zero_or_negative_interval_is_refused(served):
    assistant, _, load = served
    with pytest.raises(ValueError, match="turn watching off"):
        IndexWatcher(assistant, Path("."), load, interval=0)


def test_two_reindexes_of_one_folder_at_once_both_count(corpus, tmp_path, fake_encoder):
    """The second waits for the first and starts from its version, so a slow re-index
    that read the corpus earlier cannot overwrite a later one's documents."""
    index_dir = tmp_path / "index"
    build(corpus, index_dir, fake_encoder)
    slow = GatedEncoder()
    slow.gated = True
    (corpus / "quokka.md").write_text(QUOKKA, encoding="utf-8")
    first = threading.Thread(target=build, args=(corpus, index_dir, slow))
    first.start()
    assert slow.waiting.wait(10)  # replica A is embedding quokka.md
    (corpus / "wombat.md").write_text(WOMBAT, encoding="utf-8")
    second = threading.Thread(target=build, args=(corpus, index_dir, fake_encoder))
    second.start()  # replica B re-indexes after wombat.md was added
    second.join(0.5)
    assert second.is_alive()  # waiting for A's re-index, not building beside it
    slow.go.set()
    first.join(10)
    second.join(10)
    live = SearchIndex.load(index_dir)
    assert {"quokka.md", "wombat.md"} <= set(live.documents)


@pytest.mark.parametrize("environ, expected", [
    ({}, 2.0), ({"QUOTECHAT_WATCH_INDEX": "0"}, 0.0), ({"QUOTECHAT_WATCH_INDEX": "0.5"}, 0.5)])
def test_serve_watches_every_two_seconds_unless_told(environ, expected):
    from ui.settings import WebSettings
    assert WebSettings.from_env(environ).watch_index == expected


@pytest.mark.parametrize("environ, overrides, message", [
    ({"QUOTECHAT_WATCH_INDEX": "often"}, {}, "QUOTECHAT_WATCH_INDEX='often' is not a number"),
    ({}, {"watch_index": -1.0}, "must be 0 \\(off\\) to 3600 seconds"),
])
def test_a_bad_watch_interval_is_refused_with_the_fix(environ, overrides, message):
    from ui.settings import WebSettings
    with pytest.raises(ValueError, match=message):
        WebSettings.from_env(environ, **overrides)


def test_serve_refuses_a_negative_watch_interval_cleanly(capsys):
    from ui.cli import main
    assert main(["serve", "--watch-index", "-1", "--port", "7949"]) == 2
    assert "to 3600 seconds" in capsys.readouterr().err
