"""Labelled questions remembered: the development questions about the built-in articles
(assistant/dev_questions/), each stored with its vector from the shipped encoder, whether
the articles answer it and the units its gold phrases are in.

A new question's nearest labelled questions vote for the units that answer them (a
candidate's score gains `Weights.memory` x its share of the vote: retrieval.py), and
say how often questions like it were answerable (features of the corpus's answerability
model: corpus_model.py). Tens of thousands of questions by other writers about the same
three articles cover most ways of asking what they say, and most of what they do not:
measured with each question file held out whole (its own questions forgotten), this is
what lifts answers on questions nobody tuned for (README, "Question memory").

The vectors are valid for one encoder only (its weights' hash is stored); gold units are
stored as places in their document, valid while that document's text is unchanged, so
adding or changing other documents keeps every other vote. Written by
`python -m assistant.answer_model.build_memory`.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from index import SearchIndex

MEMORY = Path(__file__).resolve().parent / "answer_model" / "question_memory.npz"
VOTERS = 5  # nearest answered questions that vote for units (3 and 10 did no better)
# A voter's weight: exp(SHARPNESS x cosine), shared out over the voters (the nearest
# voter's cosine alone, each unit its best, lost on sets 51-56).
SHARPNESS = 20.0
NEIGHBOURS = (10, 30)  # answerability: share answerable among this many nearest
FEATURES = ("memory_answerable_10", "memory_answerable_30", "memory_answerable_weighted",
            "memory_closest_answerable", "memory_closest_unanswerable")
QUANTUM = 127  # vectors are stored as int8: round(x * QUANTUM); cosines move < 0.01
logger = logging.getLogger(__name__)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class QuestionMemory:
    encoder: str  # the weights' hash of the encoder that made the vectors
    vectors: np.ndarray  # (questions, dim) float32, unit length
    answerable: np.ndarray  # (questions,) bool
    sources: np.ndarray  # (questions,) the question file each came from
    # Gold places: question number, document (into `documents`), unit bounds.
    gold_question: np.ndarray
    gold_doc: np.ndarray
    gold_start: np.ndarray
    gold_end: np.ndarray
    documents: np.ndarray  # document ids
    document_hashes: np.ndarray  # their text's sha256 when the memory was written

    def save(self, path: Path) -> None:
        files, source = np.unique(self.sources, return_inverse=True)
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as out:
            np.savez_compressed(out, encoder=np.array(self.encoder),
                                vectors=np.round(self.vectors * QUANTUM).astype(np.int8),
                                answerable=self.answerable, files=files,
                                source=source.astype(np.int32),
                                gold_question=self.gold_question, gold_doc=self.gold_doc,
                                gold_start=self.gold_start, gold_end=self.gold_end,
                                documents=self.documents,
                                document_hashes=self.document_hashes)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path = MEMORY) -> QuestionMemory | None:
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            vectors = data["vectors"].astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            return cls(str(data["encoder"]), vectors, data["answerable"].astype(bool),
                       data["files"][data["source"]], data["gold_question"],
                       data["gold_doc"], data["gold_start"], data["gold_end"],
                       data["documents"], data["document_hashes"])

    def bind(self, index: SearchIndex) -> BoundMemory:
        """The memory with each gold place turned into a unit of this index (places in
        documents changed or absent since are dropped)."""
        documents = self.documents.tolist()
        unchanged = {number for number, (doc_id, digest) in
                     enumerate(zip(documents, self.document_hashes.tolist()))
                     if doc_id in index.documents
                     and text_hash(index.documents[doc_id].text) == digest}
        where = {(u.doc_id, u.start, u.end): p for p, u in enumerate(index.units)}
        units: list[list[int]] = [[] for _ in range(len(self.answerable))]
        for q, doc, start, end in zip(self.gold_question.tolist(), self.gold_doc.tolist(),
                                      self.gold_start.tolist(), self.gold_end.tolist()):
            position = where.get((documents[doc], start, end))
            if position is not None and doc in unchanged:
                units[q].append(position)
        return BoundMemory(self, units, np.array([bool(u) for u in units]))


@dataclass(frozen=True)
class BoundMemory:
    memory: QuestionMemory
    units: list[list[int]]  # per question, the units of this index holding its gold
    voters: np.ndarray  # per question: has it units here to vote for?

    def recall(self, vector: np.ndarray, leave_out: frozenset[str] = frozenset()
               ) -> Recalled:
        """The question's cosine with every remembered question (one product, shared by
        the votes and the features); `leave_out`: question files to forget."""
        similarity = self.memory.vectors @ np.asarray(vector, dtype=np.float32)
        if leave_out:
            similarity[np.isin(self.memory.sources, list(leave_out))] = -np.inf
        return Recalled(self, similarity)


@dataclass(frozen=True)
class Recalled:
    bound: BoundMemory
    similarity: np.ndarray  # with every remembered question; -inf: forgotten

    def votes(self) -> dict[int, float]:
        """Unit position -> its share of the nearest answered questions' vote."""
        similarity = np.where(self.bound.voters, self.similarity, -np.inf)
        nearest = _top(similarity, VOTERS)
        nearest = nearest[np.isfinite(similarity[nearest])]
        if not len(nearest):
            return {}
        weight = np.exp(SHARPNESS * (similarity[nearest] - similarity[nearest[0]]))
        weight /= weight.sum()
        shares: dict[int, float] = {}
        for question, w in zip(nearest.tolist(), weight.tolist()):
            for unit in self.bound.units[question]:
                shares[unit] = shares.get(unit, 0.0) + w
        return shares

    def features(self) -> dict[str, float]:
        """How answerable the nearest labelled questions were (FEATURES)."""
        nearest = _top(self.similarity, max(NEIGHBOURS))
        nearest = nearest[np.isfinite(self.similarity[nearest])]
        if not len(nearest):  # everything forgotten: nothing known either way
            return dict(zip(FEATURES, (0.5, 0.5, 0.5, -1.0, -1.0)))
        similarity = self.similarity[nearest]
        answerable = self.bound.memory.answerable[nearest].astype(float)
        weight = np.exp(SHARPNESS * (similarity - similarity[0]))
        closest = {label: float(similarity[answerable == label].max(initial=-1.0))
                   for label in (0.0, 1.0)}
        return dict(zip(FEATURES, (
            float(answerable[:NEIGHBOURS[0]].mean()), float(answerable.mean()),
            float((weight * answerable).sum() / weight.sum()), closest[1.0], closest[0.0])))


def mean_votes(recalled: Sequence[Recalled]) -> dict[int, float]:
    """The votes for a question's searched text, or for a follow-up the mean of those
    and of the votes for its own words: questions near "and for vegans?" alone know
    what such follow-ups ask, those near the joined text what it is about (recognised
    follow-ups of sets 51-58, own file forgotten, right first / first three: joined
    only 0.892 / 0.944 and 0.826 / 0.899 on 51-54 and 55-58, the mean 0.901 / 0.972
    and 0.836 / 0.932, own words only 0.854 / 0.967 and 0.845 / 0.942)."""
    shares: dict[int, float] = {}
    for one in recalled:
        for unit, share in one.votes().items():
            shares[unit] = shares.get(unit, 0.0) + share / len(recalled)
    return shares


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k largest values, largest first."""
    k = min(k, len(values))
    top = np.argpartition(-values, k - 1)[:k]
    return top[np.argsort(-values[top], kind="stable")]


class MemoryForIndex:
    """The memory bound to the index in use, or None when there is no memory or it was
    made by another encoder (another model's vectors are not comparable)."""

    def __init__(self, memory: QuestionMemory | None, weights_hash: str) -> None:
        usable = memory is not None and memory.encoder == weights_hash
        if memory is not None and not usable:
            logger.info("The question memory was made by another encoder: not used.")
        self.memory = memory if usable else None
        self._bound: tuple[str, BoundMemory] | None = None  # for the last index seen

    def for_index(self, index: SearchIndex) -> BoundMemory | None:
        if self.memory is None:
            return None
        if self._bound is None or self._bound[0] != index.version:
            self._bound = (index.version, self.memory.bind(index))
        return self._bound[1]

    def recall(self, index: SearchIndex, vectors: Sequence[np.ndarray | None],
               leave_out: frozenset[str]) -> list[Recalled] | None:
        """Each given vector (a question's searched text, a follow-up's own words; None
        skipped) recalled against the memory bound to `index`; None without a memory."""
        bound = self.for_index(index)
        if bound is None:
            return None
        return [bound.recall(v, leave_out) for v in vectors if v is not None]
