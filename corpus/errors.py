"""Exceptions meant for the user: each message says what went wrong and what to do."""


class CorpusError(Exception):
    """A corpus folder that cannot be used at all (missing, empty)."""


class DocumentError(CorpusError):
    """One file that cannot be read as a document; callers report it and go on."""


class UnsupportedType(DocumentError):
    """No reader for this kind of file."""


class TooLarge(DocumentError):
    """Over the size limit, or would unpack to far more than a document needs."""


class NotText(DocumentError):
    """A text format (txt, md, html) that is not UTF-8, or holds NUL bytes."""


class NothingToQuote(DocumentError):
    """Empty, headings only, boilerplate only, or a scan without a text layer."""


class Unreadable(DocumentError):
    """Truncated, malformed or encrypted: the reader cannot open it."""
