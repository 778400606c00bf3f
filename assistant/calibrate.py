"""Calibrate fusion weights and abstention thresholds on development question sets.

    python -m assistant.calibrate --home ../shared/eval/seed_questions.jsonl \\
        --medquad ../shared/eval/questions.jsonl ../shared/eval/questions_liveqa.jsonl \\
        --medquad-corpus ../shared/eval/docs

Prints, for a small grid, home hit@1/hit@3 and MedQuAD R@1, then the abstention
trade-off (answered-correctly vs wrongly-abstained vs wrongly-answered) for threshold
pairs. The chosen values are written into assistant/retrieval.py (Weights) and
assistant/abstain.py (Thresholds) by hand, so they are reviewed like code.
"""
from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from assistant.abstain import Thresholds, decide
from assistant.evaluation import read_questions
from assistant.retrieval import Weights, ranked_documents, retrieve
from assistant.selection import select_quotes
from assistant.service import open_assistant
from assistant.settings import Settings


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _cases(assistant, rows):
    questions = [r["question"] for r in rows]
    vectors = assistant.encoder.encode(questions)
    return list(zip(rows, vectors))


def retrieval_quality(assistant, cases, weights, kind):
    good1 = good3 = n = 0
    for row, vector in cases:
        if row["expect"] != "answer":
            continue
        n += 1
        candidates = retrieve(assistant.index, vector, row["question"], weights=weights)
        if kind == "home":
            quotes = select_quotes(assistant.index, candidates, max_quotes=3, margin=0.12)
            phrases = [_norm(p) for p in row["phrases"]]
            hits = [any(p in _norm(q.text) for p in phrases) for q in quotes]
            good1 += bool(hits and hits[0])
            good3 += any(hits)
        else:
            ranked = ranked_documents(assistant.index, candidates)
            relevant = {d + ".txt" for d in row.get("relevant_doc_ids") or [row["doc_id"]]}
            good1 += bool(ranked and ranked[0] in relevant)
            good3 += bool(relevant & set(ranked[:5]))
    return good1 / max(n, 1), good3 / max(n, 1)


def abstention_table(sets, weights, grid):
    """For each threshold triple: share of answerable answered, of unanswerable refused."""
    signals = []
    for assistant, cases in sets:
        for row, vector in cases:
            if row["expect"] == "emergency":
                continue
            candidates = retrieve(assistant.index, vector, row["question"], weights=weights)
            answerable = row["expect"] == "answer"
            signals.append((answerable, assistant, row["question"], candidates))
    results = []
    for triple in grid:
        thresholds = Thresholds(*triple)
        answered_ok = refused_ok = n_ans = n_not = 0
        for answerable, assistant, question, candidates in signals:
            answer = decide(assistant.index, question, candidates,
                            thresholds=thresholds).answer
            n_ans += answerable
            n_not += not answerable
            answered_ok += answerable and answer
            refused_ok += (not answerable) and not answer
        results.append((answered_ok / n_ans, refused_ok / n_not, triple))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--medquad", type=Path, nargs="*", default=[])
    parser.add_argument("--medquad-corpus", type=Path)
    args = parser.parse_args()
    home = open_assistant(Settings())
    sets = [(home, _cases(home, read_questions(args.home)), "home")]
    if args.medquad:
        med = open_assistant(Settings(corpus_dir=args.medquad_corpus))
        rows = [r for path in args.medquad for r in read_questions(path)]
        sets.append((med, _cases(med, rows), "medquad"))
    print("weights (unit_dense chunk_dense unit_lex chunk_lex) -> home hit@1 hit@3 | "
          "medquad R@1 R@5")
    best = None
    for ud, cd, ul in itertools.product((0.3, 0.45, 0.6), (0.1, 0.25, 0.4), (0.0, 0.1, 0.2)):
        cl = round(1 - ud - cd - ul, 2)
        if cl < 0:
            continue
        weights = Weights(ud, cd, ul, cl)
        row = [q for a, c, kind in sets for q in retrieval_quality(a, c, weights, kind)]
        print(f"{ud:.2f} {cd:.2f} {ul:.2f} {cl:.2f} -> " + " ".join(f"{x:.2f}" for x in row))
        key = sum(row)
        if best is None or key > best[0]:
            best = (key, weights)
    weights = best[1]
    print(f"best weights: {weights}")
    grid = itertools.product((0.55, 0.6, 0.65, 0.7, 0.75), (0.35, 0.4, 0.45, 0.5),
                             (0.34, 0.5, 0.67, 0.75))
    table = abstention_table([(a, c) for a, c, _ in sets], weights, grid)
    table.sort(key=lambda r: -(r[0] + r[1]))
    print("answered (answerable) | refused (unanswerable) | thresholds")
    for answered, refused, triple in table[:15]:
        print(f"{answered:.3f} | {refused:.3f} | {triple}")


if __name__ == "__main__":
    main()
