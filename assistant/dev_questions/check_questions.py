"""Check the home question sets (standard library only).

    python3 assistant/dev_questions/check_questions.py

For every development set and the holdout: every phrase of an
answerable question occurs (case and whitespace aside) in at least one of its listed
documents, ids are unique across the files, the fields are well formed, and no
question copies one of the existing sets. Prints counts per expect / style / fold;
exits 1 on any error.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DOCS = REPO / "corpus" / "documents"
# Every development set in the order written (home_dev, _2, _3, …), then the holdout.
FILES = sorted((p.name for p in HERE.glob("home_dev*.jsonl")),
               key=lambda name: int(re.sub(r"\D", "", name) or 1)) + ["home_holdout.jsonl"]
EARLIER = [HERE / "home_in_domain_unanswerable.jsonl",
           REPO.parent / "shared" / "eval" / "seed_questions.jsonl"]
EXPECTS = {"answer", "not_found", "emergency"}
STYLES = {"plain", "casual", "typo", "story", "doctor_said", "followup", "definition", "short"}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    docs = {p.name: norm(p.read_text(encoding="utf-8")) for p in DOCS.glob("*.txt")}
    earlier = {norm(r["question"]) for path in EARLIER if path.exists() for r in read(path)}
    errors: list[str] = []
    ids: dict[str, str] = {}
    questions: dict[str, str] = {}
    for name in FILES:
        rows = read(HERE / name)
        dev = name.startswith("home_dev")
        for r in rows:
            rid = r.get("id", "?")
            where = f"{name} {rid}"
            if rid in ids:
                errors.append(f"{where}: id also used in {ids[rid]}")
            ids[rid] = name
            q = norm(r.get("question", ""))
            if not q:
                errors.append(f"{where}: empty question")
            if q in earlier:
                errors.append(f"{where}: copies an earlier question")
            if q in questions and "history" not in r:
                errors.append(f"{where}: same question as {questions[q]}")
            questions.setdefault(q, where)
            if r.get("expect") not in EXPECTS:
                errors.append(f"{where}: expect {r.get('expect')!r}")
            if r.get("style") not in STYLES:
                errors.append(f"{where}: style {r.get('style')!r}")
            if dev != ("fold" in r) or (dev and r["fold"] not in range(5)):
                errors.append(f"{where}: fold {r.get('fold')!r} (dev needs 0-4, holdout none)")
            history = r.get("history")
            if r.get("style") == "followup" and not history:
                errors.append(f"{where}: follow-up without history")
            if history is not None and not (isinstance(history, list) and all(
                    isinstance(t, list) and len(t) == 2 and all(isinstance(s, str) for s in t)
                    for t in history)):
                errors.append(f"{where}: history must be a list of [user, assistant] pairs")
            if r.get("expect") == "not_found" and r.get("kind") not in {"in_domain", "off_topic"}:
                errors.append(f"{where}: not_found needs kind in_domain or off_topic")
            if r.get("expect") != "answer":
                continue
            listed = r.get("docs") or []
            phrases = r.get("phrases") or []
            if not listed or not 1 <= len(phrases) <= 5:
                errors.append(f"{where}: needs docs and 1-5 phrases")
            for d in listed:
                if d not in docs:
                    errors.append(f"{where}: unknown document {d}")
            for p in phrases:
                if not any(norm(p) in docs.get(d, "") for d in listed):
                    errors.append(f"{where}: phrase not in its documents: {p!r}")
    for name in FILES:
        rows = read(HERE / name)
        print(f"{name}: {len(rows)} questions")
        for key in ("expect", "style", "fold"):
            if key == "fold" and not any(key in r for r in rows):
                continue
            table = Counter((r["expect"], r.get(key)) for r in rows) if key != "expect" \
                else Counter(r["expect"] for r in rows)
            print(f"  per {key}:")
            for k, v in sorted(table.items(), key=lambda kv: str(kv[0])):
                print(f"    {k}: {v}")
        kinds = Counter(r.get("kind") for r in rows if r["expect"] == "not_found")
        print(f"  not_found kinds: {dict(sorted(kinds.items()))}")
    for e in errors:
        print("ERROR", e)
    print(f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
