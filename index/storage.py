"""Index files on disk: versioned folders, a CURRENT pointer, checksums, atomic swaps.

Layout of an index folder::

    CURRENT                  the name of the live version, replaced atomically
    20261121T0850Z-1a2b3c4d/ manifest.json, documents.json, chunks.json,
                             units.faiss, chunks.faiss, units.bm25-*, chunks.bm25-*

A build writes a new version in a hidden temporary folder, renames it into place and
only then points CURRENT at it, so a crash at any moment leaves the old index usable
and never a half-written one. Readers resolve CURRENT once and read that version only.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock

from index.errors import IndexCorrupt, IndexLocation, IndexNotFound
from index.schema import manifest_problem

POINTER = "CURRENT"
MANIFEST = "manifest.json"
_VERSION_NAME = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
KEEP_VERSIONS = 2  # the live one and the one before, for a running app still reading it


def cache_folder(name: str) -> Path:
    """quotechat's folder `name` in the user's cache (~/.cache/quotechat/NAME, or under
    XDG_CACHE_HOME): indexes of other corpora, the model's ONNX export, the tuned model."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "quotechat" / name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_location(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise IndexLocation(f"The index location {root} is a file, not a folder; give "
                            "--index a folder (it is created when missing).")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_version(root: Path, version: str, manifest: dict[str, Any],
                  write_files: Callable[[Path], None]) -> Path:
    """Write a complete version folder, then make it the live one."""
    check_location(root)
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".lock")):
        _remove_leftovers(root)  # of builds killed earlier; the lock says none is running
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
        try:
            write_files(tmp)
            manifest = dict(manifest, files={
                p.name: file_sha256(p) for p in sorted(tmp.iterdir()) if p.is_file()})
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            for path in tmp.iterdir():
                with path.open("rb") as fh:
                    os.fsync(fh.fileno())
            final = root / version
            if final.exists() and not _intact(final):
                shutil.rmtree(final)  # a damaged folder of the same name: replace it
            if final.exists():
                # Same name means same second and same content digest: the folder
                # already holds this index, and a reader may be using it. Keep it.
                shutil.rmtree(tmp)
            else:
                os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        pointer_tmp = root / f".{POINTER}.tmp"
        pointer_tmp.write_text(version + "\n", encoding="utf-8")
        os.replace(pointer_tmp, root / POINTER)
        _fsync_dir(root)
        _prune(root, keep=version)
    return final


def _prune(root: Path, *, keep: str) -> None:
    """Delete old versions and leftovers of crashed builds, keeping the newest few."""
    # Oldest first by the time each was made live (names tie within one second).
    versions = sorted((p for p in root.iterdir()
                       if p.is_dir() and _VERSION_NAME.match(p.name) and p.name != keep),
                      key=lambda p: (p.stat().st_mtime_ns, p.name))
    old = versions[: max(0, len(versions) - (KEEP_VERSIONS - 1))]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    _remove_leftovers(root)


def _intact(folder: Path) -> bool:
    try:
        read_manifest(folder)
    except IndexCorrupt:
        return False
    return True


def _remove_leftovers(root: Path) -> None:
    """Delete the .building-* folders of builds that were killed; call under the lock."""
    for path in root.glob(".building-*"):
        shutil.rmtree(path, ignore_errors=True)


def live_version(root: Path) -> Path:
    """The folder of the live version, checked against its manifest's checksums."""
    check_location(root)
    pointer = root / POINTER
    if not pointer.is_file():
        raise IndexNotFound(f"No index at {root}. Build it with `quotechat index`.")
    name = pointer.read_text(encoding="utf-8").strip()
    folder = root / name
    if not _VERSION_NAME.match(name) or not folder.is_dir():
        raise IndexCorrupt(f"The index at {root} points at a missing version {name!r}. "
                           "Rebuild it with `quotechat index --rebuild`.")
    return folder


def read_manifest(folder: Path, *, verify: bool = True) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexCorrupt(f"Unreadable manifest in {folder} ({err}). "
                           "Rebuild with `quotechat index --rebuild`.") from err
    problem = manifest_problem(manifest)
    if problem:
        raise IndexCorrupt(f"Unusable manifest in {folder}: {problem}. "
                           "Rebuild with `quotechat index --rebuild`.")
    if verify:
        for name, expected in manifest["files"].items():
            path = folder / name
            if "/" in name or not path.is_file() or file_sha256(path) != expected:
                raise IndexCorrupt(f"Index file {path} is missing or damaged. "
                                   "Rebuild with `quotechat index --rebuild`.")
    return manifest
