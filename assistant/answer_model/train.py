"""Train the answer model: a MiniLM cross-encoder that scores (question, sentence).

    python -m assistant.answer_model.train --out assistant/answer_model/weights

Starts from the bundled all-MiniLM-L6-v2 weights (a new one-logit head), trains with
sentence-transformers' CrossEncoderTrainer and binary cross-entropy on sentence-level
pairs from ../shared/train/medquad_pool.jsonl (see pairs.py), on the CPU. Seeded;
checkpoints every `--save-steps` so a killed run resumes with `--resume`. Prints the
data sizes and the training time, and writes them to the model folder's training.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.answer_model.pairs import build_pairs  # noqa: E402

POOL = Path(__file__).resolve().parents[2].parent / "shared" / "train" / "medquad_pool.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=POOL, help="MedQuAD pool (JSON Lines)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the final model")
    parser.add_argument("--work", type=Path, default=Path("/tmp/answer-model-work"),
                        help="checkpoints (not committed)")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=96,
                        help="word pieces of question + sentence the model reads")
    parser.add_argument("--limit", type=int, default=0, help="use only N training pairs")
    parser.add_argument("--save-steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    import torch
    from datasets import Dataset
    from sentence_transformers.cross_encoder import (CrossEncoder, CrossEncoderTrainer,
                                                     CrossEncoderTrainingArguments)
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderClassificationEvaluator
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
    from index.embedder import base_model_path

    torch.manual_seed(args.seed)
    started = time.time()
    train, validation = build_pairs(args.pool, seed=args.seed)
    if args.limit:
        train = train[:args.limit]
    print(f"pairs: {len(train)} train, {len(validation)} validation "
          f"({sum(p['label'] for p in train):.0f} positive)", flush=True)
    model = CrossEncoder(base_model_path(), num_labels=1, max_length=args.max_length,
                         device="cpu")
    evaluator = CrossEncoderClassificationEvaluator(
        sentence_pairs=[(p["question"], p["sentence"]) for p in validation[:1500]],
        labels=[int(p["label"]) for p in validation[:1500]], name="medquad-heldout-topics")
    training_args = CrossEncoderTrainingArguments(
        output_dir=str(args.work), num_train_epochs=args.epochs,
        per_device_train_batch_size=args.batch_size, learning_rate=4e-5, warmup_ratio=0.1,
        seed=args.seed, save_strategy="steps", save_steps=args.save_steps,
        save_total_limit=2, eval_strategy="steps", eval_steps=args.save_steps * 2,
        logging_steps=50, report_to="none", use_cpu=True, dataloader_num_workers=0)
    trainer = CrossEncoderTrainer(
        model=model, args=training_args, loss=BinaryCrossEntropyLoss(model),
        train_dataset=Dataset.from_list(train), evaluator=evaluator)
    trainer.train(resume_from_checkpoint=args.resume or None)
    scores = evaluator(model)
    model.save_pretrained(str(args.out))
    weights = args.out / "model.safetensors"
    report = {"pairs_train": len(train), "pairs_validation": len(validation),
              "epochs": args.epochs, "batch_size": args.batch_size,
              "max_length": args.max_length, "seed": args.seed,
              "train_seconds": round(time.time() - started),
              "validation": {k: round(float(v), 4) for k, v in scores.items()},
              "sha256": hashlib.sha256(weights.read_bytes()).hexdigest()}
    (args.out / "training.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
