"""Scoring question files: the home-corpus format (seed_questions.jsonl) and the MedQuAD
format (questions.jsonl with doc_id / relevant_doc_ids), with the metrics of
shared/eval/score.py. Quote fidelity is checked against the files on disk, not the index.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from assistant.answer import Answer
from corpus import DocumentError, read_document

# ask(question, history): history is the chat so far, as the question file gives it.
Ask = Callable[[str, list], Answer]


class EvalFileError(ValueError):
    """The question file cannot be read; the message says which line and why."""


def read_questions(path: Path) -> list[dict]:
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise EvalFileError(f"Cannot read {path}: {err}") from err
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                row = json.loads(line)
            except ValueError as err:
                raise EvalFileError(f"{path} line {number}: not JSON ({err}).") from err
            if not isinstance(row, dict) or "question" not in row or "expect" not in row:
                raise EvalFileError(f"{path} line {number}: needs 'question' and 'expect'.")
            rows.append(row)
    if not rows:
        raise EvalFileError(f"{path} has no questions.")
    return rows


def file_format(rows: list[dict]) -> str:
    return "medquad" if any("doc_id" in r or "relevant_doc_ids" in r for r in rows) else "home"


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _doc_key(doc_id: str) -> str:
    name = doc_id.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for ext in (".txt", ".md", ".markdown"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def holds_phrase(text: str, phrases: list[str]) -> bool:
    """Does the text hold one of the gold phrases, case and white space aside?"""
    return any(_norm(p) in _norm(text) for p in phrases)


def phrase_hits(row: dict, quotes) -> list[bool]:
    """For each of the first three quotes: does it contain a gold phrase (case and
    white space aside)? The home-format judgement."""
    return [holds_phrase(q.text, row.get("phrases", [])) for q in quotes[:3]]


def relevant_rank(row: dict, sources) -> int | None:
    """1-based rank of the first relevant document among the sources (repeats count
    once), as shared/eval/score.py ranks them; None when none is relevant."""
    relevant = {_doc_key(d) for d in row.get("relevant_doc_ids") or [row["doc_id"]]}
    ranked = list(dict.fromkeys(_doc_key(s) for s in sources))
    return next((i for i, s in enumerate(ranked, 1) if s in relevant), None)


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)  # one per question
    summary: list[str] = field(default_factory=list)  # totals before the score line
    metrics: dict[str, float | None] = field(default_factory=dict)  # None: nothing to score
    predictions: list[dict] = field(default_factory=list)

    def score_line(self) -> str:
        return "score: " + " ".join(f"{k}={'n/a' if v is None else f'{v:.2f}'}"
                                    for k, v in self.metrics.items())


def document_text(corpus_dir: Path, doc_id: str) -> str:
    """The file's text as a reader extracts it afresh (for .txt/.md the file decoded as
    UTF-8; for PDF/HTML/DOCX what `quotechat show` prints), "" when it is unreadable."""
    path = Path(corpus_dir) / doc_id
    if not path.is_file():
        return ""
    try:
        return read_document(path, Path(corpus_dir)).text
    except DocumentError:
        return ""


def fidelity(answer: Answer, corpus_dir: Path, cache: dict[str, str]) -> tuple[int, int]:
    """(quotes whose text is exactly the file's text[start:end], quotes checked)."""
    good = 0
    for quote in answer.quotes:
        if quote.doc_id not in cache:
            cache[quote.doc_id] = document_text(corpus_dir, quote.doc_id)
        good += cache[quote.doc_id][quote.start:quote.end] == quote.text
    return good, len(answer.quotes)


def evaluate_home(rows: list[dict], ask: Ask, corpus_dir: Path) -> Report:
    report, counts, cache = Report(), defaultdict(int), {}
    for row in rows:
        answer = ask(row["question"], row.get("history") or [])
        good, checked = fidelity(answer, corpus_dir, cache)
        counts["quotes"] += checked
        counts["faithful"] += good
        expect = row["expect"]
        counts[expect] += 1
        if expect == "answer":
            hits = phrase_hits(row, answer.quotes)
            counts["hit1"] += bool(hits[:1] and hits[0])
            counts["hit3"] += any(hits)
            counts["wrong_abstain"] += answer.status == "not_found"
            verdict = "hit@1" if hits[:1] and hits[0] else "hit@3" if any(hits) else "miss"
        elif expect == "not_found":
            ok = answer.status == "not_found"
            counts["not_found_ok"] += ok
            verdict = "ok" if ok else "WRONGLY ANSWERED"
        else:
            ok = answer.status == "emergency"
            counts["emergency_ok"] += ok
            verdict = "ok" if ok else "MISSED EMERGENCY"
        first = answer.quotes[0].text[:70] if answer.quotes else ""
        report.lines.append(f"{row.get('id', '?'):>8}  {expect:<9} {answer.status:<9} "
                            f"{verdict:<16} {first}")
    ratio = lambda a, b: counts[a] / counts[b] if counts[b] else None  # noqa: E731
    report.metrics = {"hit@1": ratio("hit1", "answer"), "hit@3": ratio("hit3", "answer"),
                      "not_found": ratio("not_found_ok", "not_found"),
                      "wrong_abstain": ratio("wrong_abstain", "answer"),
                      "emergency": ratio("emergency_ok", "emergency"),
                      "fidelity": ratio("faithful", "quotes")}
    report.summary.append(
        f"answerable {counts['answer']}, not-found {counts['not_found']}, emergency "
        f"{counts['emergency']}, quotes checked {counts['quotes']}")
    return report


def _retrieval_metrics(rows: Iterable[dict], preds: dict[str, dict]) -> dict[str, float]:
    n_ans = r1 = r5 = n_null = tp = abstained = 0
    rr = 0.0
    for row in rows:
        pred = preds[row["id"]]
        abstained += pred["abstained"]
        if row.get("doc_id") is None:
            n_null += 1
            tp += pred["abstained"]
            continue
        n_ans += 1
        if pred["abstained"]:
            continue
        rank = relevant_rank(row, pred["sources"])
        if rank:
            r1 += rank == 1
            r5 += rank <= 5
            rr += 1 / rank
    return {"R@1": r1 / n_ans if n_ans else 0.0, "R@5": r5 / n_ans if n_ans else 0.0,
            "MRR": rr / n_ans if n_ans else 0.0,
            "abstain_P": tp / abstained if abstained else 0.0,
            "abstain_R": tp / n_null if n_null else 0.0}


def evaluate_medquad(rows: list[dict], ask: Ask, *, by_kind: bool = False) -> Report:
    """Sources are the answer's quoted documents, then the retriever's ranked documents."""
    report, preds = Report(), {}
    for row in rows:
        answer = ask(row["question"], row.get("history") or [])
        quoted = [q.doc_id for q in answer.quotes]
        sources = list(dict.fromkeys(quoted + answer.details.get("ranked_docs", [])))
        abstained = answer.status in ("not_found", "invalid")
        preds[row["id"]] = {"id": row["id"], "sources": [] if abstained else sources,
                            "abstained": abstained}
        report.lines.append(f"{row['id']:>12}  {row.get('kind', ''):<16} "
                            f"{'abstain' if abstained else (sources or ['-'])[0]}")
    report.predictions = list(preds.values())
    report.metrics = _retrieval_metrics(rows, preds)
    if by_kind:
        kinds = sorted({r.get("kind", "") for r in rows})
        for kind in kinds:
            subset = [r for r in rows if r.get("kind", "") == kind]
            m = _retrieval_metrics(subset, preds)
            report.summary.append(f"kind {kind:<18} n={len(subset):<4} " +
                                " ".join(f"{k}={v:.2f}" for k, v in m.items()))
    return report
