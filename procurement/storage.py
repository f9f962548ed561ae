"""Files kept outside the database: a local directory, under keys the platform chooses.

Content is streamed in chunks (never held whole in memory) while its SHA-256 is computed, and
stored under a random key, never under a name a user chose. A new file becomes visible only
when it is complete (written to a temporary name, then renamed). The marketplace documents use
it; the sealed bids build on it later.

Files and database rows must agree: a file saved for a row that is then rolled back, or
deleted together with its row, is handled by `discard_on_rollback` / `delete_after_commit`,
which act when the request's transaction ends.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO, NamedTuple

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

CHUNK_SIZE = 64 * 1024
_KEY_RE = re.compile(r"^[0-9a-f]{32}$")


class StorageError(Exception):
    """The storage refused or could not complete an operation."""


class FileTooLarge(StorageError):
    """The stream is longer than the allowed number of bytes; nothing was kept."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"file exceeds {max_bytes} bytes")
        self.max_bytes = max_bytes


class UnknownKey(StorageError):
    """No file is stored under this key (or the key is malformed)."""


class StoredFile(NamedTuple):
    key: str
    size: int
    sha256: str


class LocalStorage:
    """A directory of files named by random keys (``ab/ab12...``), written atomically."""

    def __init__(self, root: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE) -> None:
        self.root = Path(root)
        self.chunk_size = chunk_size

    def path(self, key: str) -> Path:
        """Return where ``key`` lives; only well-formed keys map to a path (no traversal)."""
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise UnknownKey(f"malformed storage key {key!r}")
        return self.root / key[:2] / key

    def save_stream(self, stream: BinaryIO, max_bytes: int) -> StoredFile:
        """Copy ``stream`` into a new file chunk by chunk; return its key, size and SHA-256.

        Raises FileTooLarge (and keeps nothing) as soon as more than ``max_bytes`` arrive.
        """
        key = secrets.token_hex(16)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{key}.part")
        digest = hashlib.sha256()
        size = 0
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(self.chunk_size):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredFile(key, size, digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        """Open the stored file for reading (the caller closes it)."""
        try:
            return self.path(key).open("rb")
        except FileNotFoundError as err:
            raise UnknownKey(f"no file stored under {key!r}") from err

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except UnknownKey:
            return False

    def delete(self, key: str) -> None:
        """Remove the file; a key that is already gone is fine."""
        self.path(key).unlink(missing_ok=True)


def storage() -> LocalStorage:
    """The storage configured for this app (``STORAGE_DIR``)."""
    return LocalStorage(current_app.config["STORAGE_DIR"])


# --- keeping files and rows in step ---------------------------------------------------------

_ON_ROLLBACK = "storage.discard_on_rollback"
_ON_COMMIT = "storage.delete_after_commit"


def discard_on_rollback(session: Session, store: LocalStorage, key: str) -> None:
    """Delete the new file ``key`` if ``session``'s transaction is rolled back."""
    session.info.setdefault(_ON_ROLLBACK, []).append((store, key))


def delete_after_commit(session: Session, store: LocalStorage, key: str) -> None:
    """Delete the file ``key`` once ``session``'s transaction has committed (its row is gone)."""
    session.info.setdefault(_ON_COMMIT, []).append((store, key))


def _delete_all(session: Session, name: str) -> None:
    for store, key in session.info.pop(name, []):
        store.delete(key)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the files follow the outermost transaction
    session.info.pop(_ON_ROLLBACK, None)
    _delete_all(session, _ON_COMMIT)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Reached after a commit (lists already handled) or a rollback or close without commit.
    if transaction.parent is not None:
        return
    session.info.pop(_ON_COMMIT, None)
    _delete_all(session, _ON_ROLLBACK)
