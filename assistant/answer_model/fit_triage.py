"""Fit the triage model (assistant/triage_model.py) on the encoder's vectors of labelled
messages.

    python -m assistant.answer_model.fit_triage --check NEW_FILE.jsonl

Data: the labelled triage files (tests/triage_*.jsonl: a message and its category, or
"none"/null) and the development questions (assistant/dev_questions/home_dev*.jsonl:
their emergencies, in the category the rules give, and every other question as none).
One multinomial logistic model, classes weighed equally. Before writing the weights it
prints, for each labelled file held out whole, the emergencies caught and the
non-emergencies that fire, by the model alone and with the rules; and the same for
`--check` files, which it never fits on (a set written blind to the rules and the model,
to be scored once).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from assistant.answer_model import existing_file
from assistant.evaluation import read_questions
from assistant.service import make_encoder
from assistant.settings import Settings
from assistant.triage import triage
from assistant.triage_model import NONE, TRIAGE_MODEL, TriageModel

REPO = Path(__file__).resolve().parents[2]
LABELLED = sorted((REPO / "tests").glob("triage_*.jsonl"))
QUESTIONS = sorted((REPO / "assistant" / "dev_questions").glob("home_dev*.jsonl"))
C = 100.0  # weak regularisation: the vectors are already normalised
CUT_OFF = 0.85


def labelled_messages(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [(r["message"], r.get("label") or NONE) for r in rows]


def question_messages(path: Path) -> list[tuple[str, str]]:
    return [(r["question"], (triage(r["question"]).category or NONE)
             if r["expect"] == "emergency" else NONE) for r in read_questions(path)]


def fit(vectors: np.ndarray, labels: list[str], weights_hash: str) -> TriageModel:
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    model.fit(vectors, labels)
    return TriageModel(encoder=weights_hash, classes=tuple(model.classes_),
                       weights=model.coef_, bias=model.intercept_, cut_off=CUT_OFF)


def report(name: str, model: TriageModel, vectors: np.ndarray,
           rows: list[tuple[str, str]]) -> None:
    said = np.array([model.category(v, m) is not None for v, (m, _) in zip(vectors, rows)])
    rules = np.array([triage(m).emergency for m, _ in rows])
    real = np.array([label != NONE for _, label in rows])
    both = said | rules

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
    parser.add_argument("--out", type=Path, default=TRIAGE_MODEL,
                        help="where the weights go (default: the shipped file)")
    args = parser.parse_args()
    encoder = make_encoder(Settings())
    files = {p.name: labelled_messages(p) for p in LABELLED}
    files.update({p.name: question_messages(p) for p in QUESTIONS})
    vectors = {name: np.asarray(encoder.encode([m for m, _ in rows])) for name, rows in files.items()}
    print("each file held out whole:")
    for held in files:
        rest = [n for n in files if n != held]
        model = fit(np.vstack([vectors[n] for n in rest]),
                    [label for n in rest for _, label in files[n]], encoder.weights_hash)
        report(held, model, vectors[held], files[held])
    model = fit(np.vstack(list(vectors.values())),
                [label for rows in files.values() for _, label in rows], encoder.weights_hash)
    for path in args.check:
        rows = labelled_messages(path)
        report(f"check: {path.name}", model, np.asarray(encoder.encode([m for m, _ in rows])), rows)
    labels = [label for rows in files.values() for _, label in rows]
    args.out.write_text(model.to_json(
        data=[str(p.relative_to(REPO)) for p in [*LABELLED, *QUESTIONS]], messages=len(labels),
        emergencies=sum(label != NONE for label in labels), C=C), encoding="utf-8")
    print(f"{len(labels)} messages ({sum(label != NONE for label in labels)} emergencies) "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
