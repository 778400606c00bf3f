"""Calibrate retrieval weights and the abstention model on development question sets.

    python -m assistant.calibrate --home ../shared/eval/seed_questions.jsonl \\
        --medquad ../shared/eval/questions.jsonl ../shared/eval/questions_liveqa.jsonl \\
        --medquad-corpus ../shared/eval/docs \\
        --unanswerable assistant/dev_questions/home_in_domain_unanswerable.jsonl

1. Retrieval: a small grid of Weights, scored by home hit@1/hit@3 (a gold phrase in the
   first / first three quotes) and MedQuAD R@1/R@5 (documents of the quotes, then of the
   passages). 2. Abstention: a logistic regression over assistant.abstain.FEATURES,
   reported as the trade-off (answered-correctly, wrongly-abstained, wrongly-answered)
   at several cut-offs, with each set held out in turn, and cross-validated (what a
   held-out set of the same kinds would see), with the share of --unanswerable
   questions (in the home corpus's domain, not answered by it) that would be answered.
   The chosen values are copied into Weights and Thresholds by hand, so
   they are reviewed like code.
"""
from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.abstain import FEATURES, Thresholds, signals
from assistant.evaluation import phrase_hits, read_questions, relevant_rank
from assistant.retrieval import Weights, retrieve
from assistant.selection import select_quotes
from assistant.service import open_assistant
from assistant.settings import Settings


class Case:
    """One question with its search text and query vector, so the grid never re-embeds."""

    def __init__(self, assistant, row: dict, query: str, vector: np.ndarray,
                 group: str) -> None:
        self.assistant, self.row, self.group = assistant, row, group
        self.query, self.vector = query, vector

    def run(self, weights: Weights):
        index = self.assistant.index
        retrieval = retrieve(index, self.vector, self.query, weights=weights)
        quotes = select_quotes(index, retrieval.candidates, max_quotes=3,
                               margin=self.assistant.margin)
        return retrieval, quotes

    def correct(self, retrieval, quotes) -> tuple[bool, bool]:
        """(right at rank 1, right within the top 3 quotes / top 5 documents)."""
        if "phrases" in self.row:
            hits = phrase_hits(self.row, quotes)
            return bool(hits and hits[0]), any(hits)
        docs = [q.doc_id for q in quotes] + retrieval.ranked_documents(self.assistant.index)
        rank = relevant_rank(self.row, docs)
        return rank == 1, rank is not None and rank <= 5


def load_cases(args) -> list[Case]:
    home = open_assistant(Settings())
    sets = [(home, read_questions(args.home), "home")]
    if args.medquad:
        med = open_assistant(Settings(corpus_dir=args.medquad_corpus))
        for path in args.medquad:
            sets.append((med, read_questions(path), path.stem))
    return [case for assistant, rows, group in sets
            for case in cases_for(assistant, rows, group)]


def cases_for(assistant, rows: list[dict], group: str) -> list[Case]:
    rows = [r for r in rows if r["expect"] != "emergency"]
    queries = [assistant.search_text(r["question"]) for r in rows]
    vectors = assistant.encoder.encode(queries)
    return [Case(assistant, r, q, v, group) for r, q, v in zip(rows, queries, vectors)]


def retrieval_grid(cases: list[Case]) -> Weights:
    answerable = [c for c in cases if c.row["expect"] == "answer"]
    groups = sorted({c.group for c in answerable})
    print("passage_lexical passages unit_dense unit_passage unit_lexical -> "
          + " ".join(f"{g}:@1 {g}:@3/5" for g in groups))
    best = None
    grid = itertools.product((0.0, 0.05, 0.1), (2, 3, 5), (0.4, 0.6), (0.2, 0.4),
                             (0.0, 0.1, 0.2))
    for lexical, passages, dense, passage, unit_lexical in grid:
        weights = Weights(lexical, passages, dense, passage, unit_lexical)
        scores = []
        for group in groups:
            results = [c.correct(*c.run(weights)) for c in answerable if c.group == group]
            scores += [np.mean([r[0] for r in results]), np.mean([r[1] for r in results])]
        print(f"{lexical:.2f} {passages} {dense:.1f} {passage:.1f} {unit_lexical:.1f} -> "
              + " ".join(f"{s:.2f}" for s in scores))
        if best is None or sum(scores) > best[0]:
            best = (sum(scores), weights)
    print(f"best: {best[1]}")
    return best[1]


def feature_matrix(cases: list[Case], weights: Weights) -> tuple[np.ndarray, np.ndarray]:
    rows = []
    for case in cases:
        retrieval, _ = case.run(weights)
        values = signals(case.assistant.index, case.query, retrieval)
        rows.append([values[name] for name in FEATURES])
    labels = np.array([c.row["expect"] == "answer" for c in cases], dtype=int)
    return np.array(rows), labels


def _fit(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression  # only the maintainer needs it
    # Little regularisation: six features in [0, 1], a few hundred questions.
    return LogisticRegression(C=100.0, class_weight="balanced", max_iter=1000).fit(x, y)


def _share(flags: np.ndarray) -> str:
    return f"{np.mean(flags):.3f}" if flags.size else "n/a"


def _tradeoff(p: np.ndarray, y: np.ndarray, cut: float) -> str:
    answered = p >= cut
    return (f"answered-correctly {_share(answered[y == 1])}  wrongly-abstained "
            f"{_share(~answered[y == 1])}  wrongly-answered {_share(answered[y == 0])}")


def cross_validated(x: np.ndarray, y: np.ndarray, groups: np.ndarray, *, folds: int = 5,
                    repeats: int = 20) -> np.ndarray:
    """Each question's probability from models that never saw it: repeated k-fold,
    stratified by set and label. This is what a held-out set of the same kinds sees."""
    from sklearn.model_selection import StratifiedKFold
    strata = np.array([f"{g}/{label}" for g, label in zip(groups, y)])
    p = np.zeros((repeats, len(y)))
    for repeat in range(repeats):
        split = StratifiedKFold(folds, shuffle=True, random_state=repeat)
        for train, test in split.split(x, strata):
            p[repeat, test] = _fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    return p


def abstention(cases: list[Case], weights: Weights, unanswerable: list[Case]) -> None:
    x, y = feature_matrix(cases, weights)
    model = _fit(x, y)
    print(f"features {FEATURES}\nweights {tuple(round(float(w), 3) for w in model.coef_[0])} "
          f"bias {model.intercept_[0]:.3f}")
    p = model.predict_proba(x)[:, 1]
    for cut in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        print(f"all sets, answer at p>={cut}: {_tradeoff(p, y, cut)}")
    groups = np.array([c.group for c in cases])
    cut = Thresholds().answer_at
    print(f"per set, answer at p>={cut} (Thresholds.answer_at):")
    for held_out in sorted(set(groups)):
        train = groups != held_out
        if len(set(y[train])) < 2 or len(set(y[~train])) < 2:
            continue
        held = _fit(x[train], y[train]).predict_proba(x[~train])[:, 1]
        print(f"held out {held_out:<18} (fitted on the others): "
              f"{_tradeoff(held, y[~train], cut)}")
    for group in sorted(set(groups)):
        mask = groups == group
        print(f"in-sample {group:<17}: {_tradeoff(p[mask], y[mask], cut)}")
    cv = cross_validated(x, y, groups)
    extra = model.predict_proba(feature_matrix(unanswerable, weights)[0])[:, 1] \
        if unanswerable else np.array([])
    print("cross-validated (5-fold x 20), per cut-off: wrongly abstained / wrongly answered"
          + (", and the share of --unanswerable questions answered" if unanswerable else ""))
    for cut in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65):
        parts = []
        for group in sorted(set(groups)):
            mask = groups == group
            answered, labels = cv[:, mask] >= cut, y[mask]
            parts.append(f"{group} {_share(~answered[:, labels == 1])} / "
                         f"{_share(answered[:, labels == 0])}")
        if unanswerable:
            parts.append(f"unanswerable {_share(extra >= cut)}")
        print(f"  p>={cut}: " + "  ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--medquad", type=Path, nargs="*", default=[])
    parser.add_argument("--medquad-corpus", type=Path)
    parser.add_argument("--unanswerable", type=Path,
                        help="home-corpus questions the documents do not answer; only "
                             "reported (how many the fitted model would answer)")
    parser.add_argument("--skip-grid", action="store_true",
                        help="use the current Weights, only fit the abstention model")
    args = parser.parse_args()
    cases = load_cases(args)
    weights = Weights() if args.skip_grid else retrieval_grid(cases)
    unanswerable = []
    if args.unanswerable:
        home = next(c.assistant for c in cases if c.group == "home")
        unanswerable = cases_for(home, read_questions(args.unanswerable), "unanswerable")
    abstention(cases, weights, unanswerable)


if __name__ == "__main__":
    main()
