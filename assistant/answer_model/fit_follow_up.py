"""Fit the follow-up model (assistant/conversation.py) on labelled questions.

    python -m assistant.answer_model.fit_follow_up assistant/dev_questions/home_dev*.jsonl

Follow-ups are the questions whose `style` is `followup` (elliptical: "and for vegans?",
"is that a bad sign?"); every other question, emergencies aside, is a stand-alone one.
One L2-regularised logistic model over follow_up_features(), classes weighed equally.
Before writing the weights it prints, for each question file held out whole (another
writer), the share of its follow-ups recognised and of its stand-alone questions taken
for follow-ups.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from assistant.answer_model import existing_file
from assistant.conversation import FOLLOW_UP_MODEL, follow_up_features, follow_up_probability
from assistant.evaluation import read_questions

MIN_QUESTIONS = 3  # a word or pair seen in fewer training questions gets no weight
CUT_OFF = 0.5


def labelled(paths: list[Path]) -> list[tuple[str, str, bool]]:
    return [(path.name, row["question"], row.get("style") == "followup")
            for path in paths for row in read_questions(path) if row["expect"] != "emergency"]


def fit(questions: list[str], labels: list[bool], c: float) -> dict:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    feats = [dict.fromkeys(follow_up_features(q), 1) for q in questions]
    counts = Counter(name for f in feats for name in f)
    kept = [{n: 1 for n in f if counts[n] >= MIN_QUESTIONS} for f in feats]
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(kept)
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, labels)
    weights = {name: round(float(w), 4) for name, w in
               zip(vectorizer.get_feature_names_out(), model.coef_[0]) if abs(w) >= 1e-4}
    return {"weights": weights, "bias": round(float(model.intercept_[0]), 4), "cut_off": CUT_OFF}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="+", type=existing_file,
                        help="question files (.jsonl)")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--out", type=Path, default=FOLLOW_UP_MODEL,
                        help="where the weights go (default: the shipped file)")
    args = parser.parse_args()
    rows = labelled(args.questions)
    print("held out          follow-ups recognised   stand-alone taken for follow-ups")
    for name in dict.fromkeys(r[0] for r in rows):
        train = [r for r in rows if r[0] != name]
        test = [r for r in rows if r[0] == name]
        model = fit([r[1] for r in train], [r[2] for r in train], args.c)
        said = [follow_up_probability(r[1], model) >= CUT_OFF for r in test]
        ups = [s for s, r in zip(said, test) if r[2]]
        alone = [s for s, r in zip(said, test) if not r[2]]
        if ups:
            print(f"{name:20s}  {np.mean(ups):.2f} of {len(ups):3d}"
                  f"             {np.mean(alone):.3f} of {len(alone)}")
    model = fit([r[1] for r in rows], [r[2] for r in rows], args.c)
    model["data"] = [str(p) for p in args.questions]
    model["questions"] = len(rows)
    model["follow_ups"] = sum(r[2] for r in rows)
    args.out.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(model['weights'])} weights from {len(rows)} questions "
          f"({model['follow_ups']} follow-ups) -> {args.out}")


if __name__ == "__main__":
    main()
