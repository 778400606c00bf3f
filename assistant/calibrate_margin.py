"""Choose assistant.QUOTE_MARGIN: how far below the best quote another may score and
still be shown.

    python -m assistant.calibrate_margin assistant/dev_questions/home_dev_5[5-9].jsonl …

A wider margin only ever adds quotes (and joins more neighbouring sentences to the
first), so the answer lands in the first three more often but the reply grows. The
margin chosen is the smallest whose answer-in-the-first-three share on the answerable
questions is within TOLERANCE of always showing three. It is chosen with each question
file held out in turn and scored on it (its own questions forgotten by the memory),
then on all of them. Leave the fresh test sets out of the files given.
"""
from __future__ import annotations

from pathlib import Path

from assistant.calibrate import cases_for, judged_files
from assistant.retrieval import Weights

MARGINS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
ALWAYS_THREE = float("inf")
TOLERANCE = 0.002


def judged(home, path: Path) -> list[dict[float, tuple[bool, bool, int]]]:
    """Per answerable question: (right first, right in the first three, quotes shown)
    at each margin."""
    rows = []
    for case in cases_for(home, path, "home", keep=lambda r: r["expect"] == "answer"):
        retrieval = case.retrieval(Weights())
        row = {}
        for margin in (*MARGINS, ALWAYS_THREE):
            quotes = case.quotes(retrieval, margin=margin)
            row[margin] = (*case.judge(retrieval, quotes), len(quotes))
        rows.append(row)
    return rows


def chosen_margin(rows: list[dict]) -> float:
    """The smallest margin within TOLERANCE of always showing three (counted in
    questions, so no rounding decides), or always three when none is."""
    def in_three(margin: float) -> int:
        return sum(r[margin][1] for r in rows)
    return next((m for m in MARGINS
                 if in_three(ALWAYS_THREE) - in_three(m) <= TOLERANCE * len(rows)),
                ALWAYS_THREE)


def main() -> None:
    by_file = judged_files(__doc__, judged)
    every = [r for rows in by_file.values() for r in rows]

    def share(rows, margin, k):
        return sum(r[margin][k] for r in rows) / len(rows)

    held, picks = [], []
    for name, rows in by_file.items():
        margin = chosen_margin([r for n, other in by_file.items() if n != name for r in other])
        picks.append(margin)
        held += [r[margin] for r in rows]
    print(f"{len(every)} answerable questions in {len(by_file)} files; margin chosen per "
          "file held out: " + ", ".join(f"{m} x{picks.count(m)}" for m in sorted(set(picks))))
    print("held out: right first {:.4f}, in the first three {:.4f}, quotes {:.2f}".format(
        *(sum(h[k] for h in held) / len(held) for k in range(3))))
    for margin in (*MARGINS, ALWAYS_THREE):
        print(f"margin {margin}: right first {share(every, margin, 0):.4f}, in the first "
              f"three {share(every, margin, 1):.4f}, quotes {share(every, margin, 2):.2f}")
    print(f"chosen on all: {chosen_margin(every)}")


if __name__ == "__main__":
    main()
