"""ui.admin under load and abuse: its own queue slots, sign-in limits per session and
address, upload names as sent, gradio's upload copies deleted, the footer refreshed.

The handlers are called as gradio calls them; the last tests start the real app on
loopback and drive it through gradio's queue, as a browser does."""
from __future__ import annotations

import hashlib
import json
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from browser_support import run_coroutine
from index.update import update_index
from ui.access import LoginGuard
from ui.admin import AdminTab, Upload, discard_upload, upload_field
from ui.settings import WebSettings

DOC = b"# Quokka Care\n\nQuokkas eat leaves and grasses. Never feed them bread.\n"
PASSWORD = "pw"


@pytest.fixture
def upload_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "gradio-uploads"
    folder.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    return folder


def gradio_copy(upload_dir: Path, data: bytes, stored_name: str) -> Path:
    """An upload as gradio keeps it: <upload folder>/<sha256>/<cleaned-up name>."""
    folder = upload_dir / hashlib.sha256(data).hexdigest()
    folder.mkdir()
    (folder / stored_name).write_bytes(data)
    return folder / stored_name


@pytest.fixture
def tab(tmp_path, fixture_dir, fake_encoder) -> AdminTab:
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_dir, corpus)
    index = update_index(corpus, tmp_path / "index", fake_encoder).index
    return AdminTab(SimpleNamespace(index=index, encoder=fake_encoder),
                    WebSettings(corpus_dir=corpus, index_dir=tmp_path / "index",
                                admin_password=PASSWORD))


def corpus_files(tab: AdminTab) -> list[str]:
    return sorted(p.name for p in tab.corpus_dir.iterdir())


# --- upload names and gradio's copies ---------------------------------------------
@pytest.mark.parametrize("sent,stored,problem", [
    ("../../x.md", "x.md", "folder separator"),
    ("nul\x00name.md", "nulname.md", "control character (NUL)"),
    ("..\\x.md", "..x.md", "folder separator"),
    ("bell\x07.md", "bell.md", "control character (U+0007)")])
def test_an_upload_name_that_is_a_path_or_has_control_characters_is_refused(
        tab, upload_dir, tmp_path, sent, stored, problem):
    before = corpus_files(tab)
    copy = gradio_copy(upload_dir, DOC, stored)
    status, _, _, picker = tab.on_add([Upload(copy, sent)], False, True)
    assert problem in status and "not saved" in status and "qc-error" in status
    assert corpus_files(tab) == before  # not flattened to "x.md" and saved
    assert not (tmp_path / "x.md").exists()
    assert picker is None
    assert list(upload_dir.iterdir()) == []  # gradio's copy and its folder are gone


def test_an_accepted_upload_is_saved_and_gradios_copy_deleted(tab, upload_dir):
    copy = gradio_copy(upload_dir, DOC, "quokkas.md")
    status, table, menu, _ = tab.on_add([Upload(copy, "quokkas.md")], False, True)
    assert "Added quokkas.md" in status and "quokkas.md" in menu["choices"]
    assert (tab.corpus_dir / "quokkas.md").read_bytes() == DOC
    assert list(upload_dir.iterdir()) == []


def test_uploads_are_deleted_even_when_not_signed_in_or_refused_for_content(tab,
                                                                             upload_dir):
    copy = gradio_copy(upload_dir, DOC, "a.md")
    assert "Sign in first" in tab.on_add([Upload(copy, "a.md")], False, False)[0]
    empty = gradio_copy(upload_dir, b"# Only a heading\n", "b.md")
    assert "no sentences" in tab.on_add([Upload(empty, "b.md")], False, True)[0]
    assert list(upload_dir.iterdir()) == []


def test_only_files_in_gradios_upload_folder_are_deleted(upload_dir, tmp_path):
    outside = tmp_path / "keep.md"
    outside.write_bytes(DOC)
    discard_upload(outside)
    discard_upload(upload_dir / ".." / "keep.md")
    discard_upload(upload_dir)
    assert outside.exists() and upload_dir.is_dir()


def test_the_upload_field_hands_over_the_name_as_sent_and_leaves_nothing_behind(
        upload_dir):
    from gradio.data_classes import FileData, ListFiles
    copy = gradio_copy(upload_dir, DOC, "x.md")
    field = upload_field()
    payload = ListFiles(root=[FileData(path=str(copy), orig_name="../../x.md"),
                              FileData(path=str(copy))])
    assert field.preprocess(payload) == [Upload(copy, "../../x.md"), Upload(copy, "x.md")]
    assert sorted(p.name for p in upload_dir.rglob("*")) == [copy.parent.name, "x.md"]


# --- sign-in and re-index, each in its own queue slot -------------------------------
def request(session: str, client: str = "127.0.0.1") -> SimpleNamespace:
    return SimpleNamespace(session_hash=session, client=SimpleNamespace(host=client))


def sign_in(tab: AdminTab, attempt: str, session: str, client: str = "127.0.0.1"):
    return run_coroutine(tab.on_sign_in(attempt, request(session, client)))


def test_a_flood_of_wrong_passwords_does_not_keep_another_session_out(tab):
    tab.guard = LoginGuard(PASSWORD, delay=0.0)
    for _ in range(10):
        signed_in, _, message, *_ = sign_in(tab, "guess", "attacker")
        assert signed_in is False
    assert "Too many wrong passwords" in message
    signed_in, _, message, login, panel, table, menu, _ = sign_in(tab, PASSWORD,
                                                                  "maintainer")
    assert signed_in is True and panel["visible"] is True and "<table" in table
    assert "Too many" in sign_in(tab, PASSWORD, "attacker")[2]  # that session only


def test_while_a_re_index_runs_sign_in_works_and_a_second_re_index_is_told_at_once(tab):
    tab.reindexer._lock.acquire()  # a re-index is running (its lock held)
    try:
        signed_in, *_, status = sign_in(tab, PASSWORD, "second maintainer")
        assert signed_in is True
        assert "A re-index started at" in status and "is running" in status
        status, table, menu = tab.on_reindex(True, progress=lambda *a, **k: None)
        assert "is running" in status and table is not None
    finally:
        tab.reindexer._lock.release()


def _fns(app) -> dict:
    return {f.name: f for f in app.fns.values()}


def test_sign_in_files_and_re_index_have_separate_queue_slots(tmp_path):
    from test_web import FakeAssistant
    from ui.web import build_app
    fake = FakeAssistant()
    fake.encoder = object()
    fns = _fns(build_app(fake, WebSettings(corpus_dir=tmp_path, index_dir=tmp_path / "i",
                                           admin_password=PASSWORD)))
    slots = {name: (fns[name].concurrency_id, fns[name].concurrency_limit)
             for name in ("on_sign_in", "on_add", "on_remove", "on_reindex")}
    assert slots == {"on_sign_in": ("admin-sign-in", None),
                     "on_add": ("admin-files", 1), "on_remove": ("admin-files", 1),
                     "on_reindex": ("admin-reindex", None)}
    assert "ask" not in {slot for slot, _ in slots.values()}


def test_the_footer_refresh_shows_a_new_index_version(tmp_path):
    from test_web import FakeAssistant
    from ui.web import FOOTER_REFRESH_SECONDS, build_app
    fake = FakeAssistant()
    app = build_app(fake)
    config = app.get_config_file()
    timer = next(c for c in config["components"] if c["type"] == "timer")
    assert timer["props"]["value"] == FOOTER_REFRESH_SECONDS
    tick = next(app.fns[d["id"]] for d in config["dependencies"]
                if d["targets"] and d["targets"][0] == (timer["id"], "tick"))
    assert tick.queue is False  # cheap: it only formats a string
    fake.index = SimpleNamespace(version="v-after-reindex")
    assert "Index v-after-reindex" in tick.fn()


# --- the real app on loopback, driven through gradio's queue as a browser does ------
class Session:
    """One browser session: calls an event through /queue/join and reads its result
    from the session's event stream. ``address``: sent as X-Forwarded-For, which the
    server believes from loopback (uvicorn's default), as behind a local nginx."""

    def __init__(self, url: str, name: str, address: str | None = None) -> None:
        self.url, self.name = url, name
        self.headers = {"X-Forwarded-For": address} if address else {}

    def call(self, fn_index: int, data: list) -> list:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=60) as http:
            joined = http.post("gradio_api/queue/join", json={
                "data": data, "fn_index": fn_index, "session_hash": self.name,
                "event_data": None, "trigger_id": None})
            joined.raise_for_status()
            event_id = joined.json()["event_id"]
            with http.stream("GET", "gradio_api/queue/data",
                             params={"session_hash": self.name}) as stream:
                for line in stream.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    message = json.loads(line[5:])
                    if message.get("event_id") == event_id and \
                            message.get("msg") == "process_completed":
                        assert message["success"], message
                        return message["output"]["data"]
        raise AssertionError(f"no result for event {event_id}")


@pytest.fixture
def served(tmp_path, fixture_dir, fake_encoder, upload_dir):
    from browser_support import serve
    from test_web import FakeAssistant
    corpus = tmp_path / "corpus"
    shutil.copytree(fixture_dir, corpus)
    fake = FakeAssistant()
    fake.index = update_index(corpus, tmp_path / "index", fake_encoder).index
    fake.encoder = fake_encoder
    fake.use_index = lambda index: setattr(fake, "index", index)
    settings = WebSettings(corpus_dir=corpus, index_dir=tmp_path / "index",
                           admin_password=PASSWORD)
    app, url = serve(fake, settings)
    fns = {f.name: index for index, f in app.fns.items()}
    tab = app.fns[fns["on_sign_in"]].fn.__self__
    yield SimpleNamespace(url=url, fns=fns, tab=tab, corpus=corpus, upload_dir=upload_dir)
    app.close()


def test_app_a_second_maintainer_signs_in_while_a_re_index_runs(served):
    release, started = threading.Event(), threading.Event()
    build = served.tab.reindexer._build

    def slow_build(**kwargs):  # a re-index that runs until the test lets it end
        started.set()
        release.wait(60)
        return build(**kwargs)
    served.tab.reindexer._build = slow_build
    first, second = Session(served.url, "first"), Session(served.url, "second")
    assert first.call(served.fns["on_sign_in"], [PASSWORD, None])[4]["visible"] is True
    results = []
    running = threading.Thread(target=lambda: results.append(
        first.call(served.fns["on_reindex"], [None])))
    running.start()
    try:
        assert started.wait(30)
        out = second.call(served.fns["on_sign_in"], [PASSWORD, None])
        assert out[4]["visible"] is True and "is running" in out[7]
        again = Session(served.url, "second").call(served.fns["on_reindex"], [None])
        assert "A re-index started at" in again[0]
        assert served.tab.reindexer.running  # all that happened while it ran
    finally:
        release.set()
        running.join(60)
    assert "up to date" in results[0][0] or "Re-indexed" in results[0][0]


def test_app_a_flood_of_wrong_passwords_does_not_keep_a_maintainer_out(served):
    # Twelve guesses arriving within 2 s (surely, even on a busy machine) meet the limit.
    served.tab.guard = LoginGuard(PASSWORD, delay=1.0, max_wait=2.0)
    answers: list[str] = []

    def guess(n: int) -> None:  # a new session per guess, all from one address
        out = Session(served.url, f"guess{n}", "203.0.113.6").call(
            served.fns["on_sign_in"], ["guess", None])
        answers.append(out[2])
    flood = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in flood:
        thread.start()
    maintainer = Session(served.url, "maintainer", "198.51.100.2")
    out = maintainer.call(served.fns["on_sign_in"], [PASSWORD, None])
    for thread in flood:
        thread.join(60)
    assert out[4]["visible"] is True  # signed in, during the flood
    assert len(answers) == 12 and all("Wrong password" in a or "from your address" in a
                                      for a in answers)
    assert any("from your address" in a for a in answers)  # the flood was limited


def test_app_upload_names_are_refused_as_sent_and_gradios_copies_deleted(served):
    session = Session(served.url, "maintainer")
    session.call(served.fns["on_sign_in"], [PASSWORD, None])
    before = sorted(p.name for p in served.corpus.iterdir())
    for sent, problem in (("../../x.md", "folder separator"),
                          ("nul\x00name.md", "control character (NUL)")):
        uploaded = httpx.post(served.url + "gradio_api/upload",
                              files={"files": (sent, DOC, "text/markdown")})
        path = uploaded.json()[0]
        assert "/" not in Path(path).name and "\x00" not in path  # gradio flattened it
        out = session.call(served.fns["on_add"], [
            [{"path": path, "orig_name": sent, "meta": {"_type": "gradio.FileData"}}],
            False, None])
        assert problem in out[0] and "not saved" in out[0]
        assert not Path(path).exists()
    assert sorted(p.name for p in served.corpus.iterdir()) == before
    uploaded = httpx.post(served.url + "gradio_api/upload",
                          files={"files": ("quokkas.md", DOC, "text/markdown")})
    path = uploaded.json()[0]
    out = session.call(served.fns["on_add"], [
        [{"path": path, "orig_name": "quokkas.md", "meta": {"_type": "gradio.FileData"}}],
        False, None])
    assert "Added quokkas.md" in out[0] and not Path(path).exists()
    assert (served.corpus / "quokkas.md").read_bytes() == DOC


def test_app_only_gradios_own_uploads_are_read(served, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_bytes(DOC)
    session = Session(served.url, "maintainer")
    session.call(served.fns["on_sign_in"], [PASSWORD, None])
    with pytest.raises(AssertionError, match="'success': False"):
        session.call(served.fns["on_add"], [
            [{"path": str(secret), "orig_name": "secret.md",
              "meta": {"_type": "gradio.FileData"}}], False, None])
    assert not (served.corpus / "secret.md").exists() and secret.exists()


def test_uploads_picked_but_never_added_are_swept_from_gradios_folder():
    from test_web import FakeAssistant
    from ui.web import build_app
    assert build_app(FakeAssistant()).delete_cache == (3600, 3600)
