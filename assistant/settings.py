"""One Settings object, read from the environment and command line at the entry points.

Library functions take explicit keyword arguments; only ui/ builds Settings.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus import DEFAULT_CORPUS
from index import ChunkSettings

PROJECT_INDEX = Path(__file__).resolve().parent.parent / "index" / "built"

ENV_VARS = {
    "corpus_dir": "QUOTECHAT_CORPUS",
    "index_dir": "QUOTECHAT_INDEX",
    "model": "QUOTECHAT_MODEL",
    "chunk_tokens": "QUOTECHAT_CHUNK_TOKENS",
    "chunk_overlap": "QUOTECHAT_CHUNK_OVERLAP",
    "max_question_chars": "QUOTECHAT_MAX_QUESTION_CHARS",
    "max_quotes": "QUOTECHAT_MAX_QUOTES",
    "feedback_file": "QUOTECHAT_FEEDBACK_FILE",
    "admin_password": "QUOTECHAT_ADMIN_PASSWORD",
}


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "quotechat" / "indexes"


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
    chunk_tokens: int = 160
    chunk_overlap: int = 30
    max_question_chars: int = 2000
    max_quotes: int = 3
    examples: tuple[str, ...] = field(default=())
    # Web feedback is health information: stored only when a file is given.
    feedback_file: Path | None = None
    # The web maintainers' page exists only when a password is set; never shown in repr.
    admin_password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.max_question_chars < 10:
            raise ValueError("max_question_chars must be at least 10.")
        if not 1 <= self.max_quotes <= 10:
            raise ValueError("max_quotes must be between 1 and 10.")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise ValueError("chunk overlap must be at least 0 and below the chunk size.")

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir) if self.index_dir else default_index_dir(
            Path(self.corpus_dir))

    @property
    def chunk_settings(self) -> ChunkSettings:
        return ChunkSettings(max_tokens=self.chunk_tokens, overlap=self.chunk_overlap)

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
    if name in ("corpus_dir", "index_dir", "feedback_file"):
        return Path(raw).expanduser()
    if name in ("model", "admin_password"):
        return raw
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{var}={raw!r} is not a whole number.") from None
