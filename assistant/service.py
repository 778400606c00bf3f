"""Wiring for the entry points: Settings in, a ready Assistant (or a fresh index) out."""
from __future__ import annotations

import logging

from assistant.assistant import DEFAULT_EXAMPLES, Assistant
from assistant.settings import Settings
from corpus import DEFAULT_CORPUS
from index import IndexNotFound, SearchIndex, SentenceTransformerEmbedder
from index.update import UpdateReport, update_index

logger = logging.getLogger(__name__)


def make_encoder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(settings.model)


def reindex(settings: Settings, *, rebuild: bool = False, progress: bool = False,
            encoder: SentenceTransformerEmbedder | None = None) -> UpdateReport:
    encoder = encoder or make_encoder(settings)
    return update_index(settings.corpus_dir, settings.index_path, encoder,
                        settings=settings.chunk_settings, rebuild=rebuild, progress=progress)


def examples_for(settings: Settings, index: SearchIndex) -> tuple[str, ...]:
    if settings.examples:
        return settings.examples
    if settings.corpus_dir.resolve() == DEFAULT_CORPUS.resolve():
        return DEFAULT_EXAMPLES
    titles = [d.title for d in index.documents.values()][:4]
    return tuple(f"What do the documents say about {t}?" for t in titles)


def open_assistant(settings: Settings, *, build_if_missing: bool = True,
                   progress: bool = False) -> Assistant:
    """Load the model and the index; build the index first when there is none yet."""
    encoder = make_encoder(settings)
    encoder.warm_up()
    try:
        index = SearchIndex.load(settings.index_path, encoder=encoder,
                                 settings=settings.chunk_settings)
    except IndexNotFound:
        if not build_if_missing:
            raise
        logger.warning("No index at %s yet; building it from %s", settings.index_path,
                       settings.corpus_dir)
        index = reindex(settings, progress=progress, encoder=encoder).index
    return Assistant(index, encoder, max_quotes=settings.max_quotes,
                     max_question_chars=settings.max_question_chars,
                     examples=examples_for(settings, index))
