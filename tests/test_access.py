"""ui.access (the maintainers' password check), ui.feedback (the feedback file), and the
settings and serve options that switch them on."""
from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from assistant.answer import Answer, Quote
from assistant.settings import Settings
from ui.settings import WebSettings
from ui.access import LoginGuard, TooManyAttempts
from ui.cli import build_parser
from ui.feedback import FeedbackLog, feedback_record, provenance


class Clock:
    def __init__(self) -> None:
        self.now, self.slept = 1000.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def guard(password: str = "s3cret pässword", **kwargs) -> tuple[LoginGuard, Clock]:
    clock = Clock()
    return LoginGuard(password, sleep=clock.sleep, clock=clock, **kwargs), clock


def test_right_password_passes_at_once():
    check, clock = guard()
    assert check.check("s3cret pässword") is True
    assert clock.slept == []


@pytest.mark.parametrize("attempt", ["wrong", "", None, "s3cret pässword ", "S3CRET PÄSSWORD"])
def test_wrong_password_fails_after_a_delay(attempt):
    check, clock = guard(delay=1.0)
    assert check.check(attempt) is False
    assert clock.slept == [1.0]


def test_too_many_wrong_passwords_lock_that_session_out_for_a_while():
    check, clock = guard(max_failures=3, window=60)
    for _ in range(3):
        assert not check.check("guess", session="s1", client="1.2.3.4")
        clock.now += 1
    with pytest.raises(TooManyAttempts, match="wait 58 seconds"):
        check.check("s3cret pässword", session="s1", client="1.2.3.4")  # even the right one
    clock.now += 58
    assert check.check("s3cret pässword", session="s1", client="1.2.3.4")


def test_a_flood_of_wrong_passwords_never_keeps_another_session_out():
    """The issue's attack: one session (or address) guessing must not lock out a
    maintainer signing in from elsewhere, nor from another session at the same address."""
    check, clock = guard(max_failures=5, window=60)
    for _ in range(50):
        try:
            check.check("guess", session="attacker", client="6.6.6.6")
        except TooManyAttempts:
            pass
        clock.now += 1.0
    assert clock.slept.count(1.0) == 5  # the rest were refused without checking
    clock.slept.clear()
    assert check.check("s3cret pässword", session="maintainer", client="10.0.0.2")
    assert clock.slept == []  # another address waits for nothing
    assert check.check("s3cret pässword", session="maintainer", client="6.6.6.6")


def test_one_address_is_checked_once_per_delay_however_many_sessions_it_opens():
    """A guesser who opens a new session per guess (session ids are the browser's to
    choose) gets one check per second, and no more than a few queued; others none."""
    check, clock = guard(delay=1.0, max_wait=5.0)
    waits = [check.admit(session=f"s{n}", client="6.6.6.6") for n in range(6)]
    assert waits == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(TooManyAttempts, match="from your address at once; wait 7 seconds"):
        check.admit(session="s7", client="6.6.6.6")
    assert check.admit(session="other", client="10.0.0.2") == 0.0
    clock.now += 6
    assert check.admit(session="s8", client="6.6.6.6") == 0.0  # the queue has drained


def test_the_async_check_waits_like_the_sync_one(monkeypatch):
    import asyncio
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)
    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    check, clock = guard(delay=1.0)
    from browser_support import run_coroutine as run
    assert run(check.check_async("s3cret pässword", session="a", client="c")) is True
    assert run(check.check_async("no", session="b", client="c")) is False
    assert slept == [1.0, 1.0]  # b waited for a's slot, then for its own wrong password


def test_forgotten_sessions_and_addresses_free_their_memory(monkeypatch):
    from ui import access
    monkeypatch.setattr(access, "MAX_TRACKED", 100)
    check, clock = guard(window=60)
    for n in range(300):
        check.check("guess", session=f"s{n}", client=f"10.0.{n // 250}.{n % 250}")
    assert len(check._failures) <= 101 and len(check._next_check) <= 101
    clock.now += 61
    check.check("s3cret pässword", session="new", client="10.9.9.9")
    assert len(check._failures) == 0


def test_password_is_required_and_never_shown():
    with pytest.raises(ValueError, match="QUOTECHAT_ADMIN_PASSWORD"):
        LoginGuard("")
    check, _ = guard()
    assert "s3cret" not in repr(check)


def test_settings_read_the_password_and_feedback_file_but_never_show_the_password(tmp_path):
    settings = WebSettings.from_env({"QUOTECHAT_ADMIN_PASSWORD": "hunter2",
                                  "QUOTECHAT_FEEDBACK_FILE": str(tmp_path / "f.jsonl")})
    assert settings.admin_password == "hunter2"
    assert settings.feedback_file == tmp_path / "f.jsonl"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings)
    defaults = WebSettings.from_env({})
    assert defaults.admin_password is None and defaults.feedback_file is None


def test_serve_options():
    args = build_parser().parse_args(["serve", "--admin-password", "pw", "--feedback", "f.jsonl"])
    assert args.admin_password == "pw" and str(args.feedback) == "f.jsonl"
    args = build_parser().parse_args(["serve"])
    assert args.admin_password is None and args.feedback is None
    assert args.host == "127.0.0.1"


QUOTE = Quote(text="Potassium levels can drop.", doc_id="d1.txt", title="T", section="S",
              start=7, end=33, score=0.9)


def answer(status: str = "answered") -> Answer:
    return Answer(question="Why cramps?", status=status, quotes=(QUOTE,), disclaimer="D",
                  index_version="v1")


def test_provenance_names_the_question_index_and_quoted_offsets():
    record = provenance(answer())
    assert record["question"] == "Why cramps?" and record["status"] == "answered"
    assert record["index_version"] == "v1" and record["answered_at"].endswith("+00:00")
    assert record["quotes"] == [{"doc_id": "d1.txt", "start": 7, "end": 33}]
    assert "text" not in record["quotes"][0]  # the offsets find it; no copy needed


@pytest.mark.parametrize("liked,verdict", [(True, "helpful"), (False, "not_helpful"),
                                           ("Like", "helpful"), ("Dislike", "not_helpful"),
                                           ("", "withdrawn"), (None, "withdrawn")])
def test_feedback_record(liked, verdict):
    record = feedback_record(provenance(answer()), liked)
    assert record["feedback"] == verdict and record["question"] == "Why cramps?"


@pytest.mark.parametrize("record,liked", [(None, True), ("text", True), ({"q": 1}, "spam"),
                                          ({"q": 1}, ["x"])])
def test_no_record_for_unknown_messages_or_feedback(record, liked):
    assert feedback_record(record, liked) is None


def test_feedback_log_appends_whole_lines_and_keeps_earlier_ones(tmp_path):
    path = tmp_path / "feedback.jsonl"
    path.write_text('{"earlier": true}\n', encoding="utf-8")
    log = FeedbackLog(path)
    threads = [threading.Thread(target=lambda n=n: [log.append({"n": n, "i": i, "q": "é\n"})
                                                    for i in range(20)]) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"earlier": true}' and len(lines) == 101
    assert all(json.loads(line) for line in lines)


def test_a_new_feedback_file_is_private(tmp_path):
    log = FeedbackLog(tmp_path / "sub" / "feedback.jsonl")
    old = os.umask(0)
    try:
        log.append({"a": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600


def test_serve_passes_password_and_feedback_file_to_the_app(monkeypatch, tmp_path):
    from ui import commands, web
    seen = {}
    monkeypatch.setattr(commands, "open_assistant", lambda settings, **_: seen.setdefault(
        "assistant", type("A", (), {"index": type("I", (), {"documents": {}})()})()))
    monkeypatch.setattr(web, "launch", lambda assistant, **kw: seen.update(kw))
    monkeypatch.setenv("QUOTECHAT_ADMIN_PASSWORD", "from-env")
    args = build_parser().parse_args(["serve", "--feedback", str(tmp_path / "f.jsonl")])
    settings = Settings.from_env()
    assert commands.run_serve(args, settings) == 0
    assert seen["settings"].admin_password == "from-env"
    assert seen["settings"].feedback_file == tmp_path / "f.jsonl"
    assert seen["host"] == "127.0.0.1"
    args = build_parser().parse_args(["serve", "--admin-password", "from-cli"])
    commands.run_serve(args, settings)
    assert seen["settings"].admin_password == "from-cli"  # the option wins
