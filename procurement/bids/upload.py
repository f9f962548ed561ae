"""Bid files arrive as a stream and are sealed on the way: nothing is kept in clear (§54 VgV).

Two parts:

- `SealingReader`: a file-like object the storage reads from (``save_stream``); it reads the
  plaintext from the upload, checks the first bytes against the claimed type, counts the size
  against the limit and hands back only sealed bytes. Memory stays bounded to about one chunk.
- `iter_multipart`: parses ``request.stream`` with werkzeug's sans-IO multipart decoder, so
  werkzeug never spools a file part to a temporary file in clear (what ``request.files``
  would do for big parts). The CSRF token is a form field that must come *before* any file
  part; the view checks it when it arrives and refuses a file part without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Optional, Union

from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData, Preamble

from procurement.bids.sealing import Sealer

READ_SIZE = 1024 * 1024  # one sealing chunk: fewer calls and copies per GiB
MAX_FIELD_BYTES = 64 * 1024  # a form field (not a file) of the upload form

# Bid files: the extension names the type, the first bytes must agree (checked while streaming).
# ODT/ODS/DOCX/XLSX are ZIP archives: a full check of their parts (as the marketplace does)
# would need the whole plaintext kept readable after the upload, which the sealing forbids; the
# ZIP signature is what can be checked on the stream.
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
BID_FILE_MAGIC: dict[str, bytes] = {
    "pdf": PDF_MAGIC,
    "odt": ZIP_MAGIC,
    "ods": ZIP_MAGIC,
    "docx": ZIP_MAGIC,
    "xlsx": ZIP_MAGIC,
    "zip": ZIP_MAGIC,
}


class UploadRefused(Exception):
    """The streamed file breaks a rule; ``reason`` says which (``too_large``, ``wrong_type``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SealingReader:
    """Read plaintext from ``source``, return it sealed; check magic bytes and size on the way.

    :param source: anything with ``read(n)`` returning plaintext bytes (b"" at the end)
    :param magic: the bytes the plaintext must start with
    :param max_bytes: the most plaintext bytes accepted (UploadRefused("too_large") beyond)
    """

    def __init__(self, source: BinaryIO, sealer: Sealer, magic: bytes, max_bytes: int) -> None:
        self._source = source
        self._sealer = sealer
        self._magic = magic
        self._max_bytes = max_bytes
        self._head = b""
        self._size = 0
        self._pending = bytearray()
        self._done = False

    @property
    def size(self) -> int:
        return self._size

    def _check(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._max_bytes:
            raise UploadRefused("too_large")
        if len(self._head) < len(self._magic):
            self._head += data[: len(self._magic) - len(self._head)]
            if not self._magic.startswith(self._head):
                raise UploadRefused("wrong_type")

    def read(self, size: int = -1) -> bytes:
        wanted = READ_SIZE if size is None or size < 0 else max(size, 1)
        while len(self._pending) < wanted and not self._done:
            data = self._source.read(READ_SIZE)
            if data:
                self._check(data)
                self._pending += self._sealer.update(data)
            else:
                # Too short to hold the signature: an empty file is refused by the caller.
                if 0 < len(self._head) < len(self._magic):
                    raise UploadRefused("wrong_type")
                self._pending += self._sealer.finish()
                self._done = True
        out = bytes(self._pending[:wanted])
        del self._pending[:wanted]
        return out


# --- the multipart stream ---------------------------------------------------------------------


@dataclass
class FieldPart:
    name: str
    value: str


@dataclass
class FilePart:
    """A file part: its form field name, the browser's file name and a reader of its content."""

    name: str
    filename: str
    content_type: str
    reader: PartReader


Part = Union[FieldPart, FilePart]


class PartReader:
    """The content of one file part, read from the request stream as the consumer asks for it."""

    def __init__(self, pull: Callable[[], Optional[bytes]]) -> None:
        self._pull = pull
        self._buffer = bytearray()
        self._finished = False

    def read(self, size: int = -1) -> bytes:
        wanted = READ_SIZE if size is None or size < 0 else max(size, 1)
        while len(self._buffer) < wanted and not self._finished:
            data = self._pull()
            if data is None:
                self._finished = True
            else:
                self._buffer += data
        out = bytes(self._buffer[:wanted])
        del self._buffer[:wanted]
        return out

    def drain(self) -> None:
        """Skip what the consumer did not read (a refused file), up to the end of the part."""
        self._buffer.clear()
        while not self._finished:
            if self._pull() is None:
                self._finished = True


class MultipartError(Exception):
    """The request body is not a well-formed multipart form."""


def iter_multipart(
    stream: BinaryIO, boundary: bytes, max_field_bytes: int = MAX_FIELD_BYTES
) -> Iterator[Part]:
    """Yield the parts of a multipart body in order; file parts come with a streaming reader.

    The consumer must finish (or ``drain``) a file part's reader before asking for the next part.
    """
    # No max_form_memory_size: werkzeug applies it to the decoder's buffer plus every chunk
    # received, file data included, so a file chunk after a held-back tail (bytes that might
    # start the boundary) would be refused as too large. Fields are limited below instead, and
    # the buffer (headers, held-back tails) is bounded here.
    decoder = MultipartDecoder(boundary)
    max_buffer = READ_SIZE + max_field_bytes
    state: dict[str, object] = {"eof": False}
    queue: list[object] = []

    def next_event() -> object:
        while True:
            if queue:
                return queue.pop(0)
            event = decoder.next_event()
            if isinstance(event, NeedData):
                if state["eof"]:
                    raise MultipartError("the body ended before the multipart form did")
                data = stream.read(READ_SIZE)
                if not data:
                    state["eof"] = True
                    decoder.receive_data(None)
                else:
                    decoder.receive_data(data)
                    if len(decoder.buffer) > max_buffer:
                        raise MultipartError("a part header or field is too large")
                continue
            return event

    while True:
        try:
            event = next_event()
        except ValueError as err:  # werkzeug's decoder: malformed body or field too large
            raise MultipartError(str(err)) from err
        if isinstance(event, Epilogue):
            return
        if isinstance(event, Preamble):
            continue
        if isinstance(event, Field):
            value = bytearray()
            while True:
                data = next_event()
                if not isinstance(data, Data):
                    raise MultipartError("field without data")
                value += data.data
                if len(value) > max_field_bytes:
                    raise MultipartError("form field too large")
                if not data.more_data:
                    break
            yield FieldPart(event.name, value.decode("utf-8", errors="replace"))
        elif isinstance(event, File):
            finished = {"done": False}

            def pull(finished: dict[str, bool] = finished) -> Optional[bytes]:
                if finished["done"]:
                    return None
                data = next_event()
                if not isinstance(data, Data):
                    raise MultipartError("file without data")
                if not data.more_data:
                    finished["done"] = True
                return data.data

            reader = PartReader(pull)
            yield FilePart(event.name, event.filename, event.headers.get("Content-Type", ""), reader)
            reader.drain()
        else:
            raise MultipartError(f"unexpected multipart event {type(event).__name__}")
