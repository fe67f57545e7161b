"""The screening index as a file the workers of a machine share.

The index is built once, when a list version activates (or by `manage.py screening_index`),
and written to SCREENING_INDEX_DIR as `index-<key>.pickle`, the key naming the active
versions and the office's risk levels it was built from. A worker whose index is out of date
loads the file for the current key instead of building its own (a fraction of the time), and
under gunicorn's preload the master loads the newest file before it forks, so that workers
share its pages copy-on-write (the index is frozen out of the garbage collector's sight, which
would otherwise touch every object and unshare them).

The files are the application's own data, read with pickle: the directory must be writable
only by the user the application runs as, like its code.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from django.conf import settings

from .matcher import NameIndex

logger = logging.getLogger(__name__)

# Snapshots kept besides the newest: a worker still loading the previous one finds it.
KEEP = 3


def _code_digest() -> str:
    """The index's layout and normalisation are its code's: a snapshot written by other code
    (before an upgrade) is never read as this one's."""
    from . import matcher, normalise, vocabulary

    digest = hashlib.sha256()
    for module in (matcher, normalise, vocabulary):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


_FORMAT = _code_digest()
_held: dict = {"path": None, "mtime": None}


def index_dir() -> Path:
    return Path(settings.SCREENING_INDEX_DIR)


def key_digest(key) -> str:
    return hashlib.sha256(repr((_FORMAT, key)).encode()).hexdigest()[:20]


def snapshot_path(key) -> Path:
    return index_dir() / f"index-{key_digest(key)}.pickle"


def save(index: NameIndex, key) -> Path:
    """Write the index for `key` atomically (a reader never sees half a file); prune old ones."""
    directory = index_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = snapshot_path(key)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".index-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump((_FORMAT, key, index), stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for old in sorted(directory.glob("index-*.pickle"), key=_mtime, reverse=True)[KEEP + 1 :]:
        old.unlink(missing_ok=True)
    return path


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _read(path: Path):
    """(key, index) from a snapshot file, or None when it is missing, foreign or damaged."""
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects: the collector would only rescan them
    try:
        with path.open("rb") as stream:
            loaded = pickle.load(stream)  # noqa: S301 - the application's own file
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or older file: build instead, and say so
        logger.warning("screening index snapshot %s could not be read; ignoring it", path.name)
        return None
    finally:
        if collecting:
            gc.enable()
    if not (isinstance(loaded, tuple) and len(loaded) == 3 and loaded[0] == _FORMAT):
        return None
    gc.collect()
    gc.freeze()
    return loaded[1], loaded[2]


def load(key) -> NameIndex | None:
    """The index written for `key`, if a snapshot of it exists."""
    found = _read(snapshot_path(key))
    if found is None or found[0] != key:
        return None
    return found[1]


def newest():
    """(key, index) of the newest snapshot in the directory, or None; no database needed."""
    directory = index_dir()
    if not directory.is_dir():
        return None
    files = sorted(directory.glob("index-*.pickle"), key=_mtime, reverse=True)
    return _read(files[0]) if files else None


def preload(cache: dict) -> bool:
    """Put the newest snapshot into `cache` (the service's) unless it holds it already: run in
    gunicorn's master before it forks workers, so they start with the index and share it."""
    directory = index_dir()
    files = sorted(directory.glob("index-*.pickle"), key=_mtime, reverse=True)
    if not files:
        return False
    path, mtime = files[0], _mtime(files[0])
    if _held["path"] == path and _held["mtime"] == mtime:
        return False
    found = _read(path)
    if found is None:
        return False
    cache["version_ids"], cache["index"] = found
    _held.update(path=path, mtime=mtime)
    return True
