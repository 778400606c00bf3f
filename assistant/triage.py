"""Emergency triage, before any retrieval: a message describing an emergency gets the
fixed emergency notice whatever the documents say.

Rules, not a model: each category is a few patterns for a first-person or present
description ("I think I'm having a heart attack", "my throat is swelling"). Questions
that only mention a word ("can you overdose on B12?", "muscle cramps at night") must not
fire; tests/triage_examples.jsonl holds labelled positives and negatives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_I = r"(?:i|i'm|im|i am|i've|ive|i have|i just|my|me|he|she|they|he's|she's|my \w+)"

CATEGORIES: dict[str, tuple[str, ...]] = {
    "heart": (
        # "heart attack risk / signs": a topic, not an event (general questions are
        # caught by _ABOUT_TOPIC; this only skips the noun phrases)
        r"\bheart attack(?!\s+(?:risks?|prevention|signs?|symptoms?)\b)",
        r"\b(?:crushing|severe|sudden|tight|heavy|squeezing)\b.{0,30}\bchest\b",
        r"\bchest (?:pain|pressure|tightness)\b.{0,60}\b(?:arm|jaw|sweat|breath|now|right now|spreading)\b",
        r"\b(?:having|have|got)\b.{0,15}\bchest (?:pain|pressure|tightness)\b",
        r"\bheart (?:has )?stopped\b|\bcardiac arrest\b",
    ),
    "stroke": (
        r"\b(?:having|had|is having|might be having|think .{0,20}) a stroke\b",
        r"\b(?:face|mouth|smile)\b.{0,20}\b(?:droop|drooping|drooped|numb on one side)\b",
        r"\bslurr(?:ed|ing) (?:speech|words)\b|\bcan'?t (?:speak|talk) (?:properly|suddenly)\b",
        r"\bsudden(?:ly)?\b.{0,40}\b(?:can'?t|cannot|unable to) (?:move|feel|speak|talk|see)\b",
        r"\b(?:can'?t|cannot|unable to) (?:move|feel) (?:my )?(?:left|right|one)\b",
        r"\bsudden(?:ly)?\b.{0,30}\b(?:numb|weak|paralys|paralyz)\w*\b.{0,30}\b(?:one side|left|right|face)\b",
        r"\bworst headache of my life\b",
    ),
    "breathing": (
        r"\b(?:can'?t|cannot|can not|unable to|struggling to|hard to) breathe?\b",
        r"\b(?:trouble|difficulty) breathing\b",
        r"\bthroat\b.{0,25}\b(?:swell|swelling|swollen|closing|tight)\w*",
        r"\b(?:tongue|lips?)\b.{0,20}\b(?:swelling up|swelled up|closing)\b",
        r"\b(?:tongue|lips?) (?:and (?:tongue|lips?) )?(?:is |are )?(?:swelling|swollen)\b",
        r"\b(?:swelling|swollen|swells?)\b.{0,25}\b(?:throat|tongue|lips?|face)\b",
        r"\banaphyla\w*",
        r"\b(?:choking|not breathing|stopped breathing|turning blue|lips (?:are )?blue)\b",
    ),
    "overdose": (
        r"\boverdos(?:ed|ing)\b",
        r"\b(?:took|taken|swallowed|ate)\b.{0,25}\b(?:too many|whole (?:bottle|pack|box)|handful|bottle of)\b",
        r"\b(?:took|taken|swallowed)\b.{0,10}\b\d{2,}\b.{0,10}\b(?:pills|tablets|capsules)\b",
        r"\bpoison(?:ed|ing)\b",
    ),
    "self_harm": (
        r"\bkill(?:ing)? (?:myself|me)\b|\bend (?:my|it) (?:life|all)\b|\bend it all\b",
        r"\bsuicid\w*",
        r"\b(?:want|wanna|going|plan|planning) to die\b|\bdon'?t want to (?:live|be alive)\b",
        r"\b(?:hurt|harm|cutt?)(?:ing)? myself\b|\bself[- ]harm\w*",
        r"\bbetter off dead\b|\bno reason to live\b",
    ),
    "bleeding": (
        r"\bbleeding\b.{0,30}\b(?:won'?t stop|will not stop|not stopping|heavily|a lot|badly|everywhere)\b",
        r"\b(?:severe|heavy|uncontrolled|massive) bleeding\b",
        r"\b(?:coughing|vomiting|throwing|spitting)(?: up)? blood\b",
        r"\b(?:losing|lost) a lot of blood\b",
    ),
    "unconscious": (
        r"\b(?:passed out|fainted|collapsed|blacked out)\b",
        r"\b(?:unconscious|unresponsive|won'?t wake up|can'?t wake (?:him|her|them))\b",
        r"\b(?:having|had|is having) a seizure\b|\bseizing\b|\bconvuls\w*",
    ),
}

# "Can you overdose…?", "signs of a stroke": questions about a topic, not a description.
_ABOUT_TOPIC = re.compile(
    r"^\s*(?:what|how|is|are|can|could|does|do|should|why|which|when)\b.{0,40}\b"
    r"(?:risk|possible|signs?|symptoms?|cause|causes|mean|prevent|common|likely|dangerous)\b",
    re.IGNORECASE)
_FIRST_PERSON = re.compile(rf"\b{_I}\b", re.IGNORECASE)
_COMPILED = {name: tuple(re.compile(p, re.IGNORECASE) for p in patterns)
             for name, patterns in CATEGORIES.items()}
# Self-harm is always taken seriously, even phrased as a question.
_ALWAYS = {"self_harm"}


@dataclass(frozen=True)
class Triage:
    category: str | None

    @property
    def emergency(self) -> bool:
        return self.category is not None


def triage(message: str) -> Triage:
    text = " ".join(message.replace("’", "'").split())
    general_question = bool(_ABOUT_TOPIC.search(text)) and not _FIRST_PERSON.search(text)
    for name, patterns in _COMPILED.items():
        if general_question and name not in _ALWAYS:
            continue
        if any(p.search(text) for p in patterns):
            return Triage(name)
    return Triage(None)
