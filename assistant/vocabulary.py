"""Words of consumer health: every word MedQuAD's 14,406 answers and questions use.

The abstention model asks whether a question names something the documents never
mention ("is it safe when pregnant?", "how many micrograms?"): a question word the
documents do not use *and* this vocabulary knows is a real word the documents are
silent on; a word neither knows is most often a typo ("sublingul") or slang, which must
not count against an answerable question (that is why a plain count of words unknown to
the documents lost on held-out folds).

    python -m assistant.vocabulary --pool ../shared/train/medquad_pool.jsonl

writes assistant/data/medquad_words.txt.gz (lower-cased words, one per line, unstemmed,
so a change of stemmer or stopwords needs no new file). Source: MedQuAD
(github.com/abachaa/MedQuAD, CC BY 4.0; Ben Abacha & Demner-Fushman, BMC
Bioinformatics 20:511, 2019), the pool with every evaluation topic removed.
"""
from __future__ import annotations

import argparse
import gzip
import json
from functools import lru_cache
from pathlib import Path

from index.lexical import terms, words

WORDS_FILE = Path(__file__).resolve().parent / "data" / "medquad_words.txt.gz"
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


def write_words(pool: Path, out: Path) -> int:
    vocabulary: set[str] = set()
    with pool.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            vocabulary.update(words(f"{row['question']} {row['answer']}"))
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same pool always gives the same bytes.
    with gzip.GzipFile(out, "wb", mtime=0) as fh:
        fh.write("\n".join(sorted(vocabulary)).encode("utf-8") + b"\n")
    return len(vocabulary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.vocabulary",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=POOL, help=f"default: {POOL}")
    parser.add_argument("--out", type=Path, default=WORDS_FILE, help=f"default: {WORDS_FILE}")
    args = parser.parse_args(argv)
    if not args.pool.is_file():
        parser.error(f"no pool file at {args.pool}")
    print(f"{write_words(args.pool, args.out):,} words written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
