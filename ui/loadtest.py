"""Many people at once: N chat sessions ask the real web app questions for T seconds.

    python -m ui.loadtest --sessions 50 --seconds 60          # starts `quotechat serve`
    python -m ui.loadtest --url http://127.0.0.1:7860/ ...    # or drives a running one

Each session talks to Gradio the way the page does (POST queue/join, then the
queue/data event stream, with its own session hash), so the queue, the concurrency
limits and the rendering are all measured. The client is one asyncio thread with aiohttp
(2.4 ms of client CPU an answer; httpx took 10 ms, a thread per session with
gradio_client more): on one machine the client spends what the server needs. Before the
load, every question is asked once on its own; under load each answer must be exactly
that single-user answer (the whole rendered reply).

Sessions ask in a closed loop: the next question as soon as the answer arrives, so the
latency is sessions / throughput; or, with ``--think S``, after reading for 0.5-1.5 × S
seconds (and the sessions start spread over the first S seconds), as people do.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import aiohttp

from ui.serve_process import ServeProcess

DEV_QUESTIONS = Path(__file__).resolve().parent.parent / "assistant" / "dev_questions" \
    / "home_dev.jsonl"
API = "gradio_api"
ASK_API_NAME = "on_send"  # the chat's send event (ui/web.py)
MAX_SESSIONS, MAX_SECONDS = 200, 600  # loopback load, bounded on purpose
NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)  # no answer over HTTP


class LoadTestError(Exception):
    """The load test could not run (no server, no questions, bad options)."""


class AskFailed(Exception):
    """One question got no answer: an error event, a refusal or a broken stream."""


@dataclass
class LoadReport:
    sessions: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: int = 0  # "queue is full" answers: polite, but not an answer
    mismatches: list[str] = field(default_factory=list)
    client_cpu: float = 0.0  # CPU seconds the load client itself used
    server_cpu: float | None = None

    @property
    def answers(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def lines(self) -> list[str]:
        cpu = f"client CPU {self.client_cpu:.1f} s ({self.client_cpu / self.seconds:.0%} " \
              "of one core)"
        if self.server_cpu is not None:
            cpu += f", server CPU {self.server_cpu:.1f} s " \
                   f"({self.server_cpu / self.seconds:.0%} of one core)"
        return [f"{self.sessions} sessions, {self.seconds:.0f} s: {self.answers} answers, "
                f"{self.answers / self.seconds:.1f} answers/s",
                f"latency p50 {self.percentile(50):.3f} s, p95 {self.percentile(95):.3f} s, "
                f"max {max(self.latencies, default=float('nan')):.3f} s",
                f"errors {len(self.errors)}, refused (queue full) {self.refused}, "
                f"answers differing from the single-user answer {len(self.mismatches)}",
                cpu] + [f"  error: {e}" for e in self.errors[:5]] \
            + [f"  differs: {q}" for q in self.mismatches[:5]]


class ChatClient:
    """The page's side of Gradio's queue protocol, for the chat's send event."""

    def __init__(self, http: aiohttp.ClientSession, base: str, fn_index: int) -> None:
        self.http, self.base, self.fn_index = http, base.rstrip("/"), fn_index

    @classmethod
    async def connect(cls, http: aiohttp.ClientSession, base: str) -> "ChatClient":
        async with http.get(f"{base.rstrip('/')}/config") as response:
            response.raise_for_status()
            config = await response.json()
        for dep in config["dependencies"]:
            if dep.get("api_name") == ASK_API_NAME:
                return cls(http, base, dep["id"])
        raise LoadTestError(f"{base} has no {ASK_API_NAME!r} event: is it quotechat?")

    async def ask(self, question: str, session: str) -> Any:
        """The assistant's reply (the chat message as Gradio sends it) to a question
        asked on an empty chat."""
        body = {"data": [question, [], None], "fn_index": self.fn_index,
                "session_hash": session, "event_data": None, "trigger_id": None}
        async with self.http.post(f"{self.base}/{API}/queue/join", json=body) as joined:
            if joined.status != 200:
                raise AskFailed(f"join {joined.status}: {(await joined.text())[:200]}")
            await joined.read()
        async with self.http.get(f"{self.base}/{API}/queue/data",
                                 params={"session_hash": session}) as stream:
            async for line in stream.content:
                if not line.startswith(b"data:"):
                    continue
                message = json.loads(line[5:])
                kind = message.get("msg")
                if kind == "process_completed":
                    if not message.get("success"):
                        raise AskFailed(f"error event: {str(message.get('output'))[:200]}")
                    return message["output"]["data"][1][-1]
                if kind in ("unexpected_error", "close_stream"):
                    raise AskFailed(f"{kind}: {str(message)[:200]}")
        raise AskFailed("the event stream ended without an answer")


def http_session(connections: int = 100, timeout: float = 60.0) -> aiohttp.ClientSession:
    """One browser's HTTP client: its own cookies, kept for 127.0.0.1 too (aiohttp drops
    cookies from bare addresses unless told: the balancer pins a browser by cookie)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                 cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 timeout=aiohttp.ClientTimeout(total=timeout))


def read_questions(path: Path, limit: int | None = None) -> list[str]:
    """Questions without a chat history (a follow-up needs its chat), in file order."""
    try:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, ValueError) as err:
        raise LoadTestError(f"cannot read questions from {path}: {err}") from err
    questions = [r["question"] for r in rows if r.get("question") and not r.get("history")]
    if not questions:
        raise LoadTestError(f"{path} holds no questions (JSON lines with \"question\").")
    return questions[:limit]


async def single_user_answers(client: ChatClient, questions: Sequence[str]) -> dict:
    """Each question asked alone, one after another: what every answer must equal."""
    return {q: await client.ask(q, uuid.uuid4().hex) for q in questions}


async def _session(client: ChatClient, questions: Sequence[str], expected: dict,
                   report: LoadReport, deadline: float, think: float,
                   rng: random.Random) -> None:
    # One browser tab: one session hash for all its questions, and cookies of its own
    # (a balancer pins each browser to a replica by cookie).
    session = uuid.uuid4().hex
    order = list(questions)
    rng.shuffle(order)
    if think:  # people arrive over a while, not all in the same instant
        await asyncio.sleep(rng.uniform(0, think))
    async with http_session(connections=4) as own:
        await _ask_loop(ChatClient(own, client.base, client.fn_index), session, order,
                        expected, report, deadline, think, rng)


async def _ask_loop(client: ChatClient, session: str, order: list[str], expected: dict,
                    report: LoadReport, deadline: float, think: float,
                    rng: random.Random) -> None:
    turn = 0
    while time.monotonic() < deadline:
        question = order[turn % len(order)]
        turn += 1
        started = time.monotonic()
        try:
            reply = await client.ask(question, session)
        except AskFailed as err:
            if "Queue is full" in str(err):
                report.refused += 1
            else:
                report.errors.append(str(err))
            await asyncio.sleep(1.0)  # as a person would before trying again
            continue
        except NETWORK_ERRORS as err:
            report.errors.append(f"{type(err).__name__}: {err}")
            await asyncio.sleep(1.0)
            continue
        report.latencies.append(time.monotonic() - started)
        if reply != expected[question]:
            report.mismatches.append(question)
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


async def run_load(url: str, questions: Sequence[str], *, sessions: int, seconds: float,
                   think: float = 0.0, server_pids: Sequence[int] = (),
                   seed: int = 0) -> LoadReport:
    """Drive the app at ``url`` with ``sessions`` concurrent chat sessions."""
    if not 1 <= sessions <= MAX_SESSIONS or not 0 < seconds <= MAX_SECONDS:
        raise LoadTestError(f"sessions must be 1-{MAX_SESSIONS} and seconds 1-{MAX_SECONDS}.")
    async with http_session() as http:
        try:
            client = await ChatClient.connect(http, url)
        except NETWORK_ERRORS as err:
            raise LoadTestError(f"no quotechat at {url}: {err}") from err
        expected = await single_user_answers(client, questions)
        report = LoadReport(sessions, seconds)
        cpu, server = time.process_time(), _cpu_seconds(server_pids)
        started = time.monotonic()
        rng = random.Random(seed)
        await asyncio.gather(*(_session(client, questions, expected, report,
                                        started + seconds, think,
                                        random.Random(rng.random()))
                               for _ in range(sessions)))
        report.seconds = time.monotonic() - started
        report.client_cpu = time.process_time() - cpu
        after = _cpu_seconds(server_pids)
        if server is not None and after is not None:
            report.server_cpu = after - server
    return report


def _cpu_seconds(pids: Sequence[int]) -> float | None:
    """User + system CPU seconds of the server processes (Linux /proc), None when
    unknown."""
    if not pids:
        return None
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ui.loadtest", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, nargs="+", default=[10, 50],
                   help="concurrent chat sessions; several values run one after another")
    p.add_argument("--seconds", type=float, default=60.0, help="length of each run")
    p.add_argument("--think", type=float, default=0.0,
                   help="mean seconds a session waits between an answer and its next "
                        "question (default 0: ask again at once)")
    p.add_argument("--questions", type=Path, default=DEV_QUESTIONS,
                   help="JSON-lines questions (default: the home development set)")
    p.add_argument("--limit", type=int, default=40, help="use the first N questions")
    p.add_argument("--url", help="drive a running app instead of starting one")
    p.add_argument("--port", type=int, default=7920, help="port for the started app")
    p.add_argument("--replicas", type=int, default=1,
                   help="start this many replicas behind nginx on --port (the next ports "
                        "for the replicas), as in the README's deployment")
    p.add_argument("--app-dir", type=Path, metavar="DIR",
                   help="serve another checkout of quotechat (e.g. to compare with main)")
    p.add_argument("--serve-arg", action="append", default=[], metavar="ARG",
                   help="passed to `quotechat serve` (repeat: --serve-arg=--corpus ...)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        questions = read_questions(args.questions, args.limit)
        if args.url:
            return _report_all(args, questions, args.url, ())
        if args.replicas > 1:
            return _behind_balancer(args, questions)
        with ServeProcess(args.port, args.serve_arg, app_dir=args.app_dir) as server:
            return _report_all(args, questions, server.url, (server.process.pid,))
    except (LoadTestError, RuntimeError, TimeoutError) as err:
        print(f"loadtest: error: {err}", file=sys.stderr)
        return 2


def _behind_balancer(args: argparse.Namespace, questions: list[str]) -> int:
    """Replicas of the built-in (or --serve-arg) corpus behind nginx on loopback."""
    from assistant.settings import Settings
    from ui.balancer import Balancer
    from ui.replicas import start_replicas
    if not 2 <= args.replicas <= 8:
        raise LoadTestError("--replicas must be 1-8.")
    settings = Settings.from_env()
    ports = [args.port + 1 + i for i in range(args.replicas)]
    replicas = start_replicas(ports, settings.corpus_dir, settings.index_path,
                              options=args.serve_arg)  # main() reports a failed start
    try:
        with Balancer(args.port, [f"127.0.0.1:{p}" for p in ports]) as balancer:
            balancer.wait_ready()
            return _report_all(args, questions, balancer.url + "/",
                               [r.process.pid for r in replicas])
    except FileNotFoundError as err:  # no nginx
        raise LoadTestError(str(err)) from err
    finally:
        for replica in replicas:
            replica.stop()


def _report_all(args: argparse.Namespace, questions: list[str], url: str,
                pids: Sequence[int]) -> int:
    failed = False
    for sessions in args.sessions:
        report = asyncio.run(run_load(url, questions, sessions=sessions,
                                      seconds=args.seconds, think=args.think,
                                      server_pids=pids))
        print("\n".join(report.lines()), flush=True)
        failed |= bool(report.errors or report.mismatches or not report.answers)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
