"""Two `quotechat serve` replicas on one shared index folder behind a real nginx, on
loopback, with the real model: each browser sticks to one replica, both answer through
the balancer, and after a re-index of the shared folder both answer from the new
version by themselves. Skipped without nginx unless QUOTECHAT_REQUIRE_NGINX=1 (CI)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import httpx
import pytest

from conftest import FIXTURES
from ui.balancer import AFFINITY_COOKIE, UPSTREAM_HEADER, Balancer, nginx_binary
from ui.replicas import (NEW_DOCUMENT, NEW_QUESTION, NEW_QUOTE, ask, chat_client, routing_keys,
                         start_replicas, wait_until)
from ui.serve_process import PROJECT

BALANCER_PORT, PORTS = 7940, (7941, 7942)
UPSTREAMS = [f"127.0.0.1:{p}" for p in PORTS]
PASSWORD = "replica test passphrase"
SWITCH_WITHIN = 60  # seconds; a bound for a loaded CI machine, not a measurement


def pinned_clients(balancer) -> list:
    """One API client per replica, each pinned to it by nginx's affinity cookie."""
    keys = routing_keys(balancer.url, UPSTREAMS)
    return [chat_client(balancer.url, routing_key=keys[u]) for u in UPSTREAMS]


def _require_nginx() -> None:
    if nginx_binary() is None:
        reason = "nginx not found: install Debian's nginx to run the replica test"
        if os.environ.get("QUOTECHAT_REQUIRE_NGINX") == "1":
            pytest.fail(f"{reason} (QUOTECHAT_REQUIRE_NGINX=1)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The folders every replica shares: the corpus and the (not yet built) index."""
    corpus = tmp_path_factory.mktemp("replicas") / "corpus"
    shutil.copytree(FIXTURES / "docs", corpus)
    return corpus, corpus.parent / "index"


@pytest.fixture(scope="module")
def cluster(shared):
    """Started once for this module (the model loads in each replica): the tests that
    change the shared index come last."""
    _require_nginx()
    corpus, index = shared
    # Both start on an empty index folder: both try to build it, one at a time; the
    # second finds it built and uses it.
    replicas = start_replicas(PORTS, corpus, index, options=["--watch-index", "0.5"],
                              env={"QUOTECHAT_ADMIN_PASSWORD": PASSWORD})
    try:
        with Balancer(BALANCER_PORT, UPSTREAMS, show_upstream=True) as balancer:
            balancer.wait_ready()
            yield replicas, balancer
    finally:
        for replica in replicas:
            replica.stop()


def reindex_shared(corpus, index) -> str:
    """`quotechat index` on the shared folders, as a maintainer on one machine runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "index", "--corpus", str(corpus), "--index",
         str(index)], cwd=PROJECT, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=str(PROJECT)))
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def two_plain_upstreams():
    """Two stand-in replicas (HTTP servers in this process) for the balancer alone."""
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Quiet) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield servers
    for server in servers:
        server.shutdown()
        server.server_close()


def test_new_visitors_are_spread_evenly_and_a_down_replicas_visitors_move(two_plain_upstreams):
    """Each new visitor goes to the least busy replica (a random key hashed put 27-34 of
    50 on one of two), stays there, and moves to the other while it is down."""
    _require_nginx()
    servers = two_plain_upstreams
    upstreams = [f"127.0.0.1:{s.server_address[1]}" for s in servers]
    with Balancer(BALANCER_PORT + 5, upstreams, show_upstream=True) as balancer:
        balancer.wait_ready()
        firsts = [httpx.get(balancer.url + "/", timeout=10) for _ in range(20)]
        by_upstream = {u: [r.cookies[AFFINITY_COOKIE] for r in firsts
                           if r.headers[UPSTREAM_HEADER] == u] for u in upstreams}
        assert [len(keys) for keys in by_upstream.values()] == [10, 10]
        assert [set(keys) for keys in by_upstream.values()] == [{"r1"}, {"r2"}]
        for key, upstream in (("r1", upstreams[0]), ("r2", upstreams[1])):
            assert {httpx.get(balancer.url + "/", cookies={AFFINITY_COOKIE: key},
                              timeout=10).headers[UPSTREAM_HEADER] for _ in range(5)} \
                == {upstream}
        servers[0].shutdown()
        servers[0].server_close()
        moved = httpx.get(balancer.url + "/", cookies={AFFINITY_COOKIE: "r1"}, timeout=10)
        assert moved.status_code == 200 and moved.cookies[AFFINITY_COOKIE] == "r2"


def test_a_browser_sticks_to_one_replica(cluster):
    _, balancer = cluster
    first = httpx.get(balancer.url + "/", timeout=10)
    key = first.cookies.get(AFFINITY_COOKIE)
    assert first.status_code == 200 and key
    served_by = {httpx.get(balancer.url + "/", cookies={AFFINITY_COOKIE: key},
                           timeout=10).headers[UPSTREAM_HEADER] for _ in range(10)}
    assert served_by == {first.headers[UPSTREAM_HEADER]}
    keys = routing_keys(balancer.url, UPSTREAMS)  # and other browsers reach the other
    assert sorted(keys) == sorted(UPSTREAMS)
    # Gradio's own client keeps the cookie of its first response, so it sticks too.
    assert "Dehydration is a frequent trigger for cramps." in \
        ask(chat_client(balancer.url), "What causes muscle cramps?")


def test_both_replicas_switch_to_a_new_index_version_by_themselves(cluster, shared):
    replicas, balancer = cluster
    corpus, index = shared
    via_balancer = pinned_clients(balancer)
    direct = [chat_client(r.url) for r in replicas]
    for client in via_balancer + direct:  # the queue's join and its event stream: one replica
        assert "Dehydration is a frequent trigger for cramps." in \
            ask(client, "What causes muscle cramps?")
        assert NEW_QUOTE not in ask(client, NEW_QUESTION)
    (corpus / NEW_DOCUMENT[0]).write_text(NEW_DOCUMENT[1], encoding="utf-8")
    assert "added 1" in reindex_shared(corpus, index)
    switched = wait_until(lambda: all(NEW_QUOTE in ask(c, NEW_QUESTION)
                                      for c in via_balancer), SWITCH_WITHIN, step=0.2)
    assert switched, "\n".join(r.log()[-1500:] for r in replicas)
    for client in direct:
        assert NEW_QUOTE in ask(client, NEW_QUESTION)


def test_a_reindex_on_one_replicas_maintainers_page_reaches_the_other(cluster, shared,
                                                                      browser):
    """In a browser through nginx, pinned to the first replica: delete the document
    and re-index there; the second replica follows by itself."""
    replicas, balancer = cluster
    corpus, _ = shared
    clients = pinned_clients(balancer)
    assert all(NEW_QUOTE in ask(c, NEW_QUESTION) for c in clients)  # after the test above
    context = browser.new_context()
    try:
        context.add_cookies([{"name": AFFINITY_COOKIE, "url": balancer.url,
                              "value": routing_keys(balancer.url, UPSTREAMS)[UPSTREAMS[0]]}])
        page = context.new_page()
        page.goto(balancer.url + "/")
        page.get_by_role("tab", name="Maintainers").click()
        page.locator("#qc-admin-password input").fill(PASSWORD)
        page.locator("#qc-admin-signin").click()
        page.locator("#qc-remove-choice input").fill(NEW_DOCUMENT[0])
        page.get_by_role("option", name=NEW_DOCUMENT[0]).click()
        page.locator("#qc-remove").click()
        page.locator("#qc-admin-status", has_text=f"Deleted {NEW_DOCUMENT[0]}").wait_for()
        assert not (corpus / NEW_DOCUMENT[0]).exists()  # the shared corpus folder
        page.locator("#qc-reindex").click()
        page.locator("#qc-admin-status", has_text="Re-indexed").wait_for(timeout=120_000)
    finally:
        context.close()
    assert NEW_QUOTE not in ask(clients[0], NEW_QUESTION)  # swapped by its own re-index
    switched = wait_until(lambda: NEW_QUOTE not in ask(clients[1], NEW_QUESTION),
                          SWITCH_WITHIN, step=0.2)
    assert switched, replicas[1].log()[-1500:]
