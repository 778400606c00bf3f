"""`quotechat bench`: medians and ratios, printed as a table; never a pass/fail test."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.evaluation import read_questions
from corpus.tokens import count_tokens
from corpus.units import sentence_spans
from assistant.service import open_assistant, reindex
from assistant.settings import Settings
from assistant.triage import triage
from index.build import embedding_texts, fit_to_window
from index.embedder import SentenceTransformerEmbedder

BUILD_RUNS = 3
DEFAULT_QUESTIONS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / \
    "seed_questions.jsonl"


def _timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def distinct_texts(encoder, index) -> list[str]:
    """The texts a full build of `index`'s documents embeds, as the build embeds them."""
    chunks_by_doc: dict = {}
    for chunk in index.chunks:
        chunks_by_doc.setdefault(chunk.doc_id, []).append(chunk)
    docs = list(index.documents.values())
    texts = fit_to_window(encoder, embedding_texts(
        docs, {d.doc_id: chunks_by_doc.get(d.doc_id, []) for d in docs}))
    return list(dict.fromkeys(texts))


def encoder_throughput(encoder, index, *, sample: int | None = None) -> dict:
    """Texts per second of the bare encoder (one encode() call, which sorts by length
    itself) on the texts a build of `index` embeds, or on `sample` of them taken evenly."""
    texts = distinct_texts(encoder, index)
    chosen = texts if sample is None or sample >= len(texts) else \
        texts[::max(1, len(texts) // sample)][:sample]
    raw_s, _ = _timed(encoder.encode, chosen)
    return {"texts_embedded": len(texts), "sample_texts": len(chosen),
            "raw_texts_per_s": len(chosen) / raw_s}


def _questions(settings: Settings, questions_file: Path | None, examples) -> list[str]:
    path = questions_file or (DEFAULT_QUESTIONS if DEFAULT_QUESTIONS.is_file() else None)
    if path:
        return [row["question"] for row in read_questions(path)]
    return list(examples)


def cold_start(settings: Settings, question: str, runs: int = 3) -> list[float]:
    """Process start to first answer, as a user of `quotechat ask` sees it."""
    command = [sys.executable, "-m", "ui.cli", "ask", "--json", "--corpus",
               str(settings.corpus_dir), "--index", str(settings.index_path), question]
    command[4:4] = ["--device", settings.device]
    if settings.model:
        command[4:4] = ["--model", settings.model]
    samples = []
    for _ in range(runs):
        seconds, done = _timed(subprocess.run, command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"cold-start run failed: {done.stderr.strip()[-300:]}")
        json.loads(done.stdout)
        samples.append(seconds)
    return samples


def answer_model_times(assistant, vectors) -> list[float]:
    """What the corpus's own answerability model costs a question, alone (included in the
    warm answer); [] when the general model judges this index."""
    model = assistant.corpus_models.for_index(assistant.index)
    if model is None:
        return []
    values = {name: 0.5 for name in model.features}
    return [_timed(model.probability, values, vector)[0] for vector in vectors]


def memory_times(assistant, vectors) -> list[float]:
    """What the question memory costs a question (its cosine with every remembered
    question, the vote and the features; included in the warm answer); [] when there is
    no memory for this index and encoder."""
    memory = assistant.memories.for_index(assistant.index)
    if memory is None:
        return []

    def recall(vector):
        recalled = memory.recall(vector)
        return recalled.votes(), recalled.features()
    return [_timed(recall, vector)[0] for vector in vectors]


def triage_model_times(assistant, questions: list[str], vectors) -> list[float]:
    """What the triage model costs a question on top of the rules (included in the warm
    answer); [] when it does not read this encoder's vectors (rules only)."""
    model = assistant.triage_model
    if model is None:
        return []
    return [_timed(model.judge, vector, question, triage(question).category)[0]
            for vector, question in zip(vectors, questions)]


def run_benchmark(settings: Settings, *, repeat: int = 5,
                  questions_file: Path | None = None) -> str:
    assistant = open_assistant(settings)
    questions = _questions(settings, questions_file, assistant.examples)
    assistant.ask(questions[0])  # warm caches once
    answer_times, embed_times = [], []
    for _ in range(max(1, repeat)):
        for question in questions:
            answer_times.append(_timed(assistant.ask, question)[0])
            embed_times.append(_timed(assistant.encoder.encode, [question])[0])
    vectors = assistant.encoder.encode(questions)  # the models' inputs, embedded once
    judge_times = answer_model_times(assistant, vectors)
    triage_times = triage_model_times(assistant, questions, vectors)
    recall_times = memory_times(assistant, vectors)
    cold = cold_start(settings, questions[0])
    with tempfile.TemporaryDirectory() as tmp:
        def fresh(run: int) -> Settings:
            return Settings(corpus_dir=settings.corpus_dir, index_dir=Path(tmp) / f"index-{run}",
                            model=settings.model, chunk_tokens=settings.chunk_tokens,
                            chunk_overlap=settings.chunk_overlap, device=settings.device)
        # The torch model, as `quotechat index` uses it, loaded before the clock starts.
        encoder = SentenceTransformerEmbedder(settings.model, device=settings.device,
                                              onnx=False)
        encoder.warm_up()
        # So are the chunker's tokenizer file and the sentence splitter's rules, loaded
        # once per process (0.4 and 0.3 s here): on a small corpus they would pass for
        # the build's own cost.
        count_tokens("warm up")
        sentence_spans("Warm up. Twice.", 0, 15)
        # Builds and raw-encoder runs alternate, and their medians are compared: a first
        # run pays once-per-process costs (new batch shapes) the others do not, which
        # moved a single run's ratio between 0.82x and 0.95x on the same machine.
        build_times, raw_rates = [], []
        for run in range(BUILD_RUNS):
            build_s, report = _timed(reindex, fresh(run), encoder=encoder)
            raw = encoder_throughput(encoder, report.index)
            build_times.append(build_s)
            raw_rates.append(raw["raw_texts_per_s"])
        noop_s, _ = _timed(reindex, fresh(BUILD_RUNS - 1), encoder=encoder)
    build_s, raw_rate = statistics.median(build_times), statistics.median(raw_rates)
    answer_ms = statistics.median(answer_times) * 1000
    embed_ms = statistics.median(embed_times) * 1000
    chunks = len(report.index.chunks)
    rows = [
        ("question embedding", getattr(assistant.encoder, "backend", "?")),
        ("questions x rounds", f"{len(questions)} x {max(1, repeat)}"),
        ("warm answer, median", f"{answer_ms:.1f} ms"),
        ("warm answer, p95", f"{p95(answer_times) * 1000:.1f} ms"),
        ("bare query embedding, median", f"{embed_ms:.1f} ms"),
        ("answer / embedding (median ratio)", f"{answer_ms / embed_ms:.2f}x"),
        ("answerability model", "the corpus's own" if judge_times else "general"),
        ("answerability model, median", f"{statistics.median(judge_times or [0]) * 1e3:.3f} ms"),
        ("question memory", f"{len(assistant.memories.memory.answerable)} questions"
         if recall_times else "none for this index"),
        ("question memory, median", f"{statistics.median(recall_times or [0]) * 1e3:.3f} ms"),
        ("triage", "rules and model" if triage_times else "rules only"),
        ("triage model, median", f"{statistics.median(triage_times or [0]) * 1e3:.3f} ms"),
        ("cold start to first answer, median", f"{statistics.median(cold):.2f} s"),
        (f"index build (model loaded), median of {BUILD_RUNS}", f"{build_s:.2f} s"),
        ("chunks / units indexed", f"{chunks} / {len(report.index.units)}"),
        ("texts embedded (distinct units + chunks)", f"{raw['texts_embedded']}"),
        ("build: texts embedded per second", f"{raw['texts_embedded'] / build_s:.1f}"),
        ("raw encoder, same texts, one call", f"{raw_rate:.1f} texts/s"),
        ("build / raw encoder", f"{raw['texts_embedded'] / build_s / raw_rate:.2f}x"),
        ("re-index with nothing changed", f"{noop_s:.2f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"quotechat bench — corpus {settings.corpus_dir}, index "
             f"{assistant.index.version}", ""]
    lines += [f"{name:<{width}}  {value}" for name, value in rows]
    return "\n".join(lines)
