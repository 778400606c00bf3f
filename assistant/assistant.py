"""One question in, one Answer out: validate, triage, retrieve, select, abstain."""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Sequence

from assistant import texts
from assistant.abstain import Thresholds, decide
from assistant.corpus_model import CorpusModel, CorpusModels
from assistant.answer import Answer, Quote
from assistant.conversation import follows_up, previous_reply, search_text
from assistant.question_memory import MemoryForIndex, QuestionMemory, mean_votes
from assistant.retrieval import Weights, retrieve
from assistant.selection import quoted_units, select_quotes
from assistant.spelling import correct_typos
from assistant.triage import triage
from assistant.triage_model import TriageModel, for_encoder
from corpus.abbreviations import spell_out
from index import Encoder, SearchIndex, SerializedEncoder

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w", re.UNICODE)
MAX_QUOTES = 3  # the defaults, here only; Settings and the command line use these
MAX_QUESTION_CHARS = 2000
# Quotes scoring within this of the best one are shown (up to MAX_QUOTES). Chosen by
# `python -m assistant.calibrate_margin` (stop 33): the smallest margin that puts the
# answer in the first three about as often as always showing three.
QUOTE_MARGIN = 0.4
DEFAULT_EXAMPLES = (
    "Can vitamin B12 cause muscle pain?",
    "Why do B12 injections sometimes cause cramps?",
    "What are good food sources of vitamin B12?",
    "How is a B12 deficiency diagnosed?",
)


@dataclass(frozen=True)
class Passage:
    """The passage around a quote, with the quote's offsets inside it, for display."""

    title: str
    section: str
    text: str
    highlight_start: int
    highlight_end: int


def clean_question(raw: Any) -> str:
    """Printable text with runs of white space folded; control characters removed."""
    text = raw if isinstance(raw, str) else ""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n ")
    return " ".join(text.split())


def located(index: SearchIndex, quote: Quote) -> Quote:
    """The quote with the page (PDF) and anchor (HTML) of the unit it starts in."""
    doc = index.documents.get(quote.doc_id)
    unit = next((u for u in doc.units if u.start <= quote.start < u.end), None) \
        if doc is not None else None
    if unit is None or (unit.page is None and not unit.anchor):
        return quote
    return replace(quote, page=unit.page, anchor=unit.anchor)


class Assistant:
    def __init__(self, index: SearchIndex, encoder: Encoder, *,
                 max_quotes: int = MAX_QUOTES,
                 max_question_chars: int = MAX_QUESTION_CHARS, margin: float = QUOTE_MARGIN,
                 weights: Weights = Weights(), thresholds: Thresholds = Thresholds(),
                 corpus_model: CorpusModel | None = None,
                 triage_model: TriageModel | None = None,
                 question_memory: QuestionMemory | None = None,
                 examples: Sequence[str] = DEFAULT_EXAMPLES) -> None:
        self.index, self.encoder = index, encoder
        self.max_quotes, self.max_question_chars, self.margin = \
            max_quotes, max_question_chars, margin
        self.weights, self.thresholds = weights, thresholds
        self.corpus_models = CorpusModels(corpus_model, encoder.weights_hash)
        self.triage_model = for_encoder(triage_model, encoder.weights_hash)
        self.memories = MemoryForIndex(question_memory, encoder.weights_hash)
        # Question files whose questions the memory leaves out (see forget).
        self.forgotten: frozenset[str] = frozenset()
        self.examples = list(examples)

    def ask(self, question: Any, history: Sequence[Any] = (), *,
            id: str | None = None) -> Answer:
        raw = question if isinstance(question, str) else ""
        # Over-long input is refused before any work is done on it.
        text = clean_question(raw) if len(raw) <= self.max_question_chars else ""
        problem = self._invalid(raw, text)
        if problem:
            return self._answer(raw, "invalid", (), id=id, notice=problem)
        emergency = triage(text).category
        found_by = "rules" if emergency else None
        index = self.index  # one index for the whole question, even if swapped meanwhile
        query = self.search_text(text, history, index)
        # The message itself is judged by the triage model (and a follow-up's answerability
        # too), embedded in the same batch as the text searched for when the two differ
        # (a follow-up, a corrected typo).
        vectors = self.encoder.encode([query, text] if query != text else [query])
        vector = vectors[0]
        if self.triage_model is not None:
            emergency, found_by = self.triage_model.judge(vectors[-1], text, emergency)
        own_vector = vectors[-1] if self.own_words(text, history, query) else None
        recalled = self.memories.recall(index, (vector, own_vector), self.forgotten)
        retrieval = retrieve(index, vector, query, weights=self.weights,
                             follows=self.followed_units(text, history, index),
                             votes=mean_votes(recalled or []))
        decision = decide(index, query, retrieval, thresholds=self.thresholds,
                          corpus_model=self.corpus_models.for_index(index), vector=vector,
                          own_vector=own_vector,
                          remembered=None if recalled is None
                          else [r.features() for r in recalled])
        quotes = select_quotes(index, retrieval.candidates, max_quotes=self.max_quotes,
                               margin=self.margin, shown=previous_reply(history)
                               ) if decision.answer else []
        quotes = [located(index, q) for q in quotes]
        details = {"search_text": query, "signals": decision.signals,
                   "abstention_model": decision.model,
                   "ranked_docs": retrieval.ranked_documents(index)[:10],
                   "index_version": index.version}
        if emergency is not None:
            # The notice alone: a quote next to it ("usually mild and temporary") could
            # read as reassurance and delay a call for help.
            details["emergency"] = emergency
            details["emergency_found_by"] = found_by
            return self._answer(raw, "emergency", (), id=id,
                                notice=texts.EMERGENCY_NOTICE, details=details)
        status = "answered" if quotes else "not_found"
        return self._answer(raw, status, quotes, id=id, details=details)

    @staticmethod
    def own_words(text: str, history: Sequence[Any], query: str) -> str | None:
        """A follow-up's own words when it is searched joined to its topic: judged, and
        voted on by the question memory, beside the joined text."""
        return text if follows_up(text, history) and query != text else None

    def forget(self, *sources: str) -> None:
        """Leave the questions of these question files out of the memory: scoring a
        development file then measures what a question nobody labelled gets, not the
        file's own questions remembered."""
        self.forgotten = frozenset(sources)

    def followed_units(self, question: str, history: Sequence[Any],
                       index: SearchIndex) -> list[int]:
        """For a follow-up, the units the reply it follows quoted."""
        if not follows_up(question, history):
            return []
        return quoted_units(index, previous_reply(history))

    def search_text(self, question: str, history: Sequence[Any] = (),
                    index: SearchIndex | None = None) -> str:
        """What is searched for a question: follow-ups joined to their topic, the
        abbreviations the documents define spelled out, and typos put right."""
        index = index or self.index
        return correct_typos(spell_out(search_text(question, history), index.abbreviations),
                             index)

    def _invalid(self, raw: str, text: str) -> str | None:
        if len(raw) > self.max_question_chars:
            return texts.QUESTION_TOO_LONG.format(length=len(raw),
                                                  limit=self.max_question_chars)
        if not text:
            return texts.EMPTY_QUESTION
        if not _WORD.search(text):
            return texts.UNUSABLE_QUESTION
        return None

    def _answer(self, question: str, status: str, quotes: Sequence[Quote], *,
                id: str | None, notice: str | None = None,
                details: dict | None = None) -> Answer:
        return Answer(question=question, status=status, quotes=tuple(quotes),
                      disclaimer=texts.DISCLAIMER, notice=notice,
                      index_version=(details or {}).get("index_version", self.index.version),
                      id=id, details=details or {})

    def use_index(self, index: SearchIndex) -> None:
        """Answer from a new index from the next question on (a single reference swap,
        so a question already being answered finishes on the index it started with)."""
        self.index = index

    def quoted_text(self, doc_id: Any, start: Any, end: Any) -> str:
        """The text at a quote's place in the live index ("" when it no longer holds the
        document): what an earlier reply showed, for reading a follow-up."""
        doc = self.index.documents.get(doc_id) if isinstance(doc_id, str) else None
        if doc is None or not (isinstance(start, int) and isinstance(end, int)):
            return ""
        return doc.text[start:end]

    def passage(self, quote: Quote) -> Passage:
        """The chunk around a quote (its whole section when short), for showing a source.
        LookupError when the live index no longer holds the quoted text (swapped for a
        new version since the answer): a passage is only ever shown around the quote."""
        doc = self.index.documents.get(quote.doc_id)
        if doc is None or doc.text[quote.start:quote.end] != quote.text:
            raise LookupError(f"{quote.doc_id}:{quote.start}-{quote.end} is not in index "
                              f"{self.index.version}")
        chunk = next((c for c in self.index.chunks if c.doc_id == quote.doc_id
                      and c.start <= quote.start and quote.end <= c.end), None)
        start, end = (chunk.start, chunk.end) if chunk else (quote.start, quote.end)
        return Passage(title=doc.title, section=quote.section, text=doc.text[start:end],
                       highlight_start=quote.start - start, highlight_end=quote.end - start)


def share_between_threads(assistant: Any) -> None:
    """Make one assistant safe to use from several threads at once (answers side by
    side, a re-index beside them): the model's fast tokenizer must not run in two
    threads ("Already borrowed"), so encoding is serialized; FAISS and BM25 searches
    only read and are safe concurrently."""
    encoder = getattr(assistant, "encoder", None)  # stand-ins in tests may have none
    if encoder is not None and not isinstance(encoder, SerializedEncoder):
        assistant.encoder = SerializedEncoder(encoder)
