"""Tune the encoder: all-MiniLM-L6-v2's top layers, on MedQuAD, to rank the sentence
that answers a question above others on the same topic.

    python -m assistant.answer_model.train_encoder              # about 50 min on 2 cores
    python -m assistant.answer_model.train_encoder --resume     # after a kill, same arguments
    python -m assistant.answer_model.train_encoder \
        --questions assistant/dev_questions/home_dev.jsonl ../shared/eval/seed_questions.jsonl \
                    assistant/dev_questions/home_dev_2.jsonl
                     # both stages, as shipped (add --from-layers STAGE1 to skip the first)

Triplets from ../shared/train/medquad_pool.jsonl (see pairs.py): a question, often
rewritten as people type it; a sentence of its own answer (60 %: the first, else the
second) or, for a quarter of the questions, the answer's opening passage (~90 words);
and, as the hard negative, the same from an answer on the same topic but another aspect
("treatment of X" against "symptoms of X"), or on another topic when the topic has no
other answer. Loss: MultipleNegativesRankingLoss (the batch's other texts are negatives
too; no two copies of one text in a batch). The word embeddings and the bottom three
layers stay frozen: the tuned part is small enough to ship (index/models/minilm-medquad),
and the model keeps what it knew. Seeded; both stages checkpoint every --save-steps and
--resume goes on from the last checkpoint. Writes the
tuned layers as float16, their sha256 and the training record to --out, which
index/tuned_model.py reads. Needs `pip install -e ".[train]"`.

A second stage, with --questions, goes on from there on home-corpus questions with gold
phrases (home_triplets.py: the sentence that answers against the near miss the stage-1
encoder ranks above it), mixed with --questions-medquad MedQuAD triplets so the encoder
keeps its general skill, then a second round on the near misses the tuned encoder still
ranks above the answer (--questions-epochs: one value per round); --from-layers starts
it from stage-1 layers already trained. With --continue, --from-layers may be layers that
already had the second stage: they are tuned further on --questions (new sets, say), the
negatives mined by those layers themselves, and each such round is recorded under
"continued" (when a full second stage costs more than a session's time).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.answer_model.pairs import sentences_of, user_voice  # noqa: E402
from index.tuned_model import TUNED  # noqa: E402

POOL = Path(__file__).resolve().parents[2].parent / "shared" / "train" / "medquad_pool.jsonl"
PASSAGE_WORDS = 90


def _passage(sentences: list[str]) -> str:
    out, count = [], 0
    for sentence in sentences:
        out.append(sentence)
        count += len(sentence.split())
        if count >= PASSAGE_WORDS:
            break
    return " ".join(out)


def build_triplets(pool: Path, *, seed: int, passage_share: float) -> list[dict]:
    rng = random.Random(seed)
    rows = [json.loads(line) for line in pool.read_text(encoding="utf-8").splitlines()]
    sentences = sentences_of(rows, limit=2000)
    by_focus = defaultdict(list)
    for row in rows:
        by_focus[row["focus"]].append(row)
    usable = [r["id"] for r in rows if sentences[r["id"]]]
    triplets = []
    for row in rows:
        own = sentences[row["id"]]
        if not own:
            continue
        siblings = [o for o in by_focus[row["focus"]]
                    if o["qtype"] != row["qtype"] and sentences[o["id"]]]
        anchor = user_voice(row, rng)
        other = sentences[rng.choice(siblings)["id"] if siblings else rng.choice(usable)]
        positive = own[0] if len(own) < 2 or rng.random() < 0.6 else own[1]
        triplets.append({"anchor": anchor, "positive": positive,
                         "negative": rng.choice(other[:3])})
        if rng.random() < passage_share:
            triplets.append({"anchor": user_voice(row, rng), "positive": _passage(own),
                             "negative": _passage(other)})
    rng.shuffle(triplets)
    return triplets


def export_layers(model, base_path: str, out: Path, record: dict) -> None:
    """The tensors training changed, as float16, and the record with their sha256."""
    import numpy as np
    from safetensors.numpy import load_file, save_file
    base = load_file(str(Path(base_path) / "model.safetensors"))
    state = {k: v.detach().cpu().numpy() for k, v in model[0].auto_model.state_dict().items()}
    changed = {k: v.astype(np.float16) for k, v in state.items()
               if k in base and not np.array_equal(v, base[k])}
    out.mkdir(parents=True, exist_ok=True)
    save_file(changed, str(out / "layers.safetensors"),
              metadata={"format": "pt", "base": "sentence-transformers/all-MiniLM-L6-v2"})
    digest = hashlib.sha256((out / "layers.safetensors").read_bytes()).hexdigest()
    record = dict(record, tensors=len(changed),
                  parameters=int(sum(v.size for v in changed.values())),
                  layers_sha256=digest)
    (out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


def load_layers(model, path: Path) -> None:
    """Put layers written by export_layers into the (base) model."""
    from safetensors.torch import load_file
    tensors = {name: tensor.float() for name, tensor in load_file(str(path)).items()}
    unknown = model[0].auto_model.load_state_dict(tensors, strict=False).unexpected_keys
    if unknown:
        raise SystemExit(f"{path} does not fit the base model (unknown tensors {unknown[:3]})")


def _train(model, triplets: list[dict], *, epochs: float, learning_rate: float, args,
           work: Path, resume: bool = False) -> None:
    from datasets import Dataset
    from sentence_transformers import (SentenceTransformerTrainer,
                                       SentenceTransformerTrainingArguments)
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from sentence_transformers.training_args import BatchSamplers
    training = SentenceTransformerTrainingArguments(
        output_dir=str(work), num_train_epochs=epochs,
        per_device_train_batch_size=args.batch_size, learning_rate=learning_rate,
        warmup_ratio=0.1, seed=args.seed, save_strategy="steps",
        save_steps=args.save_steps, save_total_limit=2, logging_steps=20, report_to="none",
        use_cpu=True, dataloader_num_workers=0, batch_sampler=BatchSamplers.NO_DUPLICATES)
    trainer = SentenceTransformerTrainer(model=model, args=training,
                                         train_dataset=Dataset.from_list(triplets),
                                         loss=MultipleNegativesRankingLoss(model))
    trainer.train(resume_from_checkpoint=_resume_from(work, resume))


def _resume_from(work: Path, resume: bool) -> bool | None:
    """The trainer's resume_from_checkpoint: only when a checkpoint was saved (a run
    killed before its first --save-steps starts that part afresh, not with an error)."""
    return True if resume and any(work.glob("checkpoint-*")) else None


def questions_stage(model, medquad: list[dict], rows: list[dict], args, folder: Path) -> dict:
    """One round per --questions-epochs value: index the default corpus with the model
    so far, mine the questions' triplets from it, and train on them with a sample of the
    MedQuAD triplets. A later round mines the negatives the tuned encoder itself still
    ranks above the answer, harder than the stage-1 encoder's (ninth set, never trained
    on, right first / in the first three: one round 0.778 / 0.905, a second round of one
    epoch 0.820 / 0.929). Each round keeps its triplets, checkpoints and, once finished,
    its layers in folder/round-N, so --resume after a kill loads the finished rounds and
    goes on from the unfinished one's last checkpoint (a full stage takes hours here)."""
    from assistant.answer_model.home_triplets import question_triplets
    medquad_per_round = min(args.questions_medquad, len(medquad))
    mined = []
    for round_number, epochs in enumerate(args.questions_epochs, 1):
        here = folder / f"round-{round_number}"
        # export_layers writes the record last: with it, the round's layers are whole
        if args.resume and (here / "training.json").is_file():
            load_layers(model, here / "layers.safetensors")  # float16, as shipped
            mined.append(json.loads((here / "training.json").read_text())["home_triplets"])
            print(f"questions stage, round {round_number}: finished before, loaded", flush=True)
            continue
        saved = here / "triplets.jsonl"
        if args.resume and saved.is_file():
            triplets = [json.loads(line) for line in saved.read_text().splitlines()]
            home = [t for t in triplets if t.get("home")]
        else:
            rng = random.Random(args.seed + round_number - 1)  # a round's draw alone
            home = [dict(t, home=True) for t in
                    question_triplets(open_with(model, here), rows, rng)]
            triplets = home + rng.sample(medquad, medquad_per_round)
            rng.shuffle(triplets)
            _write_lines(saved, triplets)
        print(f"questions stage, round {round_number}: {len(home)} home triplets from "
              f"{len(rows)} questions, {medquad_per_round} MedQuAD", flush=True)
        model.max_seq_length = args.questions_max_length
        _train(model, [_texts(t) for t in triplets], epochs=epochs,
               learning_rate=args.learning_rate, args=args, work=here / "checkpoints",
               resume=args.resume)
        _save_round(model, here, len(home))
        mined.append(len(home))
    return {"data": [str(p) for p in args.questions], "home_triplets": mined,
            "medquad_triplets": medquad_per_round,
            "epochs": args.questions_epochs,
            "learning_rate": args.learning_rate, "max_length": args.questions_max_length}


def _texts(triplet: dict) -> dict:
    return {key: text for key, text in triplet.items() if key != "home"}


def _write_lines(path: Path, rows: list[dict]) -> None:
    """Whole or not at all: a kill while writing leaves no half file to resume from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    part.write_text("".join(json.dumps(row) + "\n" for row in rows))
    part.replace(path)


def _save_round(model, here: Path, home_triplets: int) -> None:
    from index.embedder import base_model_path
    export_layers(model, base_model_path(), here, {"home_triplets": home_triplets})


def open_with(model, folder: Path):
    """An assistant on the default corpus, indexed in `folder` with the model as it is."""
    from dataclasses import replace
    from assistant.service import open_assistant, reindex
    from assistant.settings import Settings
    model.max_seq_length = 256  # the window the index is built for
    model.save(str(folder / "model"))
    settings = replace(Settings(), model=str(folder / "model"), index_dir=folder / "index",
                       onnx=False)
    reindex(settings, rebuild=True)
    return open_assistant(settings)


def new_model(args):
    """The base MiniLM with its word embeddings and bottom layers frozen."""
    from sentence_transformers import SentenceTransformer
    from index.embedder import base_model_path
    model = SentenceTransformer(base_model_path(), device="cpu")
    bert = model[0].auto_model
    for part in [bert.embeddings, *bert.encoder.layer[:args.frozen_layers]]:
        for parameter in part.parameters():
            parameter.requires_grad = False
    return model


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant.answer_model.train_encoder",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=POOL, help=f"default: {POOL}")
    parser.add_argument("--out", type=Path, default=TUNED, help=f"default: {TUNED}")
    parser.add_argument("--work", type=Path, default=Path("/tmp/quotechat-encoder-work"),
                        help="checkpoints (not committed)")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=2e-5)
    parser.add_argument("--frozen-layers", type=int, default=3)
    parser.add_argument("--passage-share", type=float, default=0.25)
    parser.add_argument("--max-length", type=int, default=96,
                        help="word pieces of each text read in training")
    parser.add_argument("--save-steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--resume", action="store_true",
                        help="go on after a kill from what --work holds: the MedQuAD "
                             "stage's last checkpoint, the questions stage's finished "
                             "rounds and the unfinished round's last checkpoint")
    parser.add_argument("--questions", type=Path, nargs="*", default=[],
                        help="home-corpus question files with gold phrases: the second stage")
    parser.add_argument("--questions-epochs", type=float, nargs="+", default=[2.0, 1.0],
                        help="epochs of each round of the second stage, each round mining "
                             "its negatives with the encoder so far (default: 2 1)")
    parser.add_argument("--questions-medquad", type=int, default=300,
                        help="MedQuAD triplets mixed into the second stage")
    parser.add_argument("--questions-max-length", type=int, default=128)
    parser.add_argument("--from-layers", type=Path,
                        help="skip the MedQuAD stage: start from these tuned layers "
                             "(with their training.json beside them)")
    parser.add_argument("--continue", dest="continue_tuning", action="store_true",
                        help="--from-layers already had the questions stage: tune them "
                             "further on --questions (e.g. --questions-epochs 1)")
    return parser


def check_inputs(parser: argparse.ArgumentParser, args) -> None:
    """Every file the arguments name exists (a clear message, not a traceback later)."""
    if not args.pool.is_file():
        parser.error(f"no pool file at {args.pool}")
    record_of = [args.from_layers, args.from_layers.parent / "training.json"] \
        if args.from_layers else []
    for path in [*args.questions, *record_of]:
        if not path.is_file():
            parser.error(f"no file at {path}")
    if args.continue_tuning and not (args.from_layers and args.questions):
        parser.error("--continue needs --from-layers (tuned layers) and --questions")
    if args.from_layers:
        tuned = "questions_stage" in json.loads(record_of[1].read_text())
        if tuned and not args.continue_tuning:
            parser.error(f"{args.from_layers} already had the questions stage; start from "
                         "the MedQuAD stage's layers, or give --continue")
        if args.continue_tuning and not tuned:
            parser.error(f"{args.from_layers} never had the questions stage: leave out "
                         "--continue")


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    check_inputs(parser, args)

    import torch
    from assistant.evaluation import read_questions
    from index.embedder import base_model_path

    torch.manual_seed(args.seed)
    started = time.time()
    triplets = build_triplets(args.pool, seed=args.seed, passage_share=args.passage_share)
    print(f"{len(triplets):,} triplets in {time.time() - started:.0f} s", flush=True)
    model = new_model(args)
    if args.from_layers:
        record = json.loads((args.from_layers.parent / "training.json").read_text())
        load_layers(model, args.from_layers)
        previous = record.pop("layers_sha256", None)
        if not args.continue_tuning:
            record["medquad_stage_sha256"] = previous
    else:
        record = {"data": "MedQuAD pool (../shared/train/medquad_pool.jsonl, 14,406 pairs, "
                          "CC BY 4.0)",
                  "triplets": len(triplets), "epochs": args.epochs,
                  "batch_size": args.batch_size, "learning_rate": args.learning_rate,
                  "frozen_layers": args.frozen_layers, "passage_share": args.passage_share,
                  "max_length": args.max_length, "seed": args.seed}
        model.max_seq_length = args.max_length
        _train(model, triplets, epochs=args.epochs, learning_rate=args.learning_rate,
               args=args, work=args.work, resume=args.resume)
        record["train_seconds"] = round(time.time() - started)
    if args.questions:
        stage = time.time()
        rows = [row for path in args.questions for row in read_questions(path)]
        done = questions_stage(model, triplets, rows, args, args.work / "questions-stage")
        done["train_seconds"] = round(time.time() - stage)
        if args.continue_tuning:
            record["continued"] = [*record.get("continued", []),
                                   dict(done, from_layers_sha256=previous)]
        else:
            record["questions_stage"] = done
    export_layers(model, base_model_path(), args.out, record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
