"""Sentence-level training pairs for the answer model, from the MedQuAD pool.

Each MedQuAD question is paired with the opening sentences of its own answer (they
answer it: MedQuAD answers lead with the answer) and with sentences that do not answer
it: the opening sentences of other answers on the same topic (same focus, other aspect:
"treatments of X" is not answered by "symptoms of X"), and sentences on other topics.
Questions are rewritten the way people type (synonyms for the topic, lower case,
typos, casual templates) so the model does not learn MedQuAD's template wording only.
"""
from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import pysbd

POSITIVES_PER_QUESTION = 2
SAME_TOPIC_NEGATIVES = 2
OTHER_TOPIC_NEGATIVES = 2
_MIN_WORDS = 5
_MAX_WORDS = 60  # longer ones are MedQuAD's flattened tables, unlike quotable units
_CASUAL = {
    "information": ["what is {f}", "whats {f}", "tell me about {f}", "{f}?", "what does {f} mean",
                    "can you explain {f}", "i was told i have {f}, what is it"],
    "symptoms": ["signs of {f}", "how do i know if i have {f}", "{f} symptoms?",
                 "what does {f} feel like", "what happens with {f}"],
    "treatment": ["how do you treat {f}", "is there a cure for {f}", "{f} treatment",
                  "what can i do about {f}", "what helps with {f}"],
    "causes": ["what causes {f}", "why do people get {f}", "{f} cause?"],
    "prevention": ["how can i avoid {f}", "can {f} be prevented"],
    "exams and tests": ["how is {f} diagnosed", "what test shows {f}", "how do doctors check for {f}"],
    "outlook": ["will i get better from {f}", "is {f} serious", "{f} prognosis"],
    "susceptibility": ["who gets {f}", "who is at risk of {f}", "am i at risk for {f}"],
    "frequency": ["how common is {f}", "how many people have {f}"],
}


def _sentences(text: str, segmenter: pysbd.Segmenter, limit: int = 1200) -> list[str]:
    """The answer's sentences (its first `limit` characters), without question echoes
    ("What are the signs of X?") and bullet lead-ins ("Key Points")."""
    out = []
    segments = segmenter.segment(text[:limit])
    if len(text) > limit:
        segments = segments[:-1]  # cut off mid-sentence
    for s in segments:
        s = s.strip(" -")
        n_words = len(s.split())
        if s.endswith("?") or s.startswith("Key Points") or not _MIN_WORDS <= n_words <= _MAX_WORDS:
            continue
        out.append(s)
    return out


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = rng.choice([w[:j] + w[j + 1:], w[:j] + w[j + 1] + w[j] + w[j + 2:],
                           w[:j] + w[j] + w[j:]])
    return " ".join(words)


def user_voice(row: dict, rng: random.Random) -> str:
    """The question, sometimes rewritten as a person might type it."""
    focus = row["focus"]
    synonyms = [s for s in row.get("synonyms", []) if 1 <= len(s.split()) <= 5]
    question = row["question"].replace("(are) ", "").replace(" ?", "?")
    roll = rng.random()
    if roll < 0.4 and row["qtype"] in _CASUAL:
        name = rng.choice(synonyms) if synonyms and rng.random() < 0.4 else focus
        question = rng.choice(_CASUAL[row["qtype"]]).format(f=name)
    elif roll < 0.55 and synonyms:
        question = question.replace(focus, rng.choice(synonyms))
    if rng.random() < 0.5:
        question = question.lower()
    if rng.random() < 0.2:
        question = _typo(question, rng)
    return question


def sentences_of(rows: list[dict], limit: int = 1200) -> dict[str, list[str]]:
    """Each answer's sentences (its first `limit` characters), without boilerplate
    shared by many answers ("The Human Phenotype Ontology provides…"): it answers
    nothing in particular."""
    segmenter = pysbd.Segmenter(language="en", clean=False)
    sentences = {r["id"]: _sentences(r["answer"], segmenter, limit) for r in rows}
    common = Counter(s for ss in sentences.values() for s in set(ss))
    return {rid: [s for s in ss if common[s] <= 3] for rid, ss in sentences.items()}


def build_pairs(pool: Path, *, seed: int = 13, holdout_share: float = 0.05
                ) -> tuple[list[dict], list[dict]]:
    """(train, validation) lists of {question, sentence, label}; split by topic."""
    rng = random.Random(seed)
    rows = [json.loads(line) for line in pool.read_text(encoding="utf-8").splitlines()]
    sentences = sentences_of(rows)
    by_focus = defaultdict(list)
    for r in rows:
        by_focus[r["focus"]].append(r)
    foci = sorted(by_focus)
    rng.shuffle(foci)
    held = set(foci[:int(len(foci) * holdout_share)])
    all_ids = [r["id"] for r in rows if sentences[r["id"]]]
    train, validation = [], []
    for r in rows:
        own = sentences[r["id"]]
        if not own:
            continue
        question = user_voice(r, rng)
        out = validation if r["focus"] in held else train
        for s in own[:POSITIVES_PER_QUESTION]:
            out.append({"question": question, "sentence": s, "label": 1.0})
        siblings = [s for o in by_focus[r["focus"]] if o["qtype"] != r["qtype"]
                    for s in sentences[o["id"]][:3] if s not in own]
        for s in rng.sample(siblings, min(SAME_TOPIC_NEGATIVES, len(siblings))):
            out.append({"question": question, "sentence": s, "label": 0.0})
        for _ in range(OTHER_TOPIC_NEGATIVES):
            other = rng.choice(all_ids)
            while other == r["id"]:
                other = rng.choice(all_ids)
            out.append({"question": question, "sentence": rng.choice(sentences[other]),
                        "label": 0.0})
    rng.shuffle(train)
    return train, validation
