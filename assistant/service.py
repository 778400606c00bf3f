"""Wiring for the entry points: Settings in, a ready Assistant (or a fresh index) out."""
from __future__ import annotations

import logging
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from assistant.assistant import DEFAULT_EXAMPLES, Assistant
from assistant import corpus_model, triage_model
from assistant.conversation import follow_up_model
from assistant.question_memory import QuestionMemory
from assistant.spelling import known_words
from assistant.vocabulary import health_terms
from assistant.settings import Settings
from corpus import DEFAULT_CORPUS, DocumentError, read_document
from index import IndexNotFound, SearchIndex, SentenceTransformerEmbedder
from index.update import UpdateReport, corpus_changes, update_index

logger = logging.getLogger(__name__)
EXAMPLE_CANDIDATES = 12  # made for other corpora; the first four answered are offered
EXAMPLES_OFFERED = 4


def make_encoder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(settings.model, device=settings.device,
                                       onnx=settings.onnx)


def reindex(settings: Settings, *, rebuild: bool = False, progress: bool = False,
            encoder: SentenceTransformerEmbedder | None = None) -> UpdateReport:
    encoder = encoder or make_encoder(settings)
    return update_index(settings.corpus_dir, settings.index_path, encoder,
                        settings=settings.chunk_settings, rebuild=rebuild, progress=progress)


def examples_for(settings: Settings, index: SearchIndex, *,
                 answers: Callable[[str], bool] = lambda question: True
                 ) -> tuple[str, ...]:
    """Example questions: the configured ones, the built-in corpus's, or for another
    corpus up to four made from its titles and headings that `answers` accepts (a
    suggestion that gets "not in my documents" teaches people the assistant is broken)."""
    if settings.examples:
        return settings.examples
    if settings.corpus_dir.resolve() == DEFAULT_CORPUS.resolve():
        return DEFAULT_EXAMPLES
    # Titles that are real titles (not file names), then section headings.
    topics = [d.title for d in index.documents.values()
              if d.title != PurePosixPath(d.doc_id).stem]
    topics += [c.section for c in index.chunks if c.section]
    candidates = (f"What do the documents say about {t}?"
                  for t in list(dict.fromkeys(topics))[:EXAMPLE_CANDIDATES])
    return tuple(islice((q for q in candidates if answers(q)), EXAMPLES_OFFERED))


def warn_if_stale(settings: Settings, index: SearchIndex) -> list[str]:
    """Documents added, changed or removed since the index was built (a warning, since
    answering from the last good index beats refusing to answer)."""
    stale = sorted(d for d in corpus_changes(index, settings.corpus_dir)
                   if _indexable(settings, d))
    if stale:
        logger.warning("%d document(s) changed since the index was built (%s); run "
                       "`quotechat index` to update it.", len(stale), ", ".join(stale[:3]))
    return stale


def _indexable(settings: Settings, doc_id: str) -> bool:
    """False for a file that indexing would skip anyway (undecodable, empty)."""
    path = settings.corpus_dir / doc_id
    if not path.exists():
        return True  # removed since indexing
    try:
        read_document(path, settings.corpus_dir)
    except DocumentError:
        return False
    return True


def load_index(settings: Settings, encoder: Any) -> SearchIndex:
    """The live index version, refused unless built with this model, these chunk
    settings and this corpus folder (at start-up, and for each new version a running
    app switches to)."""
    return SearchIndex.load(settings.index_path, encoder=encoder,
                            settings=settings.chunk_settings,
                            corpus=str(Path(settings.corpus_dir).resolve()))


def open_assistant(settings: Settings, *, build_if_missing: bool = True,
                   progress: bool = False) -> Assistant:
    """Load the model and the index; build the index first when there is none yet."""
    encoder = make_encoder(settings)
    encoder.warm_up()
    health_terms()  # the abstention model's vocabulary, read now, not at the first question
    known_words()  # and the words typo correction leaves alone
    follow_up_model()  # and the follow-up model, before the first follow-up
    try:
        index = load_index(settings, encoder)
    except IndexNotFound:
        if not build_if_missing:
            raise
        logger.warning("No index at %s yet; building it from %s", settings.index_path,
                       settings.corpus_dir)
        index = reindex(settings, progress=progress, encoder=encoder).index
    warn_if_stale(settings, index)
    assistant = Assistant(index, encoder, max_quotes=settings.max_quotes,
                          max_question_chars=settings.max_question_chars,
                          corpus_model=corpus_model.load(),
                          triage_model=triage_model.load(),
                          question_memory=QuestionMemory.load())
    assistant.examples = list(examples_for(
        settings, index, answers=lambda q: assistant.ask(q).status == "answered"))
    return assistant
