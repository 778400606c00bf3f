"""Choose selection.KEEP_SHOWN_ABOVE leave-one-set-out on answerable follow-ups.

    python -m assistant.calibrate_keep_shown assistant/dev_questions/home_dev*.jsonl

A follow-up's best unit that the reply it follows already showed is passed over, unless it
outscores every new unit by the margin. For each question file held out, the margin that
puts the right unit first most often on the other files is chosen and scored on it
(retrieval alone, the shipped encoder and index); pass-over alone is scored beside it.
Leave the fresh test sets out of the files given.
"""
from __future__ import annotations

from pathlib import Path

from assistant.calibrate import cases_for, judged_files
from assistant.retrieval import Weights

MARGINS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
PASS_OVER = float("inf")  # never quote again what was shown


def judged(home, path: Path) -> list[dict[float, tuple[bool, bool]]]:
    """Per answerable follow-up: (right first, right in the first three) at each margin."""
    judged_rows = []
    for case in cases_for(home, path, "home",
                          keep=lambda r: bool(r.get("history")) and r["expect"] == "answer"):
        retrieval = case.retrieval(Weights())
        judged_rows.append({m: case.judge(retrieval, case.quotes(retrieval, m))
                            for m in (*MARGINS, PASS_OVER)})
    return judged_rows


def main() -> None:
    by_file = judged_files(__doc__, judged)

    def right(names, margin, k=0):
        return sum(r[margin][k] for n in names for r in by_file[n])

    chosen, held = [], {"chosen": [0, 0], "pass over": [0, 0]}
    for name in by_file:
        others = [n for n in by_file if n != name]
        best = max(MARGINS, key=lambda m: right(others, m))
        chosen.append(best)
        for key, margin in (("chosen", best), ("pass over", PASS_OVER)):
            held[key][0] += right([name], margin)
            held[key][1] += right([name], margin, 1)
    total = sum(len(r) for r in by_file.values())
    print(f"{total} answerable follow-ups in {len(by_file)} files; margin chosen per file "
          f"held out: " + ", ".join(f"{m} x{chosen.count(m)}" for m in sorted(set(chosen))))
    for key, (first, three) in held.items():
        print(f"held out, {key}: right first {first / total:.3f}, "
              f"in the first three {three / total:.3f}")
    names = list(by_file)
    print("every file, each margin: " + ", ".join(
        f"{m} {right(names, m) / total:.3f} / {right(names, m, 1) / total:.3f}"
        for m in (*MARGINS, PASS_OVER)))


if __name__ == "__main__":
    main()
