"""Files kept outside the database, under keys the platform chooses: a local directory or S3.

Content is streamed in chunks (never held whole in memory) while its SHA-256 is computed, and
stored under a random key, never under a name a user chose. A new file becomes visible only
when it is complete (locally: written to a temporary name, then renamed; in S3: a single PUT or
a multipart upload that is completed only at the end). The marketplace and tender documents and
the sealed bids use it through `storage()`, which picks the backend from ``STORAGE_URL``
(empty: the directory ``STORAGE_DIR``; ``s3://bucket/prefix``: S3-compatible object storage at
``S3_ENDPOINT_URL``, credentials from the standard AWS chain, e.g. ``AWS_ACCESS_KEY_ID``).

Files and database rows must agree: a file saved for a row that is then rolled back, or
deleted together with its row, is handled by `discard_on_rollback` / `delete_after_commit`,
which act when the request's transaction ends.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Optional, Protocol
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

# an unfinished upload older than this was interrupted (a killed worker): `flask tick` removes it
PARTIAL_MAX_AGE = timedelta(hours=1)
CHUNK_SIZE = 1024 * 1024  # big enough that per-call overhead does not dominate a 1 GiB upload
MiB = 1024 * 1024
_KEY_RE = re.compile(r"^[0-9a-f]{32}$")

logger = logging.getLogger(__name__)


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


def check_key(key: object) -> str:
    """Return ``key`` if it is a well-formed storage key (32 hex digits), else raise UnknownKey."""
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise UnknownKey(f"malformed storage key {key!r}")
    return key


class Storage(Protocol):
    """Where files live: every backend offers these four operations with the same guarantees."""

    def save_stream(self, stream: BinaryIO, max_bytes: int, hash_content: bool = True) -> StoredFile:
        """Copy ``stream`` chunk by chunk under a new random key; FileTooLarge keeps nothing."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Open the stored file for streaming reads (the caller closes it); UnknownKey if absent."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a complete file is stored under ``key`` (False for a malformed key)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file; a key that is already gone is fine."""
        ...


class LocalStorage:
    """A directory of files named by random keys (``ab/ab12...``), written atomically."""

    def __init__(self, root: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE) -> None:
        self.root = Path(root)
        self.chunk_size = chunk_size

    def path(self, key: str) -> Path:
        """Return where ``key`` lives; only well-formed keys map to a path (no traversal)."""
        check_key(key)
        return self.root / key[:2] / key

    def save_stream(self, stream: BinaryIO, max_bytes: int, hash_content: bool = True) -> StoredFile:
        """Copy ``stream`` into a new file chunk by chunk; return its key, size and SHA-256.

        Raises FileTooLarge (and keeps nothing) as soon as more than ``max_bytes`` arrive.
        """
        key = secrets.token_hex(16)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{key}.part")
        # A sealed bid hashes its plaintext itself; hashing the ciphertext again costs time only.
        digest = hashlib.sha256() if hash_content else None
        size = 0
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(self.chunk_size):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(max_bytes)
                    if digest is not None:
                        digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredFile(key, size, digest.hexdigest() if digest is not None else "")

    def sweep_partials(self, older_than: timedelta = PARTIAL_MAX_AGE) -> int:
        """Remove unfinished files (``.part``) left by a killed upload; return how many.

        A file becomes visible only when it is complete, so a ``.part`` file is never referenced;
        the age keeps uploads that are still running.
        """
        limit = time.time() - older_than.total_seconds()
        removed = 0
        for partial in self.root.glob("*/.*.part"):
            try:
                if partial.stat().st_mtime < limit:
                    partial.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

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


# --- S3-compatible object storage -----------------------------------------------------------

PART_SIZE = 8 * MiB  # S3 needs at least 5 MiB for every part but the last
MAX_PARTS = 10_000  # S3's limit of parts in one multipart upload
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


class S3Storage:
    """Objects in an S3-compatible bucket, named ``<prefix>/ab/ab12...`` after random keys.

    Saving streams the content in parts of ``part_size`` bytes, one part in memory at a time; a
    file smaller than one part goes up in a single PUT. Either way the object appears only when
    it is complete, and a refused or failed upload leaves neither an object nor an unfinished
    multipart upload behind.

    :param client: a boto3 S3 client (thread-safe; shared by the requests of one app)
    """

    def __init__(
        self,
        bucket: str,
        prefix: str,
        client: Any,
        part_size: int = PART_SIZE,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        if part_size < 5 * MiB:
            raise ValueError("S3 parts must be at least 5 MiB")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client
        self.part_size = part_size
        self.chunk_size = chunk_size

    def object_name(self, key: str) -> str:
        """Return the object's name for ``key``; only well-formed keys have one (no traversal)."""
        check_key(key)
        name = f"{key[:2]}/{key}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def _part_size_for(self, max_bytes: int) -> int:
        # Parts large enough that the longest stream allowed fits in S3's 10 000 parts.
        needed = -(-max_bytes // MAX_PARTS)
        return max(self.part_size, -(-needed // MiB) * MiB)

    def _checksum(self) -> dict[str, str]:
        # As s3transfer does: ask for CRC32 part checksums unless the client was configured to
        # send checksums only when required (some S3-compatible servers reject them).
        if getattr(self.client.meta.config, "request_checksum_calculation", None) == "when_required":
            return {}
        return {"ChecksumAlgorithm": "CRC32"}

    def save_stream(self, stream: BinaryIO, max_bytes: int, hash_content: bool = True) -> StoredFile:
        """Stream ``stream`` into a new object; return its key, size and SHA-256.

        Raises FileTooLarge as soon as more than ``max_bytes`` arrive (the multipart upload is
        aborted, nothing is kept); StorageError when the object storage fails.
        """
        key = secrets.token_hex(16)
        name = self.object_name(key)
        part_size = self._part_size_for(max_bytes)
        checksum = self._checksum()
        # A sealed bid hashes its plaintext itself; hashing the ciphertext again costs time only.
        digest = hashlib.sha256() if hash_content else None
        size = 0
        upload_id: Optional[str] = None
        parts: list[dict[str, Any]] = []
        buffer = io.BytesIO()
        sent = False  # an object may exist (a PUT or completion was asked for)
        try:
            try:
                while chunk := stream.read(self.chunk_size):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(max_bytes)
                    if digest is not None:
                        digest.update(chunk)
                    buffer.write(chunk)
                    if buffer.tell() >= part_size:
                        if upload_id is None:
                            created = self.client.create_multipart_upload(
                                Bucket=self.bucket, Key=name, **checksum
                            )
                            upload_id = created["UploadId"]
                        parts.append(self._upload_part(name, upload_id, len(parts) + 1, buffer, checksum))
                        buffer = io.BytesIO()
                sent = True
                if upload_id is None:
                    length = buffer.tell()
                    buffer.seek(0)
                    self.client.put_object(
                        Bucket=self.bucket, Key=name, Body=buffer, ContentLength=length, **checksum
                    )
                else:
                    if buffer.tell():
                        parts.append(self._upload_part(name, upload_id, len(parts) + 1, buffer, checksum))
                    self.client.complete_multipart_upload(
                        Bucket=self.bucket, Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts}
                    )
            except BaseException:
                self._discard(name, upload_id, sent)
                raise
        except (BotoCoreError, ClientError) as err:
            raise StorageError(f"could not store {name!r} in bucket {self.bucket!r}: {err}") from err
        return StoredFile(key, size, digest.hexdigest() if digest is not None else "")

    def _upload_part(
        self, name: str, upload_id: str, number: int, buffer: io.BytesIO, checksum: dict[str, str]
    ) -> dict[str, Any]:
        length = buffer.tell()
        buffer.seek(0)
        response = self.client.upload_part(
            Bucket=self.bucket,
            Key=name,
            UploadId=upload_id,
            PartNumber=number,
            Body=buffer,
            ContentLength=length,
            **checksum,
        )
        part = {"PartNumber": number, "ETag": response["ETag"]}
        # the completion must repeat each part's checksum when the upload was created with one
        part.update({k: v for k, v in response.items() if k.startswith("Checksum") and k != "ChecksumType"})
        return part

    def _discard(self, name: str, upload_id: Optional[str], sent: bool) -> None:
        """Leave nothing of a failed upload; a failure here is logged, the first error matters."""
        try:
            if upload_id is not None:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            if sent:
                self.client.delete_object(Bucket=self.bucket, Key=name)
        except (BotoCoreError, ClientError):
            logger.warning("could not clean up the failed upload of %s", name, exc_info=True)

    def open(self, key: str) -> BinaryIO:
        """Open the object for reading: streamed, seekable by ranged requests (the caller closes it)."""
        reader = S3ObjectReader(self.client, self.bucket, self.object_name(key))
        return io.BufferedReader(reader, buffer_size=self.chunk_size)  # type: ignore[return-value]

    def exists(self, key: str) -> bool:
        try:
            name = self.object_name(key)
        except UnknownKey:
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as err:
            if _error_code(err) in _MISSING:
                return False
            raise StorageError(f"could not look up {name!r}: {err}") from err
        except BotoCoreError as err:
            raise StorageError(f"could not look up {name!r}: {err}") from err
        return True

    def delete(self, key: str) -> None:
        """Remove the object; a key that is already gone is fine."""
        name = self.object_name(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)
        except ClientError as err:
            if _error_code(err) not in _MISSING:
                raise StorageError(f"could not delete {name!r}: {err}") from err
        except BotoCoreError as err:
            raise StorageError(f"could not delete {name!r}: {err}") from err


class S3ObjectReader(io.RawIOBase):
    """An object's content as a raw file: read streams the GET's body, seek starts a ranged GET.

    The first GET happens on construction, so a missing object raises UnknownKey at ``open``.
    """

    def __init__(self, client: Any, bucket: str, name: str) -> None:
        super().__init__()
        self._client = client
        self._bucket = bucket
        self.name = name
        self._position = 0
        self._body: Any = None
        self.size = int(self._get(0)["ContentLength"])

    def _get(self, start: int) -> dict[str, Any]:
        extra = {"Range": f"bytes={start}-"} if start else {}
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=self.name, **extra)
        except ClientError as err:
            if _error_code(err) in _MISSING:
                raise UnknownKey(f"no file stored under {self.name!r}") from err
            raise StorageError(f"could not read {self.name!r}: {err}") from err
        except BotoCoreError as err:
            raise StorageError(f"could not read {self.name!r}: {err}") from err
        self._body = response["Body"]
        return response

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        if self._position >= self.size:
            return 0
        if self._body is None:
            self._get(self._position)
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if target < 0:
            raise OSError("negative seek position")
        if target != self._position:
            self._close_body()
            self._position = target
        return self._position

    def _close_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._close_body()
        super().close()


def parse_storage_url(url: str) -> tuple[str, str]:
    """Split ``s3://bucket/prefix`` into bucket and prefix (the prefix may be empty)."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise StorageError(f"STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
    return parts.netloc, parts.path.strip("/")


def s3_client(endpoint_url: Optional[str]) -> Any:
    """The app's S3 client for ``endpoint_url`` (None: AWS), made once and then reused.

    Credentials and region come from boto3's standard chain (``AWS_ACCESS_KEY_ID``,
    ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, ``AWS_PROFILE``, instance roles, ...).
    """
    clients = current_app.extensions.setdefault(_S3_CLIENTS, {})
    client = clients.get(endpoint_url)
    if client is None:
        config = Config(
            retries={"mode": "standard"},
            # S3-compatible servers (MinIO, Ceph, ...) name buckets in the path, not the host name
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)
        clients[endpoint_url] = client
    return client


_S3_CLIENTS = "procurement.storage.s3_clients"


def storage() -> Storage:
    """The storage configured for this app: ``STORAGE_URL`` (s3://bucket/prefix) or ``STORAGE_DIR``."""
    url = current_app.config.get("STORAGE_URL", "")
    if not url:
        return LocalStorage(current_app.config["STORAGE_DIR"])
    bucket, prefix = parse_storage_url(url)
    return S3Storage(bucket, prefix, s3_client(current_app.config.get("S3_ENDPOINT_URL") or None))


# --- keeping files and rows in step ---------------------------------------------------------

_ON_ROLLBACK = "storage.discard_on_rollback"
_ON_COMMIT = "storage.delete_after_commit"


def discard_on_rollback(session: Session, store: Storage, key: str) -> None:
    """Delete the new file ``key`` if ``session``'s transaction is rolled back."""
    session.info.setdefault(_ON_ROLLBACK, []).append((store, key))


def delete_after_commit(session: Session, store: Storage, key: str) -> None:
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
