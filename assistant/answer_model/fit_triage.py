"""Fit the triage model (assistant/triage_model.py) on the encoder's vectors of labelled
messages.

    python -m assistant.answer_model.fit_triage --check NEW_FILE.jsonl \\
        --leave-out assistant/dev_questions/home_dev_25.jsonl

Data: the labelled triage files (tests/triage_*.jsonl: a message and its category, or
"none"/null) and the development questions (assistant/dev_questions/home_dev*.jsonl:
their emergencies, in the category the rules give, and every other question as none).
One multinomial logistic model over the encoder's vector and the message's words, word
pairs and negated words (`triage_model.triage_features`), classes weighed equally.
Before writing the weights it prints, for each labelled file held out whole, the
emergencies caught and the non-emergencies that fire, by the model alone, by the rules
alone and by the two as the app combines them (`TriageModel.judge`: the rules unless the
model rules them out); and the same for `--check` files, which it never fits on (a set
written blind to the rules and the model, to be scored once). `--leave-out` keeps
development files (a release's fresh tests) out of the fit and the report.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from assistant.answer_model import existing_file
from assistant.evaluation import read_questions
from assistant.service import make_encoder
from assistant.settings import Settings
from assistant.triage import triage
from assistant.triage_model import NONE, TRIAGE_MODEL, TriageModel, triage_features

REPO = Path(__file__).resolve().parents[2]
LABELLED = sorted((REPO / "tests").glob("triage_*.jsonl"))
QUESTIONS = sorted((REPO / "assistant" / "dev_questions").glob("home_dev*.jsonl"))
C = 30.0
CUT_OFF = 0.85
MIN_COUNT = 2  # a word or pair in fewer messages is not learned from
WORD_SCALE = 0.5
# Words whose weights all stay below this are dropped: half the words, and no decision
# on the labelled messages changed (checked on 5,790: 12,549 -> 6,072 words).
PRUNE = 0.05
# Rules overruled when the model gives emergency less than this: with each of the six
# later blind sets held out whole, 0.2 lost none of the rules' catches and cut their
# false alarms (0.5 began to lose emergencies); for self-harm a lower bar, as a miss
# costs most (anything from 0.02 to 0.2 vetoed the same messages).
VETO = 0.2
VETO_SELF_HARM = 0.05


def labelled_messages(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [(r["message"], r.get("label") or NONE) for r in rows]


def question_messages(path: Path) -> list[tuple[str, str]]:
    return [(r["question"], (triage(r["question"]).category or NONE)
             if r["expect"] == "emergency" else NONE) for r in read_questions(path)]


def fit(vectors: np.ndarray, messages: list[str], labels: list[str],
        weights_hash: str) -> TriageModel:
    """One logistic model over the vector and the words, word pairs and negated words seen
    at least MIN_COUNT times (scaled by WORD_SCALE so neither swamps the other)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression
    features = [triage_features(m) for m in messages]
    counts = Counter(f for found in features for f in found)
    column = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    rows = [(i, column[f]) for i, found in enumerate(features) for f in found if f in column]
    present = csr_matrix((np.full(len(rows), WORD_SCALE), tuple(zip(*rows))),
                         shape=(len(messages), len(column)))
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    model.fit(hstack([csr_matrix(vectors), present]).tocsr(), labels)
    dims = vectors.shape[1]
    words = {f: model.coef_[:, dims + i] for f, i in column.items()}
    return TriageModel(encoder=weights_hash, classes=tuple(model.classes_),
                       weights=model.coef_[:, :dims], bias=model.intercept_, cut_off=CUT_OFF,
                       words={f: w for f, w in words.items() if np.abs(w).max() >= PRUNE},
                       word_scale=WORD_SCALE, veto=VETO,
                       veto_self_harm=VETO_SELF_HARM)


def report(name: str, model: TriageModel, vectors: np.ndarray,
           rows: list[tuple[str, str]]) -> None:
    said = np.array([model.category(v, m) is not None for v, (m, _) in zip(vectors, rows)])
    ruled = [triage(m).category for m, _ in rows]
    rules = np.array([category is not None for category in ruled])
    real = np.array([label != NONE for _, label in rows])
    both = np.array([model.judge(v, m, category)[0] is not None
                     for v, (m, _), category in zip(vectors, rows, ruled)])

    def share(hit: np.ndarray, mask: np.ndarray) -> str:
        return f"{hit[mask].mean():.2f} of {mask.sum():4d}" if mask.any() else "    -     "
    print(f"{name:30s} caught: model {share(said, real)}, with rules {share(both, real)}, "
          f"rules {share(rules, real)} | false alarms: model {share(said, ~real)}, "
          f"with rules {share(both, ~real)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", nargs="*", type=existing_file, default=[],
                        help="labelled files to score, never fitted on")
    parser.add_argument("--leave-out", nargs="*", type=existing_file, default=[],
                        help="development question files not to fit on (a release's fresh "
                             "tests, so that their emergencies measure the model)")
    parser.add_argument("--out", type=Path, default=TRIAGE_MODEL,
                        help="where the weights go (default: the shipped file)")
    args = parser.parse_args()
    left_out = {p.resolve() for p in args.leave_out}
    questions = [p for p in QUESTIONS if p.resolve() not in left_out]
    encoder = make_encoder(Settings())
    files = {p.name: labelled_messages(p) for p in LABELLED}
    files.update({p.name: question_messages(p) for p in questions})
    vectors = {name: np.asarray(encoder.encode([m for m, _ in rows])) for name, rows in files.items()}
    print("each file held out whole:")
    for held in files:
        rest = [n for n in files if n != held]
        model = fit(np.vstack([vectors[n] for n in rest]),
                    [m for n in rest for m, _ in files[n]],
                    [label for n in rest for _, label in files[n]], encoder.weights_hash)
        report(held, model, vectors[held], files[held])
    model = fit(np.vstack(list(vectors.values())), [m for rows in files.values() for m, _ in rows],
                [label for rows in files.values() for _, label in rows], encoder.weights_hash)
    for path in args.check:
        rows = labelled_messages(path)
        report(f"check: {path.name}", model, np.asarray(encoder.encode([m for m, _ in rows])), rows)
    labels = [label for rows in files.values() for _, label in rows]
    args.out.write_text(model.to_json(
        data=[str(p.relative_to(REPO)) for p in [*LABELLED, *questions]], messages=len(labels),
        emergencies=sum(label != NONE for label in labels), C=C, min_count=MIN_COUNT),
        encoding="utf-8")
    print(f"{len(labels)} messages ({sum(label != NONE for label in labels)} emergencies) "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
