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
from ui.replicas import (NEW_DOCUMENT, NEW_QUESTION, NEW_QUOTE, PROJECT, ask, chat_client,
                         routing_keys, start_replicas, wait_until)

BALANCER_PORT, PORTS = 7940, (7941, 7942)
UPSTREAMS = [f"127.0.0.1:{p}" for p in PORTS]
SWITCH_WITHIN = 60  # seconds; a bound for a loaded CI machine, not a measurement


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
    replicas = start_replicas(PORTS, corpus, index, options=["--watch-index", "0.5"])
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


def test_both_replicas_switch_to_a_new_index_version_by_themselves(cluster, shared):
    replicas, balancer = cluster
    corpus, index = shared
    keys = routing_keys(balancer.url, UPSTREAMS)
    via_balancer = [chat_client(balancer.url, routing_key=keys[u]) for u in UPSTREAMS]
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
