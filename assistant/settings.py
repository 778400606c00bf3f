"""One Settings object, read from the environment and command line at the entry points.

Library functions take explicit keyword arguments; only ui/ builds Settings. Settings
only the web app has (feedback file, maintainer password) are ui.settings.WebSettings.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.assistant import MAX_QUESTION_CHARS, MAX_QUOTES
from corpus import DEFAULT_CORPUS
from index import ChunkSettings
from index.embedder import check_device
from index.storage import cache_folder

MIN_CHUNK_TOKENS = 8
PROJECT_INDEX = Path(__file__).resolve().parent.parent / "index" / "built"

ENV_VARS = {
    "corpus_dir": "QUOTECHAT_CORPUS",
    "index_dir": "QUOTECHAT_INDEX",
    "model": "QUOTECHAT_MODEL",
    "chunk_tokens": "QUOTECHAT_CHUNK_TOKENS",
    "chunk_overlap": "QUOTECHAT_CHUNK_OVERLAP",
    "max_question_chars": "QUOTECHAT_MAX_QUESTION_CHARS",
    "max_quotes": "QUOTECHAT_MAX_QUOTES",
    "device": "QUOTECHAT_DEVICE",
    "onnx": "QUOTECHAT_ONNX",
}


def cache_root() -> Path:
    return cache_folder("indexes")


def default_index_dir(corpus_dir: Path) -> Path:
    """The built-in corpus keeps its index in the project; others in the user's cache."""
    corpus_dir = corpus_dir.resolve()
    if corpus_dir == DEFAULT_CORPUS.resolve():
        return PROJECT_INDEX
    digest = hashlib.sha256(str(corpus_dir).encode()).hexdigest()[:8]
    return cache_root() / f"{corpus_dir.name}-{digest}"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = DEFAULT_CORPUS
    index_dir: Path | None = None  # None: default_index_dir(corpus_dir)
    model: str | None = None  # a local folder or a hub id; None: the built-in MiniLM
    # None: as the index was built (defaults for a new index), so settings given to
    # `quotechat index` are remembered; given here, an index built otherwise is refused.
    chunk_tokens: int | None = None
    chunk_overlap: int | None = None
    max_question_chars: int = MAX_QUESTION_CHARS
    max_quotes: int = MAX_QUOTES
    examples: tuple[str, ...] = field(default=())
    device: str = "cpu"  # where the torch model runs: cpu, cuda, mps or auto
    onnx: bool = True  # on the CPU, questions embedded by the model's ONNX export

    def __post_init__(self) -> None:
        if self.max_question_chars < 10:
            raise ValueError("max_question_chars must be at least 10.")
        check_device(self.device)
        if not 1 <= self.max_quotes <= 10:
            raise ValueError("max_quotes must be between 1 and 10.")
        if self.chunk_tokens is not None and self.chunk_tokens < MIN_CHUNK_TOKENS:
            raise ValueError(f"chunk size {self.chunk_tokens} is too small; use "
                             f"--chunk-tokens {MIN_CHUNK_TOKENS} or more (default "
                             f"{ChunkSettings().max_tokens}).")
        chunks = self.chunk_settings or ChunkSettings()
        if not 0 <= chunks.overlap < chunks.max_tokens:
            raise ValueError(f"chunk overlap {chunks.overlap} must be at least 0 and below "
                             f"the chunk size {chunks.max_tokens}; give a smaller "
                             "--chunk-overlap.")

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir) if self.index_dir else default_index_dir(
            Path(self.corpus_dir))

    @property
    def chunk_settings(self) -> ChunkSettings | None:
        """The chunk settings asked for, or None to use the index's own."""
        if self.chunk_tokens is None and self.chunk_overlap is None:
            return None
        default = ChunkSettings()
        tokens = default.max_tokens if self.chunk_tokens is None else self.chunk_tokens
        overlap = min(default.overlap, tokens // 4) if self.chunk_overlap is None \
            else self.chunk_overlap
        return ChunkSettings(max_tokens=tokens, overlap=overlap)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then QUOTECHAT_* variables, then explicit (command-line) overrides."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for name, var in ENV_VARS.items():
            raw = environ.get(var)
            if raw:
                values[name] = _convert(name, var, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _convert(name: str, var: str, raw: str):
    if name in ("corpus_dir", "index_dir"):
        return Path(raw).expanduser()
    if name in ("model", "device"):
        return raw
    if name == "onnx":
        if raw not in ("0", "1"):
            raise ValueError(f"{var}={raw!r}: use 1 (ONNX for questions) or 0 (torch).")
        return raw == "1"
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{var}={raw!r} is not a whole number.") from None
