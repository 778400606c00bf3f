"""Cross-validate the encoder's questions stage (train_encoder --questions).

    python -m assistant.answer_model.cross_validate \\
        --from-layers MEDQUAD_STAGE/layers.safetensors \\
        --questions assistant/dev_questions/home_dev.jsonl ../shared/eval/seed_questions.jsonl \\
                    assistant/dev_questions/home_dev_2.jsonl

For each fold: the MedQuAD-stage layers are tuned on the other folds' questions, exactly
as the shipped encoder is tuned on all of them; the default corpus is indexed with the
result and the held-out fold is scored: right sentence first and in the first three
quotes (current retrieval.Weights), and its abstention signals, written to --signals for
`python -m assistant.calibrate --home-signals` (the shipped encoder has seen every
question, so its own cosines on them would flatter the abstention fit). About four
minutes a fold on 2 CPU cores. Needs `pip install -e ".[train]"`.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.abstain import signals  # noqa: E402
from assistant.answer_model.train_encoder import (build_triplets,  # noqa: E402
                                                  check_inputs, load_layers, make_parser,
                                                  new_model, open_with, questions_stage)
from assistant.calibrate import cases_for, folded_questions  # noqa: E402
from assistant.retrieval import Weights  # noqa: E402

FOLDS = 5
SIGNALS = Path(__file__).resolve().parent / "home_signals_cv.jsonl"


def score_fold(assistant, paths: list[Path], fold: int) -> list[dict]:
    rows = []
    for path in paths:
        for case in cases_for(assistant, path, "home"):
            if case.fold != fold:
                continue
            found, quotes = case.run(Weights())
            first, top3 = case.judge(found, quotes) if case.answerable else (None, None)
            rows.append({"id": case.row.get("id"), "fold": fold, "answerable": case.answerable,
                         "first": first, "top3": top3,
                         "signals": signals(assistant.index, case.query, found)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    parser.prog = "python -m assistant.answer_model.cross_validate"
    parser.description = __doc__.split("\n\n")[0]
    parser.add_argument("--signals", type=Path, default=SIGNALS,
                        help=f"where the held-out folds' results and signals go (default: "
                             f"{SIGNALS}, the run behind the shipped encoder's figures)")
    args = parser.parse_args(argv)
    if not args.from_layers or not args.questions:
        parser.error("give --from-layers (the MedQuAD stage's layers) and --questions")
    check_inputs(parser, args)
    medquad = build_triplets(args.pool, seed=args.seed, passage_share=args.passage_share)
    results = []
    for fold in range(FOLDS):
        model = new_model(args)
        load_layers(model, args.from_layers)
        train = [row for path in args.questions
                 for k, row in folded_questions(path) if k != fold]
        folder = args.work / f"fold-{fold}"
        questions_stage(model, medquad, train, args, folder)
        held = score_fold(open_with(model, folder / "tuned"), args.questions, fold)
        results += held
        answerable = [r for r in held if r["answerable"]]
        print(f"fold {fold}: right first {sum(r['first'] for r in answerable)}"
              f"/{len(answerable)}, in the first three {sum(r['top3'] for r in answerable)}",
              flush=True)
    args.signals.write_text("".join(json.dumps(r) + "\n" for r in results))
    answerable = [r for r in results if r["answerable"]]
    print(f"cross-validated home: right first "
          f"{sum(r['first'] for r in answerable) / len(answerable):.3f}, in the first three "
          f"{sum(r['top3'] for r in answerable) / len(answerable):.3f} (n={len(answerable)}); "
          f"signals in {args.signals}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
