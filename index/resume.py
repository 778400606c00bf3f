"""Vectors a build has embedded so far, kept on disk, so a build that is killed (a
30-minute index of a big library, a machine restarted) resumes where it stopped.

The vectors sit in the index folder under `.embedded-<model weights hash>/`, keyed by a
hash of each text: a vector is re-used only for the same text and the same model. A
build that saves its index removes the folder."""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

logger = logging.getLogger(__name__)
FLUSH_TEXTS = 4096  # texts per part file; a kill loses at most this many
FLUSH_SECONDS = 60.0


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()[:16]


class ResumableEncoder:
    """An encoder that keeps what it embeds in `folder` and embeds only texts it has
    not kept yet; everything else is the wrapped encoder's."""

    def __init__(self, encoder: Any, index_dir: Path) -> None:
        self._encoder = encoder
        self.folder = Path(index_dir) / f".embedded-{encoder.weights_hash[:16]}"
        self._kept: dict[bytes, np.ndarray] = {}
        self._pending_keys: list[bytes] = []
        self._pending: list[np.ndarray] = []
        self._flushed_at = time.monotonic()
        self._loaded = False

    def _load(self) -> None:
        self._loaded = True
        parts = sorted(self.folder.glob("part-*.npz")) if self.folder.is_dir() else []
        for part in parts:
            try:
                with np.load(part) as data:
                    keys, vectors = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError):
                continue  # a part cut short by the kill: embed those texts again
            for key, vector in zip(keys, vectors):
                self._kept[key.tobytes()] = vector
        if self._kept:
            logger.info("resuming: %d texts already embedded in %s", len(self._kept),
                        self.folder)

    def kept(self, texts: Sequence[str]) -> list[bool]:
        """Which of `texts` a killed build already embedded (the progress counts only
        the others, so its rate and time left are the embedding's own)."""
        if not self._loaded:
            self._load()
        return [text_key(t) in self._kept for t in texts]

    def encode(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        if not self._loaded:
            self._load()
        keys = [text_key(t) for t in texts]
        out = np.empty((len(texts), self._encoder.dimension), dtype=np.float32)
        missing = []
        for row, key in enumerate(keys):
            kept = self._kept.pop(key, None)  # each text is asked for once: free it
            if kept is None:
                missing.append(row)
            else:
                out[row] = kept
        if missing:
            out[missing] = self._encoder.encode([texts[i] for i in missing], **kwargs)
            self._pending_keys += [keys[i] for i in missing]
            self._pending.append(out[missing])
        if sum(map(len, self._pending)) >= FLUSH_TEXTS or \
                time.monotonic() - self._flushed_at >= FLUSH_SECONDS:
            self.flush()
        return out

    def flush(self) -> None:
        """Write the vectors not yet on disk as one part file (atomically)."""
        self._flushed_at = time.monotonic()
        if not self._pending:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        number = len(list(self.folder.glob("part-*.npz")))
        final = self.folder / f"part-{number:06d}.npz"
        tmp = self.folder / f".part-{number:06d}.tmp.npz"
        keys = np.frombuffer(b"".join(self._pending_keys), dtype=np.uint8).reshape(-1, 16)
        np.savez(tmp, keys=keys, vectors=np.vstack(self._pending))
        os.replace(tmp, final)
        self._pending_keys, self._pending = [], []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._encoder, name)


def clear_resume_folders(index_dir: Path) -> None:
    """After a saved build: what a resumed build would need is in the index now."""
    for folder in Path(index_dir).glob(".embedded-*"):
        shutil.rmtree(folder, ignore_errors=True)
