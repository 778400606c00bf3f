"""Bring an index in line with its corpus folder: embed what is new or changed, drop
what was removed, keep the rest, and swap the new version in atomically."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from corpus import Skipped, load_corpus
from corpus.loading import content_hash, document_paths
from index.embedder import Encoder
from index.errors import IndexError_, IndexNotFound
from index.manifest import ChunkSettings, corpus_mismatch
from index.resume import ResumableEncoder, clear_resume_folders
from index.storage import check_location
from index.store import SearchIndex

logger = logging.getLogger(__name__)
# Not storage's ".lock", which write_version takes inside an update: a second lock on the
# same file from the same process would wait for itself.
UPDATE_LOCK = ".update.lock"


@dataclass(frozen=True)
class UpdateReport:
    index: SearchIndex
    path: Path
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    saved: bool = True
    note: str = ""


def load_previous(index_dir: Path) -> tuple[SearchIndex | None, str]:
    """The current index if it can be read at all (for re-use), else None and why."""
    try:
        return SearchIndex.load(index_dir), ""
    except IndexNotFound:
        return None, "no index yet"
    except IndexError_ as err:
        return None, f"previous index unusable, rebuilding: {err}"


def update_index(corpus_dir: Path, index_dir: Path, encoder: Encoder, *,
                 settings: ChunkSettings | None = None, rebuild: bool = False,
                 progress: bool = False) -> UpdateReport:
    """`settings` None keeps the chunk settings the index was built with (defaults for a
    new index), so `index --chunk-tokens 120` is remembered by later commands.

    One update at a time per index folder, across processes and machines sharing it:
    a second one waits, then starts from the version the first saved (unlocked, the
    later save would be built from an older reading of the corpus and drop the
    first one's changes)."""
    check_location(Path(index_dir))  # before reading a whole corpus for nothing
    if not Path(corpus_dir).is_dir():
        load_corpus(Path(corpus_dir))  # its own message; no index folder made for a typo
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    with FileLock(str(Path(index_dir) / UPDATE_LOCK)):
        return _update_index(corpus_dir, index_dir, encoder, settings=settings,
                             rebuild=rebuild, progress=progress)


def _update_index(corpus_dir: Path, index_dir: Path, encoder: Encoder, *,
                  settings: ChunkSettings | None, rebuild: bool,
                  progress: bool) -> UpdateReport:
    documents, skipped = load_corpus(Path(corpus_dir), progress=progress)
    corpus = str(Path(corpus_dir).resolve())
    previous, note = load_previous(index_dir)
    if previous is not None and corpus_mismatch(previous.manifest, corpus):
        previous, note = None, (f"the index at {index_dir} was built from the corpus "
                                f"{previous.manifest['corpus']}: rebuilding it for {corpus}")
    if settings is None:
        settings = ChunkSettings(**previous.manifest["chunk_settings"]) \
            if previous is not None else ChunkSettings()
    reusable = previous if previous is not None and previous.compatible(
        encoder, settings) else None
    if previous is not None and reusable is None:
        note = "index settings or model changed: re-embedding everything"
    if rebuild:
        previous, reusable, note = None, None, "full rebuild requested"
    old = {d: (reusable.content_hash(d) if reusable else None)
           for d in (previous.documents if previous else {})}
    new = {d.doc_id: d.content_hash for d in documents}
    report = dict(
        added=sorted(d for d in new if d not in old),
        changed=sorted(d for d in new if d in old and old[d] != new[d]),
        removed=sorted(d for d in old if d not in new),
        unchanged=sorted(d for d in new if d in old and old[d] == new[d]),
        skipped=skipped, note=note)
    if reusable is not None and not (report["added"] or report["changed"]
                                     or report["removed"]):
        return UpdateReport(index=reusable, path=Path(index_dir), saved=False, **report)
    # Vectors are kept on disk as they are embedded, so a killed build resumes.
    resumable = ResumableEncoder(encoder, Path(index_dir))
    index = SearchIndex.build(documents, resumable, settings=settings, previous=reusable,
                              progress=progress, corpus=corpus)
    index.save(Path(index_dir))
    clear_resume_folders(Path(index_dir))
    return UpdateReport(index=index, path=Path(index_dir), **report)


def corpus_changes(index: SearchIndex, corpus_dir: Path) -> dict[str, str]:
    """Files that differ from the index: doc_id -> "new", "changed" or "removed".
    A file that cannot be read counts as changed."""
    corpus_dir = Path(corpus_dir)
    indexed = {d: entry["content_hash"] for d, entry in index.manifest["documents"].items()}
    changes = {}
    on_disk = {path.relative_to(corpus_dir).as_posix(): path
               for path in document_paths(corpus_dir)}
    for doc_id, path in on_disk.items():
        try:
            digest = content_hash(path.read_bytes())
        except OSError:
            digest = ""
        if doc_id not in indexed:
            changes[doc_id] = "new"
        elif digest != indexed[doc_id]:
            changes[doc_id] = "changed"
    changes.update({doc_id: "removed" for doc_id in indexed if doc_id not in on_disk})
    return changes
