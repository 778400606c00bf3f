"""Abbreviations the documents define ("normal pressure hydrocephalus (NPH)"), so a
question that only says "NPH" can be searched with the words the model understands.

A simplified Schwartz & Hearst (2003): the long form is the shortest run of words just
before the parentheses that starts with the abbreviation's first letter and contains all
its letters in order. Written here rather than imported: the PyPI implementation
(`abbreviations` 0.2.5, 2019) configures the root logger when imported, and scispacy's
needs spaCy and its models.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

_SHORT_FORM = re.compile(r"[ \t]\(([A-Za-z][A-Za-z0-9-]{1,9})\)")
_WORDS_BEFORE = re.compile(r"[\w'’-]+")
_LOOK_BACK = 120  # characters before "(" searched for the long form
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_EXTRA_WORDS = 4  # a long form may have this many more words than the short form letters


def _long_form(words: list[str], short: str) -> str | None:
    letters = [c.lower() for c in short if c.isalnum()]
    for count in range(1, min(len(words), len(letters) + _EXTRA_WORDS) + 1):
        candidate = words[-count:]
        if not candidate[0].lower().startswith(letters[0]):
            continue
        found = 0
        for ch in " ".join(candidate).lower():
            if found < len(letters) and ch == letters[found]:
                found += 1
        if found == len(letters):
            return " ".join(candidate)
    return None


def _words_before(text: str, end: int) -> list[str]:
    """The words on the same line before `end`, at most _LOOK_BACK characters back."""
    window = max(0, end - _LOOK_BACK)
    start = text.rfind("\n", window, end) + 1 or window
    words = _WORDS_BEFORE.findall(text[start:end])
    cut_mid_line = start == window and start > 0 and text[start - 1] != "\n"
    return words[1:] if cut_mid_line else words  # the first may be half a word


def defined_abbreviations(text: str) -> dict[str, str]:
    """Lower-cased abbreviation -> long form, for each "long form (ABBR)" in the text.
    Only abbreviations with at least two capitals count: "(the)" or "(see above)" do not."""
    found: dict[str, str] = {}
    for match in _SHORT_FORM.finditer(text):
        short = match.group(1)
        if sum(c.isupper() for c in short) < 2:
            continue
        long_form = _long_form(_words_before(text, match.start()), short)
        if long_form and long_form.lower() != short.lower():
            found.setdefault(short.lower(), long_form)
    return found


def merge_definitions(per_document: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """One table for a corpus; an abbreviation two documents define differently is left out."""
    merged: dict[str, str] = {}
    ambiguous: set[str] = set()
    for table in per_document:
        for short, long_form in table.items():
            if short in merged and merged[short].lower() != long_form.lower():
                ambiguous.add(short)
            merged.setdefault(short, long_form)
    return {short: long for short, long in merged.items() if short not in ambiguous}


def spell_out(question: str, abbreviations: Mapping[str, str]) -> str:
    """The question with the long forms of the abbreviations it uses added at its end."""
    lowered = question.lower()
    long_forms = [abbreviations[token.lower()] for token in _TOKEN.findall(question)
                  if token.lower() in abbreviations]
    missing = [f for f in dict.fromkeys(long_forms) if f.lower() not in lowered]
    return f"{question} ({'; '.join(missing)})" if missing else question
