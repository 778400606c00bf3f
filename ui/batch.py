"""Questions for `quotechat ask`: batch lines from a file or stdin, and arguments made
printable. Kept apart from ui/cli.py so ui/commands.py needs nothing from the parser."""
from __future__ import annotations

import json
import sys
from typing import Iterator


def valid_text(text: str) -> str:
    """Text as printable UTF-8: bytes that were not UTF-8 (kept by Python as surrogates
    in arguments and file names) become U+FFFD, so JSON output stays valid UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def batch_lines(source: str) -> Iterator[str]:
    """Lines of a file or stdin; undecodable bytes become U+FFFD rather than a crash."""
    if source == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        for line in stdin if stdin is not None else sys.stdin:
            if isinstance(line, bytes):
                line = line.decode("utf-8", errors="replace")
            yield line.rstrip("\r\n")
        return
    with open(source, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            yield line.rstrip("\n")


def parse_batch_line(line: str, number: int) -> tuple[str | None, str, list]:
    """(id, question, history) from a plain-text or JSON batch line."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            row = json.loads(stripped)
        except ValueError:
            return None, line, []
        if isinstance(row, dict):
            question = row.get("question")
            history = row.get("history") or []
            return (str(row["id"]) if row.get("id") is not None else None,
                    question if isinstance(question, str) else "",
                    history if isinstance(history, list) else [])
    return None, line, []
