"""Choose the ranking weights and fit the abstention model, cross-validated.

    python -m assistant.calibrate \\
        --home assistant/dev_questions/home_dev.jsonl ../shared/eval/seed_questions.jsonl \\
               assistant/dev_questions/home_dev_2.jsonl \\
        --medquad ../shared/eval/questions.jsonl ../shared/eval/questions_liveqa.jsonl \\
        --medquad-corpus ../shared/eval/docs

Questions carry a `fold` (0-4; files without one get `line number % 5`). For each fold,
the grid point that scores best on the other four folds is scored on it: the figures
printed are what a held-out set of the same kinds sees, never what the grid was fitted
on. The abstention model is cross-validated the same way. The chosen numbers are copied
into retrieval.Weights and abstain.Thresholds by hand, so they are reviewed like code.
home_holdout.jsonl is not an input here: it is scored once, with `quotechat eval`.
The shipped encoder was tuned on the home questions, so for the abstention fit give
`--home-signals assistant/answer_model/home_signals_cv.jsonl`: their signals from
encoders tuned without their fold (answer_model/cross_validate.py).
"""
from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from assistant.abstain import FEATURES, Thresholds, signals
from assistant.assistant import clean_question
from assistant.conversation import previous_reply
from assistant.corpus_model import CORPUS_MODEL, CorpusModel, fingerprint
from assistant.evaluation import phrase_hits, read_questions, relevant_rank
from assistant.question_memory import FEATURES as MEMORY_FEATURES, mean_votes
from assistant.retrieval import Weights, retrieve
from assistant.selection import KEEP_SHOWN_ABOVE, select_quotes
from assistant.service import open_assistant
from assistant.settings import Settings

GRID = {"passage": (0.0, 0.5, 1.0, 1.5, 2.0, 3.0), "unit_lexical": (0.0, 0.1, 0.3, 0.5)}
CUTS = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


@dataclass
class Case:
    """One question with its search text and query vector, so the grid never re-embeds."""

    assistant: object
    row: dict
    query: str
    vector: np.ndarray
    group: str
    fold: int
    source: str = ""  # the question file's name
    own_vector: np.ndarray | None = None  # a follow-up's own words (Assistant.own_words)

    @property
    def answerable(self) -> bool:
        if "phrases" in self.row or "doc_id" not in self.row:
            return self.row["expect"] == "answer"
        return self.row.get("doc_id") is not None

    def run(self, weights: Weights):
        retrieval = self.retrieval(weights)
        return retrieval, self.quotes(retrieval)

    def retrieval(self, weights: Weights):
        index = self.assistant.index
        recalled = self.assistant.memories.recall(index, (self.vector, self.own_vector),
                                                  self.forgotten)
        return retrieve(index, self.vector, self.query, weights=weights,
                        follows=self.assistant.followed_units(
                            self.row["question"], self.row.get("history") or [], index),
                        votes=mean_votes(recalled or []))

    @property
    def forgotten(self) -> frozenset[str]:
        """The memory leaves out the case's own file, as `quotechat eval` does."""
        return self.assistant.forgotten | {self.source}

    def quotes(self, retrieval, keep_shown_above: float = KEEP_SHOWN_ABOVE,
               margin: float | None = None):
        return select_quotes(self.assistant.index, retrieval.candidates, max_quotes=3,
                             margin=self.assistant.margin if margin is None else margin,
                             shown=previous_reply(self.row.get("history") or []),
                             keep_shown_above=keep_shown_above)

    def correct(self, weights: Weights) -> tuple[bool, bool]:
        """(right at rank 1, right within the top 3 quotes / top 5 documents)."""
        return self.judge(*self.run(weights))

    def judge(self, retrieval, quotes) -> tuple[bool, bool]:
        """`correct` for a run already made."""
        if "phrases" in self.row:
            hits = phrase_hits(self.row, quotes)
            return bool(hits and hits[0]), any(hits)
        docs = [q.doc_id for q in quotes] + retrieval.ranked_documents(self.assistant.index)
        rank = relevant_rank(self.row, docs)
        return rank == 1, rank is not None and rank <= 5


def folded_questions(path: Path) -> list[tuple[int, dict]]:
    """The file's questions (emergencies aside: triage answers them) with their fold."""
    rows = [r for r in read_questions(path) if r["expect"] != "emergency"]
    return [(int(r.get("fold", i % 5)), r) for i, r in enumerate(rows)]


def cases_for(assistant, path: Path, group: str,
              keep: Callable[[dict], bool] = lambda row: True) -> list[Case]:
    """The file's questions (those `keep` takes) as cases, embedded in one batch."""
    folded = [(fold, r) for fold, r in folded_questions(path) if keep(r)]
    queries = [assistant.search_text(r["question"], r.get("history") or []) for _, r in folded]
    vectors = assistant.encoder.encode(queries)
    own = [assistant.own_words(clean_question(r["question"]), r.get("history") or [], q)
           for (_, r), q in zip(folded, queries)]
    said = [text for text in own if text]
    own_vectors = iter(assistant.encoder.encode(said) if said else [])
    return [Case(assistant, r, q, v, group, fold, path.name,
                 next(own_vectors) if text else None)
            for (fold, r), q, v, text in zip(folded, queries, vectors, own)]


def judged_files(doc: str, judged: Callable[[object, Path], list]) -> dict[str, list]:
    """The command line of the leave-one-file-out choosers (calibrate_keep_shown,
    calibrate_margin): question files in, each file's judged rows out, by name."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+", help="question files (training sets)")
    home = open_assistant(Settings())
    return {path.name: judged(home, path) for path in parser.parse_args().files}


def load_cases(args) -> list[Case]:
    home = open_assistant(Settings())
    cases = [c for path in args.home for c in cases_for(home, path, "home")]
    if args.medquad:
        med = open_assistant(Settings(corpus_dir=args.medquad_corpus))
        cases += [c for path in args.medquad for c in cases_for(med, path, path.stem)]
    return cases


def _objective(cases: list[Case], weights: Weights) -> float:
    """Mean rank-1 accuracy per set, so the small sets count as much as the large."""
    groups = sorted({c.group for c in cases})
    return float(np.mean([np.mean([c.correct(weights)[0] for c in cases if c.group == g])
                          for g in groups]))


def retrieval_grid(cases: list[Case]) -> Weights:
    answerable = [c for c in cases if c.answerable]
    grid = [Weights(**dict(zip(GRID, values))) for values in itertools.product(*GRID.values())]
    held = {g: [] for g in sorted({c.group for c in answerable})}
    for fold in range(5):
        train = [c for c in answerable if c.fold != fold]
        best = max(grid, key=lambda w: _objective(train, w))
        for c in answerable:
            if c.fold == fold:
                held[c.group].append(c.correct(best))
        print(f"fold {fold}: chosen on the other folds: passage={best.passage} "
              f"unit_lexical={best.unit_lexical}")
    for group, results in held.items():
        print(f"cross-validated {group:<20} @1 {np.mean([r[0] for r in results]):.3f}  "
              f"@3/@5 {np.mean([r[1] for r in results]):.3f}  n={len(results)}")
    chosen = max(grid, key=lambda w: _objective(answerable, w))
    print(f"chosen on all folds: {chosen}")
    return chosen


def _fit(x: np.ndarray, y: np.ndarray, groups: np.ndarray):
    """Each set weighs the same in the fit, however many questions it has (as in
    _objective), so the large home sets do not decide MedQuAD's cut-off."""
    from sklearn.linear_model import LogisticRegression  # only the maintainer needs it
    names, counts = np.unique(groups, return_counts=True)
    weight = dict(zip(names, len(groups) / (len(names) * counts)))
    return LogisticRegression(C=10.0, max_iter=1000).fit(
        x, y, sample_weight=np.array([weight[g] for g in groups]))


def abstention_features(cases: list[Case], weights: Weights,
                        held_out: dict[str, dict]) -> np.ndarray:
    """One row of FEATURES per case. `held_out`: a home question id's signals from an
    encoder that never saw it, used in place of the current encoder's (cross_validate.py);
    a signal added since that file was written comes from the current encoder."""
    rows = []
    for c in cases:
        values = dict(held_out.get(c.row.get("id"), {}) if c.group == "home" else {})
        if not values.keys() >= set(FEATURES):
            values = signals(c.assistant.index, c.query, c.run(weights)[0]) | values
        rows.append([values[name] for name in FEATURES])
    return np.array(rows)


def abstention(cases: list[Case], weights: Weights, held_out: dict[str, dict]) -> None:
    x = abstention_features(cases, weights, held_out)
    y = np.array([c.answerable for c in cases], dtype=int)
    folds = np.array([c.fold for c in cases])
    groups = np.array([c.group for c in cases])
    p = np.zeros(len(cases))
    for fold in range(5):
        test = folds == fold
        p[test] = _fit(x[~test], y[~test], groups[~test]).predict_proba(x[test])[:, 1]
    print("cross-validated abstention, per cut-off: answerable wrongly refused / "
          "unanswerable rightly refused, per set")
    for cut in CUTS:
        parts = []
        for group in sorted(set(groups)):
            mask = groups == group
            answered = p[mask] >= cut
            labels = y[mask]
            wrong = np.mean(~answered[labels == 1]) if (labels == 1).any() else float("nan")
            right = np.mean(~answered[labels == 0]) if (labels == 0).any() else float("nan")
            parts.append(f"{group} {wrong:.2f} / {right:.2f}")
        print(f"  p>={cut}: " + "  ".join(parts))
    model = _fit(x, y, groups)
    print(f"features {FEATURES}\nweights {tuple(round(float(w), 3) for w in model.coef_[0])}"
          f" bias {model.intercept_[0]:.3f} (in use: cut-off {Thresholds().answer_at})")


CORPUS_C = (0.003, 0.01, 0.03, 0.1)  # regularisation tried for the corpus model


def _fit_corpus(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(x)
    return scaler, LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y)


def _held_out(x, y, test_sets, c: float) -> np.ndarray:
    p = np.zeros(len(y))
    for test in test_sets:
        scaler, model = _fit_corpus(x[~test], y[~test], c)
        p[test] = model.predict_proba(scaler.transform(x[test]))[:, 1]
    return p


def corpus_model_fit(cases: list[Case], weights: Weights, held_out: dict[str, dict],
                     out: Path, answer_at: float) -> None:
    """The home corpus's own answerability model (assistant/corpus_model.py), over the
    signals and the question's vector; scored with each question file held out whole
    (other writers' questions, the strictest test) and by fold."""
    from sklearn.metrics import roc_auc_score
    home = [c for c in cases if c.group == "home"]
    memory = home[0].assistant.memories.for_index(home[0].assistant.index)
    # Each question's memory features with its own file left out (a new writer's).
    remembered = [list(memory.recall(c.vector, c.forgotten).features().values())
                  for c in home] if memory else np.zeros((len(home), 0))
    features = FEATURES + (MEMORY_FEATURES if memory else ())
    x = np.hstack([abstention_features(home, weights, held_out), remembered,
                   np.array([c.vector for c in home])])
    y = np.array([c.answerable for c in home], dtype=int)
    sources = np.array([c.source for c in home])
    folds = np.array([c.fold for c in home])
    # Files with unanswerable questions; each is held out whole in turn.
    files = {n: sources == n for n in sorted(set(sources)) if (y[sources == n] == 0).any()}
    scored = np.any(list(files.values()), axis=0)
    by_file = {c: _held_out(x, y, files.values(), c) for c in CORPUS_C}
    auc = {c: roc_auc_score(y[scored], p[scored]) for c, p in by_file.items()}
    for c, value in auc.items():
        print(f"corpus model C={c}: ROC AUC, each file held out whole {value:.3f}")
    chosen = max(CORPUS_C, key=auc.get)
    sets = {"all": np.ones(len(y), dtype=bool)} | files
    for name, p in (("each file held out whole", by_file[chosen]),
                    ("by fold", _held_out(x, y, [folds == k for k in range(5)], chosen))):
        print(f"C={chosen}, {name}: answerable wrongly refused / unanswerable refused")
        for cut in CUTS:
            parts = [f"{n} {np.mean(p[m & (y == 1)] < cut):.2f} / "
                     f"{np.mean(p[m & (y == 0)] < cut):.2f}" for n, m in sets.items()]
            print(f"  p>={cut}: " + "  ".join(parts))
    scaler, model = _fit_corpus(x, y, chosen)
    assistant = home[0].assistant
    fitted = CorpusModel(fingerprint(assistant.index, assistant.encoder.weights_hash),
                         scaler.mean_, scaler.scale_, model.coef_[0],
                         float(model.intercept_[0]), answer_at, features)
    out.write_text(fitted.to_json(C=chosen, questions=len(y), answerable=int(y.sum()),
                                  files=sorted(set(sources))), encoding="utf-8")
    print(f"corpus model written to {out} (cut-off {answer_at})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, nargs="+", required=True)
    parser.add_argument("--medquad", type=Path, nargs="*", default=[])
    parser.add_argument("--medquad-corpus", type=Path)
    parser.add_argument("--skip-grid", action="store_true",
                        help="use the current Weights, only fit the abstention model")
    parser.add_argument("--home-signals", type=Path,
                        help="the home questions' abstention signals, each from an encoder "
                             "tuned without its fold (written by "
                             "assistant.answer_model.cross_validate)")
    parser.add_argument("--corpus-model", type=Path, nargs="?", const=CORPUS_MODEL,
                        help=f"also fit the home corpus's own answerability model and "
                             f"write it (default: {CORPUS_MODEL})")
    parser.add_argument("--corpus-answer-at", type=float, default=0.5,
                        help="the corpus model's cut-off, chosen from the printed table")
    args = parser.parse_args()
    if args.home_signals and not args.home_signals.is_file():
        parser.error(f"no file at {args.home_signals}")
    cases = load_cases(args)
    weights = Weights() if args.skip_grid else retrieval_grid(cases)
    held_out = {}
    if args.home_signals:
        held_out = {r["id"]: r["signals"] for r in map(json.loads, args.home_signals.open())}
    abstention(cases, weights, held_out)
    if args.corpus_model:
        corpus_model_fit(cases, weights, held_out, args.corpus_model, args.corpus_answer_at)


if __name__ == "__main__":
    main()
