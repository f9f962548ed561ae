"""The streaming AEAD of sealed bids detects every change: no app, small chunks, quick."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from procurement.bids import sealing
from procurement.bids.sealing import HEADER, TAG_BYTES, Sealer, SealingError

CHUNK = 16
KEY = bytes(range(32))


def seal(plain: bytes, key: bytes = KEY, chunk: int = CHUNK, pieces: int = 7) -> bytes:
    """Seal ``plain`` fed in pieces of ``pieces`` bytes (not aligned with the chunks)."""
    sealer = Sealer(key, chunk)
    out = bytearray()
    for start in range(0, len(plain), pieces):
        out += sealer.update(plain[start : start + pieces])
    out += sealer.finish()
    return bytes(out)


def unseal(sealed: bytes, key: bytes = KEY) -> bytes:
    return b"".join(sealing.open_stream(io.BytesIO(sealed), key))


def chunks_of(sealed: bytes) -> tuple[bytes, list[bytes]]:
    size = CHUNK + TAG_BYTES
    body = sealed[HEADER.size :]
    return sealed[: HEADER.size], [body[i : i + size] for i in range(0, len(body), size)]


SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 3]


@pytest.mark.parametrize("size", SIZES)
def test_sealed_stream_opens_to_the_same_bytes_for_sizes_around_chunk_boundaries(size):
    plain = os.urandom(size)
    sealer = Sealer(KEY, CHUNK)
    sealed = sealer.update(plain) + sealer.finish()
    assert unseal(sealed) == plain
    assert sealer.stats.size == size
    assert sealer.stats.sha256 == hashlib.sha256(plain).hexdigest()
    assert sealer.stats.sealed_size == len(sealed)
    assert sealing.open_to_hash(io.BytesIO(sealed), KEY).sha256 == hashlib.sha256(plain).hexdigest()


@pytest.mark.parametrize("size", SIZES)
def test_feeding_in_uneven_pieces_gives_the_same_plaintext(size):
    plain = os.urandom(size)
    assert unseal(seal(plain, pieces=5)) == plain


def test_sealed_bytes_do_not_contain_the_plaintext():
    plain = b"Angebotspreis 48213.57 EUR " * 10
    sealed = seal(plain)
    assert b"48213.57" not in sealed


def test_seal_stream_yields_what_sealer_would():
    plain = os.urandom(3 * CHUNK + 5)
    sealed = b"".join(sealing.seal_stream(io.BytesIO(plain), KEY, CHUNK))
    assert unseal(sealed) == plain


@pytest.mark.parametrize("position", range(0, HEADER.size + 3 * (CHUNK + TAG_BYTES) + 5))
def test_changing_any_single_byte_is_detected(position):
    sealed = bytearray(seal(os.urandom(3 * CHUNK + 5)))
    sealed[position] ^= 0x01
    with pytest.raises(SealingError):
        unseal(bytes(sealed))


def test_truncation_at_every_position_is_detected():
    sealed = seal(os.urandom(3 * CHUNK + 5))
    for length in range(len(sealed)):
        with pytest.raises(SealingError):
            unseal(sealed[:length])


def test_dropping_the_last_chunk_at_a_chunk_boundary_is_detected():
    header, chunks = chunks_of(seal(os.urandom(3 * CHUNK)))
    for keep in range(len(chunks)):
        with pytest.raises(SealingError):
            unseal(header + b"".join(chunks[:keep]))


def test_reordered_chunks_are_detected():
    header, chunks = chunks_of(seal(os.urandom(3 * CHUNK + 5)))
    swapped = [chunks[1], chunks[0], *chunks[2:]]
    with pytest.raises(SealingError):
        unseal(header + b"".join(swapped))


def test_a_repeated_chunk_is_detected():
    header, chunks = chunks_of(seal(os.urandom(3 * CHUNK + 5)))
    with pytest.raises(SealingError):
        unseal(header + b"".join([chunks[0], *chunks]))


@pytest.mark.parametrize("extra", [b"\x00", b"x" * TAG_BYTES, b"y" * (CHUNK + TAG_BYTES)])
def test_appended_bytes_are_detected(extra):
    sealed = seal(os.urandom(2 * CHUNK + 3))
    with pytest.raises(SealingError):
        unseal(sealed + extra)


def test_appending_a_chunk_from_another_file_is_detected():
    one = seal(os.urandom(2 * CHUNK))
    other = seal(os.urandom(2 * CHUNK))
    _header, chunks = chunks_of(other)
    with pytest.raises(SealingError):
        unseal(one + chunks[-1])


def test_a_wrong_key_cannot_open():
    sealed = seal(b"%PDF-1.7 Angebot")
    with pytest.raises(SealingError):
        unseal(sealed, key=bytes(32))


@pytest.mark.parametrize(
    "header",
    [
        b"XXXX" + HEADER.pack(sealing.MAGIC, CHUNK, b"\x00" * 7)[4:],  # magic
        HEADER.pack(sealing.MAGIC, 0, b"\x00" * 7),  # chunk size zero
        HEADER.pack(sealing.MAGIC, sealing.MAX_CHUNK_SIZE + 1, b"\x00" * 7),  # chunk size too big
        HEADER.pack(sealing.MAGIC, CHUNK + 1, b"\x00" * 7),  # another chunk size
    ],
)
def test_a_damaged_header_is_detected(header):
    sealed = seal(os.urandom(2 * CHUNK + 3))
    with pytest.raises(SealingError):
        unseal(header + sealed[HEADER.size :])


def test_a_changed_nonce_prefix_is_detected():
    sealed = bytearray(seal(os.urandom(CHUNK)))
    sealed[HEADER.size - 1] ^= 0xFF
    with pytest.raises(SealingError):
        unseal(bytes(sealed))


def test_the_header_alone_is_too_short():
    with pytest.raises(SealingError):
        unseal(seal(b"")[: HEADER.size - 1])


def test_a_key_wraps_and_unwraps_only_with_its_wrapping_key():
    data_key, tender_key = sealing.new_key(), sealing.new_key()
    wrapped = sealing.wrap_key(data_key, tender_key)
    assert wrapped != data_key and len(wrapped) == 40
    assert sealing.unwrap_key(wrapped, tender_key) == data_key
    with pytest.raises(SealingError):
        sealing.unwrap_key(wrapped, sealing.new_key())
    changed = bytearray(wrapped)
    changed[5] ^= 1
    with pytest.raises(SealingError):
        sealing.unwrap_key(bytes(changed), tender_key)


def test_every_file_gets_a_fresh_key_and_nonce_prefix():
    assert sealing.new_key() != sealing.new_key()
    assert seal(b"same") != seal(b"same")
    assert sealing.key_id(KEY) == sealing.key_id(KEY) != sealing.key_id(bytes(32))


def test_a_finished_sealer_takes_no_more_data():
    sealer = Sealer(KEY, CHUNK)
    sealer.finish()
    with pytest.raises(ValueError):
        sealer.update(b"more")
    with pytest.raises(ValueError):
        sealer.finish()
