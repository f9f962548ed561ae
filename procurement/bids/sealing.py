"""Sealed storage of bids: a streaming AEAD (AES-256-GCM in chunks) and the key hierarchy.

Why this construction (§54 VgV: bids stay encrypted until the deadline; §10(1) Nr. 7 VgV:
breaches must be detectable): a bid file is encrypted while it streams in, chunk by chunk, so
it is never held whole in memory. Each chunk is sealed with AES-256-GCM under the file's own
random data key, with a nonce made of a random per-file prefix, the chunk counter and a flag
that marks the last chunk (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár).
The header is authenticated with every chunk. Decryption therefore detects a changed byte
(tag), reordered or repeated chunks (counter), a truncated file (no chunk with the last flag)
and appended data (bytes after the last chunk).

Layout: ``MAGIC (4) | chunk size (4, big endian) | nonce prefix (7)`` then the chunks, each the
ciphertext of ``chunk size`` plaintext bytes (the last one shorter, possibly empty) plus the
16-byte tag.

Keys: each file's data key is wrapped (AES key wrap, RFC 3394) with the tender's key; the
tender's key is wrapped with the platform key (``PLATFORM_KEY``, from the environment, never
in the database). Nothing here imports Flask or the database.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

MAGIC = b"VMB1"
NONCE_PREFIX_BYTES = 7
HEADER = struct.Struct(">4sI7s")
TAG_BYTES = 16
KEY_BYTES = 32
DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
MAX_CHUNKS = 2**32 - 1  # the counter has four bytes


class SealingError(Exception):
    """A sealed file or key cannot be opened: it was changed, truncated or belongs elsewhere."""


def new_key() -> bytes:
    """A fresh random AES-256 key."""
    return os.urandom(KEY_BYTES)


def wrap_key(key: bytes, wrapping_key: bytes) -> bytes:
    """Wrap ``key`` with ``wrapping_key`` (AES key wrap, RFC 3394)."""
    return aes_key_wrap(wrapping_key, key)


def unwrap_key(wrapped: bytes, wrapping_key: bytes) -> bytes:
    """Unwrap a key; a wrong wrapping key or a changed wrapped key raises SealingError."""
    try:
        return aes_key_unwrap(wrapping_key, wrapped)
    except (InvalidUnwrap, ValueError) as err:
        raise SealingError("the key cannot be unwrapped (wrong key or changed data)") from err


def key_id(key: bytes) -> str:
    """A short public name of a key (to tell which platform key wrapped a tender key)."""
    return hashlib.sha256(b"vergabe-marktplatz key id" + key).hexdigest()[:16]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter > MAX_CHUNKS:
        raise SealingError("the file has too many chunks for one nonce prefix")
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


@dataclass(frozen=True)
class SealedStats:
    """What sealing a stream measured: plaintext size and SHA-256, ciphertext size."""

    size: int
    sha256: str
    sealed_size: int


class Sealer:
    """Encrypt a stream in chunks: feed plaintext with ``update``, end with ``finish``.

    Output is returned as bytes to write in order. The plaintext SHA-256 is computed on the way.
    """

    def __init__(self, data_key: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError("chunk size out of range")
        self._aead = AESGCM(data_key)
        self._chunk_size = chunk_size
        self._prefix = os.urandom(NONCE_PREFIX_BYTES)
        self._header = HEADER.pack(MAGIC, chunk_size, self._prefix)
        self._buffer = bytearray()
        self._counter = 0
        self._hash = hashlib.sha256()
        self._size = 0
        self._sealed = 0
        self._started = False
        self._finished = False

    def _seal(self, chunk: bytes | memoryview, last: bool) -> bytes:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._header)
        self._counter += 1
        return sealed

    def update(self, data: bytes) -> bytes:
        if self._finished:
            raise ValueError("the stream is finished")
        self._hash.update(data)
        self._size += len(data)
        out: list[bytes] = []
        if not self._started:
            out.append(self._header)
            self._started = True
        size = self._chunk_size
        view = memoryview(data)
        # Keep at least one byte back: only ``finish`` knows which chunk is the last.
        if self._buffer:
            missing = size - len(self._buffer)
            if len(view) <= missing:
                self._buffer += view
                view = view[len(view) :]
            else:
                self._buffer += view[:missing]
                view = view[missing:]
                out.append(self._seal(bytes(self._buffer), last=False))
                self._buffer.clear()
        # Whole chunks straight from the input, without copying them into the buffer first.
        while len(view) > size:
            out.append(self._seal(view[:size], last=False))
            view = view[size:]
        self._buffer += view
        sealed = b"".join(out)
        self._sealed += len(sealed)
        return sealed

    def finish(self) -> bytes:
        if self._finished:
            raise ValueError("the stream is finished")
        self._finished = True
        out = bytearray()
        if not self._started:
            out += self._header
            self._started = True
        out += self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._sealed += len(out)
        return bytes(out)

    @property
    def stats(self) -> SealedStats:
        return SealedStats(self._size, self._hash.hexdigest(), self._sealed)


def seal_stream(source: BinaryIO, data_key: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
    """Yield the sealed form of everything ``source`` reads (for streaming into a storage)."""
    sealer = Sealer(data_key, chunk_size)
    while True:
        data = source.read(chunk_size)
        if not data:
            break
        out = sealer.update(data)
        if out:
            yield out
    yield sealer.finish()


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    parts = []
    remaining = size
    while remaining > 0:
        data = source.read(remaining)
        if not data:
            break
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)


def open_stream(source: BinaryIO, data_key: bytes) -> Iterator[bytes]:
    """Yield the plaintext of a sealed stream, chunk by chunk; raise SealingError on any change.

    A consumer that must not act on unauthenticated data (e.g. a hash that decides) gets every
    chunk only after its tag was verified; truncation is reported at the end of the stream.
    """
    header = _read_exactly(source, HEADER.size)
    if len(header) != HEADER.size:
        raise SealingError("the sealed file is shorter than its header")
    magic, chunk_size, prefix = HEADER.unpack(header)
    if magic != MAGIC or not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise SealingError("the sealed file has no valid header")
    aead = AESGCM(data_key)
    sealed_chunk = chunk_size + TAG_BYTES
    counter = 0
    current = _read_exactly(source, sealed_chunk)
    while True:
        if len(current) < TAG_BYTES:
            raise SealingError("the sealed file is truncated")
        following = _read_exactly(source, sealed_chunk) if len(current) == sealed_chunk else b""
        last = not following
        try:
            plain = aead.decrypt(_nonce(prefix, counter, last), current, header)
        except InvalidTag as err:
            if last:
                raise SealingError(
                    f"chunk {counter} cannot be decrypted: the file was changed or truncated"
                ) from err
            raise SealingError(f"chunk {counter} cannot be decrypted: the file was changed") from err
        yield plain
        if last:
            return
        counter += 1
        current = following


def open_to_hash(source: BinaryIO, data_key: bytes) -> SealedStats:
    """Decrypt a sealed stream without keeping it; return the plaintext's size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    for chunk in open_stream(source, data_key):
        digest.update(chunk)
        size += len(chunk)
    return SealedStats(size, digest.hexdigest(), 0)
