"""Words of consumer health: every word MedQuAD's 14,406 answers and questions use.

The abstention model asks whether a question names something the documents never
mention ("is it safe when pregnant?", "how many micrograms?"): a question word the
documents do not use *and* this vocabulary knows is a real word the documents are
silent on; a word neither knows is most often a typo ("sublingul") or slang, which must
not count against an answerable question (that is why a plain count of words unknown to
the documents lost on held-out folds).

    python -m assistant.vocabulary --pool ../shared/train/medquad_pool.jsonl

writes assistant/data/medquad_words.txt.gz (lower-cased words, one per line, unstemmed,
so a change of stemmer or stopwords needs no new file), and
assistant/data/medquad_question_words.txt: the words of the terms in more than 1 % of
MedQuAD's questions, the aspects any question asks about ("symptoms", "treatments",
"causes", "risk") and words too common to single out a topic ("disease", "cancer").
Source: MedQuAD (github.com/abachaa/MedQuAD, CC BY 4.0; Ben Abacha & Demner-Fushman,
BMC Bioinformatics 20:511, 2019), the pool with every evaluation topic removed.
"""
from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

from index.lexical import terms, words

WORDS_FILE = Path(__file__).resolve().parent / "data" / "medquad_words.txt.gz"
QUESTION_WORDS_FILE = WORDS_FILE.with_name("medquad_question_words.txt")
# A term in more of the pool's questions than this share does not single out a topic.
# MedQuAD off-corpus questions refused, cross-validated: 0.5 % 0.77, 1 % 0.80, 2 % 0.73,
# 5 % 0.67 (then "cancer" or "syndrome" name a topic, and any page using them covers it),
# each at 0.06-0.08 of answerable ones wrongly refused.
COMMON_SHARE = 0.01
POOL = Path(__file__).resolve().parents[2] / "shared" / "train" / "medquad_pool.jsonl"


@lru_cache(maxsize=1)
def health_words() -> frozenset[str]:
    """The vocabulary as written (lower-cased words)."""
    with gzip.open(WORDS_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(fh.read().split())


@lru_cache(maxsize=1)
def health_terms() -> frozenset[str]:
    """The vocabulary as index terms (stemmed, stopwords out), as BM25 sees words."""
    return frozenset(terms(" ".join(health_words())))


@lru_cache(maxsize=1)
def common_question_terms() -> frozenset[str]:
    """Index terms too common in questions to name a topic (symptom, treatment, caus...)."""
    return frozenset(terms(QUESTION_WORDS_FILE.read_text(encoding="utf-8")))


def topic_terms(question: str) -> set[str]:
    """The question's consumer-health terms that name its topic, not the aspect asked
    about: "ulcer", "coliti" in "What causes Ulcerative Colitis?"."""
    return {t for t in terms(question)
            if t in health_terms() and t not in common_question_terms()}


def write_words(pool: Path, out: Path, questions_out: Path) -> int:
    vocabulary: set[str] = set()
    asked: Counter = Counter()  # per term: in how many questions
    spelled: dict[str, set[str]] = {}  # per term: the words that gave it
    rows = 0
    with pool.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rows += 1
            vocabulary.update(words(f"{row['question']} {row['answer']}"))
            question_terms: set[str] = set()
            for word in words(row["question"]):
                for term in terms(word):
                    question_terms.add(term)
                    spelled.setdefault(term, set()).add(word)
            asked.update(question_terms)
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same pool always gives the same bytes.
    with gzip.GzipFile(out, "wb", mtime=0) as fh:
        fh.write("\n".join(sorted(vocabulary)).encode("utf-8") + b"\n")
    common = sorted(w for t, n in asked.items() if n > COMMON_SHARE * rows for w in spelled[t])
    questions_out.write_text("\n".join(common) + "\n", encoding="utf-8")
    return len(vocabulary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.vocabulary",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=POOL, help=f"default: {POOL}")
    parser.add_argument("--out", type=Path, default=WORDS_FILE, help=f"default: {WORDS_FILE}")
    parser.add_argument("--question-words-out", type=Path, default=QUESTION_WORDS_FILE,
                        help=f"default: {QUESTION_WORDS_FILE}")
    args = parser.parse_args(argv)
    if not args.pool.is_file():
        parser.error(f"no pool file at {args.pool}")
    count = write_words(args.pool, args.out, args.question_words_out)
    print(f"{count:,} words written to {args.out}, common question words to "
          f"{args.question_words_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
