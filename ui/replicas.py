"""Several `quotechat serve` replicas on one shared index folder behind nginx, on
loopback: what the replica test starts, and a measurement of switch-over time.

    python -m ui.replicas --runs 5

starts two replicas and nginx, then re-indexes the shared folder `--runs` times (adding
or removing a document) and prints, for each run, the seconds from CURRENT being written
to both replicas answering from the new version, asked through nginx; then the median.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from index.storage import POINTER
from ui.serve_process import ServeProcess

NEW_DOCUMENT = ("quokka.md", "# Quokka Care\n\nQuokkas eat leaves, grasses and shrubs. "
                "Never feed a quokka bread.\n")
NEW_QUESTION = "What do quokkas eat?"
NEW_QUOTE = "Quokkas eat leaves, grasses and shrubs."


def wait_until(done: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if done():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


def start_replicas(ports: Sequence[int], corpus: Path, index: Path, *,
                   timeout: float = 300, options: Sequence[str] = (),
                   env: dict[str, str] | None = None) -> list[ServeProcess]:
    """Start one replica per port over the shared folders (all at once: the model loads
    in parallel) and wait until every one serves its page; stops them all if one does
    not."""
    serve_args = ["--corpus", str(corpus), "--index", str(index), *options]
    replicas = [ServeProcess(port, serve_args, env=env) for port in ports]
    try:
        for served in replicas:
            served.wait_ready(timeout)
    except BaseException:
        for served in replicas:
            served.stop()
        raise
    return replicas


def chat_client(url: str, *, routing_key: str | None = None):
    """A Gradio API client; through nginx, ``routing_key`` pins it to one replica."""
    from gradio_client import Client
    from ui.balancer import AFFINITY_COOKIE
    cookies = {AFFINITY_COOKIE: routing_key} if routing_key else {}
    return Client(url, verbose=False, httpx_kwargs={"cookies": cookies, "timeout": 60})


def ask(client, question: str) -> str:
    """The chat's reply to one question, as the HTML the page shows."""
    _, history = client.predict(question, [], api_name="/on_send")
    reply = history[-1]["content"]
    return "".join(part.get("text", "") for part in reply) if isinstance(reply, list) \
        else str(reply)


def routing_keys(balancer_url: str, upstreams: Sequence[str], tries: int = 64
                 ) -> dict[str, str]:
    """The cookie value that pins a browser to each upstream, read from the cookie nginx
    gives new visitors (needs a balancer started with show_upstream=True)."""
    import httpx
    from ui.balancer import AFFINITY_COOKIE, UPSTREAM_HEADER
    keys: dict[str, str] = {}
    for _ in range(tries):
        reply = httpx.get(balancer_url + "/", timeout=10)
        keys.setdefault(reply.headers.get(UPSTREAM_HEADER, ""),
                        reply.cookies.get(AFFINITY_COOKIE, ""))
        if all(keys.get(u) for u in upstreams):
            return {u: keys[u] for u in upstreams}
    raise RuntimeError(f"no routing key reached each of {list(upstreams)} in {tries} tries")


def _measure(runs: int, interval: float, first_port: int) -> list[float]:
    from assistant.service import make_encoder, reindex
    from assistant.settings import Settings
    from corpus import DEFAULT_CORPUS
    from ui.balancer import Balancer
    work = Path(tempfile.mkdtemp(prefix="quotechat-replicas-"))
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(DEFAULT_CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=index)
    encoder = make_encoder(settings)
    reindex(settings, encoder=encoder)
    ports = [first_port + 1, first_port + 2]
    upstreams = [f"127.0.0.1:{p}" for p in ports]
    replicas = start_replicas(ports, corpus, index, options=["--watch-index", f"{interval:g}"])
    samples = []
    try:
        with Balancer(first_port, upstreams, show_upstream=True) as balancer:
            balancer.wait_ready()
            keys = routing_keys(balancer.url, upstreams)
            clients = [chat_client(balancer.url, routing_key=keys[u]) for u in upstreams]
            for run in range(runs):
                adding = run % 2 == 0  # add the document, then remove it, and so on
                path = corpus / NEW_DOCUMENT[0]
                path.write_text(NEW_DOCUMENT[1], encoding="utf-8") if adding \
                    else path.unlink()
                reindex(settings, encoder=encoder)
                written = (index / POINTER).stat().st_mtime
                if not wait_until(lambda: all((NEW_QUOTE in ask(c, NEW_QUESTION)) == adding
                                              for c in clients), 60, step=0.05):
                    raise TimeoutError("the replicas did not switch within 60 s")
                samples.append(time.time() - written)
                print(f"run {run + 1}: {'added' if adding else 'removed'} "
                      f"{NEW_DOCUMENT[0]}; both replicas switched after "
                      f"{samples[-1]:.2f} s", flush=True)
    finally:
        for replica in replicas:
            replica.stop()
        shutil.rmtree(work, ignore_errors=True)
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.replicas", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="re-indexes to time")
    parser.add_argument("--interval", type=float, default=None,
                        help="the replicas' --watch-index (default: serve's default)")
    parser.add_argument("--port", type=int, default=7950,
                        help="nginx's port; the replicas take the next two")
    args = parser.parse_args(argv)
    for name, value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                        ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                        ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(name, value)  # as ui.cli: offline, quiet
    from assistant.index_watch import DEFAULT_INTERVAL
    interval = DEFAULT_INTERVAL if args.interval is None else args.interval
    samples = _measure(max(1, args.runs), interval, args.port)
    print(f"switch-over (CURRENT written -> both replicas answer from it, through nginx; "
          f"--watch-index {interval:g}): median {statistics.median(samples):.2f} s, "
          f"max {max(samples):.2f} s over {len(samples)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
