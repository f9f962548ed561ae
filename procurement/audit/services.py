"""Write and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Optional

from flask import has_request_context, request
from sqlalchemy import select, text

from procurement.audit.models import AuditEntry
from procurement.extensions import db

GENESIS_HASH = "0" * 64
# Any constant key: serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 0x5645524741424531


def canonical_json(data: Optional[Mapping[str, Any]]) -> Optional[str]:
    """Return the one canonical JSON text of ``data`` (sorted keys, no spaces), or None."""
    if data is None:
        return None
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields of an entry its hash covers (exported archives carry exactly these)."""
    return {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.isoformat(timespec="microseconds"),
        "action": entry.action,
        "actor_id": entry.actor_id,
        "actor_email": entry.actor_email,
        "organisation_id": entry.organisation_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "ip_address": entry.ip_address,
    }


def _canonical_entry(entry: AuditEntry) -> str:
    return canonical_json(hashed_fields(entry))


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + _canonical_entry(entry)).encode()).hexdigest()


def record(
    action: str,
    *,
    actor: Any,
    object_type: str,
    object_id: object,
    now: datetime,
    organisation_id: Optional[int] = None,
    before: Optional[Mapping[str, Any]] = None,
    after: Optional[Mapping[str, Any]] = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits with the change it records).

    :param action: dotted name, e.g. ``user.login``
    :param actor: the acting user, or None for the system or an anonymous visitor
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    head = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        seq=(head.seq + 1) if head else 1,
        # hash exactly what is read back: UTC, microseconds
        occurred_at=now.astimezone(UTC),
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        organisation_id=(
            organisation_id if organisation_id is not None else getattr(actor, "organisation_id", None)
        ),
        object_type=object_type,
        object_id=str(object_id),
        before=canonical_json(before),
        after=canonical_json(after),
        ip_address=request.remote_addr if has_request_context() else None,
        prev_hash=head.hash if head else GENESIS_HASH,
    )
    entry.hash = compute_hash(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    entry_id: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: Optional[ChainBreak]

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _entries(batch: int = 1000) -> Iterator[AuditEntry]:
    last_seq = 0
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq
        db.session.expunge_all()


def verify_chain() -> VerifyResult:
    """Recompute the chain from the genesis; return the first entry that does not fit."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    for entry in _entries():
        reason = None
        if entry.seq != expected_seq:
            reason = f"expected seq {expected_seq}, found {entry.seq} (entry missing)"
        elif entry.prev_hash != prev_hash:
            reason = "prev_hash does not match the previous entry's hash"
        elif compute_hash(prev_hash, entry) != entry.hash:
            reason = "content does not match its hash (entry altered)"
        if reason:
            return VerifyResult(checked, ChainBreak(entry.seq, entry.id, reason))
        prev_hash, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    return VerifyResult(checked, None)
