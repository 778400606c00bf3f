"""Exceptions meant for the user: each message says what went wrong and what to do."""


class CorpusError(Exception):
    """A corpus folder that cannot be used at all (missing, empty)."""


class DocumentError(CorpusError):
    """One file that cannot be read as a document; callers report it and go on."""
