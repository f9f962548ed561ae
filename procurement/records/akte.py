"""The Vergabeakte: one ZIP of everything a procedure left behind, streamed with constant memory.

The archive is written by ``zipfile`` into a write-only sink whose bytes the response generator
hands out as they come (ZIP64, data descriptors: nothing is seeked, no temporary file holds the
archive). Stored files are read from the storage in chunks; sealed files (bids, §56 replies) are
decrypted chunk by chunk. Every file's SHA-256 is computed while it is written and compared with
the hash its row recorded; a file that does not match is included anyway and flagged in the
manifest (``"integrity": "mismatch"``), never hidden. ``manifest.json`` comes last: every file's
path, size and SHA-256, the time of the export, the tender, the chain head at the export and the
exporter. ``procurement.records.verify`` checks such an archive offline.

Layout::

    vergabevermerk.pdf                      the Vergabevermerk (§8 VgV) generated now
    unterlagen/<series>-v<version>-<name>   every version of every tender document
    oeffnungsprotokoll.pdf                  the opening record as issued
    angebote/<receipt id>/<file>            opened bids, decrypted (only after the opening)
    angebote/<receipt id>/inhalt.json       prices, answers, consortium of the bid
    angebote/<receipt id>/nachforderung-<request id>/<file>   §56 VgV reply files, decrypted
    informationsschreiben/*.pdf             §134 GWB letters
    bekanntmachungen/*.xml                  notices as published
    vertraege/*.pdf                         contracts
    rechnungen/*.xml                        invoices (XRechnung) of the tender's contracts
    audit/eintraege.jsonl                   the tender's audit entries, one JSON object a line
    manifest.json
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import select

from procurement.accounts.models import User
from procurement.audit.services import record
from procurement.awards.models import Award, Contract, DocumentRequest, InformationLetter
from procurement.bids import keys, sealing
from procurement.bids.models import Bid, Opening
from procurement.extensions import db
from procurement.invoices.models import Invoice
from procurement.records.chain import chain_head, entry_line, tender_entries
from procurement.records.permissions import akte_includes_bids
from procurement.records.vermerk_pdf import vermerk_pdf
from procurement.storage import CHUNK_SIZE, StorageError, storage
from procurement.tenders.models import Notice, Tender, TenderDocument

MANIFEST = "manifest.json"
AUDIT_LINES = "audit/eintraege.jsonl"
FORMAT = "vergabeakte/1"
BERLIN = ZoneInfo("Europe/Berlin")
# text is deflated; everything else (PDFs, office files, archives) is stored as it is
_DEFLATE_SUFFIXES = (".json", ".jsonl", ".xml", ".txt", ".csv")
_UNSAFE = re.compile(r"[^\w.\-]+")


class ArchiveUnavailable(Exception):
    """A part of the archive cannot be produced (e.g. the tender key is not available)."""


def safe_name(name: str, fallback: str = "datei") -> str:
    """One path segment: no separators, no leading dots, nothing a ZIP reader could misread."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or fallback
    return cleaned[:150]


class _Sink:
    """A write-only stream: zipfile writes into it, the response generator takes the bytes out.

    Without ``tell``/``seek`` zipfile writes data descriptors and never goes back.
    """

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.pending = 0

    def write(self, data: bytes) -> int:
        if data:
            self._parts.append(bytes(data))
            self.pending += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.pending = 0
        return data


@dataclass
class Part:
    """One file of the archive: where it goes, how to read it, what its row says it must be."""

    path: str
    chunks: Callable[[], Iterator[bytes]]
    expected_sha256: Optional[str] = None  # None: made for the export (nothing to compare)
    expected_size: Optional[int] = None


@dataclass
class ManifestFile:
    path: str
    size: int
    sha256: str
    integrity: str  # ok | mismatch | unreadable | generated
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256, "integrity": self.integrity} | (
            self.detail
        )


def _stored(key: Optional[str]) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        if not key:
            raise StorageError("no storage key")
        with storage().open(key) as source:
            while chunk := source.read(CHUNK_SIZE):
                yield chunk

    return chunks


def _sealed(key: str, wrapped_key: bytes, tender_key: bytes) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        data_key = sealing.unwrap_key(wrapped_key, tender_key)
        with storage().open(key) as source:
            yield from sealing.open_stream(source, data_key)

    return chunks


def _constant(data: bytes) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        yield data

    return chunks


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment is not None else None


def _audit_lines(tender_id: int, up_to_seq: Optional[int]) -> Callable[[], Iterator[bytes]]:
    """The tender's entries up to the chain head of the export (later ones are not part of it)."""

    def chunks() -> Iterator[bytes]:
        buffer: list[bytes] = []
        size = 0
        for entry in tender_entries(tender_id):
            if up_to_seq is not None and entry.seq > up_to_seq:
                break
            line = (
                json.dumps(entry_line(entry), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                + "\n"
            ).encode("utf-8")
            buffer.append(line)
            size += len(line)
            if size >= CHUNK_SIZE:
                yield b"".join(buffer)
                buffer.clear()
                size = 0
        if buffer:
            yield b"".join(buffer)

    return chunks


def _bid_content(bid_id: int, tender_key: bytes) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        from procurement.bids.opening import decrypt_content

        bid = db.session.get(Bid, bid_id)
        assert bid is not None
        content = decrypt_content(bid, tender_key)
        yield _dumps(
            {
                "receipt_id": bid.receipt_id,
                "vendor": bid.organisation.name,
                "status": bid.status.value,
                "submitted_at": _iso(bid.submitted_at),
                "withdrawn_at": _iso(bid.withdrawn_at),
                "opened_at": _iso(bid.opened_at),
                "opening_error": bid.opening_error,
                "prices": [
                    {"lot": lot.number, "lot_title": lot.title, "price": str(price)}
                    for lot, price in content.prices
                ],
                "answers": [
                    {"criterion": criterion.name, "text": text} for criterion, text in content.answers
                ],
                "consortium": list(content.consortium),
                "error": content.error or None,
                "files": [
                    {"filename": f.filename, "size": f.size, "sha256": f.sha256, "verified": f.verified}
                    for f in bid.files
                ],
            }
        )

    return chunks


def collect_parts(tender: Tender, actor: User, now: datetime) -> list[Part]:
    """Every file of the archive except the audit lines and the manifest, in archive order."""
    parts: list[Part] = []
    parts.append(Part("vergabevermerk.pdf", _constant(vermerk_pdf(tender))))

    documents = db.session.scalars(
        select(TenderDocument)
        .where(TenderDocument.tender_id == tender.id)
        .order_by(TenderDocument.series_id, TenderDocument.version)
    ).all()
    for document in documents:
        parts.append(
            Part(
                f"unterlagen/{document.series_id}-v{document.version}-{safe_name(document.filename)}",
                _stored(document.storage_key),
                document.sha256,
                document.size,
            )
        )

    opening = db.session.scalar(select(Opening).where(Opening.tender_id == tender.id))
    if opening is not None and opening.record_storage_key:
        parts.append(
            Part("oeffnungsprotokoll.pdf", _stored(opening.record_storage_key), opening.record_sha256)
        )

    if akte_includes_bids(tender):
        parts.extend(_bid_parts(tender))

    letters = db.session.scalars(
        select(InformationLetter)
        .join(Award, InformationLetter.award_id == Award.id)
        .where(Award.tender_id == tender.id)
        .order_by(InformationLetter.id)
    ).all()
    for letter in letters:
        if letter.pdf_storage_key:
            name = f"los-{letter.award.lot.number}-runde-{letter.round}-{letter.bid.receipt_id}.pdf"
            parts.append(
                Part(f"informationsschreiben/{name}", _stored(letter.pdf_storage_key), letter.pdf_sha256)
            )

    notices = db.session.scalars(
        select(Notice).where(Notice.tender_id == tender.id).order_by(Notice.created_at, Notice.id)
    ).all()
    for notice in notices:
        if notice.xml is not None:
            name = f"{notice.kind.value}-{safe_name(notice.version)}-{notice.notice_uuid}.xml"
            parts.append(Part(f"bekanntmachungen/{name}", _constant(notice.xml), notice.sha256 or None))

    contracts = db.session.scalars(
        select(Contract).where(Contract.tender_id == tender.id).order_by(Contract.id)
    ).all()
    for contract in contracts:
        if contract.pdf_storage_key:
            parts.append(
                Part(
                    f"vertraege/{safe_name(contract.number)}.pdf",
                    _stored(contract.pdf_storage_key),
                    contract.pdf_sha256,
                )
            )

    invoices = db.session.scalars(
        select(Invoice).where(Invoice.tender_id == tender.id, Invoice.xml.is_not(None)).order_by(Invoice.id)
    ).all()
    for invoice in invoices:
        name = f"{invoice.vendor_organisation_id}-{safe_name(invoice.number)}.xml"
        parts.append(Part(f"rechnungen/{name}", _constant(invoice.xml), invoice.xml_sha256 or None))  # type: ignore[arg-type]
    return parts


def _bid_parts(tender: Tender) -> list[Part]:
    try:
        tender_key = keys.tender_key(tender)
    except (keys.PlatformKeyError, sealing.SealingError) as err:
        raise ArchiveUnavailable(str(err)) from err
    parts: list[Part] = []
    bids = db.session.scalars(
        select(Bid)
        .where(Bid.tender_id == tender.id, Bid.opened_at.is_not(None))
        .order_by(Bid.submitted_at, Bid.id)
    ).all()
    for bid in bids:
        folder = f"angebote/{safe_name(bid.receipt_id)}"
        for bid_file in bid.files:
            parts.append(
                Part(
                    f"{folder}/{safe_name(bid_file.filename)}",
                    _sealed(bid_file.storage_key, bid_file.wrapped_key, tender_key),
                    bid_file.sha256,
                    bid_file.size,
                )
            )
        parts.append(Part(f"{folder}/inhalt.json", _bid_content(bid.id, tender_key)))
        requests = db.session.scalars(
            select(DocumentRequest).where(DocumentRequest.bid_id == bid.id).order_by(DocumentRequest.id)
        ).all()
        for request_ in requests:
            for reply in request_.files:
                parts.append(
                    Part(
                        f"{folder}/nachforderung-{request_.id}/{safe_name(reply.filename)}",
                        _sealed(reply.storage_key, reply.wrapped_key, tender_key),
                        reply.sha256,
                        reply.size,
                    )
                )
    return parts


def _zip_info(path: str, now: datetime) -> zipfile.ZipInfo:
    local = now.astimezone(BERLIN)
    info = zipfile.ZipInfo(path, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if path.endswith(_DEFLATE_SUFFIXES) else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _write_part(
    archive: zipfile.ZipFile, sink: _Sink, part: Part, now: datetime, out: list[ManifestFile]
) -> Iterator[bytes]:
    """Write one part into the archive, yielding the archive's bytes as they are produced."""
    digest = hashlib.sha256()
    size = 0
    error = ""
    with archive.open(_zip_info(part.path, now), "w", force_zip64=True) as target:
        try:
            for chunk in part.chunks():
                target.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if sink.pending >= CHUNK_SIZE:
                    yield sink.take()
        except (sealing.SealingError, StorageError, OSError, ValueError) as err:
            # what could be read is in the archive; the manifest says the file is not whole
            error = str(err) or err.__class__.__name__
    sha256 = digest.hexdigest()
    if error:
        integrity, detail = "unreadable", {"error": error}
    elif part.expected_sha256 is None:
        integrity, detail = "generated", {}
    elif sha256 != part.expected_sha256 or (part.expected_size is not None and size != part.expected_size):
        integrity, detail = "mismatch", {"expected_sha256": part.expected_sha256}
        if part.expected_size is not None:
            detail["expected_size"] = part.expected_size
    else:
        integrity, detail = "ok", {}
    if error and part.expected_sha256:
        detail["expected_sha256"] = part.expected_sha256
    out.append(ManifestFile(part.path, size, sha256, integrity, detail))
    if sink.pending:
        yield sink.take()


def _unique_paths(parts: Iterable[Part]) -> list[Part]:
    seen: set[str] = set()
    result = []
    for part in parts:
        path, stem_number = part.path, 2
        while path in seen or path in (MANIFEST, AUDIT_LINES):
            head, dot, suffix = part.path.rpartition(".")
            path = (
                f"{head}-{stem_number}.{suffix}"
                if dot and "/" not in suffix
                else f"{part.path}-{stem_number}"
            )
            stem_number += 1
        seen.add(path)
        part.path = path
        result.append(part)
    return result


@dataclass
class Export:
    """A prepared export: its parts are collected, the download is recorded; ``stream()`` writes it."""

    tender_id: int
    tender_reference: str
    tender_title: str
    tender_status: str
    includes_bids: bool
    exporter: dict[str, Any]
    created_at: datetime
    parts: list[Part]
    head: Optional[dict[str, Any]]
    sha256: Optional[str] = None
    size: int = 0

    @property
    def filename(self) -> str:
        return f"vergabeakte-{safe_name(self.tender_reference or str(self.tender_id))}.zip"

    def stream(self, on_done: Optional[Callable[[Export], None]] = None) -> Iterator[bytes]:
        """Yield the archive's bytes; the archive's SHA-256 and size are known at the end."""
        sink = _Sink()
        whole = hashlib.sha256()
        files: list[ManifestFile] = []

        def out(data: bytes) -> bytes:
            whole.update(data)
            self.size += len(data)
            return data

        archive = zipfile.ZipFile(sink, "w", allowZip64=True)  # type: ignore[arg-type]
        for part in self.parts:
            for data in _write_part(archive, sink, part, self.created_at, files):
                yield out(data)
        entries = 0

        def counted() -> Iterator[bytes]:
            nonlocal entries
            for chunk in _audit_lines(self.tender_id, self.head["seq"] if self.head else None)():
                entries += chunk.count(b"\n")
                yield chunk

        audit_part = Part(AUDIT_LINES, counted)
        for data in _write_part(archive, sink, audit_part, self.created_at, files):
            yield out(data)
        manifest = {
            "format": FORMAT,
            "created_at": self.created_at.isoformat(),
            "tender": {
                "id": self.tender_id,
                "reference": self.tender_reference,
                "title": self.tender_title,
                "status": self.tender_status,
            },
            "includes_bids": self.includes_bids,
            "exporter": self.exporter,
            "chain_head": self.head,
            "audit_entries": entries,
            "files": [f.as_dict() for f in files],
        }
        info = _zip_info(MANIFEST, self.created_at)
        archive.writestr(info, _dumps(manifest))
        archive.close()
        yield out(sink.take())
        self.sha256 = whole.hexdigest()
        if on_done is not None:
            on_done(self)


def prepare_export(actor: User, tender: Tender, now: datetime) -> Export:
    """Collect the parts and record the download (``record.akte_downloaded``) in the chain.

    The caller checks ``can_download_akte`` first and commits, so the entry is part of the chain
    head the manifest names and of the archive's audit lines.
    """
    includes_bids = akte_includes_bids(tender)
    parts = _unique_paths(collect_parts(tender, actor, now))
    record(
        "record.akte_downloaded",
        actor=actor,
        object_type="tender",
        object_id=tender.id,
        now=now,
        after={"includes_bids": includes_bids, "files": len(parts) + 2},
    )
    return Export(
        tender_id=tender.id,
        tender_reference=tender.reference or "",
        tender_title=tender.title,
        tender_status=tender.status.value,
        includes_bids=includes_bids,
        exporter={
            "id": actor.id,
            "email": actor.email,
            "name": actor.name,
            "organisation": actor.organisation.name if actor.organisation else None,
        },
        created_at=now,
        parts=parts,
        head=chain_head(),
    )


def record_completed(export: Export, actor: User, now: datetime) -> None:
    """Record that the archive was sent completely, with its SHA-256 (``record.akte_completed``)."""
    record(
        "record.akte_completed",
        actor=actor,
        object_type="tender",
        object_id=export.tender_id,
        now=now,
        after={"sha256": export.sha256, "size": export.size},
    )
