"""The large-corpus benchmark: MedQuAD's 14,406 answers as 14,406 documents, indexed and
asked, with the figures a maintainer of a big library needs.

    python -m ui.scale_corpus                      # the whole pool; 20-60 min on 2 cores
    python -m ui.scale_corpus --limit 500          # a quick look
    python -m ui.scale_corpus --out DIR --pool FILE

Steps: write each answer as DIR/docs/NNNNN_ID.md ("# question", then the answer; files already
written are kept), build the index with `quotechat index` in a child process (its
progress lines go to stderr; re-running after a kill starts the embedding over, but the
documents stay written), then measure from the built index: build time and texts
embedded per second beside the raw encoder on a sample of the same texts, the build's
peak memory, the index's size on disk, warm answer latency (p50/p95 over the pool's own
questions) and cold start (`quotechat ask` in a fresh process). The figures are printed
and written to DIR/figures.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

POOL = Path(__file__).resolve().parents[2] / "shared" / "train" / "medquad_pool.jsonl"
DEFAULT_OUT = Path.home() / ".cache" / "quotechat" / "medquad_pool"


def write_documents(pool: Path, docs: Path, limit: int | None = None) -> int:
    """One Markdown file per answer; returns how many the folder holds."""
    docs.mkdir(parents=True, exist_ok=True)
    count = 0
    with pool.open(encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and count >= limit:
                break
            row = json.loads(line)
            # The line number too: a few ids occur twice (14,374 ids, 14,406 answers).
            path = docs / f"{count:05d}_{row['id']}.md"
            text = f"# {row['question']}\n\n{row['answer']}\n"
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            count += 1
    return count


def pool_questions(pool: Path, count: int, limit: int | None) -> list[str]:
    """Every k-th question of the (limited) pool, so all collections are asked."""
    rows = []
    with pool.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh):
            if limit is not None and number >= limit:
                break
            rows.append(json.loads(line)["question"])
    step = max(1, len(rows) // count)
    return rows[::step][:count]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ui.cli", *args]


def build(docs: Path, index: Path, rebuild: bool) -> dict:
    """`quotechat index` in a child process: wall time and the child's peak memory."""
    command = _cli("index", "--corpus", str(docs), "--index", str(index))
    if rebuild:
        command.append("--rebuild")
    # Vectors kept by a killed build are re-used: its time is then not a throughput.
    resumed = any(index.glob(".embedded-*/*"))
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"scale_corpus: indexing failed (exit {done.returncode})")
    print(done.stdout.strip(), file=sys.stderr)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return {"build_s": seconds, "build_peak_mb": peak_kb / 1024, "build_resumed": resumed}


def size_on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(docs: Path, index_dir: Path, questions: list[str], sample: int,
            cold_runs: int) -> dict:
    """Figures from the built index, in this process."""
    from assistant.service import open_assistant
    from assistant.settings import Settings
    from index.embedder import SentenceTransformerEmbedder
    from index.storage import live_version
    from ui.bench import cold_start, encoder_throughput, p95

    settings = Settings(corpus_dir=docs, index_dir=index_dir)
    started = time.perf_counter()
    assistant = open_assistant(settings, build_if_missing=False)
    open_s = time.perf_counter() - started
    index = assistant.index
    assistant.ask(questions[0])
    times, statuses = [], {}
    for question in questions:
        start = time.perf_counter()
        answer = assistant.ask(question)
        times.append(time.perf_counter() - start)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    serving_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The torch model, as `quotechat index` embeds with it (after the serving figures:
    # the serving process itself never loads torch).
    builder = SentenceTransformerEmbedder(settings.model, onnx=False)
    builder.warm_up()
    speed = encoder_throughput(builder, index, sample=sample)
    try:
        cold = cold_start(settings, questions[0], cold_runs)
    except RuntimeError as err:
        raise SystemExit(f"scale_corpus: {err}") from None
    return {
        "documents": len(index.documents), "units": len(index.units),
        "chunks": len(index.chunks), **speed,
        "index_mb": size_on_disk(live_version(index_dir)) / 2**20,
        "open_assistant_s": open_s,
        "serving_peak_mb": serving_mb, "question_backend": assistant.encoder.backend,
        "questions": len(questions), "answer_statuses": statuses,
        "warm_p50_ms": statistics.median(times) * 1000, "warm_p95_ms": p95(times) * 1000,
        "cold_start_s": statistics.median(cold), "cold_start_runs": cold,
    }


def report(figures: dict) -> str:
    texts = figures["texts_embedded"]
    rows = [
        ("documents / units / chunks",
         f"{figures['documents']:,} / {figures['units']:,} / {figures['chunks']:,}"),
        ("texts embedded (distinct)", f"{texts:,}"),
        ("index build, wall (process start to saved)", f"{figures['build_s']:.0f} s"
         + (" (resumed a killed build)" if figures.get("build_resumed") else "")),
        *_throughput_rows(figures, texts),
        ("build peak memory (max RSS)", f"{figures['build_peak_mb']:.0f} MB"),
        ("index size on disk", f"{figures['index_mb']:.0f} MB"),
        ("load model + index (warm process)", f"{figures['open_assistant_s']:.1f} s"),
        ("serving process peak memory", f"{figures['serving_peak_mb']:.0f} MB "
         f"(questions by {figures.get('question_backend', '?')})"),
        (f"warm answer over {figures['questions']} pool questions, p50",
         f"{figures['warm_p50_ms']:.1f} ms"),
        ("warm answer, p95", f"{figures['warm_p95_ms']:.1f} ms"),
        ("cold start to first answer, median", f"{figures['cold_start_s']:.2f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def _throughput_rows(figures: dict, texts: int) -> list[tuple[str, str]]:
    raw = (f"raw encoder on {figures['sample_texts']:,} of them, one call",
           f"{figures['raw_texts_per_s']:.1f} texts/s")
    if figures.get("build_resumed"):  # part of the texts were embedded by an earlier run
        return [raw, ("build / raw encoder", "not measured: the build resumed")]
    return [("build: texts embedded per second", f"{texts / figures['build_s']:.1f}"), raw,
            ("build / raw encoder",
             f"{texts / figures['build_s'] / figures['raw_texts_per_s']:.2f}x")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.scale_corpus",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=POOL, help=f"default: {POOL}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"documents, index and figures.json go here (default: {DEFAULT_OUT})")
    parser.add_argument("--limit", type=_positive, help="only the first N answers")
    parser.add_argument("--questions", type=_positive, default=200,
                        help="pool questions asked for warm latency (default 200)")
    parser.add_argument("--sample", type=_positive, default=3000,
                        help="texts the raw encoder embeds for comparison (default 3000)")
    parser.add_argument("--cold-runs", type=_positive, default=3)
    parser.add_argument("--rebuild", action="store_true",
                        help="embed everything again even when the index is current")
    parser.add_argument("--skip-build", action="store_true",
                        help="measure the index already in --out (after a build)")
    args = parser.parse_args(argv)
    if not args.pool.is_file():
        parser.error(f"no pool file at {args.pool}; give --pool FILE")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    docs, index_dir = args.out / "docs", args.out / "index"
    start = time.perf_counter()
    count = write_documents(args.pool, docs, args.limit)
    print(f"scale_corpus: {count} documents in {docs} "
          f"({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)
    figures_file = args.out / "figures.json"
    if args.skip_build:
        if not figures_file.is_file():
            parser.error(f"--skip-build needs the build figures in {figures_file}")
        built = {k: v for k, v in json.loads(figures_file.read_text()).items()
                 if k.startswith("build_")}
    else:
        built = build(docs, index_dir, args.rebuild)
        figures_file.write_text(json.dumps(built, indent=2))
    questions = pool_questions(args.pool, args.questions, args.limit)
    figures = {**built, **measure(docs, index_dir, questions, args.sample, args.cold_runs)}
    figures_file.write_text(json.dumps(figures, indent=2))
    print(report(figures))
    return 0


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
