"""Write the question memory (assistant/question_memory.py) from labelled question files.

    python -m assistant.answer_model.build_memory assistant/dev_questions/home_dev*.jsonl

Each question (emergencies aside: triage answers them) is embedded as it is searched
(a follow-up joined to the question it follows, typos put right) by the encoder of the
default settings, on the default corpus; its gold units are the units holding one of its
gold phrases. Keep out the files that must stay unseen (home_holdout.jsonl, any fresh
set not yet scored): a remembered question answers itself.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from assistant.answer_model import existing_file
from assistant.answer_model.home_triplets import gold_units
from assistant.evaluation import read_questions
from assistant.question_memory import MEMORY, QuestionMemory, text_hash


def build(assistant, paths: list[Path]) -> QuestionMemory:
    index = assistant.index
    rows = [(path.name, row) for path in paths for row in read_questions(path)
            if row["expect"] != "emergency"]
    if not rows:
        raise ValueError("no questions to remember in those files (emergencies are not kept)")
    texts = [assistant.search_text(row["question"], row.get("history") or [])
             for _, row in rows]
    vectors = np.asarray(assistant.encoder.encode(texts), dtype=np.float32)
    gold = [(q, p) for q, (_, row) in enumerate(rows) if row["expect"] == "answer"
            for p in sorted(gold_units(index, row.get("phrases", [])))]
    units = [index.units[p] for _, p in gold]
    documents = sorted(index.documents)
    return QuestionMemory(
        encoder=assistant.encoder.weights_hash, vectors=vectors,
        answerable=np.array([row["expect"] == "answer" for _, row in rows]),
        sources=np.array([name for name, _ in rows]),
        gold_question=np.array([q for q, _ in gold], dtype=np.int32),
        gold_doc=np.array([documents.index(u.doc_id) for u in units], dtype=np.int32),
        gold_start=np.array([u.start for u in units], dtype=np.int32),
        gold_end=np.array([u.end for u in units], dtype=np.int32),
        documents=np.array(documents),
        document_hashes=np.array([text_hash(index.documents[d].text) for d in documents]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", type=existing_file, nargs="+",
                        help="labelled question files (home format, with gold phrases)")
    parser.add_argument("--out", type=Path, default=MEMORY)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from assistant.service import open_assistant  # loads the model: after --help
    from assistant.settings import Settings
    try:
        memory = build(open_assistant(Settings()), args.files)
    except ValueError as err:
        parser.error(str(err))
    memory.save(args.out)
    answered = len(set(memory.gold_question.tolist()))
    print(f"{len(memory.answerable)} questions from {len(args.files)} files "
          f"({int(memory.answerable.sum())} answerable, {answered} with gold units) "
          f"written to {args.out}")


if __name__ == "__main__":
    main()
