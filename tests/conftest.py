"""Shared fixtures: the fixture documents, a tiny deterministic stand-in for the model,
and one headless Chromium per session for the browser tests."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fake_thresholds():
    """Abstention for the fake encoder, whose bag-of-words cosines are not MiniLM's:
    answer when the best sentence's cosine is at least 0.3, nothing else counts."""
    from assistant.abstain import FEATURES, Thresholds
    return Thresholds(weights=(10.0,) + (0.0,) * (len(FEATURES) - 1), bias=-3.0,
                      answer_at=0.5)
_WORD = re.compile(r"[a-z0-9]+")


class FakeEncoder:
    """Hashed bag of words: texts that share words get similar, L2-normalised vectors.

    ``calls`` counts encode() calls and ``texts`` records every text encoded, so tests can
    see what a build had to embed.
    """

    def __init__(self, *, model_id: str = "fake-bow", weights_hash: str = "fake-weights-1",
                 dimension: int = 64, max_tokens: int = 256) -> None:
        self.model_id = model_id
        self.weights_hash = weights_hash
        self.dimension = dimension
        self.max_tokens = max_tokens
        self.calls = 0
        self.texts: list[str] = []

    def _bucket(self, word: str) -> int:
        return int.from_bytes(hashlib.md5(word.encode()).digest()[:4], "little") % self.dimension

    def fit_window(self, texts: Sequence[str]) -> list[str]:
        """One token per word: a text is cut after max_tokens words."""
        out = []
        for text in texts:
            spans = [m.end() for m in _WORD.finditer(text.lower())]
            out.append(text if len(spans) <= self.max_tokens else text[:spans[self.max_tokens - 1]])
        return out

    def encode(self, texts: Sequence[str], *, batch_size: int = 32,
               progress: bool = False) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                vectors[row, self._bucket(word)] += 1.0
            if not vectors[row].any():
                vectors[row, 0] = 1.0
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def fixture_dir() -> Path:
    return FIXTURES / "docs"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """An index of the built-in corpus, built by the first test that asks for it."""
    return tmp_path_factory.mktemp("home-index")


@pytest.fixture(scope="session")
def real_assistant(index_dir):
    """The real model on the built-in corpus, loaded once for every test that needs it."""
    from assistant.service import open_assistant
    from assistant.settings import Settings
    return open_assistant(Settings(index_dir=index_dir))


def _browser_unavailable(reason: str) -> None:
    if os.environ.get("QUOTECHAT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (QUOTECHAT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, once per session. Skips when it or playwright is
    missing, unless QUOTECHAT_REQUIRE_BROWSER=1 makes that a failure."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS
    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} not found: install Debian's chromium to run "
                             "browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
