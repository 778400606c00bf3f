"""Exceptions meant for the user: each message says what to run to fix it."""


class IndexError_(Exception):
    """Base class (named so it does not shadow the built-in IndexError)."""


class IndexNotFound(IndexError_):
    """No index has been built at the given place."""


class IndexMismatch(IndexError_):
    """The index was built with another model, tokenizer, format or chunk settings."""


class IndexCorrupt(IndexError_):
    """Index files are missing, truncated or do not match their recorded checksums."""


class IndexLocation(IndexError_):
    """The --index path cannot hold an index (it is a file)."""


class ModelNotFound(IndexError_):
    """The embedding model cannot be loaded from the given path or name."""
