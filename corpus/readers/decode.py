"""UTF-8 decoding shared by the text formats, with reasons a maintainer can act on."""
from __future__ import annotations

from corpus.errors import NotText


def decode_utf8(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise NotText(f"not UTF-8 text (byte {err.start}); re-save it as UTF-8.") \
            from err
    if "\x00" in text:
        raise NotText("contains NUL bytes; is it really a text file?")
    return text
