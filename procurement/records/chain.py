"""A procedure's segment of the audit chain: the entries of one tender, as rows and as JSON lines.

A tender's entries are those with ``object_type == "tender"`` and ``object_id`` its id, plus every
entry whose ``after`` (canonical JSON) names it: ``"tender_id":<id>`` (bids, evaluation, awards,
contracts, invoices, needs). The segment is not contiguous: other procedures' entries sit between
them. Each line carries ``prev_hash`` and ``hash``, so any line can be recomputed on its own
(:func:`line_hash`), and adjacent seq numbers can be checked as links of the chain.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from procurement.audit.models import AuditEntry
from procurement.audit.services import compute_hash, hashed_fields
from procurement.extensions import db

# the fields of a JSON line, in the order they are written
LINE_FIELDS = (
    "seq",
    "id",
    "occurred_at",
    "action",
    "actor_id",
    "actor_email",
    "organisation_id",
    "object_type",
    "object_id",
    "before",
    "after",
    "ip_address",
    "prev_hash",
    "hash",
)


def _tender_filter(tender_id: int):
    # canonical JSON: sorted keys, no spaces; the id is followed by "," or "}" (so 5 never matches 50)
    return or_(
        and_(AuditEntry.object_type == "tender", AuditEntry.object_id == str(tender_id)),
        AuditEntry.after.like(f'%"tender_id":{int(tender_id)},%'),
        AuditEntry.after.like(f'%"tender_id":{int(tender_id)}}}%'),
    )


def tender_entries(tender_id: int, *, batch: int = 500) -> Iterator[AuditEntry]:
    """Yield the tender's audit entries in seq order, ``batch`` rows per query.

    Rows of a finished batch are expunged from the session before the next query, so memory stays
    bounded however long the chain is (do not keep references to yielded rows across batches if
    you rely on that).
    """
    last_seq = 0
    condition = _tender_filter(tender_id)
    while True:
        rows = db.session.scalars(
            select(AuditEntry)
            .where(condition, AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq
        for row in rows:
            if row in db.session:
                db.session.expunge(row)
        if len(rows) < batch:
            return


def tender_head(tender_id: int) -> dict[str, Any] | None:
    """The tender's last entry (seq and hash), or None."""
    row = db.session.execute(
        select(AuditEntry.seq, AuditEntry.hash)
        .where(_tender_filter(tender_id))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    return {"seq": row.seq, "hash": row.hash} if row else None


def chain_head() -> dict[str, Any] | None:
    """The whole chain's last entry (seq and hash), or None."""
    row = db.session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return {"seq": row.seq, "hash": row.hash} if row else None


def entry_line(entry: AuditEntry) -> dict[str, Any]:
    """Every field of the entry for a JSON line; ``occurred_at`` exactly as it is hashed."""
    return {"id": entry.id} | hashed_fields(entry) | {"prev_hash": entry.prev_hash, "hash": entry.hash}


def entry_from_line(line: Mapping[str, Any]) -> AuditEntry:
    """A transient (never added) AuditEntry from a JSON line; raises KeyError/ValueError if malformed."""
    return AuditEntry(
        id=line.get("id"),
        seq=int(line["seq"]),
        occurred_at=datetime.fromisoformat(line["occurred_at"]),
        action=line["action"],
        actor_id=line["actor_id"],
        actor_email=line["actor_email"],
        organisation_id=line["organisation_id"],
        object_type=line["object_type"],
        object_id=line["object_id"],
        before=line["before"],
        after=line["after"],
        ip_address=line["ip_address"],
        prev_hash=line["prev_hash"],
        hash=line["hash"],
    )


def line_hash(line: Mapping[str, Any]) -> str:
    """Recompute a JSON line's hash from its prev_hash and content (as the audit log does)."""
    return compute_hash(line["prev_hash"], entry_from_line(line))
