"""A small HTTP client for benchmarks that act as a logged-in user (standard library only).

``Browser`` keeps one keep-alive connection to the app on loopback and the cookies it sets,
fetches forms and their CSRF token, posts url-encoded forms and streams multipart bodies that
are generated on the fly (``multipart_body``): a 1 GiB upload never exists in memory.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BLOCK = 1024 * 1024
PDF_HEAD = b"%PDF-1.7\n"


class HttpError(RuntimeError):
    """A request answered with an unexpected status."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        """The path of a redirect's target (the host part removed)."""
        target = self.headers.get("location", "")
        parts = urllib.parse.urlsplit(target)
        return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise HttpError("no CSRF token in the page")
    return unescape(match.group(1))


class Browser:
    """One user's connection and cookies."""

    # gunicorn closes an idle keep-alive connection after 2 s (--keep-alive); a connection idle
    # for longer than this is not reused (a request on it could meet the server's close).
    IDLE_S = 1.0

    def __init__(self, host: str, port: int, timeout: float = 600.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None
        self._last_used = 0.0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is not None and time.monotonic() - self._last_used > self.IDLE_S:
            self.close()
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def request(
        self,
        method: str,
        path: str,
        body: bytes | Iterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        self._last_used = time.monotonic()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val:
                    self.cookies[key.strip()] = val.strip()
                else:
                    self.cookies.pop(key.strip(), None)
        if response.will_close:
            self.close()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def get(self, path: str, expect: int = 200) -> Response:
        response = self.request("GET", path)
        if response.status != expect:
            raise HttpError(f"GET {path}: HTTP {response.status}, expected {expect}", response.status)
        return response

    def post_form(self, path: str, fields: dict[str, str], expect: int | None = None) -> Response:
        body = urllib.parse.urlencode(fields).encode()
        response = self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        if expect is not None and response.status != expect:
            raise HttpError(f"POST {path}: HTTP {response.status}, expected {expect}", response.status)
        return response

    def login(self, email: str, password: str) -> None:
        token = csrf_of(self.get("/login").text)
        response = self.post_form("/login", {"csrf_token": token, "email": email, "password": password})
        if response.status != 302:
            raise HttpError(f"login of {email} failed: HTTP {response.status}", response.status)


# --- generated file content and multipart bodies --------------------------------------------


def _block(seed: bytes) -> bytes:
    """1 MiB of pseudo-random bytes (incompressible, like a real PDF's streams)."""
    out = bytearray()
    counter = 0
    while len(out) < BLOCK:
        out += hashlib.sha512(seed + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:BLOCK])


@dataclass(frozen=True)
class GeneratedFile:
    """A file of ``size`` bytes starting with the PDF signature, produced block by block."""

    size: int
    seed: bytes = b"vergabe-bench"

    def chunks(self) -> Iterator[bytes]:
        block = bytearray(_block(self.seed))
        block[: len(PDF_HEAD)] = PDF_HEAD
        first = bytes(block)
        rest = _block(self.seed + b"/rest")
        left = self.size
        current = first
        while left > 0:
            piece = current if left >= len(current) else current[:left]
            left -= len(piece)
            yield piece
            current = rest

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()


@dataclass
class MultipartBody:
    """A multipart/form-data body: form fields, then one file part generated on the fly."""

    fields: dict[str, str]
    file_field: str
    filename: str
    content: GeneratedFile
    content_type: str = "application/pdf"

    def __post_init__(self) -> None:
        self.boundary = f"----vergabe-bench-{secrets.token_hex(12)}"
        head = bytearray()
        for name, value in self.fields.items():
            head += (
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            ).encode()
        head += (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{self.file_field}"; '
            f'filename="{self.filename}"\r\nContent-Type: {self.content_type}\r\n\r\n'
        ).encode()
        self.head = bytes(head)
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()

    @property
    def length(self) -> int:
        return len(self.head) + self.content.size + len(self.tail)

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(self.length),
        }

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        yield from self.content.chunks()
        yield self.tail
